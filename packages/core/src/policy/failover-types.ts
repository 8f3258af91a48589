// The loaded `failover:` section: what @switchyard/failover reads. Defaults are filled in at load.

/**
 * What makes a failed attempt eligible for a retry or a fallback: an upstream HTTP status (408, 429 or
 * 5xx), `timeout` (no first byte within `first_byte_ms`, or the call over `total_ms`) or `connect_error`
 * (refused, reset, DNS, or dropped before the first byte).
 */
export type FailoverTrigger = number | 'timeout' | 'connect_error';

/** What to do when a non-streamed answer does not match the request's JSON schema. */
export type SchemaErrorAction = 'retry' | 'fallback' | 'return';

export interface RetrySettings {
  /** Tries of one model per credential, the first included: 1 = no retry. */
  readonly attempts: number;
  /** Triggers that retry the same model. */
  readonly on: ReadonlySet<FailoverTrigger>;
  /** First backoff; each further retry doubles it, with jitter. */
  readonly backoffMs: number;
  /** Longest wait before a retry: backoff is clamped to it; a longer `Retry-After` ends the retries. */
  readonly maxDelayMs: number;
}

export interface FallbackSettings {
  /** Triggers that move a route to its next `fallbacks` model once retries are spent. */
  readonly on: ReadonlySet<FailoverTrigger>;
}

export interface TimeoutSettings {
  /** Longest wait for an attempt's first byte (headers, and the first body chunk of a 2xx answer). */
  readonly firstByteMs?: number;
  /** Longest time for the whole call, every retry, wait and fallback included, from the request's start. */
  readonly totalMs?: number;
}

/** Failover settings of one route (or of exact model IDs): the policy's, with the route's overrides. */
export interface FailoverSettings {
  readonly retry: RetrySettings;
  readonly fallback: FallbackSettings;
  readonly timeouts: TimeoutSettings;
  readonly onSchemaError: SchemaErrorAction;
}

/** When a model/provider pair is skipped for a while after failing again and again. */
export interface CooldownSettings {
  /** Consecutive failures that start a cooldown; 0 = never. */
  readonly failures: number;
  /** How long the pair is skipped before one request probes it again. */
  readonly durationMs: number;
}

export interface FailoverPolicy {
  /** Settings of exact model IDs and of routes without overrides. */
  readonly defaults: FailoverSettings;
  /** Settings of routes with overrides under `failover.routes`, resolved over the defaults. */
  readonly routes: ReadonlyMap<string, FailoverSettings>;
  readonly cooldown: CooldownSettings;
}
