// Every attribute, event and metric name the audit package writes, in one place.
// Stable OpenTelemetry names come from @opentelemetry/semantic-conventions. The GenAI names are still
// incubating there (exported only from its `/incubating` entry point, which may change in any minor
// release), so the few we use are copied below from semantic-conventions 1.45 (GenAI semconv).

export {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';

// ---- GenAI semantic conventions (incubating; copied, see above) ----
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';

export const GEN_AI_OPERATION_CHAT = 'chat';
export const GEN_AI_OPERATION_TEXT_COMPLETION = 'text_completion';
export const GEN_AI_OPERATION_EMBEDDINGS = 'embeddings';
export const GEN_AI_PROVIDER_OPENAI = 'openai';
export const GEN_AI_PROVIDER_ANTHROPIC = 'anthropic';
export const GEN_AI_PROVIDER_GCP_GEMINI = 'gcp.gemini';
export const GEN_AI_TOKEN_TYPE_INPUT = 'input';
export const GEN_AI_TOKEN_TYPE_OUTPUT = 'output';

export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';

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
