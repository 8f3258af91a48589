// Every attribute, event and metric name the audit package writes, in one place.
// Stable OpenTelemetry names come from @opentelemetry/semantic-conventions. The GenAI names are still in
// development: the package exports them only from its `/incubating` entry point, which may change in any
// minor release, so package.json pins that package to an exact version, as the OpenTelemetry guidelines ask.
// (1.45 marks them @deprecated only because the GenAI conventions moved to their own repository,
// open-telemetry/semantic-conventions-genai; the names there are the same.)

import {
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
  GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
} from '@opentelemetry/semantic-conventions/incubating';

export {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';

// ---- GenAI semantic conventions (incubating) ----
export {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_GEN_AI_WORKFLOW_NAME,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_GEN_AI_SERVER_REQUEST_DURATION,
  METRIC_GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN,
  METRIC_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN,
} from '@opentelemetry/semantic-conventions/incubating';

export const GEN_AI_OPERATION_CHAT = GEN_AI_OPERATION_NAME_VALUE_CHAT;
export const GEN_AI_OPERATION_TEXT_COMPLETION = GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION;
export const GEN_AI_OPERATION_EMBEDDINGS = GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS;
export const GEN_AI_PROVIDER_OPENAI = GEN_AI_PROVIDER_NAME_VALUE_OPENAI;
export const GEN_AI_PROVIDER_ANTHROPIC = GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC;
export const GEN_AI_PROVIDER_GCP_GEMINI = GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI;
export const GEN_AI_TOKEN_TYPE_INPUT = GEN_AI_TOKEN_TYPE_VALUE_INPUT;
export const GEN_AI_TOKEN_TYPE_OUTPUT = GEN_AI_TOKEN_TYPE_VALUE_OUTPUT;

// ---- Switchyard's own names (DESIGN.md, "Trace attributes") ----
/** The route the client named (`smart`); absent for an exact model ID. */
export const ATTR_ROUTE = 'switchyard.route';
/** The rule that matched, or `default`; absent for an exact model ID. */
export const ATTR_RULE = 'switchyard.rule';
/** `route` (rules chose) or `exact` (the client named a pinned model ID). */
export const ATTR_SELECTION = 'switchyard.selection';
/** The model the route's rule (or the client's exact ID) selected, before any fallback. */
export const ATTR_SELECTED_MODEL = 'switchyard.selected_model';
export const ATTR_REQUESTED_MODEL = 'switchyard.requested_model';
export const ATTR_SERVED_MODEL = 'switchyard.served_model';
export const ATTR_ERROR_MODEL = 'switchyard.error_model';
export const ATTR_POLICY_VERSION = 'switchyard.policy.version';
/** The policy's name for the provider (`groq`), next to `gen_ai.provider.name` (its wire format's vendor). */
export const ATTR_PROVIDER = 'switchyard.provider';
export const ATTR_ENDPOINT = 'switchyard.endpoint';
export const ATTR_STREAMING = 'switchyard.streaming';
export const ATTR_OWNER = 'switchyard.owner';
export const ATTR_WORKFLOW = 'switchyard.workflow';
/** How many upstream attempts the request made (retries and fallbacks included). */
export const ATTR_ATTEMPTS = 'switchyard.attempts';
export const ATTR_FALLBACK_REASON = 'switchyard.fallback.reason';
export const ATTR_COST_USD = 'switchyard.cost.usd';
/** On the serving attempt's span: seconds from the attempt's start to its answer's first chunk (GenAI conventions, not yet in the package). */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
/** On the server span: ms from the request's arrival to the first byte of the answer the client got. */
export const ATTR_FIRST_TOKEN_MS = 'switchyard.first_token_ms';
/** Per attempt with a first chunk, in seconds. */
export const METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
/** Per chunk after the first of the served attempt's answer, at the average interval, in seconds. */
export const METRIC_GEN_AI_CLIENT_TIME_PER_OUTPUT_CHUNK = 'gen_ai.client.operation.time_per_output_chunk';
/** The gateway's own error code (`model_not_found`, `upstream_timeout`, …) when it answered with one. */
export const ATTR_ERROR_CODE = 'switchyard.error.code';
export const ATTR_ERROR_KIND = 'switchyard.error.type';

/**
 * `switchyard.signal.<name>`: a signal a rule read, with its exact value. A signal decided from an upper
 * bound is `switchyard.signal.<name>.at_most` (the bound); one that was absent is
 * `switchyard.signal.<name>.absent` (the reason).
 */
export const SIGNAL_PREFIX = 'switchyard.signal.';
export const SIGNAL_AT_MOST_SUFFIX = '.at_most';
export const SIGNAL_ABSENT_SUFFIX = '.absent';
/** For a signal recorded by presence only (prompt text): that it was there, and a string's length. */
export const SIGNAL_PRESENT_SUFFIX = '.present';
export const SIGNAL_LENGTH_SUFFIX = '.length';
/** The longest string signal value a span holds, in characters; longer ones are cut and end in "…". */
export const SIGNAL_VALUE_MAX = 256;

/** Every field of the record's budget state, snake_cased: `switchyard.budget.owner`, `.spend_pct`, … */
export const BUDGET_PREFIX = 'switchyard.budget.';
export const ATTR_BUDGET_OWNER = 'switchyard.budget.owner';
export const ATTR_BUDGET_SPEND_PCT = 'switchyard.budget.spend_pct';

/** On attempt spans: this attempt's position in `record.attempts` (0 = first). */
export const ATTR_ATTEMPT_INDEX = 'switchyard.attempt.index';
export const ATTR_ATTEMPT_OUTCOME = 'switchyard.attempt.outcome';
/** The credential's position in the provider's `credentials` list; never the credential. */
export const ATTR_ATTEMPT_CREDENTIAL_INDEX = 'switchyard.attempt.credential_index';
/** Other fields that failover adds to an attempt, snake_cased under this prefix. */
export const ATTEMPT_PREFIX = 'switchyard.attempt.';
/** Record fields this package does not know yet, snake_cased under this prefix. */
export const RECORD_PREFIX = 'switchyard.';

/** Span event for a rule that failed to evaluate (it counted as not matching). */
export const EVENT_RULE_ERROR = 'switchyard.rule_error';
export const ATTR_RULE_ERROR_CODE = 'switchyard.rule_error.code';
export const ATTR_RULE_ERROR_MESSAGE = 'switchyard.rule_error.message';

/** Counter of what calls cost, in USD, when the budget guard priced them. */
export const METRIC_COST = 'switchyard.cost';

// ---- Switchyard's own metrics (docs/tracing.md, "Metrics") ----
/** Upstream attempts, by provider, model and `switchyard.attempt.outcome`. */
export const METRIC_ATTEMPTS = 'switchyard.attempts';
/** Retries of the same model (another credential, a backoff, a schema-invalid answer), by reason. */
export const METRIC_RETRIES = 'switchyard.retries';
/** Moves to the route's next `fallbacks` model, by `switchyard.fallback.reason`. */
export const METRIC_FALLBACKS = 'switchyard.fallbacks';
/** Retries and fallback candidates passed over, by `switchyard.skip.step` and `switchyard.skip.reason`. */
export const METRIC_SKIPS = 'switchyard.skips';
/** Model/provider pairs put in cooldown after failing too often in a row. */
export const METRIC_COOLDOWNS = 'switchyard.cooldowns';
/** Calls the gateway answered with an error of its own before any upstream answer, by `switchyard.error.code`. */
export const METRIC_REFUSALS = 'switchyard.refusals';
/** Calls refused by a client key's rate limit. */
export const METRIC_RATE_LIMIT_REFUSALS = 'switchyard.ratelimit.refusals';

/** On `switchyard.skips`: `retry` (a retry not made) or `fallback` (a fallback candidate passed over). */
export const ATTR_SKIP_STEP = 'switchyard.skip.step';
/** Why it was skipped: `deadline`, `retry_after`, `cooldown`, `missing_capability`, `context_window`, … */
export const ATTR_SKIP_REASON = 'switchyard.skip.reason';
/** On `switchyard.retries`: what the failed attempt ran into (`http_429`, `timeout`, `schema_invalid`, …). */
export const ATTR_RETRY_REASON = 'switchyard.retry.reason';
