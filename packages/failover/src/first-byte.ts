// How long an attempt may wait for its first byte: first_byte_ms, the workflow's first_token_ms, or what is
// left of total_ms, whichever is shortest.
import type { TimeoutSettings } from '@switchyard/core';

/** The policy setting a first-byte limit comes from, as error messages name it. */
export type FirstByteSetting = 'first_byte_ms' | 'first_token_ms' | 'total_ms' | 'timeout_ms';

/** When an attempt that has not sent its first byte is given up. */
export interface FirstByteLimit {
  /** Milliseconds from the attempt's start. */
  readonly ms: number;
  /**
   * `first_byte`: the policy's `first_byte_ms` or the workflow's `first_token_ms` (see `setting`); `total`: what
   * is left of `total_ms`, which is shorter.
   */
  readonly limit: 'first_byte' | 'total';
  /** The configured limit itself, for messages. */
  readonly limitMs: number;
  /** Which setting it is. */
  readonly setting: FirstByteSetting;
}

/**
 * The limit of an attempt starting at `start` (epoch ms), or `undefined` when the policy sets none.
 * `firstTokenMs`: the workflow's `latency.first_token_ms`, a per-attempt deadline like `first_byte_ms`.
 * `totalSetting`: where `timeouts.totalMs` comes from (the failover section's `total_ms`, or the workflow's
 * `timeout_ms` when that is shorter).
 */
export function firstByteLimit(
  timeouts: TimeoutSettings,
  deadlineAt: number | undefined,
  start: number,
  firstTokenMs?: number,
  totalSetting: 'total_ms' | 'timeout_ms' = 'total_ms',
): FirstByteLimit | undefined {
  const { firstByteMs, totalMs } = timeouts;
  let own: FirstByteLimit | undefined =
    firstByteMs === undefined
      ? undefined
      : { ms: firstByteMs, limit: 'first_byte', limitMs: firstByteMs, setting: 'first_byte_ms' };
  if (firstTokenMs !== undefined && (own === undefined || firstTokenMs < own.ms))
    own = { ms: firstTokenMs, limit: 'first_byte', limitMs: firstTokenMs, setting: 'first_token_ms' };
  if (deadlineAt === undefined || totalMs === undefined) return own;
  const left = Math.max(1, deadlineAt - start);
  return own && own.ms <= left ? own : { ms: left, limit: 'total', limitMs: totalMs, setting: totalSetting };
}
