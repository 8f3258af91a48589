// The `failover:` section of the policy file, validated with zod; built into FailoverPolicy by failover-build.ts.
import { z } from 'zod';

// Node's timers overflow past 2^31 - 1 ms and then fire at once.
const MAX_MS = 2 ** 31 - 1;
const ms = z.int().min(1).max(MAX_MS);

/** The triggers retries and fallbacks act on when the policy does not list its own. */
export const DEFAULT_TRIGGERS = [429, 500, 502, 503, 504, 'timeout', 'connect_error'] as const;

export const FAILOVER_DEFAULTS = {
  attempts: 1,
  backoffMs: 250,
  maxDelayMs: 30_000,
  onSchemaError: 'retry',
  cooldownFailures: 5,
  cooldownMs: 30_000,
  /** An upstream that sends nothing for a minute is given up (and retried or fallen back from). */
  firstByteMs: 60_000,
  /** No call, stream included, holds a client longer than ten minutes. */
  totalMs: 600_000,
} as const;

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

const trigger = z
  .union([z.number(), z.string()])
  .superRefine((value, ctx) => {
    const why = triggerProblem(value);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  })
  // What triggerProblem accepts, for JSON Schema; the loader's messages say why anything else is refused.
  .meta({
    anyOf: [{ enum: [408, 429] }, { type: 'integer', minimum: 500, maximum: 599 }, { enum: ['timeout', 'connect_error'] }],
  })
  .describe(
    'An upstream status (408, 429, 500-599), timeout (no first byte in first_byte_ms, or past total_ms) or connect_error (refused, reset, DNS, dropped before the first byte).',
  );

const triggers = (what: string) =>
  z
    .array(trigger)
    .optional()
    .describe(`${what}. Default: ${DEFAULT_TRIGGERS.join(', ')}.`);

const retrySchema = z
  .strictObject({
    attempts: z
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe(`Tries of one model per credential, the first included: 1 = no retry. Default: ${FAILOVER_DEFAULTS.attempts}.`),
    on: triggers('Failures that retry the same model'),
    backoff_ms: z
      .int()
      .min(0)
      .max(MAX_MS)
      .optional()
      .describe(
        `The first wait before a retry; each further retry doubles it, with jitter. Default: ${FAILOVER_DEFAULTS.backoffMs}.`,
      ),
    max_delay_ms: ms
      .optional()
      .describe(
        `The longest wait before a retry; a longer Retry-After from the upstream ends the retries. Default: ${FAILOVER_DEFAULTS.maxDelayMs}.`,
      ),
  })
  .describe('Retries of the same model.');

const settings = {
  retry: retrySchema.optional(),
  fallback: z
    .strictObject({ on: triggers('Failures that move a route to its next fallback once retries are spent') })
    .optional()
    .describe('Moving a route to its next `fallbacks` model.'),
  timeouts: z
    .strictObject({
      first_byte_ms: ms.optional().describe("The longest wait for an attempt's first byte."),
      total_ms: ms
        .optional()
        .describe('The longest time for the whole call, every retry, wait and fallback included; not less than first_byte_ms.'),
    })
    .optional()
    .describe(
      `Time limits, in milliseconds. Default: first_byte_ms ${FAILOVER_DEFAULTS.firstByteMs}, total_ms ${FAILOVER_DEFAULTS.totalMs}.`,
    ),
  on_schema_error: z
    .enum(['retry', 'fallback', 'return'])
    .optional()
    .describe(
      `What to do when a non-streamed answer does not match the request's JSON schema. Default: ${FAILOVER_DEFAULTS.onSchemaError}.`,
    ),
};

/** Per-route overrides: any field left out is the policy's. */
const routeFailoverSchema = z.strictObject(settings).describe("This route's overrides; any field left out is the policy's.");

export const failoverSchema = z.strictObject({
  ...settings,
  cooldown: z
    .strictObject({
      failures: z
        .int()
        .min(0)
        .max(1000)
        .optional()
        .describe(`Consecutive failures that start a cooldown; 0 = never. Default: ${FAILOVER_DEFAULTS.cooldownFailures}.`),
      duration_ms: ms
        .optional()
        .describe(`How long the pair is skipped before one request probes it again. Default: ${FAILOVER_DEFAULTS.cooldownMs}.`),
    })
    .optional()
    .describe('Skipping a model/provider pair for a while after it fails again and again.'),
  routes: z.record(z.string().min(1), routeFailoverSchema).optional().describe('Per-route overrides, by route name.'),
});

export type FailoverDocument = z.output<typeof failoverSchema>;
export type RouteFailoverDocument = z.output<typeof routeFailoverSchema>;
