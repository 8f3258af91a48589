// The policy file's shape (version 1), validated with zod. Cross-references are checked in validate.ts.
import { z } from 'zod';
import { SIGNAL_TYPES } from '../signal-types.js';
import { failoverSchema } from './failover-schema.js';
import { budgetsSchema, keysSchema } from './budget-schema.js';

const name = z.string().min(1);

const credentialSchema = z.strictObject({
  /** Environment variable that holds the provider key. */
  env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
});

const providerSchema = z.strictObject({
  format: z.enum(['openai', 'anthropic', 'gemini']),
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  credentials: z.array(credentialSchema).default([]),
});

export const CAPABILITIES = ['tools', 'json_schema', 'streaming', 'vision'] as const;

const modelSchema = z.strictObject({
  provider: name,
  context_window: z.int().positive().optional(),
  /** The most tokens one answer may have; a budget's worst case for calls without max_tokens. */
  max_output_tokens: z.int().positive().optional(),
  capabilities: z.array(z.enum(CAPABILITIES)).default([]),
  price: z
    .strictObject({
      input: z.number().nonnegative(),
      output: z.number().nonnegative(),
      cached_input: z.number().nonnegative().optional(),
    })
    .optional(),
});

const signalSchema = z.strictObject({
  /** `$.json.path` into the request body, or `header:<name>`. */
  from: z.string().regex(/^(\$|header:.+)/, 'must be a JSONPath starting with "$" or "header:<name>"'),
  type: z.enum(SIGNAL_TYPES as [string, ...string[]]),
});

const ruleSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, "_", "." or "-"'),
  if: z.string().min(1),
  use: name,
});

const routeSchema = z.strictObject({
  default: name,
  rules: z.array(ruleSchema).default([]),
  fallbacks: z.array(name).default([]),
});

const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as "UTC" or "Europe/Berlin"' },
);

export const policySchema = z.strictObject({
  version: z.literal(1),
  /** The policy's time zone, for `hour_local` and `weekday`. */
  timezone: timezone.default('UTC'),
  providers: z.record(name, providerSchema),
  models: z.record(name, modelSchema),
  signals: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'signal names are lower_snake_case'), signalSchema).default({}),
  routes: z.record(name, routeSchema).default({}),
  failover: failoverSchema.default({}),
  budgets: budgetsSchema.optional(),
  keys: keysSchema.optional(),
});

/** The policy file as written, after schema validation. */
export type PolicyDocument = z.output<typeof policySchema>;
