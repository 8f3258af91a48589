import { describe, expect, it } from 'vitest';
import { compile } from '../test/fixtures.js';
import type { CompiledRule } from './types.js';

function ruleFor(condition: string): CompiledRule {
  const yaml = `  smart:
    default: default-model
    rules:
      - name: r
        if: '${condition.replaceAll("'", "''")}'
        use: big-model
`;
  const rule = compile(yaml).routes.get('smart')?.rules[0];
  if (!rule) throw new Error('no rule compiled');
  return rule;
}

describe('signals a rule reads', () => {
  it('should list each signal once, in order of first use', () => {
    expect(ruleFor('has_schema && input_tokens > 5 || has_schema && model.startsWith("gpt-")').reads).toEqual([
      'has_schema',
      'input_tokens',
      'model',
    ]);
  });

  it('should list nothing for a condition that reads no signal', () => {
    expect(ruleFor('true').reads).toEqual([]);
  });

  it('should not count a macro loop variable as a signal, even one named like a signal', () => {
    expect(ruleFor('[1, 2].exists(x, x > max_tokens)').reads).toEqual(['max_tokens']);
    expect(ruleFor('[1, 2].exists(model, model > 1)').reads).toEqual([]);
    expect(ruleFor('[1, 2].all(x, x > 0) && [3].map(y, y * 2).size() > 0').reads).toEqual([]);
  });

  it('should count signals in a macro receiver and in a cel.bind initialiser', () => {
    expect(ruleFor('[hour_local, 3].exists(h, h > 2)').reads).toEqual(['hour_local']);
    expect(ruleFor('cel.bind(t, input_tokens + max_tokens, t > 5)').reads).toEqual(['input_tokens', 'max_tokens']);
  });

  it('should count the signals of every branch of a ternary', () => {
    expect(ruleFor('streaming ? weekday == "sat" : owner == "x"').reads).toEqual(['streaming', 'weekday', 'owner']);
  });
});

describe('input_tokens bound analysis', () => {
  it('should mark a direct comparison with an int literal as bound-decidable', () => {
    expect(ruleFor('input_tokens > 100000').inputTokensBound).toEqual([{ op: '>', value: 100000 }]);
  });

  it('should turn a literal-first comparison around so input_tokens is on the left', () => {
    expect(ruleFor('100000 < input_tokens').inputTokensBound).toEqual([{ op: '>', value: 100000 }]);
    expect(ruleFor('5 >= input_tokens').inputTokensBound).toEqual([{ op: '<=', value: 5 }]);
  });

  it('should accept double and negative literals', () => {
    expect(ruleFor('input_tokens >= 1.5e5 && input_tokens != -1').inputTokensBound).toEqual([
      { op: '>=', value: 150000 },
      { op: '!=', value: -1 },
    ]);
  });

  it('should keep every comparison when input_tokens appears several times, beside other signals', () => {
    expect(ruleFor('(input_tokens > 100000 || input_tokens < 10) && has_schema').inputTokensBound).toEqual([
      { op: '>', value: 100000 },
      { op: '<', value: 10 },
    ]);
  });

  it('should not mark rules that use input_tokens any other way', () => {
    for (const condition of [
      'input_tokens + max_tokens > 100000',
      'input_tokens > max_tokens',
      'input_tokens in [1, 2]',
      'input_tokens > 5 && input_tokens * 2 > 4',
      'cel.bind(t, input_tokens, t > 5)',
      '[1].exists(x, x < input_tokens)',
    ]) {
      expect(ruleFor(condition).inputTokensBound, condition).toBeUndefined();
    }
  });

  it('should not mark rules that do not read input_tokens', () => {
    expect(ruleFor('has_schema').inputTokensBound).toBeUndefined();
    expect(ruleFor('[1].exists(input_tokens, input_tokens > 0)').inputTokensBound).toBeUndefined();
  });
});
