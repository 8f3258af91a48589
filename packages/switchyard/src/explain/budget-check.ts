// The budget's decision on an explained request, made by the real budget() middleware against a what-if
// copy of the owner's figures: nothing is reserved, nothing is spent.
import {
  budget,
  BudgetLedger,
  ceilingOf,
  highestWorstCase,
  MemoryStore,
  requestSize,
  worstCase,
  type BudgetStore,
  type ReserveRequest,
  type SpendKey,
  type SpendState,
} from '@switchyard/budget';
import { type RoutingContext, servingModels } from '@switchyard/core';
import type { Request, Response } from 'express';
import { runMiddleware } from './synthetic.js';

/** A workflow's month or a run, as the budget check saw it. */
export interface BudgetFigures {
  /** The workflow's name, or the run's ID. */
  readonly name: string;
  /** The workflow's `cost.monthly_usd`, or its `cost.max_run_usd` for a run. */
  readonly limit_usd: number;
  /** Refuse past the limit: the workflow's `hard_stop`; always for a run. */
  readonly hard_stop: boolean;
  /** Settled spend and open reservations, as the store (or a given) says; `null` when the store cannot answer. */
  readonly spend_usd: number | null;
  readonly reserved_usd: number | null;
}

/** What the budget would say about the request. */
export interface BudgetTrace {
  /** Who the call is billed to. */
  readonly owner: string;
  /** What budget() reserves before the call: the highest worst case among the models that may serve it; `null` when one has no bound. */
  readonly estimate_usd: number | null;
  /** The worst case on each model that may serve the call: the chosen one, then its allowed fallbacks. */
  readonly worst_cases: readonly { readonly model: string; readonly usd: number | null }[];
  /** The owner's `monthly_usd`; `null` when it has none. */
  readonly limit_usd: number | null;
  readonly hard_stop: boolean;
  /** Settled spend this month and open reservations, as the store (or `--given monthly_spend_pct`) says; `null` without a limit. */
  readonly spend_usd: number | null;
  readonly reserved_usd: number | null;
  /** The ceiling on one call (`max_request_usd` of the owner, route or workflow, the lowest), if any. */
  readonly max_request_usd: number | null;
  /** Whose ceiling that is: `owner "team-a"`, `route "smart"`, `workflow "support_chat"`; `null` without one. */
  readonly max_request_by: string | null;
  /** The workflow's month (`cost.monthly_usd`), when it has one; else `null`. */
  readonly workflow: BudgetFigures | null;
  /** The run's figures (`cost.max_run_usd`), when the workflow has one and the call carries `x-switchyard-run`; else `null`. */
  readonly run: BudgetFigures | null;
}

/** Figures to start from instead of the store's, from `given` values. */
export interface GivenSpend {
  /** `monthly_spend_pct`: the owner's spend as a share of its `monthly_usd`. */
  readonly ownerPct?: number;
  /** `workflow_spend_pct`: the workflow's spend as a share of its `cost.monthly_usd`. */
  readonly workflowPct?: number;
  /** `run_spend_usd`: the run's spend. */
  readonly runUsd?: number;
}

export interface BudgetCheckInput {
  /** The ledger that serves: its store holds the owner's figures (read only). */
  readonly ledger: BudgetLedger;
  readonly ctx: RoutingContext;
  readonly req: Request;
  readonly res: Response;
  /** Each given stands for its own budget's figures only: the owner's, the workflow's or the run's. */
  readonly given: GivenSpend;
}

/** Runs budget() on a what-if ledger; resolves with its refusal (if any) and the trace. */
export async function checkBudget(input: BudgetCheckInput): Promise<{ refusal: unknown; trace: BudgetTrace }> {
  const { ledger, ctx, given } = input;
  const { record } = ctx;
  const owner = ledger.owner(record.owner);
  const workflow = ledger.workflow(record.workflow);
  const cost = workflow?.cost;
  const limit = owner?.monthlyUsd;
  const ownerKey = ledger.key(record.owner);
  const workflowKey = workflow && cost?.monthlyUsd !== undefined ? ledger.workflowKey(workflow.name) : undefined;
  const runKey =
    workflow && cost?.maxRunUsd !== undefined && record.runId !== undefined
      ? ledger.runKey(record.owner, workflow.name, record.runId)
      : undefined;
  const givens = new Map<string, SpendState>();
  if (given.ownerPct !== undefined && limit !== undefined) givens.set(ownerKey.owner, spent(given.ownerPct * limit));
  if (given.workflowPct !== undefined && workflowKey) givens.set(workflowKey.owner, spent(given.workflowPct * cost!.monthlyUsd!));
  if (given.runUsd !== undefined && runKey) givens.set(runKey.owner, spent(given.runUsd));
  const whatIf = new WhatIfStore(ledger.store, givens, ledger.now);
  const scratch = new BudgetLedger(ledger.policy, { store: whatIf, now: ledger.now, reservationTtlMs: ledger.reservationTtlMs });
  const refusal = await runMiddleware(budget({ ledger: scratch }), input.req, input.res);
  // What budget() noted of each budget it reserved on (or that refused), else the figures it would start from.
  const figures = record.budget ?? (limit !== undefined ? await whatIf.figures(ownerKey) : undefined);
  const size = requestSize(ctx)!;
  const models = servingModels(ledger.policy)(record.selection!, workflow);
  const worst = models.map((model) => ({ model: model.id, usd: worstCase(size, model) ?? null }));
  const ceiling = ceilingOf(owner, record, ledger.config.routeMaxRequestUsd, workflow);
  const trace: BudgetTrace = {
    owner: record.owner,
    estimate_usd: highestWorstCase(size, models) ?? null,
    worst_cases: worst,
    limit_usd: limit ?? null,
    hard_stop: owner?.hardStop ?? false,
    spend_usd: figures?.spendUsd ?? null,
    reserved_usd: figures?.reservedUsd ?? null,
    max_request_usd: ceiling?.usd ?? null,
    max_request_by: ceiling?.whose ?? null,
    workflow: workflowKey
      ? await state(workflow!.name, cost!.monthlyUsd!, cost!.hardStop, record.workflowBudget, whatIf, workflowKey)
      : null,
    run: runKey ? await state(record.runId!, cost!.maxRunUsd!, true, record.runBudget, whatIf, runKey) : null,
  };
  return { refusal, trace };
}

function spent(spendUsd: number): SpendState {
  return { spendUsd, reservedUsd: 0 };
}

async function state(
  name: string,
  limitUsd: number,
  hardStop: boolean,
  noted: { readonly spendUsd: number; readonly reservedUsd: number } | undefined,
  whatIf: WhatIfStore,
  key: SpendKey,
): Promise<BudgetFigures> {
  const figures = noted ?? (await whatIf.figures(key));
  return {
    name,
    limit_usd: limitUsd,
    hard_stop: hardStop,
    spend_usd: figures?.spendUsd ?? null,
    reserved_usd: figures?.reservedUsd ?? null,
  };
}

/**
 * The figures of the budgets a call falls under (owner, workflow, run) copied into a fresh MemoryStore,
 * which then decides each reservation with the memory store's own arithmetic. A budget with a given figure
 * starts from it; the others are read from the serving store once. Writes nothing anywhere else.
 */
class WhatIfStore implements BudgetStore {
  readonly #live: BudgetStore;
  /** Figures given instead of the store's, by store key name (`key.owner`). */
  readonly #given: ReadonlyMap<string, SpendState>;
  readonly #now: () => number;
  /** The figures each decision started from, by store key name. */
  readonly #seen = new Map<string, SpendState>();

  constructor(live: BudgetStore, given: ReadonlyMap<string, SpendState>, now: () => number) {
    this.#live = live;
    this.#given = given;
    this.#now = now;
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
    const figures = this.#given.get(key.owner) ?? (await this.#live.get(key));
    this.#seen.set(key.owner, figures);
    return figures;
  }

  /** The figures read already, else read now; `undefined` when the store cannot answer. */
  async figures(key: SpendKey): Promise<SpendState | undefined> {
    return this.#seen.get(key.owner) ?? (await this.get(key).catch(() => undefined));
  }
}
