// Passes an upstream answer to the client as it arrives: status, headers, then the body chunk by chunk,
// through the one answer observer; completes the attempt and the record's answer facts, and asks the
// call's answer hooks what to add (the cost) when the answer is complete.
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AttemptOutcome, ChunkScrubber, ParsedRequest, RoutingContext, Scrubber, Usage } from '@switchyard/core';
import { asksUsageForClient } from '@switchyard/formats';
import { type AnswerObserver, answerObserver, OBSERVED_LIMIT } from './answer-observer.js';
import { STALLED, type AttemptAnswered } from './forward-attempt.js';
import { ERROR_MODEL_HEADER, SERVED_MODEL_HEADER } from './headers.js';

/** How passing the answer on ended. */
export type RelayOutcome = Extract<AttemptOutcome, 'ok' | 'http_error' | 'stream_cut' | 'client_aborted'>;

export interface RelayOptions {
  readonly res: ServerResponse;
  /** Takes the provider's credentials out of every byte and header passed on. */
  readonly scrubber: Scrubber;
  readonly answered: AttemptAnswered;
  readonly ctx: RoutingContext;
  readonly request: ParsedRequest;
  /**
   * Where a 2xx answer's usage comes from when the gateway translated it (its translator read the
   * upstream's own events). Default: read from the body as it passes.
   */
  readonly usage?: () => Usage | undefined;
}

/**
 * Upstream response headers the client never gets: about the upstream's connection to us, not about the
 * answer (RFC 9110 §7.6.1); cookies of the provider's; and who the provider billed.
 */
const NOT_PASSED_ON = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'set-cookie',
  'openai-organization',
  'openai-project',
  'anthropic-organization-id',
]);

/**
 * Writes the upstream's status and headers (plus `x-switchyard-served-model`) and streams its body to the
 * client unbuffered. Resolves when the client has the whole answer (`ok`, or `http_error` for a non-2xx
 * status), when the client went away (`client_aborted`; the upstream request is cut at once), or when the
 * upstream dropped or stalled mid-body (`stream_cut`). On `stream_cut` the client's response is left
 * open: the caller decides how to end it. Completes the attempt's entry and the record's `usage`,
 * `finishReasons` and `answer`. Never rejects.
 *
 * When the call has answer hooks (the budget's cost), a 2xx JSON answer up to 1 MiB is held until its end
 * so that their headers can go on it, and a stream gets them as trailers. The usage-only chunk of a stream
 * whose usage the gateway asked for on the client's behalf (see `asksUsageForClient`) is not passed on.
 */
export function relayAnswer(options: RelayOptions): Promise<RelayOutcome> {
  const { res, answered, ctx, request, scrubber } = options;
  const { response, entry } = answered;
  const { record } = ctx;
  const status = response.statusCode ?? 502;
  const ok = status >= 200 && status <= 299;
  const contentType = response.headers['content-type'];
  const observer = ok
    ? answerObserver({
        contentType,
        format: request.format,
        usage: options.usage,
        hideUsageChunk: !options.usage && isEventStream(contentType) && asksUsageForClient(request),
      })
    : undefined;

  return new Promise((resolve) => {
    let settled = false;
    /** When the client's first body byte went out. */
    let firstTokenAt: number | undefined;
    const wrote = () => {
      firstTokenAt ??= Date.now();
    };
    const facts = (complete: boolean): Buffer | undefined => {
      if (!observer) return undefined;
      const rest = observer.end();
      if (observer.usage) record.usage = observer.usage;
      if (observer.finishReasons) record.finishReasons = observer.finishReasons;
      if (observer.responseId) record.responseId = observer.responseId;
      record.answer = { kind: observer.kind, complete, events: observer.events, firstTokenAt, endedAt: Date.now() };
      return rest;
    };
    const settle = (outcome: RelayOutcome) => {
      if (settled) return;
      settled = true;
      if (outcome === 'stream_cut' || outcome === 'client_aborted') facts(false);
      else if (!observer) record.answer = { kind: 'other', complete: true, events: 0, firstTokenAt, endedAt: Date.now() };
      const errorClass =
        outcome === 'client_aborted'
          ? 'client_aborted'
          : outcome === 'stream_cut' && entry.attempt.errorClass !== STALLED
            ? 'upstream_dropped'
            : undefined;
      entry.ended(outcome, errorClass);
      res.off('finish', onFinish);
      res.off('close', onClientClose);
      response.off('close', onUpstreamClose);
      resolve(outcome);
    };
    const onFinish = () => settle(ok ? 'ok' : 'http_error');
    const onClientClose = () => {
      if (res.writableFinished) return;
      answered.cancel();
      settle('client_aborted');
    };
    const onUpstreamClose = () => {
      if (!response.complete) settle('stream_cut');
    };

    res.on('finish', onFinish);
    res.on('close', onClientClose);
    response.on('close', onUpstreamClose);
    if (res.closed) return onClientClose();

    const headers = responseHeaders(res, response.headers, entry.model, ok, scrubber);
    const scrub = scrubber.stream();
    if (observer?.kind === 'json' && ctx.hasAnswerHooks && fitsHold(response.headers)) {
      const finish = () => answeredFields(ctx, entry.model, facts);
      hold({ res, response, observer, status, statusMessage: response.statusMessage, headers, scrubber, wrote, finish });
      return;
    }
    // Scrubbing may change the body's length: what the upstream declared no longer holds.
    if (!scrubber.empty) delete headers['content-length'];
    res.writeHead(status, response.statusMessage, headers);
    pass(res, response, observer, scrub, wrote);
    response.on('end', () => {
      const rest = facts(true);
      const out = scrub.push(rest ?? EMPTY);
      const held = scrub.end();
      if (out.length > 0) res.write(out);
      if (held.length > 0) res.write(held);
      const trailers = ctx.hasAnswerHooks ? ctx.answered({ model: entry.model, usage: record.usage }) : undefined;
      if (trailers && Object.keys(trailers).length > 0) res.addTrailers(trailers);
      res.end();
    });
  });
}

/** The answer is complete: its facts recorded, the fields the call's answer hooks add to it. */
function answeredFields(
  ctx: RoutingContext,
  model: string,
  facts: (complete: boolean) => Buffer | undefined,
): Record<string, string> {
  facts(true);
  return ctx.answered({ model, usage: ctx.record.usage });
}

/** Passes each chunk on as the observer (if any) and the scrubber let it, with backpressure. */
function pass(
  res: ServerResponse,
  response: AttemptAnswered['response'],
  observer: AnswerObserver | undefined,
  scrub: ChunkScrubber,
  wrote: () => void,
): void {
  response.on('data', (chunk: Buffer) => {
    const out = scrub.push(observer ? observer.write(chunk) : chunk);
    if (out.length > 0) wrote();
    if (out.length > 0 && !res.write(out)) {
      response.pause();
      res.once('drain', () => response.resume());
    }
  });
}

interface HoldOptions {
  readonly res: ServerResponse;
  readonly response: AttemptAnswered['response'];
  readonly observer: AnswerObserver;
  readonly status: number;
  readonly statusMessage: string | undefined;
  readonly headers: OutgoingHttpHeaders;
  readonly scrubber: Scrubber;
  /** Notes that the client's first body byte went out. */
  readonly wrote: () => void;
  /** Records the answer's facts and returns the fields to add to it. */
  readonly finish: () => Record<string, string>;
}

/**
 * A JSON answer, held until its end (a non-streamed answer arrives all at once anyway) so that headers
 * that depend on its usage can go before it. Past 1 MiB it is passed on as it comes, without them.
 */
function hold(options: HoldOptions): void {
  const { res, response, observer, status, statusMessage, headers, scrubber, wrote, finish } = options;
  const chunks: Buffer[] = [];
  let length = 0;
  let passing = false;
  response.on('data', (chunk: Buffer) => {
    observer.write(chunk);
    if (passing) {
      if (!res.write(scrubber.bytes(chunk))) {
        response.pause();
        res.once('drain', () => response.resume());
      }
      return;
    }
    chunks.push(chunk);
    length += chunk.length;
    if (length <= OBSERVED_LIMIT) return;
    passing = true;
    wrote();
    res.writeHead(status, statusMessage, headers);
    // Past the hold, the body passes in pieces: a credential could straddle two of them.
    res.write(scrubber.bytes(Buffer.concat(chunks.splice(0))));
  });
  response.on('end', () => {
    if (!passing) wrote();
    const fields = finish();
    if (passing) {
      res.end();
      return;
    }
    const body = scrubber.bytes(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    // Scrubbing may change the length the upstream declared.
    res.writeHead(status, statusMessage, { ...headers, ...fields, 'content-length': body.length });
    res.end(body);
  });
}

function fitsHold(headers: IncomingHttpHeaders): boolean {
  const length = Number(headers['content-length']);
  return !(length > OBSERVED_LIMIT);
}

function isEventStream(contentType: string | undefined): boolean {
  return contentType?.toLowerCase().startsWith('text/event-stream') === true;
}

/**
 * The upstream's headers, scrubbed, but those the client never gets and those the gateway set already (its
 * own rate-limit headers win over the provider's), and which model's answer (or error) this is.
 */
function responseHeaders(
  res: ServerResponse,
  upstream: IncomingHttpHeaders,
  model: string,
  ok: boolean,
  scrubber: Scrubber,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (NOT_PASSED_ON.has(name) || res.hasHeader(name)) continue;
    const value = upstream[name];
    headers[name] =
      scrubber.empty || value === undefined
        ? value
        : Array.isArray(value)
          ? value.map((v) => scrubber.text(v))
          : scrubber.text(value);
  }
  headers[ok ? SERVED_MODEL_HEADER : ERROR_MODEL_HEADER] = model;
  return headers;
}

const EMPTY = Buffer.alloc(0);
