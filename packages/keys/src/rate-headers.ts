// The rate-limit response headers, as OpenAI names and writes them.
import type { LimitCounter, LimitKind } from './rate-limiter.js';
import type { CounterReading } from './rate-types.js';

/** A counter that applied to a call, and what it read. */
export interface CheckedCounter {
  readonly applied: LimitCounter;
  readonly reading: CounterReading;
}

/**
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for the counters that applied. When both the key's
 * and the owner's limit a kind, the headers describe the one with less room (the one that will refuse first).
 */
export function rateLimitHeaders(checked: readonly CheckedCounter[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    const binding = bindingCounter(checked, kind);
    if (!binding) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(binding.applied.counter.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(binding.reading.remaining);
    headers[`x-ratelimit-reset-${kind}`] = durationText(binding.reading.resetMs);
  }
  return headers;
}

/** The counter of `kind` with the least room left (on a tie, the one that takes longer to refill). */
export function bindingCounter(checked: readonly CheckedCounter[], kind: LimitKind): CheckedCounter | undefined {
  let binding: CheckedCounter | undefined;
  for (const c of checked) {
    if (c.applied.kind !== kind) continue;
    const tighter =
      !binding ||
      c.reading.remaining < binding.reading.remaining ||
      (c.reading.remaining === binding.reading.remaining && c.reading.resetMs > binding.reading.resetMs);
    if (tighter) binding = c;
  }
  return binding;
}

/** A duration as OpenAI's reset headers write it (Go's style): `250ms`, `1.5s`, `6m0s`. */
export function durationText(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return `${whole}ms`;
  const minutes = Math.floor(whole / 60_000);
  const seconds = Number(((whole % 60_000) / 1000).toFixed(3));
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}
