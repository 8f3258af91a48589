import { createRecord, type RoutingRecord } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { evaluateRoute } from './evaluate.js';
import { compile, FakeReader, type FakeSignal } from '../test/fixtures.js';
import type { CompiledRules } from './types.js';

const SMART = `  smart:
    default: default-model
    rules:
      - { name: long-context, if: input_tokens > 100000, use: big-model }
      - { name: schema, if: has_schema, use: schema-model }
      - { name: burn-rate, if: monthly_spend_pct > 0.8, use: cheap-model }
`;

/** One rule `r` (→ big-model) on route `smart`, then a catch-all `next` (→ cheap-model). */
function withRule(condition: string): CompiledRules {
  return compile(`  smart:
    default: default-model
    rules:
      - name: r
        if: '${condition.replaceAll("'", "''")}'
        use: big-model
      - { name: next, if: 'true', use: cheap-model }
`);
}

async function run(
  compiled: CompiledRules,
  values: Record<string, FakeSignal>,
  bounds: Record<string, number> = {},
  record: RoutingRecord = createRecord(),
) {
  const reader = new FakeReader(record, values, bounds);
  const route = compiled.routes.get('smart');
  if (!route) throw new Error('no route smart');
  const selection = await evaluateRoute(compiled, route, record, reader);
  return { selection, record, reader };
}

describe('evaluateRoute', () => {
  const smart = compile(SMART);

  it('should pick the first matching rule and never compute the signals of later rules', async () => {
    const { selection, record, reader } = await run(
      smart,
      { input_tokens: 200, has_schema: true, monthly_spend_pct: 0.95 },
      { input_tokens: 1_000 },
    );
    expect(selection).toEqual({ kind: 'route', route: 'smart', rule: 'schema', model: 'schema-model' });
    expect(record.selection).toBe(selection);
    expect(reader.readCalls).toEqual([['has_schema']]);
    expect(reader.computed).not.toContain('monthly_spend_pct');
    expect(record.signals).toEqual({
      input_tokens: { kind: 'at_most', value: 1_000 },
      has_schema: { kind: 'value', value: true },
    });
    expect(record.ruleErrors).toEqual([]);
  });

  it('should fall back to the route default when no rule matches, having read every rule signal', async () => {
    const { selection, record, reader } = await run(smart, { input_tokens: 90_000, has_schema: false, monthly_spend_pct: 0.5 });
    expect(selection).toEqual({ kind: 'route', route: 'smart', rule: 'default', model: 'default-model' });
    expect(reader.readCalls).toEqual([['input_tokens'], ['has_schema'], ['monthly_spend_pct']]);
    expect(record.signals).toEqual({
      input_tokens: { kind: 'value', value: 90_000 },
      has_schema: { kind: 'value', value: false },
      monthly_spend_pct: { kind: 'value', value: 0.5 },
    });
  });

  it('should record the matched rule and the values it read', async () => {
    const { record } = await run(smart, { input_tokens: 120_000, has_schema: true });
    expect(record.selection).toEqual({ kind: 'route', route: 'smart', rule: 'long-context', model: 'big-model' });
    expect(record.signals).toEqual({ input_tokens: { kind: 'value', value: 120_000 } });
  });

  it('should treat a runtime error as no match, record it and go on to the next rule', async () => {
    const { selection, record } = await run(withRule('100 / max_tokens > 1'), { max_tokens: 0 });
    expect(selection.rule).toBe('next');
    expect(record.ruleErrors).toEqual([{ route: 'smart', rule: 'r', code: 'division_by_zero', message: 'division by zero' }]);
  });

  it('should record an integer overflow as a rule error', async () => {
    const { selection, record } = await run(withRule('max_tokens * 9223372036854775807 > 1'), { max_tokens: 4 });
    expect(selection.rule).toBe('next');
    expect(record.ruleErrors).toMatchObject([{ route: 'smart', rule: 'r', code: 'numeric_overflow' }]);
  });

  it('should treat an absent signal as no match: its reading is the record, not a rule error', async () => {
    const { selection, record } = await run(withRule('priority == "high"'), { priority: { absent: 'no metadata.priority' } });
    expect(selection).toEqual({ kind: 'route', route: 'smart', rule: 'next', model: 'cheap-model' });
    expect(record.ruleErrors).toEqual([]);
    expect(record.signals.priority).toEqual({ kind: 'absent', reason: 'no metadata.priority' });
  });

  it('should keep a real evaluation error beside an absent signal', async () => {
    const { record } = await run(withRule('priority == "high" || 100 / max_tokens > 1'), {
      priority: { absent: 'no metadata.priority' },
      max_tokens: 0,
    });
    expect(record.ruleErrors).toEqual([{ route: 'smart', rule: 'r', code: 'division_by_zero', message: 'division by zero' }]);
  });

  it('should let CEL absorb an absent signal that the other side of || settles', async () => {
    const { selection, record } = await run(withRule('priority == "high" || has_schema'), {
      priority: { absent: 'no metadata.priority' },
      has_schema: true,
    });
    expect(selection.rule).toBe('r');
    expect(record.ruleErrors).toEqual([]);
  });

  it('should pass int signals to CEL as ints, keeping the recorded value a number', async () => {
    const { selection, record } = await run(withRule('messages_count > 3 && messages_count / 2 == 2'), { messages_count: 5 });
    expect(selection.rule).toBe('r');
    expect(record.signals.messages_count).toEqual({ kind: 'value', value: 5 });
  });

  it('should compare an int signal with a double literal numerically', async () => {
    const compiled = withRule('input_tokens > 100000.0');
    expect((await run(compiled, { input_tokens: 100_001 })).selection.rule).toBe('r');
    expect((await run(compiled, { input_tokens: 100_000 })).selection.rule).toBe('next');
  });

  it('should evaluate membership in an int list (hour_local in [22, 23, 0])', async () => {
    const compiled = withRule('hour_local in [22, 23, 0]');
    expect((await run(compiled, { hour_local: 23 })).selection.rule).toBe('r');
    expect((await run(compiled, { hour_local: 0 })).selection.rule).toBe('r');
    expect((await run(compiled, { hour_local: 5 })).selection.rule).toBe('next');
  });

  it('should evaluate string methods (model.startsWith("gpt-"))', async () => {
    const compiled = withRule('model.startsWith("gpt-")');
    expect((await run(compiled, { model: 'gpt-4o' })).selection.rule).toBe('r');
    expect((await run(compiled, { model: 'claude-gpt-' })).selection.rule).toBe('next');
  });

  it('should record a value of the wrong JS type as a rule error, not a crash', async () => {
    const { selection, record } = await run(withRule('model == "x"'), { model: 42 });
    expect(selection.rule).toBe('next');
    expect(record.ruleErrors).toMatchObject([{ rule: 'r', code: 'variable_type_mismatch' }]);
  });

  it('should evaluate a rule that reads no signal without calling the reader', async () => {
    const { selection, reader } = await run(withRule('1 + 1 == 2'), {});
    expect(selection.rule).toBe('r');
    expect(reader.readCalls).toEqual([]);
  });
});

describe('evaluateRoute with an input_tokens bound', () => {
  const long = withRule('input_tokens > 100000');

  it('should not tokenize a 50 KB prompt for input_tokens > 100000', async () => {
    const { selection, record, reader } = await run(long, { input_tokens: 12_000 }, { input_tokens: 50_000 });
    expect(reader.boundCalls).toEqual(['input_tokens']);
    expect(reader.computed).not.toContain('input_tokens');
    expect(selection.rule).toBe('next');
    expect(record.signals.input_tokens).toEqual({ kind: 'at_most', value: 50_000 });
  });

  it('should tokenize a 500 KB prompt, and match or not on the exact count', async () => {
    const big = await run(long, { input_tokens: 120_000 }, { input_tokens: 500_000 });
    expect(big.reader.readCalls).toEqual([['input_tokens']]);
    expect(big.selection.rule).toBe('r');
    expect(big.record.signals.input_tokens).toEqual({ kind: 'value', value: 120_000 });

    const small = await run(long, { input_tokens: 90_000 }, { input_tokens: 500_000 });
    expect(small.reader.readCalls).toEqual([['input_tokens']]);
    expect(small.selection.rule).toBe('next');
  });

  it('should match from the bound alone when the bound settles the rule as true', async () => {
    const { selection, reader, record } = await run(
      withRule('input_tokens < 100000 && has_tools'),
      { input_tokens: 10, has_tools: true },
      { input_tokens: 2_000 },
    );
    expect(selection.rule).toBe('r');
    expect(reader.readCalls).toEqual([['has_tools']]);
    expect(record.signals.input_tokens).toEqual({ kind: 'at_most', value: 2_000 });
  });

  it('should always read input_tokens exactly when it is not a direct literal comparison', async () => {
    const { reader, selection } = await run(
      withRule('input_tokens + max_tokens > 100000'),
      { input_tokens: 10, max_tokens: 20 },
      { input_tokens: 50 },
    );
    expect(reader.boundCalls).toEqual([]);
    expect(reader.readCalls).toEqual([['input_tokens', 'max_tokens']]);
    expect(selection.rule).toBe('next');
  });

  it('should read exactly when the reader has no bound', async () => {
    const { reader } = await run(long, { input_tokens: 10 }, {});
    expect(reader.boundCalls).toEqual(['input_tokens']);
    expect(reader.readCalls).toEqual([['input_tokens']]);
  });

  it('should use an exact reading already in the record without asking for a bound or reading again', async () => {
    const record = createRecord();
    record.signals.input_tokens = { kind: 'value', value: 150_000 };
    const { reader, selection } = await run(long, { input_tokens: 1 }, { input_tokens: 10 }, record);
    expect(reader.boundCalls).toEqual([]);
    expect(reader.readCalls).toEqual([]);
    expect(selection.rule).toBe('r');
  });

  it('should replace a bound with the exact count when a later rule needs it', async () => {
    const compiled = compile(`  smart:
    default: default-model
    rules:
      - { name: huge, if: input_tokens > 100000, use: big-model }
      - { name: sum, if: input_tokens + max_tokens > 1000, use: cheap-model }
`);
    const { selection, record, reader } = await run(compiled, { input_tokens: 900, max_tokens: 200 }, { input_tokens: 4_000 });
    expect(reader.readCalls).toEqual([['input_tokens', 'max_tokens']]);
    expect(record.signals.input_tokens).toEqual({ kind: 'value', value: 900 });
    expect(selection.rule).toBe('sum');
  });
});

describe('a compiled rule set shared by concurrent requests', () => {
  it('should give every concurrent evaluation the answer for its own signals', async () => {
    const compiled = compile(`  smart:
    default: default-model
    rules:
      - { name: long-context, if: input_tokens > 100000, use: big-model }
      - { name: vip, if: 'priority == "high" && hour_local in [22, 23, 0]', use: schema-model }
      - { name: burn-rate, if: monthly_spend_pct > 0.8, use: cheap-model }
      - { name: gpt, if: 'model.startsWith("gpt-")', use: schema-model }
`);
    const route = compiled.routes.get('smart');
    if (!route) throw new Error('no route');
    type Values = { input_tokens: number; priority: FakeSignal; hour_local: number; monthly_spend_pct: number; model: string };
    const expected = (v: Values) =>
      v.input_tokens > 100000
        ? 'long-context'
        : v.priority === 'high' && [22, 23, 0].includes(v.hour_local)
          ? 'vip'
          : v.monthly_spend_pct > 0.8
            ? 'burn-rate'
            : v.model.startsWith('gpt-')
              ? 'gpt'
              : 'default';
    // Every fifth request lacks priority: a leak of another request's value would turn its vip rule on.
    const cases = Array.from(
      { length: 400 },
      (_, i): Values => ({
        input_tokens: (i * 7919) % 200_000,
        priority: i % 5 === 0 ? { absent: 'no metadata' } : i % 3 === 0 ? 'high' : 'low',
        hour_local: (i * 5) % 24,
        monthly_spend_pct: ((i * 37) % 100) / 100,
        model: i % 2 === 0 ? 'gpt-4o' : 'claude',
      }),
    );
    const results = await Promise.all(
      cases.map(async (values, i) => {
        const record = createRecord();
        const reader = new FakeReader(record, values, { input_tokens: values.input_tokens * 4 }, i % 4);
        return (await evaluateRoute(compiled, route, record, reader)).rule;
      }),
    );
    expect(results).toEqual(cases.map(expected));
    expect(new Set(results)).toEqual(new Set(['long-context', 'vip', 'burn-rate', 'gpt', 'default']));
  });
});
