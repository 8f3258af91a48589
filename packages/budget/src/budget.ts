// budget(): checks the owner's budget and the per-call ceiling before dispatch, reserves the worst case,
// and settles the real cost when the answer ends.
import { randomUUID } from 'node:crypto';
import {
  ANSWER_USAGE_EVENT,
  routing,
  type AnswerUsage,
  type ModelConfig,
  type OwnerBudget,
  type RoutingContext,
  type RoutingRecord,
} from '@switchyard/core';
import type { RequestHandler, Response } from 'express';
import { budgetExceeded, costUnbounded, requestTooExpensive, storeUnavailable } from './errors.js';
import { highestWorstCase, requestSize, servingModels } from './estimate.js';
import { pct, type BudgetLedger } from './ledger.js';
import { costOf, usdHeader } from './pricing.js';
import type { SpendKey } from './types.js';

/** The response header (a trailer on streams) that carries what the call cost, in USD. */
export const COST_HEADER = 'x-switchyard-cost-usd';

export interface BudgetOptions {
  /** The policy's budgets, from `compilePolicy()` (`compiled.budget`). Required. */
  readonly ledger: BudgetLedger;
}

/** What one call reserved, and what settling it needs. */
interface Call {
  readonly ctx: RoutingContext;
  readonly key: SpendKey;
  readonly id: string;
  /** Nothing to release when nothing was reserved. */
  readonly reserved: boolean;
  answer?: AnswerUsage;
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
 * After it: prices the usage the answer reported at the serving model's price (`record.costUsd`, header
 * `x-switchyard-cost-usd` on JSON answers, trailer on streams) and settles it in place of the reservation.
 * A call that got no 2xx answer releases its reservation. A 2xx answer whose usage never arrived costs its
 * input bound plus one output token per streamed event when it was cut short, its worst case otherwise.
 */
export function budget(options: BudgetOptions): RequestHandler {
  const { ledger } = options ?? {};
  if (!ledger?.windows) throw new TypeError('budget(): options.ledger must be a BudgetLedger (compiled.budget)');
  const { config } = ledger;
  const candidates = servingModels(ledger.policy);

  return async function switchyardBudget(req, res, next) {
    const ctx = routing(req);
    const { record } = ctx;
    if (!ctx.request || !ctx.signals || !record.selection)
      return next(new Error('switchyard: budget() needs signals() and pin() mounted before it'));

    const owner = ledger.owner(record.owner);
    const ceiling = ceilingOf(owner, record, config.routeMaxRequestUsd);
    // Owners without a limit or a ceiling need no estimate up front: the store is only told the cost.
    const estimate =
      ceiling || owner?.monthlyUsd !== undefined ? highestWorstCase(requestSize(ctx)!, candidates(record.selection)) : undefined;
    if (ceiling && (estimate === undefined || estimate > ceiling.usd))
      return next(requestTooExpensive(estimate, ceiling.usd, ceiling.whose));

    const key = ledger.key(record.owner);
    const id = randomUUID();
    let reserved = false;
    if (owner?.monthlyUsd !== undefined) {
      const limitUsd = owner.monthlyUsd;
      if (estimate === undefined && owner.hardStop) return next(costUnbounded(record.selection.model));
      try {
        const result = await ledger.reserve({
          key,
          id,
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
          const { window } = key;
          return next(
            budgetExceeded({
              owner: owner.name,
              window: window.id,
              timeZone: ledger.windows.timeZone,
              limitUsd,
              spendUsd,
              reservedUsd,
              estimateUsd: estimate ?? 0,
              resetsAt: window.endsAt,
            }),
          );
        }
        reserved = true;
      } catch (err) {
        event(record, 'switchyard.budget.store_error', { owner: owner.name, mode: ledger.onStoreError, store: ledger.storeName });
        if (ledger.onStoreError === 'fail_closed') return next(storeUnavailable(ledger.onStoreError, err));
      }
    }

    const call: Call = { ctx, key, id, reserved };
    res.on(ANSWER_USAGE_EVENT, (answer: AnswerUsage) => {
      call.answer = answer;
      const price = ledger.policy.models.get(answer.model)?.price;
      if (!answer.complete || !answer.usage || !price) return;
      record.costUsd = costOf(answer.usage, price);
      answer.fields[COST_HEADER] = usdHeader(record.costUsd);
    });
    // After the other 'close' listeners (the relay's records a late usage there), whatever the order of mounting.
    const onClose = () => setImmediate(() => void settle(ledger, call, res));
    // The client may have left while the store answered.
    if (res.closed) onClose();
    else res.once('close', onClose);
    next();
  };
}

async function settle(ledger: BudgetLedger, call: Call, res: Response): Promise<void> {
  const { record } = call.ctx;
  const served = record.servedModel ?? record.target?.model;
  const model = served === undefined ? undefined : ledger.policy.models.get(served);
  const { cost, basis } = costOfCall(call, record, model, res.writableFinished);
  if (cost !== undefined) record.costUsd = cost;
  event(record, 'switchyard.budget.settled', { owner: call.key.owner, cost_usd: cost ?? 0, basis });
  if (!call.reserved && !cost) return;
  await ledger.settle({ key: call.key, id: call.id, costUsd: cost ?? 0 });
}

type Basis = 'usage' | 'no_answer' | 'unpriced' | 'partial_estimate' | 'usage_missing';

function costOfCall(
  call: Call,
  record: RoutingRecord,
  model: ModelConfig | undefined,
  finished: boolean,
): { cost?: number; basis: Basis } {
  const price = model?.price;
  if (record.usage && price) return { cost: costOf(record.usage, price), basis: 'usage' };
  const last = record.attempts.at(-1);
  const answered = last?.status !== undefined && last.status >= 200 && last.status <= 299;
  if (!answered) return { cost: 0, basis: 'no_answer' };
  if (!price || !model) return { basis: 'unpriced' };
  const complete = call.answer?.complete ?? finished;
  const size = requestSize(call.ctx)!;
  if (!complete) {
    // The provider billed the prompt and what it streamed before the cut; one token per event is OpenAI's rhythm.
    const events = call.answer?.streamedEvents ?? 0;
    return { cost: (size.inputTokens * price.input + events * price.output) / 1e6, basis: 'partial_estimate' };
  }
  return { cost: highestWorstCase(size, [model]), basis: 'usage_missing' };
}

function ceilingOf(
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
