// Public types of @switchyard/budget: the Store interface, the ledger and the middleware options.

/** A value, or a promise of it: a memory store answers at once, a network store later. */
export type Awaitable<T> = T | Promise<T>;

/** One budget window: a calendar month in the policy's time zone. */
export interface BudgetWindow {
  /** `YYYY-MM`, the local month; part of every store key. */
  readonly id: string;
  /** Epoch ms of the month's first instant. */
  readonly startsAt: number;
  /** Epoch ms of the next month's first instant: spend resets then. */
  readonly endsAt: number;
  /** Epoch ms after which a store may forget the window's figures. */
  readonly expiresAt: number;
}

/** Whose spend, in which window. Stores namespace their keys by both. */
export interface SpendKey {
  readonly owner: string;
  readonly window: BudgetWindow;
}

/** An owner's figures in one window. */
export interface SpendState {
  /** Settled cost of finished calls, USD. */
  readonly spendUsd: number;
  /** Worst-case cost of calls still in flight, USD. */
  readonly reservedUsd: number;
}

export interface ReserveRequest {
  readonly key: SpendKey;
  /** Unique per call; `settle` names it again. */
  readonly id: string;
  readonly amountUsd: number;
  /** Refuse when spend + reservations + amount would pass it; `undefined` = always reserve. */
  readonly limitUsd?: number;
  /** How long the reservation holds if it is never settled (a gateway that died mid-call). */
  readonly ttlMs: number;
}

export interface ReserveResult {
  /** False: refused, nothing reserved. */
  readonly ok: boolean;
  /** The figures before this reservation. */
  readonly before: SpendState;
}

export interface SettleRequest {
  readonly key: SpendKey;
  /** The reservation's id, or a fresh one for a call that reserved nothing. */
  readonly id: string;
  /** What the call cost; 0 releases the reservation without spending. */
  readonly costUsd: number;
}

/**
 * Where spend and reservations live, in the spirit of express-rate-limit's Store. Amounts are USD;
 * stores keep them as whole nano-dollars so that sums never drift. Every method may throw or reject
 * when the backend is unreachable: the budget guard then applies the policy's `on_store_error`.
 */
export interface BudgetStore {
  /**
   * Atomically: drops expired reservations, then reserves `amountUsd` unless `limitUsd` is set and
   * spend + reservations + amount would pass it.
   */
  reserve(request: ReserveRequest): Awaitable<ReserveResult>;
  /**
   * Atomically: releases the reservation `id` (if it still holds) and adds `costUsd` to spend. A
   * settlement retried after a lost reply may count twice: spend errs high, never low.
   */
  settle(request: SettleRequest): Awaitable<void>;
  /** The owner's figures now (expired reservations dropped). */
  get(key: SpendKey): Awaitable<SpendState>;
  /** Releases timers and connections. Optional. */
  shutdown?(): Awaitable<void>;
}

/** Where the budget guard logs what the client does not see: store outages, settlements that failed. */
export interface BudgetLogger {
  warn(message: string, err?: unknown): void;
}

/** Options of `budget()`: the policy (a ledger is built on it) or a ledger built already. */
export type BudgetOptions =
  | ({
      readonly policy: import('@switchyard/core').Policy;
      readonly ledger?: undefined;
    } & import('./ledger.js').BudgetLedgerOptions)
  | { readonly ledger: import('./ledger.js').BudgetLedger; readonly policy?: undefined };
