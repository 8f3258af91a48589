// Passes an upstream answer to the client as it arrives: status, headers, then the body chunk by chunk,
// with the usage tap reading alongside, and tells whoever prices calls what the answer used.
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { ANSWER_USAGE_EVENT, routing, type AnswerUsage, type AttemptOutcome, type RoutingRecord } from '@switchyard/core';
import { STALLED, type AttemptAnswered } from './forward-attempt.js';
import { SERVED_MODEL_HEADER } from './headers.js';
import { asksUsageForClient } from '@switchyard/formats';
import { USAGE_TAP_LIMIT, UsageChunkFilter, usageTap, type UsageTap } from './usage-tap.js';

/** How passing the answer on ended. */
export type RelayOutcome = Extract<AttemptOutcome, 'ok' | 'http_error' | 'stream_cut' | 'client_aborted'>;

export interface RelayOptions {
  readonly res: ServerResponse;
  readonly answered: AttemptAnswered;
  /** Gets `usage` when the body reports it. */
  readonly record: RoutingRecord;
  /**
   * Where a 2xx answer's usage comes from when the gateway translated it (its translator read the
   * upstream's own events). Default: read from the body as it passes.
   */
  readonly usage?: UsageTap;
}

/** Upstream response headers about its connection to us, not about the answer (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/**
 * Writes the upstream's status and headers (plus `x-switchyard-served-model`) and streams its body to
 * the client unbuffered. Resolves when the client has the whole answer (`ok`, or `http_error` for a
 * non-2xx status), when the client went away (`client_aborted`; the upstream request is cut at once), or
 * when the upstream dropped or stalled mid-body (`stream_cut`). On `stream_cut` the client's response is
 * left open: the caller decides how to end it. Completes the attempt's record entry. Never rejects.
 *
 * When something listens for {@link ANSWER_USAGE_EVENT}, a 2xx JSON answer up to 1 MiB is held until
 * its end so that the listener's headers (the call's cost) can go on it, and a stream gets the
 * listener's fields as trailers. The usage-only chunk of a stream whose usage the gateway asked for on
 * the client's behalf (see `asksUsageForClient`) is not passed on.
 */
export function relayResponse(options: RelayOptions): Promise<RelayOutcome> {
  const { res, answered, record } = options;
  const { response, attempt } = answered;
  const status = response.statusCode ?? 502;
  const ok = status >= 200 && status <= 299;
  const tap = ok ? (options.usage ?? usageTap(response.headers['content-type'])) : undefined;
  const listened = tap !== undefined && res.listenerCount(ANSWER_USAGE_EVENT) > 0;
  const request = res.req ? routing(res.req).request : undefined;
  // A translated stream carries only what its client asked for: there is no usage chunk to hide.
  const asked = !options.usage && tap && isEventStream(response.headers) && request && asksUsageForClient(request);
  const filter = asked ? new UsageChunkFilter() : undefined;

  return new Promise((resolve) => {
    let settled = false;
    let told = false;
    const tell = (complete: boolean): Record<string, string> => {
      const fields: Record<string, string> = {};
      if (told || !tap) return fields;
      told = true;
      const usage = tap.end();
      if (usage) record.usage = usage;
      if (listened)
        res.emit(ANSWER_USAGE_EVENT, {
          model: attempt.model,
          usage,
          complete,
          streamedEvents: tap.events,
          fields,
        } satisfies AnswerUsage);
      return fields;
    };
    const settle = (outcome: RelayOutcome) => {
      if (settled) return;
      settled = true;
      attempt.endedAt = Date.now();
      attempt.outcome = outcome;
      if (outcome === 'stream_cut' && attempt.errorClass !== STALLED) attempt.errorClass = 'upstream_dropped';
      if (outcome === 'client_aborted') attempt.errorClass = 'client_aborted';
      if (outcome === 'stream_cut' || outcome === 'client_aborted') tell(false);
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

    const headers = responseHeaders(response.headers, attempt.model);
    if (listened && !filter && !isEventStream(response.headers) && fitsHold(response.headers)) {
      hold({ res, response, tap, status, statusMessage: response.statusMessage, headers, tell });
      return;
    }
    res.writeHead(status, response.statusMessage, headers);
    if (!tap) {
      response.pipe(res);
      return;
    }
    response.on('data', (chunk: Buffer) => {
      tap.write(chunk);
      const out = filter ? filter.push(chunk) : chunk;
      if (out.length > 0 && !res.write(out)) {
        response.pause();
        res.once('drain', () => response.resume());
      }
    });
    response.on('end', () => {
      const rest = filter?.end();
      if (rest && rest.length > 0) res.write(rest);
      const trailers = tell(true);
      if (Object.keys(trailers).length > 0) res.addTrailers(trailers);
      res.end();
    });
  });
}

interface HoldOptions {
  readonly res: ServerResponse;
  readonly response: AttemptAnswered['response'];
  readonly tap: UsageTap;
  readonly status: number;
  readonly statusMessage: string | undefined;
  readonly headers: OutgoingHttpHeaders;
  readonly tell: (complete: boolean) => Record<string, string>;
}

/**
 * A JSON answer, held until its end (a non-streamed answer arrives all at once anyway) so that headers
 * that depend on its usage can go before it. Past 1 MiB it is passed on as it comes, without them.
 */
function hold(options: HoldOptions): void {
  const { res, response, tap, status, statusMessage, headers, tell } = options;
  const chunks: Buffer[] = [];
  let length = 0;
  let passing = false;
  response.on('data', (chunk: Buffer) => {
    tap.write(chunk);
    if (passing) {
      if (!res.write(chunk)) {
        response.pause();
        res.once('drain', () => response.resume());
      }
      return;
    }
    chunks.push(chunk);
    length += chunk.length;
    if (length <= USAGE_TAP_LIMIT) return;
    passing = true;
    res.writeHead(status, statusMessage, headers);
    for (const held of chunks.splice(0)) res.write(held);
  });
  response.on('end', () => {
    const fields = tell(true);
    if (passing) {
      res.end();
      return;
    }
    res.writeHead(status, statusMessage, { ...headers, ...fields });
    res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  });
}

function fitsHold(headers: IncomingHttpHeaders): boolean {
  const length = Number(headers['content-length']);
  return !(length > USAGE_TAP_LIMIT);
}

function isEventStream(headers: IncomingHttpHeaders): boolean {
  return headers['content-type']?.toLowerCase().startsWith('text/event-stream') === true;
}

function responseHeaders(upstream: IncomingHttpHeaders, servedModel: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (!HOP_BY_HOP.has(name)) headers[name] = upstream[name];
  }
  headers[SERVED_MODEL_HEADER] = servedModel;
  return headers;
}
