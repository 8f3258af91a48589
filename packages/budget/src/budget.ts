// budget(): checks the owner's budget and the per-call ceiling before dispatch, reserves the worst case,
// prices the answer when it is complete, and settles the real cost once the call is over.
import { randomUUID } from 'node:crypto';
import type { ClosedCall, ModelConfig, OwnerBudget, RoutingContext, RoutingRecord } from '@switchyard/core';
import { routing } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { budgetExceeded, costUnbounded, requestTooExpensive, storeUnavailable } from './errors.js';
import { highestWorstCase, requestSize, servingModels } from './estimate.js';
import { BudgetLedger, pct } from './ledger.js';
import { costOf, usdHeader } from './pricing.js';
import { isMediaPriced, mediaCostOfRecord, mediaSettlement, mediaWorstCase } from './media-pricing.js';
import type { BudgetOptions, SpendKey } from './types.js';

/** The response header (a trailer on streams) that carries what the call cost, in USD. */
export const COST_HEADER = 'x-switchyard-cost-usd';

/** The middleware, plus the ledger it keeps spend in. */
export interface BudgetHandler extends RequestHandler {
  readonly ledger: BudgetLedger;
}

/** What one call reserved, and what settling it needs. */
interface Call {
  readonly ctx: RoutingContext;
  readonly key: SpendKey;
  readonly id: string;
  /** Nothing to release when nothing was reserved. */
  reserved: boolean;
}

/**
 * Mount after `pin()` (it prices the chosen model and the route's fallbacks) and before `dispatch()`.
 *
 * Before the call: 400 `request_cost_exceeded` when its worst case passes the owner's or the route's
 * `max_request_usd`; for owners with `monthly_usd`, reserves the worst case in the store, and with
 * `hard_stop` answers 429 `budget_exceeded` when spend + reservations + worst case would pass it. A store
 * that fails answers 503 `budget_store_unavailable` under `on_store_error: fail_closed`, and lets the call
 * through uncounted-in-advance under `fail_open`. Writes `record.budget`.
 *
 * When the answer is complete: prices the usage it reported at the serving model's price (`record.costUsd`,
 * header `x-switchyard-cost-usd` on JSON answers, trailer on streams). Once the call is over: settles the
 * cost in place of the reservation. A call that got no 2xx answer releases its reservation. A 2xx answer
 * whose usage never arrived costs its input bound plus one output token per streamed event when it was cut
 * short, its worst case otherwise.
 *
 * Give it the policy (a ledger is built on its `budgets:`, with `store` and the other ledger options) or a
 * ledger you built (`compiled.budget`).
 */
export function budget(options: BudgetOptions): BudgetHandler {
  const ledger = ledgerOf(options);
  const { config } = ledger;
  const candidates = servingModels(ledger.policy);

  const handler: RequestHandler = async function switchyardBudget(req, res, next) {
    const ctx = routing(req, res);
    const { record } = ctx;
    if (!ctx.request || !ctx.signals || !record.selection)
      return next(new Error('switchyard: budget() needs signals() and pin() mounted before it'));

    const owner = ledger.owner(record.owner);
    const ceiling = ceilingOf(owner, record, config.routeMaxRequestUsd);
    // Owners without a limit or a ceiling need no estimate up front: the store is only told the cost.
    const media = isMediaPriced(ctx.request)
      ? ledger.policy.models.get(record.target?.model ?? record.selection.model)
      : undefined;
    const estimate = !(ceiling || owner?.monthlyUsd !== undefined)
      ? undefined
      : media
        ? mediaWorstCase(ctx.request, media)
        : highestWorstCase(requestSize(ctx)!, candidates(record.selection));
    if (ceiling && (estimate === undefined || estimate > ceiling.usd))
      return next(requestTooExpensive(estimate, ceiling.usd, ceiling.whose, requestSize(ctx)?.unbounded));
    if (owner?.monthlyUsd !== undefined && estimate === undefined && owner.hardStop)
      return next(costUnbounded(record.selection.model, requestSize(ctx)?.unbounded));

    const call: Call = { ctx, key: ledger.key(record.owner), id: randomUUID(), reserved: false };
    if (owner?.monthlyUsd === undefined) {
      priceAndSettle(ledger, call);
      return next();
    }
    // The call stays open until the store answered, even when the client leaves meanwhile.
    const release = ctx.hold();
    const refusal = await reserve(ledger, call, owner, owner.monthlyUsd, estimate);
    if (!refusal) priceAndSettle(ledger, call);
    release();
    next(refusal);
  };
  return Object.assign(handler, { ledger });
}

/** The answer is priced when complete, and the call settled once it is over. */
function priceAndSettle(ledger: BudgetLedger, call: Call): void {
  const { ctx } = call;
  const { record } = ctx;
  ctx.onAnswer(({ model, usage }) => {
    const media = isMediaPriced(ctx.request) ? ledger.policy.models.get(model) : undefined;
    if (media) record.costUsd = mediaCostOfRecord(ctx.request!, media, record);
    if (media) return record.costUsd === undefined ? undefined : { [COST_HEADER]: usdHeader(record.costUsd) };
    const price = ledger.policy.models.get(model)?.price;
    if (!usage || !price) return undefined;
    record.costUsd = costOf(usage, price);
    return { [COST_HEADER]: usdHeader(record.costUsd) };
  });
  ctx.onSettle((closed) => settle(ledger, call, closed));
}

/** Reserves the worst case; the error the client gets when that is refused (or the store fails closed). */
async function reserve(
  ledger: BudgetLedger,
  call: Call,
  owner: OwnerBudget,
  limitUsd: number,
  estimate: number | undefined,
): Promise<Error | undefined> {
  const { record } = call.ctx;
  try {
    const result = await ledger.reserve({
      key: call.key,
      id: call.id,
      amountUsd: estimate ?? 0,
      limitUsd: owner.hardStop ? limitUsd : undefined,
      ttlMs: ledger.reservationTtlMs,
    });
    const { spendUsd, reservedUsd } = result.before;
    record.budget = {
      owner: owner.name,
      limitUsd,
      spendUsd,
      reservedUsd,
      estimateUsd: estimate ?? 0,
      spendPct: pct(spendUsd + reservedUsd, limitUsd),
    };
    if (!result.ok) {
      event(record, 'switchyard.budget.refused', { owner: owner.name, estimate_usd: estimate ?? 0 });
      const { window } = call.key;
      const facts = { owner: owner.name, window: window.id, timeZone: ledger.windows.timeZone, limitUsd, spendUsd, reservedUsd };
      return budgetExceeded({ ...facts, estimateUsd: estimate ?? 0, resetsAt: window.endsAt });
    }
    call.reserved = true;
  } catch (err) {
    event(record, 'switchyard.budget.store_error', { owner: owner.name, mode: ledger.onStoreError, store: ledger.storeName });
    if (ledger.onStoreError === 'fail_closed') return storeUnavailable(ledger.onStoreError, err);
  }
  return undefined;
}

function ledgerOf(options: BudgetOptions): BudgetLedger {
  if (typeof options !== 'object' || options === null) throw new TypeError('budget(): options must name a policy or a ledger');
  if ('ledger' in options && options.ledger) {
    if (!options.ledger.windows) throw new TypeError('budget(): options.ledger must be a BudgetLedger (compiled.budget)');
    return options.ledger;
  }
  if (!('policy' in options) || !options.policy?.models)
    throw new TypeError('budget(): options.policy must be a loaded Policy (or pass a BudgetLedger)');
  const { policy, ...ledgerOptions } = options;
  return new BudgetLedger(policy, ledgerOptions);
}

async function settle(ledger: BudgetLedger, call: Call, closed: ClosedCall): Promise<void> {
  const { record } = call.ctx;
  const served = record.servedModel ?? record.target?.model;
  const model = served === undefined ? undefined : ledger.policy.models.get(served);
  const { cost, basis } = costOfCall(call, record, model, closed.finished);
  if (cost !== undefined) record.costUsd = cost;
  event(record, 'switchyard.budget.settled', { owner: call.key.owner, cost_usd: cost ?? 0, basis });
  if (!call.reserved && !cost) return;
  await ledger.settle({ key: call.key, id: call.id, costUsd: cost ?? 0 });
}

type Basis = 'usage' | 'no_answer' | 'unpriced' | 'partial_estimate' | 'usage_missing' | 'media_request';

function costOfCall(
  call: Call,
  record: RoutingRecord,
  model: ModelConfig | undefined,
  finished: boolean,
): { cost?: number; basis: Basis } {
  const price = model?.price;
  if (model && isMediaPriced(call.ctx.request)) return mediaSettlement(call.ctx.request, model, record);
  if (record.usage && price) return { cost: costOf(record.usage, price), basis: 'usage' };
  const last = record.attempts.at(-1);
  const answered = last?.status !== undefined && last.status >= 200 && last.status <= 299;
  if (!answered) return { cost: 0, basis: 'no_answer' };
  if (!price || !model) return { basis: 'unpriced' };
  const complete = record.answer?.complete ?? finished;
  const size = requestSize(call.ctx)!;
  if (!complete) {
    // The provider billed the prompt and what it streamed before the cut; one token per event is OpenAI's rhythm.
    const events = record.answer?.events ?? 0;
    const input = highestWorstCase({ ...size, maxOutputTokens: 0, extraOutputTokens: 0, unbounded: undefined }, [model]) ?? 0;
    return { cost: input + (events * price.output) / 1e6, basis: 'partial_estimate' };
  }
  // An unbounded call's worst case is unknown: what is bounded of it is the best figure left.
  return { cost: highestWorstCase({ ...size, unbounded: undefined }, [model]), basis: 'usage_missing' };
}

/** The ceiling on one call of this record's owner and route: the lower `max_request_usd`, and whose it is. */
export function ceilingOf(
  owner: OwnerBudget | undefined,
  record: RoutingRecord,
  routes: ReadonlyMap<string, number>,
): { usd: number; whose: string } | undefined {
  const route = record.selection?.kind === 'route' ? record.selection.route : undefined;
  const routeUsd = route === undefined ? undefined : routes.get(route);
  const ownerUsd = owner?.maxRequestUsd;
  if (routeUsd !== undefined && (ownerUsd === undefined || routeUsd <= ownerUsd))
    return { usd: routeUsd, whose: `route "${route}"` };
  if (ownerUsd !== undefined) return { usd: ownerUsd, whose: `owner "${owner!.name}"` };
  return undefined;
}

function event(record: RoutingRecord, name: string, attributes: Record<string, string | number | boolean>): void {
  record.events.push({ name, at: Date.now(), attributes });
}
