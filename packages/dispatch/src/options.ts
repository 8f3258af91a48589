// dispatch() options: checked and filled in once, when the middleware is built.
import type { Policy } from '@switchyard/core';
import type { DispatchHandler, DispatchOptions } from './types.js';

/** Connections to one provider at once, unless its policy or `maxSocketsPerProvider` says otherwise: room for long streams. */
export const DEFAULT_MAX_SOCKETS = 1024;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_TIMEOUT_MS = 600_000;

/** How long each phase of one attempt may take. */
export interface AttemptTimeouts {
  /** Waiting for a pooled connection or opening a new one. */
  readonly connectMs: number;
  /** Silence of a connected upstream, before the headers or between body chunks. */
  readonly idleMs: number;
}

export interface DispatchConfig {
  readonly policy: Policy;
  readonly previous: DispatchHandler | undefined;
  readonly maxSockets: number;
  readonly timeouts: AttemptTimeouts;
}

const KNOWN = new Set<string>(['policy', 'maxSocketsPerProvider', 'connectTimeoutMs', 'timeoutMs', 'previous']);

export function resolveOptions(options: DispatchOptions): DispatchConfig {
  if (typeof options !== 'object' || options === null) throw new TypeError('dispatch(): options must be an object with a policy');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`dispatch(): unknown option "${key}" (options: ${[...KNOWN].join(', ')})`);
  }
  if (!(options.policy?.providers instanceof Map)) throw new TypeError('dispatch(): options.policy must be a loaded Policy');
  return {
    policy: options.policy,
    previous: options.previous,
    maxSockets: positiveInteger('maxSocketsPerProvider', options.maxSocketsPerProvider, DEFAULT_MAX_SOCKETS),
    timeouts: {
      connectMs: positiveInteger('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
      idleMs: positiveInteger('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS),
    },
  };
}

// Node's timers overflow past 2^31 - 1 ms and then fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS) {
    throw new TypeError(`dispatch(): ${name} must be a whole number from 1 to ${MAX_TIMER_MS}, got ${String(value)}`);
  }
  return value;
}
