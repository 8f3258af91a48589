// An upstream answer in the client's format, ready for relayResponse(): replayed from bytes (a body read
// whole, a translated JSON or error body), or a translated event stream flowing out of its translators.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { toSwitchyardError, type ParsedRequest, type SwitchyardError, type Usage } from '@switchyard/core';
import type { AttemptAnswered } from './forward-attempt.js';
import type { AnswerTranslator, StreamEnd } from '@switchyard/formats';
import { OBSERVED_LIMIT } from './answer-observer.js';

/** Error class of a 2xx answer whose body could not be translated. */
export const BAD_RESPONSE = 'upstream_bad_response';

/**
 * `answered` with its response replaced by `body`, replayed with `status` and `headers`: what the relay
 * pipes as if the upstream had sent it.
 */
export function replayed(answered: AttemptAnswered, status: number, headers: IncomingHttpHeaders, body: Buffer): AttemptAnswered {
  // An empty chunk would stall the stream: Readable.from never asks for the next one.
  const response = Object.assign(Readable.from(body.length > 0 ? [body] : [], { objectMode: false }), {
    statusCode: status,
    statusMessage: status === answered.response.statusCode ? answered.response.statusMessage : undefined,
    headers,
    complete: true,
  });
  return { ...answered, response: response as unknown as IncomingMessage, body };
}

/**
 * A 2xx answer read whole, in the client's format. A body that is not the provider's answer becomes a
 * 502 `upstream_bad_response` in the client's error shape, which failover sees as a 502.
 */
export function translatedWhole(
  answered: AttemptAnswered,
  translator: AnswerTranslator,
  errorBody: (err: SwitchyardError) => Buffer,
): AttemptAnswered {
  const { response, entry } = answered;
  try {
    const body = translator.json(answered.body!, entry.model);
    return replayed(answered, response.statusCode ?? 200, headersOf(response.headers, body.length), body);
  } catch (err) {
    entry.classify(BAD_RESPONSE);
    const error = toSwitchyardError(err);
    const body = errorBody(error);
    return replayed(answered, error.status, headersOf(response.headers, body.length), body);
  }
}

/** A non-2xx answer: its body (the first MiB of it) in the client's error shape, and the status the client gets. */
export async function translatedError(answered: AttemptAnswered, translator: AnswerTranslator): Promise<AttemptAnswered> {
  const { response } = answered;
  const { status, body } = translator.error(response.statusCode ?? 502, await readBody(response));
  return replayed(answered, status, headersOf(response.headers, body.length), body);
}

/** A 2xx event stream flowing through its translators, and how to tell what it used and how it ended. */
export interface TranslatedStream {
  readonly answered: AttemptAnswered;
  /** The upstream's usage, as the translator read it. */
  readonly usage: () => Usage | undefined;
  /** How the client's stream ended, by the translator reading the upstream; `undefined` while it runs or when it was cut. */
  ended(): StreamEnd | undefined;
}

/**
 * Pipes the upstream's 2xx event stream through the translators, chunk by chunk; the last one stands in
 * for the response. An upstream cut (dropped, stalled, cancelled) destroys them, so the relay sees the
 * cut as it would on the upstream itself.
 */
export function translatedStream(
  answered: AttemptAnswered,
  translator: AnswerTranslator,
  request: ParsedRequest,
): TranslatedStream {
  const upstream = answered.response;
  const translators = translator.stream(answered.entry.model, request);
  const first = translators[0]!;
  let last = first;
  for (const next of translators.slice(1)) last = last.pipe(next);
  upstream.pipe(first);
  const response = Object.assign(last, {
    statusCode: upstream.statusCode,
    statusMessage: upstream.statusMessage,
    headers: { ...headersOf(upstream.headers), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
    complete: false,
  });
  last.once('end', () => (response.complete = true));
  upstream.once('close', () => {
    if (!upstream.complete) for (const t of translators) t.destroy();
  });
  return {
    answered: { ...answered, response: response as unknown as IncomingMessage },
    usage: () => first.usage,
    ended: () => first.ended,
  };
}

/**
 * Headers of a translated answer: its content type and length, and the upstream's `Retry-After`. The
 * rest (request ids, rate-limit counters, server timing) is the provider's own vocabulary, which the
 * client did not ask to speak.
 */
function headersOf(upstream: IncomingHttpHeaders, length?: number): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = { 'content-type': 'application/json' };
  if (length !== undefined) headers['content-length'] = String(length);
  for (const name of KEPT) {
    const value = upstream[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

const KEPT = ['retry-after', 'retry-after-ms'] as const;

/** The body's first `OBSERVED_LIMIT` bytes; what arrived when the upstream cut it. */
function readBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = () => resolve(Buffer.concat(chunks));
    response.on('data', (chunk: Buffer) => {
      if (length >= OBSERVED_LIMIT) return;
      chunks.push(chunk);
      length += chunk.length;
    });
    response.once('end', done);
    response.once('close', done);
  });
}
