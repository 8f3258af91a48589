// budget(): checks the owner's budget and the per-call ceiling before dispatch, reserves the worst case,
// prices the answer when it is complete, and settles the real cost once the call is over.
import { randomUUID } from 'node:crypto';
import type { ClosedCall, ModelConfig, OwnerBudget, RoutingContext, RoutingRecord, WorkflowConfig } from '@switchyard/core';
import { routing, servingModels } from '@switchyard/core';
import type { RequestHandler } from 'express';
import {
  budgetExceeded,
  costUnbounded,
  requestTooExpensive,
  runBudgetExceeded,
  storeUnavailable,
  workflowBudgetExceeded,
} from './errors.js';
import { type HoldSpec, reserveAll } from './holds.js';
import { highestWorstCase, requestSize } from './estimate.js';
import { BudgetLedger, pct } from './ledger.js';
import { costOf, usdHeader } from './pricing.js';
import { isMediaPriced, mediaCostOfRecord, mediaSettlement, mediaWorstCase } from './media-pricing.js';
import type { BudgetOptions, ReserveResult, SpendKey } from './types.js';

/** The response header (a trailer on streams) that carries what the call cost, in USD. */
export const COST_HEADER = 'x-switchyard-cost-usd';

/** The middleware, plus the ledger it keeps spend in. */
export interface BudgetHandler extends RequestHandler {
  readonly ledger: BudgetLedger;
}

/** What one call reserved, and what settling it needs. */
interface Call {
  readonly ctx: RoutingContext;
  /** Every key the call's cost is added to: its owner's (always), its workflow's and its run's when they have limits. */
  readonly keys: readonly SpendKey[];
  /** The budgets with a limit, reserved on before the call. */
  readonly holds: readonly HoldSpec[];
  readonly id: string;
  /** Nothing to release when nothing was reserved. */
  reserved: boolean;
}

/**
 * Mount after `pin()` (it prices the chosen model and the fallbacks the call's workflow allows) and before `dispatch()`.
 *
 * Before the call: 400 `request_cost_exceeded` when its worst case passes the owner's, the route's or the
 * workflow's `max_request_usd`. Then it reserves the worst case on each budget the call falls under, one
 * after another: its owner's `monthly_usd`, its workflow's `cost.monthly_usd` (whoever the key's owner is)
 * and, for a call carrying `x-switchyard-run`, its run's `cost.max_run_usd`. A refusal gives back what was
 * reserved before it and answers 429: `budget_exceeded` (owner), `workflow_budget_exceeded`,
 * `run_budget_exceeded`. The key's owner always pays; a workflow's `owner` is recorded for chargeback only.
 * A store that fails answers 503 `budget_store_unavailable` under `on_store_error: fail_closed`, and lets
 * the call through uncounted-in-advance under `fail_open`. Writes `record.budget`, `record.workflowBudget`,
 * `record.runBudget`.
 *
 * When the answer is complete: prices the usage it reported at the serving model's price (`record.costUsd`,
 * header `x-switchyard-cost-usd` on JSON answers, trailer on streams). Once the call is over: settles the
 * cost in place of the reservations. A call that got no 2xx answer releases its reservations. A 2xx answer
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
    const workflow = ledger.workflow(record.workflow);
    // One instant for every key: a call reserved and settled across a month's end stays in one window.
    const now = ledger.now();
    const holds = holdsOf(ledger, record, owner, workflow, now);
    const ceiling = ceilingOf(owner, record, config.routeMaxRequestUsd, workflow);
    // Calls without a limit or a ceiling need no estimate up front: the store is only told the cost.
    const media = isMediaPriced(ctx.request)
      ? ledger.policy.models.get(record.target?.model ?? record.selection.model)
      : undefined;
    const estimate = !(ceiling || holds.length > 0)
      ? undefined
      : media
        ? mediaWorstCase(ctx.request, media)
        : highestWorstCase(requestSize(ctx)!, candidates(record.selection, workflow));
    if (ceiling && (estimate === undefined || estimate > ceiling.usd))
      return next(requestTooExpensive(estimate, ceiling.usd, ceiling.whose, requestSize(ctx)?.unbounded));
    if (estimate === undefined && holds.some((h) => h.hardStop))
      return next(costUnbounded(record.selection.model, requestSize(ctx)?.unbounded));

    const keys = [ledger.key(record.owner, now), ...holds.filter((h) => h.kind !== 'owner').map((h) => h.key)];
    const call: Call = { ctx, keys, holds, id: randomUUID(), reserved: false };
    if (holds.length === 0) {
      priceAndSettle(ledger, call);
      return next();
    }
    // The call stays open until the store answered, even when the client leaves meanwhile.
    const release = ctx.hold();
    const refusal = await reserve(ledger, call, estimate ?? 0);
    if (!refusal) priceAndSettle(ledger, call);
    release();
    next(refusal);
  };
  return Object.assign(handler, { ledger });
}

/** The budgets with a limit that a call falls under, in the order they are reserved. */
function holdsOf(
  ledger: BudgetLedger,
  record: RoutingRecord,
  owner: OwnerBudget | undefined,
  workflow: WorkflowConfig | undefined,
  now: number,
): HoldSpec[] {
  const holds: HoldSpec[] = [];
  if (owner?.monthlyUsd !== undefined)
    holds.push({
      kind: 'owner',
      name: owner.name,
      key: ledger.key(owner.name, now),
      limitUsd: owner.monthlyUsd,
      hardStop: owner.hardStop,
    });
  const cost = workflow?.cost;
  if (workflow && cost?.monthlyUsd !== undefined)
    holds.push({
      kind: 'workflow',
      name: workflow.name,
      key: ledger.workflowKey(workflow.name, now),
      limitUsd: cost.monthlyUsd,
      hardStop: cost.hardStop,
    });
  if (workflow && cost?.maxRunUsd !== undefined && record.runId !== undefined)
    holds.push({
      kind: 'run',
      name: record.runId,
      key: ledger.runKey(record.owner, workflow.name, record.runId, now),
      limitUsd: cost.maxRunUsd,
      hardStop: true,
    });
  return holds;
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

const RECORD_FIELD = { owner: 'budget', workflow: 'workflowBudget', run: 'runBudget' } as const;

/** Reserves the worst case on every hold; the error the client gets when one refuses (or the store fails closed). */
async function reserve(ledger: BudgetLedger, call: Call, estimate: number): Promise<Error | undefined> {
  const { record } = call.ctx;
  const noteState = (hold: HoldSpec, before: ReserveResult['before']) => {
    const { spendUsd, reservedUsd } = before;
    record[RECORD_FIELD[hold.kind]] = {
      owner: hold.name,
      limitUsd: hold.limitUsd,
      spendUsd,
      reservedUsd,
      estimateUsd: estimate,
      spendPct: pct(spendUsd + reservedUsd, hold.limitUsd),
    };
  };
  try {
    const result = await reserveAll(ledger, call.holds, call.id, estimate);
    for (const [i, r] of result.results.entries()) noteState(call.holds[i]!, r.before);
    if (!result.ok) {
      const { refused } = result;
      noteState(refused, result.result.before);
      event(record, 'switchyard.budget.refused', { budget: refused.kind, owner: refused.name, estimate_usd: estimate });
      const { window } = refused.key;
      const { spendUsd, reservedUsd } = result.result.before;
      const facts = {
        owner: refused.name,
        window: window.id,
        timeZone: ledger.windows.timeZone,
        limitUsd: refused.limitUsd,
        spendUsd,
        reservedUsd,
      };
      const exceeded = { ...facts, estimateUsd: estimate, resetsAt: window.endsAt };
      if (refused.kind === 'workflow') return workflowBudgetExceeded(exceeded);
      if (refused.kind === 'run') return runBudgetExceeded(exceeded);
      return budgetExceeded(exceeded);
    }
    call.reserved = true;
  } catch (err) {
    event(record, 'switchyard.budget.store_error', { owner: record.owner, mode: ledger.onStoreError, store: ledger.storeName });
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
  event(record, 'switchyard.budget.settled', { owner: record.owner, cost_usd: cost ?? 0, basis });
  if (!call.reserved && !cost) return;
  await Promise.all(call.keys.map((key) => ledger.settle({ key, id: call.id, costUsd: cost ?? 0 })));
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

/** The ceiling on one call of this record's owner, route and workflow: the lowest `max_request_usd`, and whose it is. */
export function ceilingOf(
  owner: OwnerBudget | undefined,
  record: RoutingRecord,
  routes: ReadonlyMap<string, number>,
  workflow?: WorkflowConfig,
): { usd: number; whose: string } | undefined {
  const route = record.selection?.kind === 'route' ? record.selection.route : undefined;
  const ceilings = [
    { usd: route === undefined ? undefined : routes.get(route), whose: `route "${route}"` },
    { usd: owner?.maxRequestUsd, whose: `owner "${owner?.name}"` },
    { usd: workflow?.cost?.maxRequestUsd, whose: `workflow "${workflow?.name}"` },
  ];
  let lowest: { usd: number; whose: string } | undefined;
  for (const { usd, whose } of ceilings)
    if (usd !== undefined && (lowest === undefined || usd < lowest.usd)) lowest = { usd, whose };
  return lowest;
}

function event(record: RoutingRecord, name: string, attributes: Record<string, string | number | boolean>): void {
  record.events.push({ name, at: Date.now(), attributes });
}
