// runPolicyTests(): each expectation compared with what explain found; a case that cannot run fails too.
import { MemoryStore } from '@switchyard/budget';
import { parsePolicy } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile.js';
import { runPolicyTests } from './run.js';
import { parsePolicyTests } from './suite.js';

const compiled = compilePolicy(
  parsePolicy(
    `version: 1
providers: { p: { format: openai, base_url: "http://127.0.0.1:9/v1" } }
models: { m-a: { provider: p }, m-b: { provider: p } }
routes:
  smart: { default: m-a, rules: [{ name: tools, if: has_tools, use: m-b }], fallbacks: [m-b] }
`,
    'policy.yaml',
  ),
  { budget: { store: new MemoryStore() } },
);

describe('runPolicyTests', () => {
  it('should pass what holds, list each difference of what does not, and fail a case that cannot run', async () => {
    const suite = parsePolicyTests(
      `cases:
  - name: holds
    request: { model: smart, messages: [{ role: user, content: hi }] }
    upstream: { m-a: [503] }
    expect: { route: smart, rule: default, model: m-a, provider: p, owner: default, status: 200, code: null, served: m-b, error_model: null, fallback_reason: http_503, attempts: 2 }
  - name: differs
    request: { model: smart, messages: [{ role: user, content: hi }] }
    expect: { rule: tools, served: m-a, attempts: 3 }
  - name: cannot run
    request: { model: smart, messages: [{ role: user, content: hi }] }
    given: { nope: 1 }
    expect: { rule: default }
`,
      'tests.yaml',
    );
    const report = await runPolicyTests(compiled, suite);
    expect(report).toMatchObject({ file: 'tests.yaml', passed: 1, failed: 2, policy: { version: compiled.version } });
    expect(report.results.map((r) => [r.name, r.passed, r.line])).toEqual([
      ['holds', true, 2],
      ['differs', false, 6],
      ['cannot run', false, 9],
    ]);
    expect(report.results[1]!.mismatches).toEqual([
      { field: 'rule', expected: 'tools', actual: 'default' },
      { field: 'attempts', expected: 3, actual: 1 },
    ]);
    expect(report.results[2]).toMatchObject({ error: expect.stringMatching(/^given nope: no such signal/), mismatches: [] });
  });
});
