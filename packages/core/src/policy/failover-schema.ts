// The `failover:` section of the policy file, validated with zod; built into FailoverPolicy by failover-build.ts.
import { z } from 'zod';

// Node's timers overflow past 2^31 - 1 ms and then fire at once.
const MAX_MS = 2 ** 31 - 1;
const ms = z.int().min(1).max(MAX_MS);

/** Why `value` cannot be a failover trigger, or `undefined` when it can. */
function triggerProblem(value: number | string): string | undefined {
  if (typeof value === 'string') {
    if (value === 'timeout' || value === 'connect_error') return undefined;
    if (value === 'schema_invalid') return 'schema_invalid is not listed here: set on_schema_error (retry, fallback or return)';
    return `unknown trigger "${value}" (triggers: 408, 429, 500-599, timeout, connect_error)`;
  }
  if (!Number.isInteger(value)) return `${value} is not an HTTP status`;
  if (value === 408 || value === 429 || (value >= 500 && value <= 599)) return undefined;
  if (value >= 400 && value <= 499) {
    return `${value}: 4xx statuses other than 408 and 429 never trigger failover; the client gets them as the upstream sent them`;
  }
  return `${value} is not a failure status (408, 429 or 500-599)`;
}

const trigger = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const why = triggerProblem(value);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

const retrySchema = z.strictObject({
  attempts: z.int().min(1).max(10).optional(),
  on: z.array(trigger).optional(),
  backoff_ms: z.int().min(0).max(MAX_MS).optional(),
  max_delay_ms: ms.optional(),
});

const settings = {
  retry: retrySchema.optional(),
  fallback: z.strictObject({ on: z.array(trigger).optional() }).optional(),
  timeouts: z.strictObject({ first_byte_ms: ms.optional(), total_ms: ms.optional() }).optional(),
  on_schema_error: z.enum(['retry', 'fallback', 'return']).optional(),
};

/** Per-route overrides: any field left out is the policy's. */
const routeFailoverSchema = z.strictObject(settings);

export const failoverSchema = z.strictObject({
  ...settings,
  cooldown: z.strictObject({ failures: z.int().min(0).max(1000).optional(), duration_ms: ms.optional() }).optional(),
  routes: z.record(z.string().min(1), routeFailoverSchema).optional(),
});

export type FailoverDocument = z.output<typeof failoverSchema>;
export type RouteFailoverDocument = z.output<typeof routeFailoverSchema>;

/** The triggers retries and fallbacks act on when the policy does not list its own. */
export const DEFAULT_TRIGGERS = [429, 500, 502, 503, 504, 'timeout', 'connect_error'] as const;

export const FAILOVER_DEFAULTS = {
  attempts: 1,
  backoffMs: 250,
  maxDelayMs: 30_000,
  onSchemaError: 'retry',
  cooldownFailures: 5,
  cooldownMs: 30_000,
} as const;
