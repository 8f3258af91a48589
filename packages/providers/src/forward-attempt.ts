// One upstream attempt, up to the response headers: what failover will call once per try.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routing, type Attempt, type AttemptOutcome, type ProviderCredential, type SwitchyardError } from '@switchyard/core';
import { upstreamTimeout, upstreamUnavailable } from './errors.js';
import type { AttemptTimeouts } from './options.js';
import { outgoingHeaders } from './outgoing.js';
import type { Upstream } from './upstream.js';
import { UpstreamCall, type CallEnd } from './upstream-call.js';

export interface AttemptOptions {
  /** The client's request: its routing record gets the attempt; its headers are forwarded. */
  readonly req: IncomingMessage;
  /** The client's response: the attempt is abandoned when the client goes away. Nothing is written to it. */
  readonly res: ServerResponse;
  readonly upstream: Upstream;
  /** The exact model ID the body names, for the record. */
  readonly model: string;
  /** The provider credential to send, or `undefined` to send none (recorded as credential index -1). */
  readonly credential: ProviderCredential | undefined;
  /** The exact bytes to send (see `requestBody`). */
  readonly body: Buffer;
  /** Path below the provider's base URL, e.g. `/chat/completions`. */
  readonly path: string;
  readonly timeouts: AttemptTimeouts;
}

/** The upstream answered: status and headers are in, the body is not read yet. */
export interface AttemptAnswered {
  readonly kind: 'answered';
  /** This attempt's entry in `record.attempts`; `relayResponse` completes it. */
  readonly attempt: Attempt;
  readonly response: IncomingMessage;
  /** Stops the upstream request, cutting its response. */
  readonly cancel: () => void;
}

/** No answer: the attempt's entry is complete, and `error` is what the client should get. */
export interface AttemptFailed {
  readonly kind: 'failed';
  readonly attempt: Attempt;
  readonly outcome: Extract<AttemptOutcome, 'connect_error' | 'timeout' | 'client_aborted'>;
  /** Absent when the client went away: there is nobody to answer. */
  readonly error: SwitchyardError | undefined;
}

export type AttemptResult = AttemptAnswered | AttemptFailed;

/** Error class recorded when the upstream went silent after its headers; see `relayResponse`. */
export const STALLED = 'upstream_stalled';

/**
 * Sends one request to `upstream` and resolves when its response headers arrive or the attempt fails.
 * Appends the attempt to the routing record and sets `record.servedModel` when the upstream answers.
 * Never rejects; never writes to `res`.
 */
export function forwardAttempt(options: AttemptOptions): Promise<AttemptResult> {
  const { req, res, upstream, model, credential, body, timeouts } = options;
  const { provider } = upstream;
  const record = routing(req).record;
  const attempt: Attempt = { provider: provider.name, model, credentialIndex: credential?.index ?? -1, startedAt: Date.now() };
  record.attempts.push(attempt);

  return new Promise((resolve) => {
    const onClientGone = () => call.cancel();
    const call: UpstreamCall = new UpstreamCall({
      method: req.method ?? 'POST',
      url: options.path,
      headers: outgoingHeaders(req.headers, body.length, credential),
      body,
      socket: req.socket,
      connectTimeoutMs: timeouts.connectMs,
      idleTimeoutMs: timeouts.idleMs,
      onStall: () => (attempt.errorClass = STALLED),
      onEnd: (end: CallEnd) => {
        res.off('close', onClientGone);
        if (end.kind === 'response') {
          const status = end.response.statusCode ?? 0;
          attempt.status = status;
          if (status < 200 || status > 299) attempt.errorClass = `http_${status}`;
          record.servedModel = model;
          resolve({ kind: 'answered', attempt, response: end.response, cancel: () => call.cancel() });
          return;
        }
        attempt.endedAt = Date.now();
        const failed = failure(end, upstream, timeouts);
        attempt.outcome = failed.outcome;
        attempt.errorClass = failed.errorClass;
        resolve({ kind: 'failed', attempt, outcome: failed.outcome, error: failed.error });
      },
    });
    if (res.closed || req.socket.destroyed) return call.cancel();
    res.once('close', onClientGone);
    void upstream.proxy(call, res, (err?: unknown) => call.fail(err instanceof Error ? err : new Error('not proxied')));
  });
}

interface Failure {
  readonly outcome: AttemptFailed['outcome'];
  readonly errorClass: string;
  readonly error: SwitchyardError | undefined;
}

function failure(end: Exclude<CallEnd, { kind: 'response' }>, upstream: Upstream, timeouts: AttemptTimeouts): Failure {
  const { provider } = upstream;
  switch (end.kind) {
    case 'cancelled':
      return { outcome: 'client_aborted', errorClass: 'client_aborted', error: undefined };
    case 'timeout': {
      const ms = end.phase === 'connect' ? timeouts.connectMs : timeouts.idleMs;
      return { outcome: 'timeout', errorClass: `${end.phase}_timeout`, error: upstreamTimeout(provider, end.phase, ms) };
    }
    case 'error': {
      const code = (end.error as NodeJS.ErrnoException).code;
      const errorClass = typeof code === 'string' ? code : 'connect_error';
      return { outcome: 'connect_error', errorClass, error: upstreamUnavailable(provider, errorClass, end.error) };
    }
  }
}
