import { createRecord, PolicyError, type PolicyProblem } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { evaluateRoute } from './evaluate.js';
import { MAX_RUNTIME_PATTERN_LENGTH } from './regex.js';
import { compile, FakeReader, type FakeSignal } from '../test/fixtures.js';
import type { CompiledRule, CompiledRules } from './types.js';

/** Route `smart` with one rule `r` whose condition is written in YAML single quotes on line 16, column 13. */
function oneRule(condition: string): string {
  return `  smart:
    default: default-model
    rules:
      - name: r
        if: '${condition.replaceAll("'", "''")}'
        use: big-model
`;
}

function ruleOf(condition: string): CompiledRule {
  const rule = compile(oneRule(condition)).routes.get('smart')?.rules[0];
  if (!rule) throw new Error('no rule');
  return rule;
}

function problemsOf(condition: string): readonly PolicyProblem[] {
  try {
    compile(oneRule(condition));
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems;
  }
  throw new Error('expected a PolicyError');
}

async function evaluate(compiled: CompiledRules, values: Record<string, FakeSignal>) {
  const route = compiled.routes.get('smart');
  if (!route) throw new Error('no route');
  const record = createRecord();
  const selection = await evaluateRoute(compiled, route, record, new FakeReader(record, values));
  return { selection, record };
}

describe('matches() on RE2', () => {
  it('should match the ReDoS pattern ^(a+)+$ against 100 KB in well under 50 ms', () => {
    const rule = ruleOf('priority.matches("^(a+)+$")');
    const evil = `${'a'.repeat(100_000)}!`;
    const start = performance.now();
    expect(rule.matches({ priority: evil })).toBe(false);
    const elapsed = performance.now() - start;
    expect(rule.matches({ priority: 'a'.repeat(100_000) })).toBe(true);
    // V8's RegExp needs about 2^n steps here: already seconds at n = 30.
    expect(elapsed).toBeLessThan(50);
  });

  it.each([
    ['^gpt-4o', 'gpt-4o-mini', true],
    ['^gpt-4o', 'my gpt-4o', false],
    ['mini$', 'gpt-4o-mini', true],
    ['^[a-z]+-\\\\d+$', 'ticket-42', true],
    ['^[a-z]+-\\\\d+$', 'ticket-42b', false],
    ['urgent|asap', 'please, ASAP', false],
    ['urgent|asap', 'do it asap', true],
    ['(?i)urgent|asap', 'URGENT: now', true],
    ['(?i)^hello\\\\b', 'Hello world', true],
    ['\\\\bcat\\\\b', 'concatenate', false],
    ['[[:digit:]]{3}', 'code 123', true],
    ['\\\\p{Greek}', 'alpha α', true],
    ['', 'anything', true],
  ])('should give %s on %s the RE2 answer (%s), unanchored unless anchored', (pattern, text, expected) => {
    expect(ruleOf(`priority.matches("${pattern}")`).matches({ priority: text })).toBe(expected);
  });

  it('should accept raw strings and the global form matches(text, pattern)', () => {
    expect(ruleOf(String.raw`priority.matches(r"^\d+$")`).matches({ priority: '123' })).toBe(true);
    expect(ruleOf('matches(priority, "^lo")').matches({ priority: 'low' })).toBe(true);
    expect(ruleOf('matches(priority, "^lo")').matches({ priority: 'high' })).toBe(false);
  });

  it('should refuse a backreference at load, at the pattern, saying RE2 has none', () => {
    expect(problemsOf('priority.matches("(a)\\\\1")')).toEqual([
      {
        file: 'policy.yaml',
        line: 16,
        column: 31,
        message:
          'rule "r": invalid regular expression "(a)\\\\1": invalid escape sequence at `\\1` ' +
          '(matches() uses RE2 syntax: no backreferences, no lookaround)',
      },
    ]);
  });

  it('should refuse lookahead and lookbehind at load', () => {
    for (const pattern of ['foo(?=bar)', 'foo(?!bar)', '(?<=foo)bar', '(?<!foo)bar']) {
      const [problem] = problemsOf(`priority.matches("${pattern}")`);
      expect(problem?.column).toBe(31);
      expect(problem?.message).toMatch(/^rule "r": invalid regular expression .*no backreferences, no lookaround\)$/);
    }
  });

  it('should refuse an unbalanced pattern at its position, however far into the condition', () => {
    expect(problemsOf('has_schema && priority.matches("(low|high")')).toEqual([
      {
        file: 'policy.yaml',
        line: 16,
        column: 45,
        message: 'rule "r": invalid regular expression "(low|high": missing closing ) at `(low|high`',
      },
    ]);
    const [closing] = problemsOf('matches(priority, "a)")');
    expect(closing).toMatchObject({ line: 16, column: 32, message: expect.stringContaining('unexpected ) at `a)`') });
  });

  it('should refuse at load a pattern whose RE2 program is too large', () => {
    const [problem] = problemsOf('priority.matches("[a-z]{1,1000}")');
    expect(problem?.message).toBe(
      'rule "r": invalid regular expression "[a-z]{1,1000}": pattern too large: 2001 RE2 instructions, at most 1000',
    );
  });

  it('should refuse at load a matches() on something that is not a string', () => {
    expect(problemsOf('max_tokens.matches("1")')[0]?.message).toBe(
      'rule "r": found no matching overload for \'int.matches(string)\'',
    );
    expect(problemsOf('priority.matches(1)')[0]?.message).toBe(
      'rule "r": found no matching overload for \'string.matches(int)\'',
    );
  });

  it('should report every bad pattern of a policy together', () => {
    const compiled = () =>
      compile(`  smart:
    default: default-model
    rules:
      - { name: a, if: 'priority.matches("(")', use: big-model }
      - { name: b, if: 'priority.matches("ok")', use: big-model }
      - { name: c, if: 'priority.matches("x\\\\2")', use: big-model }
`);
    expect(compiled).toThrow(PolicyError);
    try {
      compiled();
    } catch (err) {
      expect((err as PolicyError).problems.map((p) => [p.line, p.message.slice(0, 13)])).toEqual([
        [15, 'rule "a": inv'],
        [17, 'rule "c": inv'],
      ]);
    }
  });
});

describe('matches() with a pattern computed per request', () => {
  const compiled = compile(oneRule('priority.matches(workflow)'));

  it('should compile the pattern per evaluation with RE2', async () => {
    const evil = { priority: `${'a'.repeat(100_000)}!`, workflow: '^(a+)+$' };
    const start = performance.now();
    expect((await evaluate(compiled, evil)).selection.rule).toBe('default');
    expect(performance.now() - start).toBeLessThan(50);
    expect((await evaluate(compiled, { priority: 'batch-7', workflow: '^batch-\\d$' })).selection.rule).toBe('r');
  });

  it('should make the rule fail to evaluate, not match and not throw, when RE2 rejects the pattern', async () => {
    const { selection, record } = await evaluate(compiled, { priority: 'secret prompt text', workflow: '(secret)\\1' });
    expect(selection.rule).toBe('default');
    expect(record.ruleErrors).toEqual([
      {
        route: 'smart',
        rule: 'r',
        code: 'invalid_regular_expression',
        message:
          'invalid regular expression (computed, 10 characters): invalid escape sequence ' +
          '(matches() uses RE2 syntax: no backreferences, no lookaround)',
      },
    ]);
  });

  it('should refuse, before compiling, a pattern too long or whose program could be too large', async () => {
    const long = await evaluate(compiled, { priority: 'x', workflow: 'x'.repeat(MAX_RUNTIME_PATTERN_LENGTH + 1) });
    expect(long.record.ruleErrors[0]?.message).toBe(
      `invalid regular expression (computed, ${MAX_RUNTIME_PATTERN_LENGTH + 1} characters): pattern too long: ` +
        `${MAX_RUNTIME_PATTERN_LENGTH + 1} characters, at most ${MAX_RUNTIME_PATTERN_LENGTH}`,
    );
    // 19 × [a-z]{1,1000}: 248 characters that take RE2 about 0.3 s to compile into 38k instructions.
    const start = performance.now();
    const large = await evaluate(compiled, { priority: 'x', workflow: '[a-z]{1,1000}'.repeat(19) });
    expect(performance.now() - start).toBeLessThan(50);
    expect(large.record.ruleErrors[0]?.message).toMatch(/pattern too large: up to \d+ RE2 instructions, at most 1000$/);
  });

  it('should never quote the computed pattern, which may hold request text, in the rule error', async () => {
    const { record } = await evaluate(compiled, { priority: 'x', workflow: 'my-secret-(' });
    expect(record.ruleErrors[0]?.message).not.toContain('secret');
  });
});

describe('a rule with matches() shared by concurrent requests', () => {
  it('should give every interleaved evaluation the answer for its own text', async () => {
    const compiled = compile(`  smart:
    default: default-model
    rules:
      - { name: ticket, if: 'priority.matches("(?i)^ticket-\\\\d+$")', use: big-model }
      - { name: dynamic, if: 'priority.matches(workflow)', use: cheap-model }
`);
    const route = compiled.routes.get('smart');
    if (!route) throw new Error('no route');
    const cases = Array.from({ length: 300 }, (_, i) => ({
      priority: i % 3 === 0 ? `TICKET-${i}` : i % 3 === 1 ? `job-${i}` : `ticket-${i}x`,
      workflow: i % 2 === 0 ? `^job-${i}$` : '^job-',
    }));
    const expected = cases.map(({ priority, workflow }) =>
      /^ticket-\d+$/i.test(priority) ? 'ticket' : new RegExp(workflow).test(priority) ? 'dynamic' : 'default',
    );
    const results = await Promise.all(
      cases.map(async (values, i) => {
        const record = createRecord();
        const reader = new FakeReader(record, values, {}, i % 4);
        return (await evaluateRoute(compiled, route, record, reader)).rule;
      }),
    );
    expect(results).toEqual(expected);
    expect(new Set(results)).toEqual(new Set(['ticket', 'dynamic', 'default']));
  });
});
