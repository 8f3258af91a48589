// Exponential backoff with jitter.

/**
 * The wait before retry number `retry` (1 for the first): `baseMs`·2^(retry−1), clamped to `maxMs`, of
 * which the upper half is random ("equal jitter"): retries of many clients spread out, yet none comes
 * sooner than half the nominal wait.
 */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
