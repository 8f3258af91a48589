import { parsePolicy, PolicyError, type PolicyProblem } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { compileRules } from './compile.js';
import { BUILTIN_SIGNALS, compile, HEADER, loadPolicy, signalTypesOf } from '../test/fixtures.js';

const KNOWN =
  'endpoint, has_images, has_schema, has_tools, hour_local, input_tokens, max_tokens, messages_count, ' +
  'model, monthly_spend_pct, owner, priority, streaming, weekday, workflow';

/** The problems compileRules reports for `routes` (fails the test if it compiles). */
function problemsOf(routes: string): readonly PolicyProblem[] {
  try {
    compile(routes);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems;
  }
  throw new Error('expected a PolicyError');
}

/** A route `smart` whose one rule `r` has the condition written as `ifYaml` (line 16 of the file). */
function oneRule(ifYaml: string): string {
  return `  smart:
    default: default-model
    rules:
      - name: r
        if: ${ifYaml}
        use: big-model
`;
}

describe('compileRules', () => {
  it('should compile every route with its rules in order, default and model', () => {
    const compiled = compile(`  smart:
    default: default-model
    rules:
      - { name: long, if: input_tokens > 100000, use: big-model }
      - { name: schema, if: has_schema, use: schema-model }
  cheap:
    default: cheap-model
`);
    expect([...compiled.routes.keys()]).toEqual(['smart', 'cheap']);
    const smart = compiled.routes.get('smart');
    expect(smart?.default).toBe('default-model');
    expect(smart?.rules.map((r) => [r.route, r.name, r.use, r.condition])).toEqual([
      ['smart', 'long', 'big-model', 'input_tokens > 100000'],
      ['smart', 'schema', 'schema-model', 'has_schema'],
    ]);
    expect(compiled.routes.get('cheap')?.rules).toEqual([]);
  });

  it('should return compiled rules whose conditions evaluate against an activation', () => {
    const rule = compile(oneRule('input_tokens > 100000 && priority == "high"')).routes.get('smart')?.rules[0];
    expect(rule?.matches({ input_tokens: 100001n, priority: 'high' })).toBe(true);
    expect(rule?.matches({ input_tokens: 100000n, priority: 'high' })).toBe(false);
    expect(rule?.matches({ input_tokens: 100001n, priority: 'low' })).toBe(false);
  });

  it('should report an unknown signal at its line and column, with a did-you-mean for a near miss', () => {
    const problems = problemsOf(oneRule('has_schema && modle == "x"'));
    expect(problems).toEqual([
      {
        file: 'policy.yaml',
        line: 16,
        column: 27,
        message: `rule "r": unknown signal "modle", did you mean "model"? (known: ${KNOWN})`,
      },
    ]);
  });

  it('should report an unknown signal without a guess when nothing is close', () => {
    const [problem] = problemsOf(oneRule('foo > 1'));
    expect(problem).toEqual({
      file: 'policy.yaml',
      line: 16,
      column: 13,
      message: `rule "r": unknown signal "foo" (known: ${KNOWN})`,
    });
  });

  it('should report a signal declared under signals: that the reader does not know as unknown', () => {
    const policy = loadPolicy(oneRule('priority == "high"'));
    expect(() => compileRules(policy, BUILTIN_SIGNALS)).toThrow(/policy.yaml:16:13: rule "r": unknown signal "priority"/);
  });

  it('should report a type mismatch (has_schema > 3) with the library summary at the expression start', () => {
    expect(problemsOf(oneRule('has_schema > 3'))).toEqual([
      { file: 'policy.yaml', line: 16, column: 13, message: 'rule "r": no such overload: bool > int' },
    ]);
  });

  it('should report a string compared with a number at the comparison', () => {
    expect(problemsOf(oneRule('streaming && model > 3'))).toEqual([
      { file: 'policy.yaml', line: 16, column: 26, message: 'rule "r": no such overload: string > int' },
    ]);
  });

  it('should report a CEL syntax error at the offending token', () => {
    expect(problemsOf(oneRule('input_tokens >> 5'))).toEqual([
      { file: 'policy.yaml', line: 16, column: 27, message: 'rule "r": Unexpected token: GT' },
    ]);
  });

  it('should report a condition that ends too early one column past its end', () => {
    expect(problemsOf(oneRule('input_tokens > 1 &&'))).toEqual([
      { file: 'policy.yaml', line: 16, column: 32, message: 'rule "r": Unexpected token: EOF' },
    ]);
  });

  it('should reject a condition that is not a bool', () => {
    expect(problemsOf(oneRule('input_tokens + 1'))).toEqual([
      { file: 'policy.yaml', line: 16, column: 13, message: 'rule "r": condition must be a bool, got int' },
    ]);
    expect(problemsOf(oneRule('model'))[0]?.message).toBe('rule "r": condition must be a bool, got string');
    expect(problemsOf(oneRule('dyn(has_schema)'))[0]?.message).toBe('rule "r": condition must be a bool, got dyn');
  });

  it('should locate errors inside quoted and block-scalar conditions', () => {
    expect(problemsOf(oneRule(`"model == \\"gpt\\" && fooo"`))[0]).toMatchObject({ line: 16, column: 34 });
    const block = `  smart:
    default: default-model
    rules:
      - name: r
        if: >-
          input_tokens > 100000 &&
          has_shema
        use: big-model
`;
    expect(problemsOf(block)).toEqual([
      {
        file: 'policy.yaml',
        line: 18,
        column: 11,
        message: `rule "r": unknown signal "has_shema", did you mean "has_schema"? (known: ${KNOWN})`,
      },
    ]);
  });

  it('should report every problem of every route in one PolicyError, in file order', () => {
    const routes = `  smart:
    default: default-model
    rules:
      - { name: ok, if: has_schema, use: schema-model }
      - { name: unknown, if: input_tokenz > 5, use: big-model }
      - { name: mismatch, if: has_schema > 3, use: big-model }
  cheap:
    default: cheap-model
    rules:
      - { name: syntax, if: "has_tools &&& streaming", use: cheap-model }
      - { name: not-bool, if: max_tokens * 2, use: cheap-model }
`;
    let error: PolicyError | undefined;
    try {
      compile(routes);
    } catch (err) {
      error = err as PolicyError;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect(error?.problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [16, 30, `rule "unknown": unknown signal "input_tokenz", did you mean "input_tokens"? (known: ${KNOWN})`],
      [17, 31, 'rule "mismatch": no such overload: bool > int'],
      [21, 42, 'rule "syntax": Unexpected character: &'],
      [22, 31, 'rule "not-bool": condition must be a bool, got int'],
    ]);
    expect(error?.message.split('\n')).toEqual(error?.problems.map((p) => `policy.yaml:${p.line}:${p.column}: ${p.message}`));
  });

  it('should accept ordering comparisons between int signals and double literals', () => {
    const rule = compile(oneRule('input_tokens > 100000.0')).routes.get('smart')?.rules[0];
    expect(rule?.matches({ input_tokens: 100001n })).toBe(true);
    expect(rule?.matches({ input_tokens: 100000n })).toBe(false);
    expect(compile(oneRule('monthly_spend_pct > 1')).routes.get('smart')?.rules[0]?.matches({ monthly_spend_pct: 1.5 })).toBe(
      true,
    );
  });

  it('should reject equality between an int signal and a double literal', () => {
    expect(problemsOf(oneRule('messages_count == 12.0'))).toEqual([
      { file: 'policy.yaml', line: 16, column: 13, message: 'rule "r": no such overload: int == double' },
    ]);
  });

  it('should reject a declared signal whose name CEL reserves, at its key under signals:', () => {
    const text = HEADER.replace('signals:\n', 'signals:\n  int: { from: "header:x-int", type: int }\n') + oneRule('has_schema');
    const policy = parsePolicy(text, 'policy.yaml', { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(() => compileRules(policy, signalTypesOf(policy))).toThrow(
      /^policy.yaml:10:3: signal "int" cannot be used in rules: Invalid variable declaration: 'int' is already registered$/,
    );
  });

  it('should reject a built-in or plugin signal whose name CEL reserves, at the top of the file', () => {
    const policy = loadPolicy(oneRule('has_schema'));
    const types = new Map([...signalTypesOf(policy), ['type', 'string' as const]]);
    expect(() => compileRules(policy, types)).toThrow(/^policy.yaml:1:1: signal "type" cannot be used in rules/);
  });

  it('should enforce the structural limits on a condition', () => {
    const policy = loadPolicy(oneRule('has_schema && has_tools && streaming && has_images'));
    expect(() => compileRules(policy, signalTypesOf(policy), { limits: { maxAstNodes: 4 } })).toThrow(
      /rule "r": Exceeded maxAstNodes \(4\)/,
    );
    expect(() => compileRules(policy, signalTypesOf(policy))).not.toThrow();
  });
});
