// A policy test file is checked whole before any case runs: every problem, with where it is written.
import { PolicyError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { parsePolicyTests } from './suite.js';

function problems(text: string): string[] {
  try {
    parsePolicyTests(text, 'tests.yaml');
  } catch (err) {
    if (err instanceof PolicyError) return err.problems.map((p) => `${p.line}:${p.column}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('parsePolicyTests', () => {
  it('should read cases with their lines, headers as strings', () => {
    const suite = parsePolicyTests(
      `cases:
  - name: one
    request: { model: smart, messages: [] }
    headers: { x-user-tier: 3 }
    key: KEY
    given: { hour_local: 23 }
    upstream: { m: [503, timeout] }
    expect: { rule: long, status: 200, served: null }
  - name: two
    path: /messages
    request: { model: smart }
    expect: { code: model_not_found }
`,
      'tests.yaml',
    );
    expect(suite.cases).toEqual([
      {
        name: 'one',
        line: 2,
        request: { model: 'smart', messages: [] },
        path: undefined,
        headers: { 'x-user-tier': '3' },
        key: 'KEY',
        given: { hour_local: 23 },
        upstream: { m: [503, 'timeout'] },
        expect: { rule: 'long', status: 200, served: null },
      },
      expect.objectContaining({ name: 'two', line: 9, path: '/messages', expect: { code: 'model_not_found' } }),
    ]);
  });

  it('should list every problem of a malformed file, with its position', () => {
    expect(
      problems(`cases:
  - name: a
    request: hello
    expect: { rout: smart, status: "200", rule: 3, escalate: "yes" }
  - name: a
    request: { model: x }
    expect: {}
    extra: true
  - request: { model: x }
    headers: { h: [1] }
    expect: { rule: r }
`),
    ).toEqual([
      '3:14: a case needs `request:`, the body a client sends (an object with a model)',
      '4:15: expect: unknown field "rout" (fields: route, rule, model, provider, owner, status, code, served, error_model, fallback_reason, attempts, workflow, transition, escalate)',
      '4:36: expect.status must be a whole number',
      '4:49: expect.rule must be a name or null',
      '4:62: expect.escalate must be true or false',
      '7:13: a case needs `expect:` with at least one of route, rule, model, provider, owner, status, code, served, error_model, fallback_reason, attempts, workflow, transition, escalate',
      '8:5: unknown key "extra" (a case has name, request, path, headers, key, given, upstream, expect)',
      '9:5: a case needs a name',
      '10:14: `headers:` maps header names to values',
    ]);
  });

  it('should refuse a file without cases, with a YAML error, or with two cases of one name', () => {
    expect(problems('tests: []')).toEqual(['1:1: a test file needs `cases:`, a list of { name, request, expect }']);
    expect(problems('cases: [')).toEqual([expect.stringMatching(/^1:\d+: YAML: /)]);
    expect(problems('cases: []')).toEqual(['1:8: no cases']);
    const twice = `cases:
  - { name: a, request: { model: x }, expect: { status: 200 } }
  - { name: a, request: { model: x }, expect: { status: 200 } }
`;
    expect(problems(twice)).toEqual(['3:13: two cases are named "a"']);
  });
});
