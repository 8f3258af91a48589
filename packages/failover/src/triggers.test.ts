import { describe, expect, it } from 'vitest';
import { triggerLabel, verdictOf } from './triggers.js';

const answered = (status: number, schemaViolation?: { path: string; keyword: string }) =>
  verdictOf({ kind: 'answered', status, headers: {}, schemaViolation });

describe('verdictOf', () => {
  it('should take a 2xx answer as ok, unless it broke its JSON schema', () => {
    expect(answered(200)).toEqual({ kind: 'ok' });
    expect(answered(201)).toEqual({ kind: 'ok' });
    expect(answered(200, { path: '', keyword: 'required' })).toEqual({ kind: 'trigger', trigger: 'schema_invalid' });
  });

  it('should make 408, 429 and every 5xx triggers', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 529, 599])
      expect(answered(status)).toEqual({ kind: 'trigger', trigger: status });
  });

  it('should pass every other 4xx back as it is, and single out 401', () => {
    for (const status of [400, 403, 404, 409, 413, 422]) expect(answered(status)).toEqual({ kind: 'pass' });
    expect(answered(401)).toEqual({ kind: 'unauthorized' });
    expect(answered(304)).toEqual({ kind: 'pass' });
  });

  it('should map failures before an answer', () => {
    expect(verdictOf({ kind: 'failed', outcome: 'timeout' })).toEqual({ kind: 'trigger', trigger: 'timeout' });
    expect(verdictOf({ kind: 'failed', outcome: 'connect_error' })).toEqual({ kind: 'trigger', trigger: 'connect_error' });
    expect(verdictOf({ kind: 'failed', outcome: 'client_aborted' })).toEqual({ kind: 'aborted' });
  });
});

describe('triggerLabel', () => {
  it('should name statuses http_<status> and keep the other triggers', () => {
    expect(triggerLabel(503)).toBe('http_503');
    expect(triggerLabel('timeout')).toBe('timeout');
    expect(triggerLabel('schema_invalid')).toBe('schema_invalid');
  });
});
