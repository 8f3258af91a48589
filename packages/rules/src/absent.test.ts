// What a rule says about an absent signal: present() and value_or(), checked at load, evaluated per request.
import { createRecord, PolicyError, type PolicyProblem } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { compile, FakeReader, type FakeSignal } from '../test/fixtures.js';
import { evaluateRoute } from './evaluate.js';

/** Route `smart` with one rule `r` (line 16) → big-model, else default-model. */
const oneRule = (condition: string) => `  smart:
    default: default-model
    rules:
      - name: r
        if: '${condition.replaceAll("'", "''")}'
        use: big-model
`;

async function picks(condition: string, values: Record<string, FakeSignal>) {
  const compiled = compile(oneRule(condition));
  const record = createRecord();
  const selection = await evaluateRoute(compiled, compiled.routes.get('smart')!, record, new FakeReader(record, values));
  return { rule: selection.rule, record };
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

const ABSENT = { absent: 'not present in request' };

describe('value_or(signal, default)', () => {
  it('should give the default when the signal is absent, with no rule error', async () => {
    const { rule, record } = await picks('value_or(priority, "normal") == "normal"', { priority: ABSENT });
    expect(rule).toBe('r');
    expect(record.ruleErrors).toEqual([]);
    expect(record.signals.priority).toEqual({ kind: 'absent', reason: 'not present in request' });
  });

  it("should give the signal's own value when it is there", async () => {
    expect((await picks('value_or(priority, "normal") == "normal"', { priority: 'high' })).rule).toBe('default');
    expect((await picks('value_or(priority, "low") in ["high", "urgent"]', { priority: 'urgent' })).rule).toBe('r');
  });

  it('should keep the type of the signal: an int default for an int signal', async () => {
    expect((await picks('value_or(max_tokens, 4096) > 1000', { max_tokens: ABSENT })).rule).toBe('r');
    expect((await picks('value_or(max_tokens, 4096) > 1000', { max_tokens: 10 })).rule).toBe('default');
  });

  it('should refuse at load a default of another type, or a first argument that is not a signal', () => {
    expect(problemsOf('value_or(priority, 3) == "x"')).toEqual([
      {
        file: 'policy.yaml',
        line: 16,
        column: 33,
        message: 'rule "r": value_or(string, int): the default must be a string, like the signal',
      },
    ]);
    expect(problemsOf('value_or("x", "y") == "y"')[0]?.message).toBe(`rule "r": value_or() takes a signal's name first`);
    expect(problemsOf('value_or(nope, 1) > 0')[0]?.message).toMatch(/^rule "r": unknown signal "nope"/);
  });
});

describe('present(signal)', () => {
  it('should tell whether the request carries the signal, a false bool included', async () => {
    expect((await picks('present(priority)', { priority: ABSENT })).rule).toBe('default');
    expect((await picks('!present(priority)', { priority: ABSENT })).rule).toBe('r');
    expect((await picks('present(priority)', { priority: '' })).rule).toBe('r');
    expect((await picks('present(has_tools)', { has_tools: false })).rule).toBe('r');
  });

  it('should guard a comparison so that an absent signal is simply no match', async () => {
    const { rule, record } = await picks('present(priority) && priority == "high"', { priority: ABSENT });
    expect(rule).toBe('default');
    expect(record.ruleErrors).toEqual([]);
  });

  it('should refuse at load anything but a signal name', () => {
    expect(problemsOf('present(1)')[0]?.message).toBe(`rule "r": present() takes a signal's name first`);
  });

  it('should still let real evaluation errors through as rule errors', async () => {
    const { record } = await picks('present(max_tokens) && 100 / max_tokens > 1', { max_tokens: 0 });
    expect(record.ruleErrors).toMatchObject([{ rule: 'r', code: 'division_by_zero' }]);
  });
});
