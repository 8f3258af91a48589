// The generic cell rate algorithm, one counter at a time: the memory store runs it here, the Redis store runs
// the same steps in Lua (rate-scripts.ts). State is one number per counter: its theoretical arrival time (TAT),
// the instant it is full again. A counter with `limit` L per period P refills one unit every P / L ms.
import type { CounterReading, RateCounter } from './rate-types.js';

/** Float slack, in ms, so that exactly reaching a limit is not refused by rounding. */
const EPSILON_MS = 1e-6;

/** What taking `cost` from a counter would do. */
export interface GcraStep {
  /** The counter has room for `cost`. */
  readonly fits: boolean;
  /** Its TAT once the cost is taken (only meaningful when it fits). */
  readonly next: number;
  /** Its reading as it stands: the answer when the call is refused (by this counter, with `retryAfterMs`, or another). */
  readonly before: CounterReading;
  /** Its reading once the cost is taken, when it fits. */
  readonly after: CounterReading;
}

/**
 * Takes (on paper) `cost` units from a counter whose stored TAT is `tat` (`undefined`: never used or expired).
 * `now` and `tat` are ms on one clock.
 */
export function gcraStep(counter: RateCounter, tat: number | undefined, cost: number, now: number): GcraStep {
  const interval = counter.periodMs / counter.limit;
  const base = tat === undefined || tat < now ? now : tat;
  const next = base + cost * interval;
  const before = readingAt(counter, base, now);
  if (cost * interval > counter.periodMs + EPSILON_MS) {
    return { fits: false, next, before: { ...before, retryAfterMs: Number.POSITIVE_INFINITY }, after: before };
  }
  if (next - now > counter.periodMs + EPSILON_MS) {
    return { fits: false, next, before: { ...before, retryAfterMs: Math.ceil(next - counter.periodMs - now) }, after: before };
  }
  return { fits: true, next, before, after: readingAt(counter, next, now) };
}

/** The TAT after adding `cost` units (negative: giving them back, never past a full counter). */
export function gcraAdjust(counter: RateCounter, tat: number | undefined, cost: number, now: number): number {
  const base = tat === undefined || tat < now ? now : tat;
  return Math.max(now, base + cost * (counter.periodMs / counter.limit));
}

function readingAt(counter: RateCounter, tat: number, now: number): CounterReading {
  const interval = counter.periodMs / counter.limit;
  const used = tat - now;
  const remaining = Math.floor((counter.periodMs - used) / interval + EPSILON_MS);
  return { remaining: Math.min(counter.limit, Math.max(0, remaining)), resetMs: Math.max(0, Math.ceil(used - EPSILON_MS)) };
}
