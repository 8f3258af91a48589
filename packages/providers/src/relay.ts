// Passes an upstream answer to the client as it arrives: status, headers, then the body chunk by chunk,
// with the usage tap reading alongside.
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AttemptOutcome, RoutingRecord } from '@switchyard/core';
import { STALLED, type AttemptAnswered } from './forward-attempt.js';
import { SERVED_MODEL_HEADER } from './headers.js';
import { usageTap } from './usage-tap.js';

/** How passing the answer on ended. */
export type RelayOutcome = Extract<AttemptOutcome, 'ok' | 'http_error' | 'stream_cut' | 'client_aborted'>;

export interface RelayOptions {
  readonly res: ServerResponse;
  readonly answered: AttemptAnswered;
  /** Gets `usage` when the body reports it. */
  readonly record: RoutingRecord;
}

/** Upstream response headers about its connection to us, not about the answer (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/**
 * Writes the upstream's status and headers (plus `x-switchyard-served-model`) and streams its body to
 * the client unbuffered. Resolves when the client has the whole answer (`ok`, or `http_error` for a
 * non-2xx status), when the client went away (`client_aborted`; the upstream request is cut at once), or
 * when the upstream dropped or stalled mid-body (`stream_cut`). On `stream_cut` the client's response is
 * left open: the caller decides how to end it. Completes the attempt's record entry. Never rejects.
 */
export function relayResponse(options: RelayOptions): Promise<RelayOutcome> {
  const { res, answered, record } = options;
  const { response, attempt } = answered;
  const status = response.statusCode ?? 502;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: RelayOutcome) => {
      if (settled) return;
      settled = true;
      attempt.endedAt = Date.now();
      attempt.outcome = outcome;
      if (outcome === 'stream_cut' && attempt.errorClass !== STALLED) attempt.errorClass = 'upstream_dropped';
      if (outcome === 'client_aborted') attempt.errorClass = 'client_aborted';
      res.off('finish', onFinish);
      res.off('close', onClientClose);
      response.off('close', onUpstreamClose);
      resolve(outcome);
    };
    const onFinish = () => settle(status >= 200 && status <= 299 ? 'ok' : 'http_error');
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

    res.writeHead(status, response.statusMessage, responseHeaders(response.headers, attempt.model));
    response.pipe(res);
    const tap = status >= 200 && status <= 299 ? usageTap(response.headers['content-type']) : undefined;
    if (tap) {
      response.on('data', (chunk: Buffer) => tap.write(chunk));
      // After pipe's own listener, so the client's end is on its way before we parse.
      response.on('end', () => {
        const usage = tap.end();
        if (usage) record.usage = usage;
      });
    }
  });
}

function responseHeaders(upstream: IncomingHttpHeaders, servedModel: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (!HOP_BY_HOP.has(name)) headers[name] = upstream[name];
  }
  headers[SERVED_MODEL_HEADER] = servedModel;
  return headers;
}
