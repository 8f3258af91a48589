// dispatch(): forwards the routed request to the provider its model is pinned to, and streams the
// answer back untouched.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routing, type ParsedRequest, type RoutingRecord } from '@switchyard/core';
import type { NextFunction, RequestHandler } from 'express';
import { formatNotSupported } from './errors.js';
import { forwardAttempt } from './forward-attempt.js';
import { ROUTE_HEADER, routeLabel } from './headers.js';
import { resolveOptions, type AttemptTimeouts } from './options.js';
import { requestBody } from './outgoing.js';
import { relayResponse } from './relay.js';
import type { DispatchHandler, DispatchOptions } from './types.js';
import { createUpstream, type Upstream } from './upstream.js';

/**
 * Forwards each request to the provider that `pin()` chose, with the exact model ID, the provider's
 * credential instead of the client's, and streams the answer back chunk by chunk. Mount after
 * `signals()` and `pin()`, before `errorHandler()`.
 *
 * Upstream answers pass through as sent, whatever their status, plus `x-switchyard-served-model` and
 * `x-switchyard-route`. Errors go to `next`: 502 `upstream_unavailable` (refused, reset, DNS), 504
 * `upstream_timeout`, 501 `format_not_supported` (Anthropic and Gemini providers, for now). A stream the
 * upstream cuts is cut for the client too, never ended as if it were complete.
 */
export function dispatch(options: DispatchOptions): DispatchHandler {
  const { policy, maxSockets, timeouts } = resolveOptions(options);
  const upstreams = new Map<string, Upstream>();
  for (const provider of policy.providers.values()) {
    // Same-format passthrough only. Anthropic and Gemini adapters, which translate the request and the
    // answer, will add their upstreams here; until then their providers get 501.
    if (provider.format === 'openai') upstreams.set(provider.name, createUpstream(provider, maxSockets));
  }

  const handler: RequestHandler = function switchyardDispatch(req, res, next) {
    const { request, record } = routing(req);
    const { target, selection } = record;
    if (!request || !target || !selection) return next(new Error('switchyard: dispatch() needs signals() and pin() mounted before it'));
    res.setHeader(ROUTE_HEADER, routeLabel(selection));
    const upstream = upstreams.get(target.provider);
    if (!upstream) {
      const provider = policy.providers.get(target.provider);
      if (provider) return next(formatNotSupported(provider));
      return next(
        new Error(`switchyard: dispatch() got provider "${target.provider}" that its policy does not define; give pin() and dispatch() the same policy`),
      );
    }
    serve({ req, res, next, upstream, request, record, model: target.model, timeouts }).catch(next);
  };

  return Object.assign(handler, {
    close(): void {
      for (const { agent } of upstreams.values()) {
        agent.keepSocketAlive = () => false;
        for (const sockets of Object.values(agent.freeSockets)) sockets?.forEach((socket) => socket.destroy());
      }
    },
  });
}

interface ServeOptions {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly next: NextFunction;
  readonly upstream: Upstream;
  readonly request: ParsedRequest;
  readonly record: RoutingRecord;
  readonly model: string;
  readonly timeouts: AttemptTimeouts;
}

/**
 * One attempt with the provider's first credential, and what to do with how it ended. Failover (retries,
 * other credentials, fallback models) replaces this function and keeps forwardAttempt and relayResponse.
 */
async function serve(options: ServeOptions): Promise<void> {
  const { req, res, next, upstream, request, record, model, timeouts } = options;
  const result = await forwardAttempt({
    req,
    res,
    upstream,
    model,
    credential: upstream.provider.credentials[0],
    body: requestBody(request, model),
    path: request.path,
    timeouts,
  });
  if (result.kind === 'failed') {
    if (result.error) next(result.error);
    return;
  }
  const outcome = await relayResponse({ res, answered: result, record });
  // Failover will end a cut stream with an error event in the client's wire format instead; either
  // way the client must never take a truncated answer for a complete one.
  if (outcome === 'stream_cut') res.destroy();
}
