import type { ServerResponse } from 'node:http';
import { createRecord, type Attempt } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { requestOutcome } from './outcome.js';

function response(state: { finished: boolean; headersSent: boolean; status?: number }): ServerResponse {
  return { writableFinished: state.finished, headersSent: state.headersSent, statusCode: state.status ?? 200 } as ServerResponse;
}

const attempt = (fields: Partial<Attempt> = {}): Attempt => ({
  provider: 'p',
  model: 'm',
  credentialIndex: 0,
  startedAt: 1,
  ...fields,
});

describe('requestOutcome', () => {
  it('should end an attempt still in flight when the client left as aborted, at the close', () => {
    const record = createRecord(0);
    record.attempts.push(attempt({ status: 200 }));
    const outcome = requestOutcome(record, response({ finished: false, headersSent: true }), 50);
    expect(outcome.attempts[0]).toMatchObject({ outcome: 'client_aborted', errorClass: 'client_aborted', endedAt: 50 });
    expect(outcome).toMatchObject({ errorType: 'client_aborted', status: 200, served: outcome.attempts[0] });
  });

  it('should judge an attempt a custom handler left without outcome by its status', () => {
    const record = createRecord(0);
    record.attempts.push(attempt({ status: 429 }), attempt({ status: 201 }));
    const outcome = requestOutcome(record, response({ finished: true, headersSent: true, status: 201 }), 9);
    expect(outcome.attempts.map((a) => [a.outcome, a.errorClass])).toEqual([
      ['http_error', 'http_429'],
      ['ok', undefined],
    ]);
    expect(outcome.errorType).toBeUndefined();
    expect(outcome.served).toBe(outcome.attempts[1]);
  });

  it('should name a failure without attempts or gateway error by its status, and a client that left before any answer', () => {
    expect(requestOutcome(createRecord(0), response({ finished: true, headersSent: true, status: 401 }), 1)).toMatchObject({
      errorType: 'http_401',
      errorMessage: 'answered HTTP 401',
    });
    expect(requestOutcome(createRecord(0), response({ finished: false, headersSent: false }), 1)).toMatchObject({
      status: undefined,
      errorType: 'client_aborted',
    });
  });

  it('should prefer the gateway error over the failed attempt behind it', () => {
    const record = createRecord(0);
    record.attempts.push(attempt({ endedAt: 5, outcome: 'timeout', errorClass: 'response_timeout' }));
    record.error = { status: 504, type: 'api_error', code: 'upstream_timeout' };
    const outcome = requestOutcome(record, response({ finished: true, headersSent: true, status: 504 }), 9);
    expect(outcome).toMatchObject({
      errorType: 'upstream_timeout',
      errorMessage: 'upstream_timeout (HTTP 504)',
      served: undefined,
    });
    expect(outcome.attempts[0]).toMatchObject({ errorClass: 'response_timeout', endedAt: 5 });
  });
});
