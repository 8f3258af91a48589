// rateLimits(): requests and tokens per minute per client key and per owner, checked before dispatch,
// corrected from the real usage once the call is over.
import type { Policy, RateLimitState, RoutingContext, RoutingRecord } from '@switchyard/core';
import { routing, servingModels } from '@switchyard/core';
import type { RequestHandler, Response } from 'express';
import { rateLimitExceeded, rateStoreUnavailable } from './errors.js';
import { bindingCounter, rateLimitHeaders, type CheckedCounter } from './rate-headers.js';
import { type LimitCounter, RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
import { tokenBound } from './rate-tokens.js';
import type { RateResult } from './rate-types.js';

/** Options of `rateLimits()`: the policy (a limiter is built on it) or a limiter built already. */
export type RateLimitsOptions =
  | ({ readonly policy: Policy; readonly limiter?: undefined } & RateLimiterOptions)
  | { readonly limiter: RateLimiter; readonly policy?: undefined };

/** The middleware, plus the limiter it counts with (shut it down with the policy). */
export interface RateLimitsHandler extends RequestHandler {
  readonly limiter: RateLimiter;
}

/** The record with the rate limiter's field; core's RoutingRecord does not name it (audit writes it as it finds it). */

/**
 * Mount after `pin()` (the output cap of the serving models bounds the tokens) and before `budget()`.
 *
 * Checks the client key's `limits` and its owner's (`budgets.owners.<owner>.limits`, shared by the owner's
 * keys) in one atomic store call: a request counts 1 against `rpm`, its token bound (see `tokenBound`)
 * against `tpm`. Sets OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` headers on every
 * answer of a limited call. Past a limit: 429 `rate_limit_exceeded` with `Retry-After` (seconds) and
 * `retry-after-ms`; a call whose bound alone passes a `tpm`: 400 `request_too_large_for_rate_limit`. A store
 * that fails answers 503 `rate_limit_store_unavailable` under `budgets.store.on_store_error: fail_closed`,
 * and lets the call through unchecked under `fail_open`. Once the call is over, the tokens counted are
 * corrected to its usage (a call without a 2xx answer gives them all back). Writes `record.rateLimit` and,
 * on refusal, the event `switchyard.ratelimit.refused`. Calls no limit applies to pass untouched.
 */
export function rateLimits(options: RateLimitsOptions): RateLimitsHandler {
  const limiter = limiterOf(options);
  const candidates = servingModels(limiter.policy);

  const handler: RequestHandler = async function switchyardRateLimits(req, res, next) {
    if (!limiter.active) return next();
    const ctx = routing(req, res);
    const { record } = ctx;
    const { key } = ctx;
    const applied = limiter.countersFor(key, record.owner);
    if (applied.length === 0) return next();
    if (!ctx.request || !record.selection)
      return next(new Error('switchyard: rateLimits() needs signals() and pin() mounted before it'));

    const workflow = record.workflow === undefined ? undefined : limiter.policy.workflows.get(record.workflow);
    const tokens = tokenBound(ctx, candidates(record.selection, workflow));
    const charges = applied.map((a) => ({ counter: a.counter, cost: a.kind === 'requests' ? 1 : tokens }));
    // The call stays open until the store answered, so that the correction below is in place before it settles.
    const release = ctx.hold();
    let result: RateResult;
    try {
      result = await limiter.store.consume({ group: record.owner, charges });
    } catch (err) {
      release();
      event(record, 'switchyard.ratelimit.store_error', {
        owner: record.owner,
        mode: limiter.onStoreError,
        store: limiter.storeName,
      });
      return next(limiter.onStoreError === 'fail_closed' ? rateStoreUnavailable(limiter.onStoreError, err) : undefined);
    }
    const checked = applied.map((a, i): CheckedCounter => ({ applied: a, reading: result.counters[i]! }));
    for (const [name, value] of Object.entries(rateLimitHeaders(checked))) res.setHeader(name, value);
    const state = stateOf(record.owner, key?.name, checked, tokens, result.ok);
    (record as RoutingRecord).rateLimit = state;

    if (!result.ok) {
      release();
      const refusal = refusalOf(checked, tokens);
      event(record, 'switchyard.ratelimit.refused', {
        scope: refusal.scope,
        name: refusal.name,
        limit: refusal.kind,
        retry_after_ms: Number.isFinite(refusal.retryAfterMs) ? refusal.retryAfterMs : -1,
      });
      if (Number.isFinite(refusal.retryAfterMs)) setRetryAfter(res, refusal.retryAfterMs);
      return next(rateLimitExceeded(refusal));
    }
    const tokenCounters = applied.filter((a) => a.kind === 'tokens');
    if (tokenCounters.length > 0) ctx.onSettle(() => correct(limiter, ctx, tokenCounters, state));
    release();
    next();
  };
  return Object.assign(handler, { limiter });
}

/** Replaces the tokens counted up front by those the call used. A failed correction is logged: limits heal within a minute. */
async function correct(
  limiter: RateLimiter,
  ctx: RoutingContext,
  counters: readonly LimitCounter[],
  state: RateLimitState,
): Promise<void> {
  const reserved = state.tokensReserved ?? 0;
  const used = usedTokens(ctx.record, reserved);
  state.tokensUsed = used;
  if (used === reserved) return;
  try {
    await limiter.store.adjust({
      group: state.owner,
      charges: counters.map((a) => ({ counter: a.counter, cost: used - reserved })),
    });
  } catch (err) {
    limiter.warn(`rate limits: ${limiter.storeName} failed to correct a call's tokens; its counters heal within a minute`, err);
  }
}

/** The usage's tokens; none without a 2xx answer; the bound for a 2xx answer whose usage never arrived. */
function usedTokens(record: RoutingRecord, reserved: number): number {
  if (record.usage) return record.usage.inputTokens + record.usage.outputTokens;
  const status = record.attempts.at(-1)?.status;
  return status !== undefined && status >= 200 && status <= 299 ? reserved : 0;
}

function stateOf(
  owner: string,
  key: string | undefined,
  checked: readonly CheckedCounter[],
  tokens: number,
  ok: boolean,
): RateLimitState {
  const requests = bindingCounter(checked, 'requests');
  const tokenCounter = bindingCounter(checked, 'tokens');
  const refused = ok ? undefined : checked.find((c) => c.reading.retryAfterMs !== undefined)?.applied.kind;
  return {
    owner,
    key,
    refused,
    requestsScope: requests?.applied.scope,
    requestsLimit: requests?.applied.counter.limit,
    requestsRemaining: requests?.reading.remaining,
    requestsResetMs: requests?.reading.resetMs,
    tokensScope: tokenCounter?.applied.scope,
    tokensLimit: tokenCounter?.applied.counter.limit,
    tokensRemaining: tokenCounter?.reading.remaining,
    tokensResetMs: tokenCounter?.reading.resetMs,
    tokensReserved: tokenCounter ? tokens : undefined,
  };
}

/** The refusing counter the call would wait longest for. */
function refusalOf(checked: readonly CheckedCounter[], tokens: number) {
  let worst: CheckedCounter | undefined;
  for (const c of checked) {
    const wait = c.reading.retryAfterMs;
    if (wait !== undefined && (worst === undefined || wait > worst.reading.retryAfterMs!)) worst = c;
  }
  const { applied, reading } = worst!;
  return {
    scope: applied.scope,
    name: applied.name,
    kind: applied.kind,
    limit: applied.counter.limit,
    remaining: reading.remaining,
    requested: applied.kind === 'requests' ? 1 : tokens,
    retryAfterMs: reading.retryAfterMs!,
  };
}

/** `Retry-After` in whole seconds (at least 1), and `retry-after-ms`, which OpenAI's SDKs read first. */
function setRetryAfter(res: Response, ms: number): void {
  res.setHeader('retry-after', String(Math.max(1, Math.ceil(ms / 1000))));
  res.setHeader('retry-after-ms', String(Math.max(1, Math.ceil(ms))));
}

function limiterOf(options: RateLimitsOptions): RateLimiter {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('rateLimits(): options must name a policy or a limiter');
  if (options.limiter) {
    if (!(options.limiter instanceof RateLimiter)) throw new TypeError('rateLimits(): options.limiter must be a RateLimiter');
    return options.limiter;
  }
  if (!options.policy?.models)
    throw new TypeError('rateLimits(): options.policy must be a loaded Policy (or pass a RateLimiter)');
  const { policy, ...limiterOptions } = options;
  return new RateLimiter(policy, limiterOptions);
}

function event(record: RoutingRecord, name: string, attributes: Record<string, string | number | boolean>): void {
  record.events.push({ name, at: Date.now(), attributes });
}
