// How long an attempt may wait for its first byte: first_byte_ms, or what is left of total_ms.
import type { TimeoutSettings } from '@switchyard/core';

/** When an attempt that has not sent its first byte is given up. */
export interface FirstByteLimit {
  /** Milliseconds from the attempt's start. */
  readonly ms: number;
  /** `first_byte`: the policy's `first_byte_ms`; `total`: what is left of `total_ms`, which is shorter. */
  readonly limit: 'first_byte' | 'total';
  /** The configured limit itself, for messages. */
  readonly limitMs: number;
}

/** The limit of an attempt starting at `start` (epoch ms), or `undefined` when the policy sets none. */
export function firstByteLimit(
  timeouts: TimeoutSettings,
  deadlineAt: number | undefined,
  start: number,
): FirstByteLimit | undefined {
  const { firstByteMs, totalMs } = timeouts;
  const own = firstByteMs === undefined ? undefined : ({ ms: firstByteMs, limit: 'first_byte', limitMs: firstByteMs } as const);
  if (deadlineAt === undefined || totalMs === undefined) return own;
  const left = Math.max(1, deadlineAt - start);
  return own && own.ms <= left ? own : { ms: left, limit: 'total', limitMs: totalMs };
}
