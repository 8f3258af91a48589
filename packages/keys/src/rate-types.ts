// Public types of the rate limiter: the Store interface (in the spirit of the budget's) and what it answers.

/** A value, or a promise of it: a memory store answers at once, a network store later. */
export type Awaitable<T> = T | Promise<T>;

/** One thing counted against a limit: a key's requests, an owner's tokens, … */
export interface RateCounter {
  /** Unique within its group, e.g. `key:search-backend:requests`; part of the store key. */
  readonly id: string;
  /** Units allowed per period. A positive integer. */
  readonly limit: number;
  /** The period, in ms (60 000 for the policy's per-minute limits). */
  readonly periodMs: number;
}

/** Units to take from one counter (or, for `adjust`, to add back when negative). */
export interface RateCharge {
  readonly counter: RateCounter;
  readonly cost: number;
}

export interface RateRequest {
  /** Counters of one group (the owner): a Redis store keeps them in one cluster slot, so one script sees them all. */
  readonly group: string;
  readonly charges: readonly RateCharge[];
}

/** One counter after a `consume`. */
export interface CounterReading {
  /** Units that could be taken right now (after this call's, when it was let through). */
  readonly remaining: number;
  /** Ms until the counter is full again (back to `limit` remaining). */
  readonly resetMs: number;
  /**
   * Only when this counter refused the call: ms until it could take the cost; `Infinity` when the cost is more
   * than the whole limit, so no wait would help.
   */
  readonly retryAfterMs?: number;
}

export interface RateResult {
  /** False: some counter refused, and nothing was taken from any of them. */
  readonly ok: boolean;
  /** One reading per charge, in the order of the request's charges. */
  readonly counters: readonly CounterReading[];
}

/**
 * Where rate counters live. Counters refill continuously: `limit` units per `periodMs`, at most `limit`
 * banked (the generic cell rate algorithm, GCRA). Every method may throw or reject when the backend is
 * unreachable: the rate limiter then applies the policy's `budgets.store.on_store_error`.
 */
export interface RateLimitStore {
  /** Atomically: takes every charge's cost from its counter, or, when any counter lacks room, none. */
  consume(request: RateRequest): Awaitable<RateResult>;
  /**
   * Atomically adds each charge's cost (a negative cost gives units back, never past a full counter): the
   * correction once a call's real usage is known.
   */
  adjust(request: RateRequest): Awaitable<void>;
  /** Releases timers and connections. Optional. */
  shutdown?(): Awaitable<void>;
}
