import type { Transitions } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { outcomesOf, TransitionTable } from './transitions.js';
import type { AttemptReport } from './triggers.js';

const at = (status: number, more: Partial<Extract<AttemptReport, { kind: 'answered' }>> = {}): AttemptReport => ({
  kind: 'answered',
  status,
  headers: {},
  ...more,
});

describe('outcomesOf', () => {
  it.each<[string, AttemptReport, string[]]>([
    ['a 503', at(503), ['http_503', 'http_5xx']],
    ['a 429', at(429), ['http_429', 'http_4xx']],
    ['a 408', at(408), ['http_408', 'http_4xx']],
    ['a 400 about the input', at(400, { unsupportedInput: true }), ['unsupported_input', 'http_400', 'http_4xx']],
    ['a refusal', at(200, { refusal: true }), ['refusal']],
    ['a schema violation', at(200, { schemaViolation: { path: '', keyword: 'json' } }), ['schema_invalid']],
    ['a timeout', { kind: 'failed', outcome: 'timeout' }, ['timeout']],
    ['a refused connection', { kind: 'failed', outcome: 'connect_error' }, ['connect_error']],
    ['a good answer', at(200), []],
    ['a 401 (the next credential decides)', at(401), []],
    ['a 3xx', at(302), []],
    ['a client gone', { kind: 'failed', outcome: 'client_aborted' }, []],
  ])('should name %s', (_name, report, names) => {
    expect(outcomesOf(report, 'schema_invalid')).toEqual(names);
  });

  it('should name a schema violation after its retries schema_invalid_after_retry', () => {
    expect(outcomesOf(at(200, { schemaViolation: { path: '/a', keyword: 'type' } }), 'schema_invalid_after_retry')).toEqual([
      'schema_invalid_after_retry',
    ]);
  });
});

describe('TransitionTable', () => {
  const workflow: Transitions = new Map([['http_5xx', { retries: 0, action: 'stop' }]]);
  const route: Transitions = new Map([
    ['http_503', { retries: 0, action: 'fallback' }],
    ['timeout', { retries: 1, action: 'stop' }],
  ]);

  it("should look in the workflow's map under every name first, then in the route's", () => {
    const table = new TransitionTable(workflow, route);
    expect(table.find(['http_503', 'http_5xx'])).toEqual({
      outcome: 'http_5xx',
      transition: { retries: 0, action: 'stop' },
      from: 'workflow',
    });
    expect(table.find(['timeout'])).toEqual({ outcome: 'timeout', transition: { retries: 1, action: 'stop' }, from: 'route' });
    expect(table.find(['connect_error'])).toBeUndefined();
    expect(new TransitionTable(undefined, route).find(['http_503', 'http_5xx'])?.from).toBe('route');
  });

  it('should say which outcomes it names', () => {
    const table = new TransitionTable(workflow, route);
    expect(table.names('timeout')).toBe(true);
    expect(table.names('refusal')).toBe(false);
    expect(new TransitionTable(undefined, undefined).names('http_5xx')).toBe(false);
  });
});
