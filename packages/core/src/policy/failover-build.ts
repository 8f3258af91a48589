// The `failover:` section as loaded: defaults filled in, route overrides resolved, cross-references checked.
import type { FailoverPolicy, FailoverSettings, FailoverTrigger } from './failover-types.js';
import { DEFAULT_TRIGGERS, FAILOVER_DEFAULTS, type FailoverDocument, type RouteFailoverDocument } from './failover-schema.js';
import type { PolicyPath } from './source.js';
import type { RouteConfig } from './types.js';

type Problem = (path: PolicyPath, message: string, key?: string) => void;

export function buildFailover(doc: FailoverDocument, routes: ReadonlyMap<string, RouteConfig>, problem: Problem): FailoverPolicy {
  const base: FailoverSettings = {
    retry: {
      attempts: FAILOVER_DEFAULTS.attempts,
      on: new Set(DEFAULT_TRIGGERS),
      backoffMs: FAILOVER_DEFAULTS.backoffMs,
      maxDelayMs: FAILOVER_DEFAULTS.maxDelayMs,
    },
    fallback: { on: new Set(DEFAULT_TRIGGERS) },
    timeouts: { firstByteMs: FAILOVER_DEFAULTS.firstByteMs, totalMs: FAILOVER_DEFAULTS.totalMs },
    onSchemaError: FAILOVER_DEFAULTS.onSchemaError,
  };
  const defaults = resolve(base, doc, ['failover'], problem);
  const resolved = new Map<string, FailoverSettings>();
  for (const [name, overrides] of Object.entries(doc.routes ?? {})) {
    if (!routes.has(name)) {
      problem(
        ['failover', 'routes'],
        `failover.routes: "${name}" is not a route (routes: ${[...routes.keys()].join(', ') || 'none'})`,
        name,
      );
    }
    resolved.set(name, resolve(defaults, overrides, ['failover', 'routes', name], problem));
  }
  return {
    defaults,
    routes: resolved,
    cooldown: {
      failures: doc.cooldown?.failures ?? FAILOVER_DEFAULTS.cooldownFailures,
      durationMs: doc.cooldown?.duration_ms ?? FAILOVER_DEFAULTS.cooldownMs,
    },
  };
}

/** `over` applied field by field on `base`. */
function resolve(base: FailoverSettings, over: RouteFailoverDocument, path: PolicyPath, problem: Problem): FailoverSettings {
  const totalMs = over.timeouts?.total_ms ?? base.timeouts.totalMs;
  let firstByteMs = over.timeouts?.first_byte_ms ?? base.timeouts.firstByteMs;
  // A total_ms shorter than the default first-byte limit shortens that default; one the policy wrote is an error.
  if (over.timeouts?.first_byte_ms === undefined && firstByteMs === FAILOVER_DEFAULTS.firstByteMs && totalMs !== undefined) {
    firstByteMs = Math.min(firstByteMs, totalMs);
  }
  const timeouts = { firstByteMs, totalMs };
  // Checked where timeouts are written, so one mistake is reported once.
  if (over.timeouts && firstByteMs !== undefined && totalMs !== undefined && firstByteMs > totalMs) {
    const at = over.timeouts?.first_byte_ms !== undefined ? 'first_byte_ms' : 'total_ms';
    problem([...path, 'timeouts', at], `first_byte_ms (${firstByteMs}) is longer than total_ms (${totalMs})`);
  }
  return {
    retry: {
      attempts: over.retry?.attempts ?? base.retry.attempts,
      on: triggers(over.retry?.on) ?? base.retry.on,
      backoffMs: over.retry?.backoff_ms ?? base.retry.backoffMs,
      maxDelayMs: over.retry?.max_delay_ms ?? base.retry.maxDelayMs,
    },
    fallback: { on: triggers(over.fallback?.on) ?? base.fallback.on },
    timeouts,
    onSchemaError: over.on_schema_error ?? base.onSchemaError,
  };
}

function triggers(list: ReadonlyArray<number | string> | undefined): ReadonlySet<FailoverTrigger> | undefined {
  // The schema has checked every entry.
  return list && new Set(list as FailoverTrigger[]);
}
