// The budget of one policy load: owners and their limits, the month in the policy's zone, and the store,
// opened on first use only (so that `switchyard check` never connects to Redis).
import type { BudgetsConfig, OwnerBudget, Policy, StoreErrorMode, WorkflowConfig } from '@switchyard/core';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { BudgetLogger, BudgetStore, ReserveRequest, ReserveResult, SettleRequest, SpendKey } from './types.js';
import { monthlyWindows, type MonthlyWindows } from './window.js';

export const DEFAULT_RESERVATION_TTL_MS = 15 * 60 * 1000;
/** How long a run's figures are kept after its last call; then a call naming it starts a new run. */
export const RUN_TTL_MS = 24 * 3600 * 1000;
/** Store keys of workflows and runs start with these; owner names cannot (they start with a letter or digit). */
export const WORKFLOW_KEY_PREFIX = '~workflow/';
export const RUN_KEY_PREFIX = '~run/';
/** Settlements kept for a retry while the store is down; older ones are dropped (and logged). */
export const MAX_PENDING_SETTLEMENTS = 10_000;
const RETRY_EVERY_MS = 1000;

const NO_BUDGETS: BudgetsConfig = {
  store: { kind: 'memory' },
  onStoreError: 'fail_closed',
  owners: new Map(),
  routeMaxRequestUsd: new Map(),
};

export interface BudgetLedgerOptions {
  /** Where spend is kept. Default: the policy's `budgets.store` (Redis), else a MemoryStore. */
  readonly store?: BudgetStore;
  /** How long a reservation holds when its call never settles (its gateway died). Default: 15 minutes. */
  readonly reservationTtlMs?: number;
  /** Where store outages and failed settlements are logged. Default: `console`. */
  readonly logger?: BudgetLogger;
  /** The clock. Default: `Date.now`. */
  readonly now?: () => number;
}

/** An owner's figures for the current window, as `switchyard budget` and the admin endpoint show them. */
export interface OwnerSpend {
  readonly owner: string;
  readonly window: string;
  readonly spendUsd: number;
  readonly reservedUsd: number;
  readonly limitUsd?: number;
  readonly hardStop: boolean;
  /** (spend + reservations) / limit, when there is a limit. */
  readonly spendPct?: number;
}

/** One policy's budgets. Build it once per policy load (compilePolicy does) and share it. */
export class BudgetLedger {
  readonly policy: Policy;
  readonly config: BudgetsConfig;
  readonly windows: MonthlyWindows;
  readonly reservationTtlMs: number;
  readonly now: () => number;
  /** How errors name the store: `memory`, or `redis (REDIS_URL)` — never the URL itself. */
  readonly storeName: string;
  readonly #logger: BudgetLogger;
  readonly #makeStore: () => BudgetStore;
  #store: BudgetStore | undefined;
  readonly #pending: SettleRequest[] = [];
  readonly #settling = new Set<Promise<void>>();
  #retry: NodeJS.Timeout | undefined;

  constructor(policy: Policy, options: BudgetLedgerOptions = {}) {
    this.policy = policy;
    this.config = policy.budgets ?? NO_BUDGETS;
    this.windows = monthlyWindows(policy.timezone);
    this.reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.now = options.now ?? Date.now;
    this.#logger = options.logger ?? { warn: (message, err) => console.warn(`switchyard: ${message}`, err ?? '') };
    const { store } = options;
    if (store) {
      checkStore(store);
      this.storeName = store.constructor?.name ?? 'custom store';
      this.#makeStore = () => store;
    } else if (this.config.store.kind === 'redis') {
      const { env, url } = this.config.store;
      this.storeName = `redis (${env})`;
      this.#makeStore = () => new RedisStore({ url: url.reveal(), name: this.storeName });
    } else {
      this.storeName = 'memory';
      this.#makeStore = () => new MemoryStore({ now: this.now });
    }
  }

  get onStoreError(): StoreErrorMode {
    return this.config.onStoreError;
  }

  /** The store, created (not yet connected) on first use. */
  get store(): BudgetStore {
    return (this.#store ??= this.#makeStore());
  }

  owner(name: string): OwnerBudget | undefined {
    return this.config.owners.get(name);
  }

  /** The owner's key in the window holding `now`. */
  key(owner: string, now = this.now()): SpendKey {
    return { owner, window: this.windows.at(now) };
  }

  /** The workflow's config, when the policy defines it. */
  workflow(name: string | undefined): WorkflowConfig | undefined {
    return name === undefined ? undefined : this.policy.workflows?.get(name);
  }

  /** The workflow's key in the month holding `now`. */
  workflowKey(workflow: string, now = this.now()): SpendKey {
    return { owner: `${WORKFLOW_KEY_PREFIX}${workflow}`, window: this.windows.at(now) };
  }

  /**
   * A run's key: the key owner's, within one workflow; its window slides, so a run is forgotten RUN_TTL_MS
   * after its last call (each reservation and settlement pushes the store's expiry on).
   */
  runKey(owner: string, workflow: string, runId: string, now = this.now()): SpendKey {
    const expiresAt = now + RUN_TTL_MS;
    return {
      owner: `${RUN_KEY_PREFIX}${owner}/${workflow}/${runId}`,
      window: { id: 'run', startsAt: now, endsAt: expiresAt, expiresAt },
    };
  }

  /** A workflow's figures this month (its `cost.monthly_usd`, when it has one). */
  workflowSpend(workflow: string): Promise<OwnerSpend> {
    return this.#figures(workflow, this.workflowKey(workflow), this.workflow(workflow)?.cost);
  }

  spend(owner: string): Promise<OwnerSpend> {
    return this.#figures(owner, this.key(owner), this.owner(owner));
  }

  async #figures(
    name: string,
    key: SpendKey,
    limit: { readonly monthlyUsd?: number; readonly hardStop?: boolean } | undefined,
  ): Promise<OwnerSpend> {
    const { spendUsd, reservedUsd } = await this.store.get(key);
    const limitUsd = limit?.monthlyUsd;
    return {
      owner: name,
      window: key.window.id,
      spendUsd,
      reservedUsd,
      limitUsd,
      hardStop: limit?.hardStop ?? false,
      spendPct: pct(spendUsd + reservedUsd, limitUsd),
    };
  }

  reserve(request: ReserveRequest): Promise<ReserveResult> {
    return Promise.resolve(this.store.reserve(request));
  }

  /** Settles now; when the store fails, keeps the settlement and retries it every second until it lands. */
  settle(request: SettleRequest): Promise<void> {
    const settling = (async () => {
      try {
        await this.store.settle(request);
      } catch (err) {
        this.#keep(request, err);
      }
    })();
    this.#settling.add(settling);
    return settling.finally(() => this.#settling.delete(settling));
  }

  /** Resolves once the settlements under way have landed (or been kept for a retry). */
  async idle(): Promise<void> {
    while (this.#settling.size > 0) await Promise.all(this.#settling);
  }

  /** Settlements waiting for the store to come back. */
  get pendingSettlements(): number {
    return this.#pending.length;
  }

  /** Waits for settlements under way, tries the waiting ones once more, then closes the store. */
  async shutdown(): Promise<void> {
    await this.idle();
    clearInterval(this.#retry);
    this.#retry = undefined;
    await this.#flush();
    if (this.#pending.length > 0)
      this.#logger.warn(
        `budget: ${this.#pending.length} settlements could not reach ${this.storeName} before shutdown; their cost is not counted`,
      );
    await this.#store?.shutdown?.();
  }

  #keep(request: SettleRequest, err: unknown): void {
    if (this.#pending.length === 0)
      this.#logger.warn(`budget: ${this.storeName} failed to settle a call; retrying every ${RETRY_EVERY_MS} ms`, err);
    if (this.#pending.length >= MAX_PENDING_SETTLEMENTS) {
      const dropped = this.#pending.shift()!;
      this.#logger.warn(
        `budget: more than ${MAX_PENDING_SETTLEMENTS} settlements waiting; dropped one of ${dropped.costUsd} USD for "${dropped.key.owner}"`,
      );
    }
    this.#pending.push(request);
    this.#retry ??= setInterval(() => void this.#flush(), RETRY_EVERY_MS).unref();
  }

  #flushing: Promise<void> | undefined;

  #flush(): Promise<void> {
    this.#flushing ??= (async () => {
      while (this.#pending.length > 0) {
        try {
          await this.store.settle(this.#pending[0]!);
        } catch {
          return;
        }
        this.#pending.shift();
      }
      clearInterval(this.#retry);
      this.#retry = undefined;
    })().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }
}

/** (spend + reservations) / limit; a zero limit counts as fully spent. */
export function pct(usedUsd: number, limitUsd: number | undefined): number | undefined {
  if (limitUsd === undefined) return undefined;
  return limitUsd > 0 ? usedUsd / limitUsd : 1;
}

const STORE_METHODS = ['reserve', 'settle', 'get'] as const;

function checkStore(store: BudgetStore): void {
  for (const method of STORE_METHODS) {
    if (typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function') {
      throw new TypeError(`budget: the store has no ${method}() method; a BudgetStore needs ${STORE_METHODS.join(', ')}`);
    }
  }
}
