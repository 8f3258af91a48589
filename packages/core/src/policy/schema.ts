// The policy file's shape (version 1), validated with zod. Cross-references are checked in validate.ts.
// The descriptions are the JSON Schema's (policy.schema.json, json-schema.ts), which editors show on hover.
import { z } from 'zod';
import { SIGNAL_TYPES } from '../signal-types.js';
import { CAPABILITIES } from './capabilities.js';
import { failoverSchema } from './failover-schema.js';
import { budgetsSchema, envName, keysSchema } from './budget-schema.js';
import { transitionsSchema, workflowsSchema } from './workflows-schema.js';

const name = z.string().min(1);

const credentialSchema = z
  .strictObject({
    env: envName.describe(
      'Environment variable holding the provider key, read when the policy loads: `switchyard serve` refuses to start while it is unset; `switchyard check` lists it.',
    ),
  })
  .describe('A provider key, by the environment variable that holds it.');

const providerSchema = z
  .strictObject({
    format: z
      .enum(['openai', 'anthropic', 'gemini'])
      .describe('The wire format the provider speaks: OpenAI chat completions, Anthropic Messages or Gemini.'),
    base_url: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .meta({ pattern: '^https?://' })
      .describe('The API base URL, e.g. https://api.openai.com/v1 (http or https; a trailing slash is dropped).'),
    credentials: z
      .array(credentialSchema)
      .default([])
      .describe('Keys tried in order: on a 429 or 5xx the call moves to the next credential of the same provider.'),
    forward_headers: z
      .array(
        z.string().regex(/^[a-z0-9][a-z0-9-]*\*?$/, 'must be a lower-case header name, or a prefix ending in * (e.g. x-my-*)'),
      )
      .default([])
      .describe(
        "Client request headers this provider gets besides the format's own (anthropic-version, anthropic-beta, tracing and request ids); a name ending in * is a prefix. Credentials and billing headers (authorization, x-api-key, cookie, openai-organization, openai-project, x-goog-user-project, …) are never forwarded.",
      ),
    max_connections: z
      .int()
      .min(1)
      .max(65536)
      .optional()
      .describe(
        'Most connections open to this provider at once; calls beyond it wait (as long as a connection may take) in a queue as long again, and past that get 503 gateway_overloaded. Default 1024.',
      ),
  })
  .describe('An upstream API: the wire format it speaks, where it is and its keys.');

const tokens = z.int().positive();
const usdPerMillion = z.number().nonnegative();

const modelSchema = z
  .strictObject({
    provider: name.describe('The one provider (a name under `providers`) that serves this model.'),
    context_window: tokens.optional().describe('The most tokens one call may hold, input and output together.'),
    /** The most tokens one answer may have; a budget's worst case for calls without max_tokens. */
    max_output_tokens: tokens
      .optional()
      .describe("The most tokens one answer may have: a budget's worst case for a call without max_tokens."),
    capabilities: z
      .array(z.enum(CAPABILITIES))
      .default([])
      .describe(
        'What the model supports; a fallback lacking what a request needs (tools, a JSON schema, …) is skipped. ' +
          '`reasoning` marks an OpenAI reasoning model (o1…, gpt-5…): its output cap is sent as max_completion_tokens.',
      ),
    price: z
      .strictObject({
        input: usdPerMillion.describe('USD per 1M input tokens.'),
        output: usdPerMillion.describe('USD per 1M output tokens.'),
        cached_input: usdPerMillion.optional().describe('USD per 1M cached input tokens; default: the input price.'),
      })
      .optional()
      .describe('USD per 1M tokens, for spend and budgets; every model needs one when an owner has hard_stop.'),
    upstream_model: name
      .optional()
      .describe(
        "The provider's own ID for the model, sent upstream; default: this entry's ID. Lets two entries (gpt-5-mini@a, gpt-5-mini@b) serve one model from two providers.",
      ),
  })
  .describe('An exact, versioned model ID, pinned to one provider.');

const signalSchema = z
  .strictObject({
    /** `$.json.path` into the request body, or `header:<name>`. */
    from: z
      .string()
      .regex(/^(\$|header:.+)/, 'must be a JSONPath starting with "$" or "header:<name>"')
      .describe('Where the value is read: a JSONPath into the request body ($.metadata.priority) or header:<name>.'),
    type: z.enum(SIGNAL_TYPES as [string, ...string[]]).describe('The CEL type rules see it as.'),
    default: z
      .union([z.boolean(), z.number(), z.string()])
      .optional()
      .describe("The value rules see when the request does not carry the signal; of the signal's type. Default: none (absent)."),
  })
  .describe('A signal read from the request, which rules can use by its name.');

const ruleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, "_", "." or "-"')
      .describe('Shown in x-switchyard-route (route/rule) and traces; unique in its route, and not "default".'),
    if: z
      .string()
      .min(1)
      .describe('A CEL condition over signals, e.g. `input_tokens > 100000 && has_tools`; type-checked when the policy loads.'),
    use: name.describe('The model ID (a name under `models`) that serves the call when the condition holds.'),
  })
  .describe('Routes the call to `use` when `if` holds.');

const routeSchema = z
  .strictObject({
    default: name.describe('The model ID (a name under `models`) that serves the route when no rule matches.'),
    rules: z.array(ruleSchema).default([]).describe('Checked in order; the first whose condition holds picks the model.'),
    fallbacks: z
      .array(name)
      .default([])
      .describe('Model IDs that may serve the route, in order, once retries are spent; none: strict.'),
    on: transitionsSchema.optional(),
  })
  .describe('A name clients send as "model", and how it picks the model that serves.');

const timezone = z
  .string()
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as "UTC" or "Europe/Berlin"' },
  )
  .meta({ examples: ['UTC', 'Europe/Berlin', 'America/New_York'] });

export const policySchema = z
  .strictObject({
    version: z.literal(1).describe('The policy format version.'),
    /** The policy's time zone, for `hour_local` and `weekday`. */
    timezone: timezone
      .default('UTC')
      .describe('An IANA time zone, for the signals hour_local and weekday and for monthly budget windows.'),
    providers: z.record(name, providerSchema).describe('Upstream APIs by name; every model is pinned to one of them.'),
    models: z
      .record(name, modelSchema)
      .describe('The exact, versioned model IDs this gateway serves, each pinned to one provider.'),
    signals: z
      .record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'signal names are lower_snake_case'), signalSchema)
      .default({})
      .describe('Custom signals (lower_snake_case names) read from the request body or headers; built-in ones need none.'),
    routes: z
      .record(name, routeSchema)
      .default({})
      .describe('The names clients send as "model" (e.g. smart, cheap); a route may not share a name with a model.'),
    failover: failoverSchema.default({}).describe('Retries, fallbacks, timeouts and cooldowns.'),
    budgets: budgetsSchema.optional().describe("Owners' monthly budgets, per-call ceilings, and where spend is kept."),
    keys: keysSchema
      .optional()
      .describe("This gateway's client keys (not provider keys); without them the gateway is open to anyone who reaches it."),
    workflows: workflowsSchema.optional(),
    workflows_required: z
      .boolean()
      .default(false)
      .describe(
        'true: a call must name a defined workflow (else 400 unknown_workflow); false: an unnamed or unknown one runs as "default".',
      ),
  })
  .meta({
    title: 'Switchyard policy',
    description:
      'The policy file of a Switchyard gateway (version 1). This schema checks shape, types and ranges; the loader ' +
      "(`switchyard check`) also checks what it cannot: references between sections (a model's provider, a rule's " +
      "model, a key's owner), CEL rules against the signals, the IANA time zone, and the env vars `serve` will need.",
  });

/** The policy file as written, after schema validation. */
export type PolicyDocument = z.output<typeof policySchema>;
