// The default store: spend in this process's memory. One gateway instance, one budget; lost on restart.
import type { BudgetStore, ReserveRequest, ReserveResult, SettleRequest, SpendKey, SpendState } from './types.js';
import { fromNano, toNano } from './units.js';

const SWEEP_EVERY_MS = 60 * 60 * 1000;

interface Hold {
  /** Nano-USD held. */
  readonly amount: number;
  readonly expiresAt: number;
}

interface Entry {
  spend: number;
  reserved: number;
  readonly holds: Map<string, Hold>;
  /** The earliest `expiresAt` among holds, so most calls skip the scan for expired ones. */
  nextExpiry: number;
  /** Pushed on by every write naming a later expiry (a run's window slides). */
  expiresAt: number;
}

export interface MemoryStoreOptions {
  /** The clock. Default: `Date.now`. */
  readonly now?: () => number;
}

/**
 * Keeps spend in a Map keyed by owner and window. Synchronous, so atomic by construction. Figures of
 * windows past their `expiresAt` are swept hourly by an `unref()`-ed timer; `shutdown()` stops it.
 */
export class MemoryStore implements BudgetStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_EVERY_MS).unref();
  }

  reserve(request: ReserveRequest): ReserveResult {
    const now = this.#now();
    const entry = this.#entry(request.key, now);
    const before = state(entry);
    const amount = toNano(request.amountUsd);
    if (request.limitUsd !== undefined && entry.spend + entry.reserved + amount > toNano(request.limitUsd)) {
      return { ok: false, before };
    }
    entry.expiresAt = Math.max(entry.expiresAt, request.key.window.expiresAt);
    const expiresAt = now + request.ttlMs;
    entry.holds.set(request.id, { amount, expiresAt });
    entry.reserved += amount;
    entry.nextExpiry = Math.min(entry.nextExpiry, expiresAt);
    return { ok: true, before };
  }

  settle(request: SettleRequest): void {
    const entry = this.#entry(request.key, this.#now());
    entry.expiresAt = Math.max(entry.expiresAt, request.key.window.expiresAt);
    const hold = entry.holds.get(request.id);
    if (hold) {
      entry.holds.delete(request.id);
      entry.reserved -= hold.amount;
    }
    entry.spend += toNano(request.costUsd);
  }

  get(key: SpendKey): SpendState {
    return state(this.#entry(key, this.#now()));
  }

  shutdown(): void {
    clearInterval(this.#sweeper);
  }

  #entry(key: SpendKey, now: number): Entry {
    const id = `${key.owner}\u0000${key.window.id}`;
    let entry = this.#entries.get(id);
    // Past its expiry an entry is forgotten, as Redis forgets an expired key, even before the hourly sweep.
    if (entry && entry.expiresAt <= now) entry = undefined;
    if (!entry) {
      entry = { spend: 0, reserved: 0, holds: new Map(), nextExpiry: Infinity, expiresAt: key.window.expiresAt };
      this.#entries.set(id, entry);
    } else if (now >= entry.nextExpiry) {
      expire(entry, now);
    }
    return entry;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
  }
}

/** Drops the holds of calls that never settled (their gateway died): they stop counting. */
function expire(entry: Entry, now: number): void {
  let next = Infinity;
  for (const [id, hold] of entry.holds) {
    if (hold.expiresAt <= now) {
      entry.holds.delete(id);
      entry.reserved -= hold.amount;
    } else {
      next = Math.min(next, hold.expiresAt);
    }
  }
  entry.nextExpiry = next;
}

function state(entry: Entry): SpendState {
  return { spendUsd: fromNano(entry.spend), reservedUsd: fromNano(entry.reserved) };
}
