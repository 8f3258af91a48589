// dispatch(): forwards the routed request to the provider its model is pinned to, in that provider's wire
// format, retries and falls back as the policy's failover section allows, and streams the answer back.
import { GatewayIds, readRequest, routing, Scrubber } from '@switchyard/core';
import { CooldownRegistry, SchemaChecker } from '@switchyard/failover';
import type { RequestHandler } from 'express';
import { type DispatchShared, runCall } from './call.js';
import { Candidates } from './candidates.js';
import { answerTokenCount } from './count-tokens.js';
import { isMediaCall, runMediaCall } from './media-call.js';
import { formatNotSupported } from './errors.js';
import { ATTEMPTS_HEADER } from './failover-headers.js';
import { ROUTE_HEADER, routeLabel } from './headers.js';
import { resolveOptions } from './options.js';
import { headerFilter } from './outgoing.js';
import type { DispatchHandler, DispatchOptions } from './types.js';
import { createUpstream, type Upstream, upstreamAddress } from './upstream.js';

/**
 * Forwards each request to the provider that `pin()` chose, with the exact model ID, the provider's
 * credential instead of the client's, and streams the answer back chunk by chunk. A provider of the
 * client's own format gets the client's bytes (only `model` replaced) and its answer passes through;
 * OpenAI chat requests to `anthropic` and `gemini` providers, and Anthropic Messages requests to
 * `openai` and `gemini` ones, are translated there and back, streams included. Mount after `pin()`,
 * before `errorHandler()`.
 *
 * Failures before the client's first byte are retried, moved to the provider's next credential, or
 * moved to the route's fallbacks as the policy's `failover:` section allows (@switchyard/failover
 * decides); an exact model ID or a route without fallbacks never moves. Upstream answers pass through as
 * sent, whatever their status, plus `x-switchyard-served-model`, `x-switchyard-route`,
 * `x-switchyard-attempts` and, when a fallback answered, `x-switchyard-fallback-reason`. Errors go to
 * `next`: 502 `upstream_unavailable` (refused, reset, DNS), 504 `upstream_timeout`, 501
 * `format_not_supported` (completions, embeddings and the Responses API to a provider that does not
 * speak OpenAI's format), 400 `unsupported_parameter` (a request the provider's format cannot express).
 * A stream the upstream cuts ends with an error event (or, not being a stream, is cut), never as if it
 * were complete. The routing record's attempts, usage, finish reasons and answer are written here.
 */
export function dispatch(options: DispatchOptions): DispatchHandler {
  const { policy, maxSockets, timeouts, previous } = resolveOptions(options);
  const before = previous && states.get(previous);
  const upstreams = new Map<string, Upstream>();
  for (const provider of policy.providers.values()) {
    const size = provider.maxConnections ?? maxSockets;
    upstreams.set(provider.name, before?.takeOver(upstreamAddress(provider, size)) ?? createUpstream(provider, size));
  }
  const shared: DispatchShared = {
    policy,
    upstreams,
    scrubber: Scrubber.of(policy),
    headerFilters: new Map([...policy.providers.values()].map((provider) => [provider.name, headerFilter(provider)])),
    timeouts,
    cooldowns: before
      ? before.cooldowns.carriedOver(
          policy.failover.cooldown,
          (provider, model) => policy.models.get(model)?.provider === provider,
        )
      : new CooldownRegistry(policy.failover.cooldown),
    schemas: new SchemaChecker(),
    ids: policy.ids && new GatewayIds(policy.ids.secret),
  };
  const state = new DispatchState(shared);

  const handler: RequestHandler = function switchyardDispatch(req, res, next) {
    const ctx = routing(req, res);
    const { record } = ctx;
    const { target, selection } = record;
    if (!target || !selection) return next(new Error('switchyard: dispatch() needs signals() and pin() mounted before it'));
    res.setHeader(ROUTE_HEADER, routeLabel(selection));
    res.setHeader(ATTEMPTS_HEADER, 0);
    const provider = policy.providers.get(target.provider);
    if (!provider) {
      return next(
        new Error(
          `switchyard: dispatch() got provider "${target.provider}" that its policy does not define; give pin() and dispatch() the same policy`,
        ),
      );
    }
    // The record is complete when the call is over: settle hooks (the budget's) wait for it.
    const release = ctx.hold();
    const request = ctx.request;
    const started = request ? Promise.resolve(request) : readRequest(req);
    started
      .then((parsed) => {
        if (parsed.followUp || isMediaCall(parsed)) {
          return runMediaCall(shared, {
            req,
            res,
            next,
            ctx,
            request: parsed,
            selection,
            target,
            candidates: new Candidates(parsed),
          });
        }
        const candidates = new Candidates(parsed);
        if (!candidates.reaches(provider.format)) {
          if (parsed.endpoint === 'count_tokens') return answerTokenCount(res, parsed);
          return next(formatNotSupported(provider, parsed.endpoint));
        }
        return runCall(shared, { req, res, next, ctx, request: parsed, selection, target, candidates });
      })
      .catch(next)
      .finally(release);
  };

  const dispatcher: DispatchHandler = Object.assign(handler, { close: () => state.close() });
  states.set(dispatcher, state);
  return dispatcher;
}

/** What a successor may take over: the pools (by address) and the cooldowns. */
class DispatchState {
  readonly #shared: DispatchShared;
  /** Pools a successor took over: no longer this handler's to close. */
  readonly #given = new Set<Upstream>();

  constructor(shared: DispatchShared) {
    this.#shared = shared;
  }

  get cooldowns(): CooldownRegistry {
    return this.#shared.cooldowns;
  }

  /** The pool for `address`, handed over to a successor, if this handler has one. */
  takeOver(address: string): Upstream | undefined {
    for (const upstream of this.#shared.upstreams.values()) {
      if (upstream.address === address && !this.#given.has(upstream)) {
        this.#given.add(upstream);
        return upstream;
      }
    }
    return undefined;
  }

  close(): void {
    for (const upstream of new Set(this.#shared.upstreams.values())) {
      if (this.#given.has(upstream)) continue;
      const { agent } = upstream;
      agent.keepSocketAlive = () => false;
      for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    }
  }
}

const states = new WeakMap<DispatchHandler, DispatchState>();
