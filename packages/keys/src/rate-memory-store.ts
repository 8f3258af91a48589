// The default rate store: counters in this process's memory. One gateway instance, one set of limits.
import { gcraAdjust, gcraStep, type GcraStep } from './gcra.js';
import type { RateLimitStore, RateRequest, RateResult } from './rate-types.js';

const SWEEP_EVERY_MS = 60_000;

export interface MemoryRateStoreOptions {
  /** The clock. Default: `Date.now`. */
  readonly now?: () => number;
}

/**
 * Keeps each counter's TAT in a Map. Synchronous, so atomic by construction. Counters that are full again are
 * forgotten by a sweep every minute (an `unref()`-ed timer; `shutdown()` stops it).
 */
export class MemoryRateStore implements RateLimitStore {
  readonly #tats = new Map<string, number>();
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: MemoryRateStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_EVERY_MS).unref();
  }

  consume(request: RateRequest): RateResult {
    const now = this.#now();
    const steps: GcraStep[] = request.charges.map(({ counter, cost }) =>
      gcraStep(counter, this.#tats.get(idOf(request.group, counter.id)), cost, now),
    );
    const ok = steps.every((step) => step.fits);
    if (ok) {
      for (const [i, { counter }] of request.charges.entries()) this.#tats.set(idOf(request.group, counter.id), steps[i]!.next);
    }
    return { ok, counters: steps.map((step) => (ok ? step.after : step.before)) };
  }

  adjust(request: RateRequest): void {
    const now = this.#now();
    for (const { counter, cost } of request.charges) {
      const id = idOf(request.group, counter.id);
      const next = gcraAdjust(counter, this.#tats.get(id), cost, now);
      if (next > now) this.#tats.set(id, next);
      else this.#tats.delete(id);
    }
  }

  shutdown(): void {
    clearInterval(this.#sweeper);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, tat] of this.#tats) if (tat <= now) this.#tats.delete(id);
  }
}

function idOf(group: string, counter: string): string {
  return `${group}\u0000${counter}`;
}
