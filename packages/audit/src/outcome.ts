// How a request ended, read from the routing record when its response closes. Audit only reads the
// record: when the client goes away, audit's listener runs before dispatch() has marked the attempt
// in flight as aborted, so that attempt's end is completed here, in this view, not in the record.
import type { ServerResponse } from 'node:http';
import type { Attempt, AttemptOutcome, RoutingRecord } from '@switchyard/core';

/** One attempt as it ended. */
export interface AttemptView {
  readonly attempt: Attempt;
  /** Position in `record.attempts`. */
  readonly index: number;
  readonly endedAt: number;
  readonly outcome: AttemptOutcome | undefined;
  /** Why it failed (`http_503`, `ECONNREFUSED`, `client_aborted`, …); `undefined` when it did not. */
  readonly errorClass: string | undefined;
}

export interface RequestOutcome {
  readonly endedAt: number;
  /** The status the client got; `undefined` when it went away before any headers were sent. */
  readonly status: number | undefined;
  readonly attempts: readonly AttemptView[];
  /** The attempt whose answer was passed on to the client, if one was. */
  readonly served: AttemptView | undefined;
  /** What went wrong, as a short stable class (`error.type`); `undefined` when the request succeeded. */
  readonly errorType: string | undefined;
  /** A sentence for the span status, when the request failed. */
  readonly errorMessage: string | undefined;
}

export function requestOutcome(record: RoutingRecord, res: ServerResponse, now: number): RequestOutcome {
  const finished = res.writableFinished;
  const attempts = record.attempts.map((attempt, index) => attemptView(attempt, index, finished, now));
  let served: AttemptView | undefined;
  for (const view of attempts) if (view.attempt.status !== undefined) served = view;
  const status = res.headersSent ? res.statusCode : undefined;
  const last = attempts[attempts.length - 1];
  let errorType: string | undefined;
  let errorMessage: string | undefined;
  if (record.error) {
    errorType = record.error.code;
    errorMessage = `${record.error.code} (HTTP ${record.error.status})`;
  } else if (last?.errorClass !== undefined) {
    errorType = last.errorClass;
    errorMessage = attemptMessage(last);
  } else if (!finished) {
    errorType = 'client_aborted';
    errorMessage = 'the client went away before the answer was complete';
  } else if (status !== undefined && status >= 400) {
    errorType = `http_${status}`;
    errorMessage = `answered HTTP ${status}`;
  }
  return { endedAt: now, status, attempts, served, errorType, errorMessage };
}

function attemptView(attempt: Attempt, index: number, finished: boolean, now: number): AttemptView {
  const inFlight = attempt.endedAt === undefined && attempt.outcome === undefined;
  const outcome: AttemptOutcome | undefined =
    inFlight && !finished ? 'client_aborted' : (attempt.outcome ?? settledOutcome(attempt));
  const failed = outcome !== undefined && outcome !== 'ok';
  return {
    attempt,
    index,
    endedAt: attempt.endedAt ?? now,
    outcome,
    errorClass: failed ? (attempt.errorClass ?? (outcome === 'http_error' ? `http_${attempt.status}` : outcome)) : undefined,
  };
}

/** For attempts a custom handler recorded without an outcome: judged by the status alone. */
function settledOutcome(attempt: Attempt): AttemptOutcome | undefined {
  if (attempt.status === undefined) return undefined;
  return attempt.status >= 200 && attempt.status <= 299 ? 'ok' : 'http_error';
}

/** A sentence for an attempt's span status. Names the provider, never its URL or credential. */
export function attemptMessage(view: AttemptView): string {
  const { provider, status } = view.attempt;
  if (view.outcome === 'http_error' && status !== undefined) return `provider "${provider}" answered HTTP ${status}`;
  if (view.outcome === 'client_aborted') return `the client went away while provider "${provider}" was answering`;
  return `provider "${provider}": ${view.errorClass ?? view.outcome ?? 'failed'}`;
}
