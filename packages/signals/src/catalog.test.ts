import { PolicyError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { signalCatalog } from './catalog.js';
import { defineSignal } from './define-signal.js';
import { jsonPathProblem } from './jsonpath.js';
import { BUILTIN_SIGNALS, SIGNAL_INPUT_TOKENS } from './names.js';
import { catalogWith, policyWith } from '../test/server.js';

/** The PolicyError that building a catalog for `extra` throws. */
function policyError(extra: string): PolicyError {
  try {
    catalogWith(extra);
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error('expected a PolicyError');
}

const plugin = (name: string) => defineSignal({ name, type: 'string', extract: () => 'x' });

describe('signalCatalog', () => {
  it('should list built-ins, then declared signals, then plugins, with their types', () => {
    const catalog = catalogWith('signals:\n  priority: { from: "$.metadata.priority", type: string }\n', {
      plugins: [plugin('tier')],
    });
    expect([...catalog.types]).toEqual([...Object.entries(BUILTIN_SIGNALS), ['priority', 'string'], ['tier', 'string']]);
    expect(BUILTIN_SIGNALS[SIGNAL_INPUT_TOKENS]).toBe('int');
    expect(catalog.types.has('monthly_spend_pct')).toBe(false);
    expect(Object.isFrozen(catalog)).toBe(true);
  });

  it('should locate a declared signal that reuses a built-in name', () => {
    const err = policyError('signals:\n  priority: { from: "$.p", type: string }\n  input_tokens: { from: "$.n", type: int }\n');
    expect(err.problems).toEqual([
      {
        file: 'test.yaml',
        line: 6,
        column: 3,
        message: 'signal "input_tokens" has the name of a built-in signal; choose another name',
      },
    ]);
    expect(err.message).toBe('test.yaml:6:3: signal "input_tokens" has the name of a built-in signal; choose another name');
  });

  it('should locate a block-style declared signal that reuses a built-in name at its key', () => {
    const err = policyError('signals:\n  model:\n    from: "$.m"\n    type: string\n');
    expect(err.problems.map((p) => [p.line, p.column])).toEqual([[5, 3]]);
  });

  it('should locate a from: JSONPath that does not parse, at its line', () => {
    const err = policyError(`signals:
  ok: { from: "$.a", type: string }
  unclosed:
    type: string
    from: "$.metadata[0"
  bad_filter:
    type: bool
    from: "$.messages[?(@.role ==)]"
`);
    expect(err.problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [8, 11, 'signal "unclosed": JSONPath "$.metadata[0" does not parse: unclosed "["'],
      [
        11,
        11,
        expect.stringMatching(
          /^signal "bad_filter": JSONPath "\$\.messages\[\?\(@\.role ==\)\]" does not parse: invalid script "@\.role ==": /,
        ),
      ],
    ]);
  });

  it('should point at the offending character of a from: JSONPath when there is one', () => {
    const err = policyError('signals:\n  stray: { from: "$.meta]", type: string }\n');
    // The value starts at column 18 with its quote; "]" is 6 characters into it.
    expect(err.problems).toEqual([
      {
        file: 'test.yaml',
        line: 5,
        column: 18 + 1 + 6,
        message: 'signal "stray": JSONPath "$.meta]" does not parse: unexpected "]"',
      },
    ]);
  });

  it('should reject plugins that collide, naming the signal', () => {
    const declared = 'signals:\n  priority: { from: "$.p", type: string }\n';
    expect(() => catalogWith('', { plugins: [plugin('model')] })).toThrow(
      new TypeError('signalCatalog: plugin "model" has the name of a built-in signal'),
    );
    expect(() => catalogWith(declared, { plugins: [plugin('priority')] })).toThrow(
      new TypeError('signalCatalog: plugin "priority" has the name of a signal declared in the policy (test.yaml:5:3)'),
    );
    expect(() => catalogWith('', { plugins: [plugin('tier'), plugin('tier')] })).toThrow(
      new TypeError('signalCatalog: two plugins are named "tier"'),
    );
  });

  it('should check plugins that were not made by defineSignal', () => {
    const forged = { name: 'Bad Name', type: 'string', extract: () => 'x', timeoutMs: 50 } as const;
    expect(() => signalCatalog(policyWith(), { plugins: [forged] })).toThrow(TypeError);
  });

  it('should build one catalog per policy load, sharing nothing between loads', () => {
    const policy = policyWith();
    expect(signalCatalog(policy)).not.toBe(signalCatalog(policy));
  });
});

describe('jsonPathProblem', () => {
  it('should accept the JSONPath forms jsonpath-plus evaluates', () => {
    for (const path of [
      '$',
      '$.metadata.priority',
      "$['metadata']['the.tags']",
      '$["a b"]',
      '$..workflow',
      '$.messages[0].content',
      '$.messages[-1:].role',
      '$.messages[*].role',
      "$.messages[?(@.role == 'user')].content",
      '$.messages[(@.length-1)].role',
      "$.a[?(@.b && @.c[0] === 'x]')]",
    ]) {
      expect(jsonPathProblem(path), path).toBeUndefined();
    }
  });

  it('should name what is wrong with paths that do not parse, and where', () => {
    expect(jsonPathProblem('metadata.priority')).toEqual({ message: 'must start with "$"', offset: 0 });
    expect(jsonPathProblem('$.a[')).toEqual({ message: 'unclosed "["' });
    expect(jsonPathProblem('$.a]')).toEqual({ message: 'unexpected "]"', offset: 3 });
    expect(jsonPathProblem('$.a[]')).toEqual({ message: 'empty "[]"', offset: 3 });
    expect(jsonPathProblem("$.a['b]")).toEqual({ message: "unterminated ' quote" });
    expect(jsonPathProblem('$.a.')).toEqual({ message: 'ends with "."', offset: 3 });
    expect(jsonPathProblem('$.a[?(@.x > 1]')).toEqual({ message: 'unexpected "]"', offset: 13 });
    expect(jsonPathProblem('$.a[?(@.x >)]')?.message).toMatch(/^invalid script "@\.x >": /);
  });
});
