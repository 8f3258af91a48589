// The policy file's shape (version 1), validated with zod. Cross-references are checked in validate.ts.
// The descriptions are the JSON Schema's (policy.schema.json, json-schema.ts), which editors show on hover.
import { z } from 'zod';
import { SIGNAL_TYPES } from '../signal-types.js';
import { CAPABILITIES } from './capabilities.js';
import { MODEL_ENDPOINTS } from './endpoints.js';
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
    tasks: z
      .strictObject({
        create: z
          .string()
          .regex(/^\//, 'must be a path starting with "/"')
          .describe(
            "The path below base_url that creates a task (POST), e.g. /music/generate; what the gateway's POST /v1/tasks calls.",
          ),
        get: z
          .string()
          .regex(/^\/.*\{id\}/, 'must be a path starting with "/" that holds {id}')
          .describe(
            "The path below base_url that reads a task (GET), {id} standing for the provider's task ID, e.g. /music/tasks/{id}.",
          ),
      })
      .optional()
      .describe(
        "The provider's own asynchronous task API, served as the gateway's tasks endpoint (POST /v1/tasks, GET /v1/tasks/{id}); its task IDs come back wrapped in gateway IDs (see `ids`).",
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
    endpoints: z
      .array(z.enum(MODEL_ENDPOINTS))
      .min(1)
      .optional()
      .describe(
        'The endpoint families the model serves (chat, completions, embeddings, responses, messages, images, audio, videos, tasks); a call on another one gets 400 naming these. Default: the text families (every one but images, audio, videos and tasks).',
      ),
    price: z
      .strictObject({
        input: usdPerMillion
          .default(0)
          .describe('USD per 1M input tokens. Default 0 (a media model priced per image, second, …).'),
        output: usdPerMillion.default(0).describe('USD per 1M output tokens. Default 0.'),
        cached_input: usdPerMillion.optional().describe('USD per 1M cached input tokens; default: the input price.'),
        cache_write: usdPerMillion
          .optional()
          .describe(
            "USD per 1M input tokens written to the provider's prompt cache (Anthropic's cache_creation_input_tokens, e.g. 1.25x input); default: the input price.",
          ),
        image: z
          .record(z.string().min(1), z.number().nonnegative())
          .optional()
          .describe(
            'USD per image, by "SIZE/QUALITY" (1024x1024/high), "SIZE" (1024x1024), "QUALITY" (high) or "default", the most specific that matches; a size with no price and no default is priced at the highest listed.',
          ),
        video_second: z.number().nonnegative().optional().describe('USD per second of generated video.'),
        speech_characters: usdPerMillion.optional().describe('USD per 1M characters of input text turned into speech.'),
        transcription_minute: z.number().nonnegative().optional().describe('USD per minute of transcribed or translated audio.'),
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
    record: z
      .enum(['value', 'presence'])
      .optional()
      .describe(
        "What spans record of it: its value, or only that it was present (and a string's length). Default: presence for a JSONPath into the prompt (messages, input, prompt, contents, system, instructions, or any recursive descent), else value.",
      ),
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
    ids: z
      .strictObject({
        secret: z
          .strictObject({ env: envName.describe('Environment variable holding the HMAC key (at least 32 characters).') })
          .describe('The key that signs gateway IDs, by the environment variable that holds it.'),
      })
      .optional()
      .describe(
        'Gateway IDs: every ID a provider mints and a client sends back (video and task IDs, Responses IDs) goes to the client wrapped, naming its provider and model and signed with this secret, so any instance routes the follow-up to the minting provider. Required when a model serves videos or tasks.',
      ),
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
