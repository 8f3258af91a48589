// One upstream attempt, up to the first byte of its answer: what the failover loop calls once per try.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { AttemptOutcome, ProviderConfig, ProviderCredential, SwitchyardError } from '@switchyard/core';
import type { FirstByteLimit } from '@switchyard/failover';
import { answerStart } from './answer-start.js';
import type { AttemptEntry } from './attempt-log.js';
import { upstreamTimeout, upstreamUnavailable } from './errors.js';
import type { AttemptTimeouts } from './options.js';
import { type HeaderFilter, outgoingHeaders } from './outgoing.js';
import type { Upstream } from './upstream.js';
import type { Release } from './slots.js';
import { type CallEnd, UpstreamCall } from './upstream-call.js';

export interface AttemptOptions {
  /** The client's request: its headers are forwarded (minus credentials and hop-by-hop ones). */
  readonly req: IncomingMessage;
  /** The client's response: the attempt is abandoned when the client goes away. Nothing is written to it. */
  readonly res: ServerResponse;
  /** This attempt's entry in the attempt log. */
  readonly entry: AttemptEntry;
  readonly provider: ProviderConfig;
  /** The provider's connection pool. */
  readonly upstream: Upstream;
  /** Gives the call's slot back, once its exchange with the upstream is over. */
  readonly release: Release;
  /** Which client headers the provider gets. */
  readonly headerFilter: HeaderFilter;
  /** The provider credential to send, or `undefined` to send none. */
  readonly credential: ProviderCredential | undefined;
  /** The exact bytes to send, or a stream of them (a multipart upload). */
  readonly body: Buffer | Readable;
  /** The upstream request's headers, when not the JSON ones `outgoingHeaders` makes (a media call's). */
  readonly headers?: OutgoingHttpHeaders;
  /** Path below the provider's base URL, e.g. `/chat/completions`. */
  readonly path: string;
  readonly timeouts: AttemptTimeouts;
  /** Give the attempt up when its first byte has not arrived this long after it started. Default: no such limit. */
  readonly firstByte?: FirstByteLimit;
  /** Read a 2xx answer's whole body before resolving (to check it); `firstByte` then covers all of it. Default: false. */
  readonly whole?: boolean;
}

/** The upstream answered: status and headers are in, and for a 2xx answer its first byte (or, with `whole`, all of it). */
export interface AttemptAnswered {
  readonly kind: 'answered';
  readonly entry: AttemptEntry;
  /** The answer; unread, except for a 2xx answer read `whole`. */
  readonly response: IncomingMessage;
  /** The whole body of a 2xx answer read `whole`. */
  readonly body?: Buffer;
  /** Stops the upstream request, cutting its response. */
  readonly cancel: () => void;
}

/** No answer: the attempt's entry is complete, and `error` is what the client should get. */
export interface AttemptFailed {
  readonly kind: 'failed';
  readonly entry: AttemptEntry;
  readonly outcome: Extract<AttemptOutcome, 'connect_error' | 'timeout' | 'client_aborted'>;
  /** Absent when the client went away: there is nobody to answer. */
  readonly error: SwitchyardError | undefined;
}

export type AttemptResult = AttemptAnswered | AttemptFailed;

/** Error class recorded when the upstream went silent after its headers; see `relayAnswer`. */
export const STALLED = 'upstream_stalled';

/**
 * Sends one request to `upstream` and resolves once nothing about it is left to decide before the
 * client sees a byte: at the headers of a non-2xx answer, at the first body byte of a 2xx answer (at its
 * end with `whole`), or when the attempt fails, a 2xx answer that closes before its first byte included.
 * Never rejects; never writes to `res`.
 */
export function forwardAttempt(options: AttemptOptions): Promise<AttemptResult> {
  const { req, res, entry, provider, upstream, release, credential, body, timeouts, firstByte } = options;

  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let answered: AttemptAnswered | undefined;
    let clientGone = false;
    let expired = false;
    let stalled = false;
    const settle = (result: AttemptResult) => {
      clearTimeout(timer);
      res.off('close', onClientGone);
      resolve(result);
    };
    const fail = (end: Exclude<CallEnd, { kind: 'response' }>) => {
      release();
      const failed = failure(end, provider, timeouts, firstByte);
      entry.ended(failed.outcome, failed.errorClass);
      settle({ kind: 'failed', entry, outcome: failed.outcome, error: failed.error });
    };
    const onClientGone = () => {
      clientGone = true;
      call.cancel();
    };
    const call: UpstreamCall = new UpstreamCall({
      method: req.method ?? 'POST',
      url: options.path,
      headers:
        options.headers ??
        outgoingHeaders(req.headers, (body as Buffer).length, credential, provider.format, options.headerFilter),
      body,
      connectTimeoutMs: timeouts.connectMs,
      idleTimeoutMs: timeouts.idleMs,
      onStall: () => {
        stalled = true;
        entry.classify(STALLED);
      },
      onEnd: (end: CallEnd) => {
        if (end.kind !== 'response') return fail(end);
        const { response } = end;
        // The connection is the pool's again once the answer has been read or cut.
        response.once('close', release);
        const status = response.statusCode ?? 0;
        entry.answered(status);
        answered = { kind: 'answered', entry, response, cancel: () => call.cancel() };
        if (status < 200 || status > 299) return settle(answered);
        // Time to first byte of an answer read whole; a stream's first token is when its answer begins, below.
        if (options.whole === true) entry.firstToken();
        // Failover ends where the client's answer begins: until then a 2xx answer can still fail over.
        answerStart(response, options.whole === true, (started) => {
          if (started === true) {
            entry.firstToken();
            return settle(answered!);
          }
          if (started) return settle({ ...answered!, body: started });
          if (clientGone) return fail({ kind: 'cancelled' });
          if (expired) return fail({ kind: 'timeout', phase: firstByte!.limit });
          if (stalled) return fail({ kind: 'timeout', phase: 'response' });
          fail({
            kind: 'error',
            error: Object.assign(new Error('upstream closed before its answer began'), { code: 'upstream_dropped' }),
          });
        });
      },
    });
    if (firstByte) {
      timer = setTimeout(() => {
        expired = true;
        if (answered) call.cancel();
        else call.expire(firstByte.limit);
      }, firstByte.ms);
    }
    if (res.closed || req.socket.destroyed) return onClientGone();
    res.once('close', onClientGone);
    upstream.send(call);
  });
}

/** The error class of an attempt that passed the workflow's `first_token_ms`. */
export const FIRST_TOKEN_TIMEOUT = 'first_token_timeout';

interface Failure {
  readonly outcome: AttemptFailed['outcome'];
  readonly errorClass: string;
  readonly error: SwitchyardError | undefined;
}

function failure(
  end: Exclude<CallEnd, { kind: 'response' }>,
  provider: ProviderConfig,
  timeouts: AttemptTimeouts,
  firstByte: FirstByteLimit | undefined,
): Failure {
  switch (end.kind) {
    case 'cancelled':
      return { outcome: 'client_aborted', errorClass: 'client_aborted', error: undefined };
    case 'timeout': {
      const ms =
        end.phase === 'connect' ? timeouts.connectMs : end.phase === 'response' ? timeouts.idleMs : (firstByte?.limitMs ?? 0);
      const setting = end.phase === 'first_byte' || end.phase === 'total' ? firstByte?.setting : undefined;
      // A passed first_token_ms is its own class: the plan follows the workflow's on_timeout for it.
      const errorClass = setting === 'first_token_ms' ? FIRST_TOKEN_TIMEOUT : `${end.phase}_timeout`;
      return { outcome: 'timeout', errorClass, error: upstreamTimeout(provider, end.phase, ms, setting) };
    }
    case 'error': {
      const code = (end.error as NodeJS.ErrnoException).code;
      const errorClass = typeof code === 'string' ? code : 'connect_error';
      return { outcome: 'connect_error', errorClass, error: upstreamUnavailable(provider, errorClass, end.error) };
    }
  }
}
