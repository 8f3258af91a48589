// The budget's decision on an explained request, made by the real budget() middleware against a what-if
// copy of the owner's figures: nothing is reserved, nothing is spent.
import {
  budget,
  BudgetLedger,
  ceilingOf,
  highestWorstCase,
  MemoryStore,
  requestSize,
  servingModels,
  worstCase,
  type BudgetStore,
  type ReserveRequest,
  type SpendKey,
  type SpendState,
} from '@switchyard/budget';
import type { RoutingContext } from '@switchyard/core';
import type { Request, Response } from 'express';
import { runMiddleware } from './synthetic.js';

/** What the budget would say about the request. */
export interface BudgetTrace {
  /** Who the call is billed to. */
  readonly owner: string;
  /** What budget() reserves before the call: the highest worst case among the models that may serve it; `null` when one has no bound. */
  readonly estimate_usd: number | null;
  /** The worst case on each model that may serve the call: the chosen one, then the route's fallbacks. */
  readonly worst_cases: readonly { readonly model: string; readonly usd: number | null }[];
  /** The owner's `monthly_usd`; `null` when it has none. */
  readonly limit_usd: number | null;
  readonly hard_stop: boolean;
  /** Settled spend this month and open reservations, as the store (or `--given monthly_spend_pct`) says; `null` without a limit. */
  readonly spend_usd: number | null;
  readonly reserved_usd: number | null;
  /** The ceiling on one call (`max_request_usd` of the owner, route or workflow, the lowest), if any. */
  readonly max_request_usd: number | null;
}

export interface BudgetCheckInput {
  /** The ledger that serves: its store holds the owner's figures (read only). */
  readonly ledger: BudgetLedger;
  readonly ctx: RoutingContext;
  readonly req: Request;
  readonly res: Response;
  /** `--given monthly_spend_pct`: the owner's figures are taken to be that share of its limit instead. */
  readonly spendPct: number | undefined;
}

/** Runs budget() on a what-if ledger; resolves with its refusal (if any) and the trace. */
export async function checkBudget(input: BudgetCheckInput): Promise<{ refusal: unknown; trace: BudgetTrace }> {
  const { ledger, ctx } = input;
  const { record } = ctx;
  const owner = ledger.owner(record.owner);
  const limit = owner?.monthlyUsd;
  const given =
    input.spendPct !== undefined && limit !== undefined ? { spendUsd: input.spendPct * limit, reservedUsd: 0 } : undefined;
  const whatIf = new WhatIfStore(ledger.store, given, ledger.now, record.owner);
  const scratch = new BudgetLedger(ledger.policy, { store: whatIf, now: ledger.now, reservationTtlMs: ledger.reservationTtlMs });
  const refusal = await runMiddleware(budget({ ledger: scratch }), input.req, input.res);
  const figures = record.budget ?? (limit !== undefined ? await whatIf.figures(ledger.key(record.owner)) : undefined);
  const size = requestSize(ctx)!;
  const models = servingModels(ledger.policy)(record.selection!);
  const worst = models.map((model) => ({ model: model.id, usd: worstCase(size, model) ?? null }));
  const trace: BudgetTrace = {
    owner: record.owner,
    estimate_usd: highestWorstCase(size, models) ?? null,
    worst_cases: worst,
    limit_usd: limit ?? null,
    hard_stop: owner?.hardStop ?? false,
    spend_usd: figures?.spendUsd ?? null,
    reserved_usd: figures?.reservedUsd ?? null,
    max_request_usd: ceilingOf(owner, record, ledger.config.routeMaxRequestUsd, ledger.workflow(record.workflow))?.usd ?? null,
  };
  return { refusal, trace };
}

/**
 * The owner's figures copied into a fresh MemoryStore, which then decides the reservation with the memory
 * store's own arithmetic. Reads the serving store once; writes nothing anywhere else.
 */
class WhatIfStore implements BudgetStore {
  readonly #live: BudgetStore;
  readonly #given: SpendState | undefined;
  readonly #now: () => number;
  /** The owner whose figures are `given` (and `seen`); a workflow's or a run's figures are read from the store. */
  readonly #owner: string;
  /** The owner's figures the decision started from. */
  seen: SpendState | undefined;

  constructor(live: BudgetStore, given: SpendState | undefined, now: () => number, owner: string) {
    this.#live = live;
    this.#given = given;
    this.#now = now;
    this.#owner = owner;
  }

  async reserve(request: ReserveRequest) {
    const figures = await this.get(request.key);
    const copy = new MemoryStore({ now: this.#now });
    try {
      copy.settle({ key: request.key, id: 'spent', costUsd: figures.spendUsd });
      copy.reserve({ key: request.key, id: 'reserved', amountUsd: figures.reservedUsd, ttlMs: request.ttlMs });
      return copy.reserve(request);
    } finally {
      copy.shutdown();
    }
  }

  settle(): void {}

  async get(key: SpendKey): Promise<SpendState> {
    if (key.owner !== this.#owner) return this.#live.get(key);
    this.seen = this.#given ?? (await this.#live.get(key));
    return this.seen;
  }

  /** The figures read already, else read now; `undefined` when the store cannot answer. */
  async figures(key: SpendKey): Promise<SpendState | undefined> {
    return this.seen ?? (await this.get(key).catch(() => undefined));
  }
}
