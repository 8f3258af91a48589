// The routing record: one typed account of what every middleware decided for a request.
import type { TransitionAction, TransitionOutcome } from './policy/workflow-types.js';
import type { SignalReading } from './signal-types.js';

/** The API surface a request came in on. */
export type Endpoint =
  | 'chat'
  | 'completions'
  | 'embeddings'
  | 'responses'
  | 'messages'
  /** Google's `generateContent` / `streamGenerateContent` (the Gemini front door). */
  | 'gemini'
  /** Anthropic's `/messages/count_tokens` and Gemini's `:countTokens`: counted, not generated. */
  | 'count_tokens'
  /** `/images/generations`, `/images/edits`, `/images/variations`. */
  | 'images'
  /** `/audio/speech`, `/audio/transcriptions`, `/audio/translations`. */
  | 'audio'
  /** `/videos` and the follow-ups on a video's gateway ID. */
  | 'videos'
  /** `/tasks` (a provider's own asynchronous task API, per its policy entry) and `/tasks/{id}`. */
  | 'tasks'
  | 'other';

/** The wire format a provider speaks. */
export type ProviderFormat = 'openai' | 'anthropic' | 'gemini';

/**
 * How the model was chosen: an exact, pinned model ID that the client named, or a route
 * (alias) whose rules picked one. `rule` is the matched rule's name, or `default`.
 */
export type Selection =
  | { readonly kind: 'exact'; readonly model: string }
  | { readonly kind: 'route'; readonly route: string; readonly rule: string; readonly model: string };

/** Where the chosen model is served: its one pinned provider. */
export interface Target {
  readonly model: string;
  readonly provider: string;
  readonly format: ProviderFormat;
}

/** A rule whose CEL evaluation failed at request time; it counted as not matching. */
export interface RuleError {
  readonly route: string;
  readonly rule: string;
  readonly code: string;
  readonly message: string;
}

/** How one upstream attempt ended. */
export type AttemptOutcome =
  | 'ok' // the upstream answered 2xx and the response was passed on whole
  | 'http_error' // the upstream answered a non-2xx status
  | 'connect_error' // refused, reset or DNS failure before a response
  | 'timeout'
  | 'client_aborted' // the client went away; the attempt was cancelled
  | 'stream_cut'; // the upstream dropped or stalled after the first byte

/**
 * One call to an upstream provider. Credentials appear by index only, never by value. dispatch()'s attempt
 * log is the only writer of an attempt's fields, as the attempt goes.
 */
export interface Attempt {
  readonly provider: string;
  readonly model: string;
  readonly credentialIndex: number;
  readonly startedAt: number;
  readonly endedAt?: number;
  /** Upstream HTTP status, when one arrived. */
  readonly status?: number;
  readonly outcome?: AttemptOutcome;
  /** A short error class for failed attempts (e.g. `http_503`, `ECONNREFUSED`, `first_token_timeout`). */
  readonly errorClass?: string;
  /**
   * Epoch ms the attempt's 2xx answer began: its first event for a stream passed on as it comes (time to first
   * token), its headers for an answer read whole (time to first byte).
   */
  readonly firstTokenAt?: number;
}

/** What the answer the client got looked like, from dispatch()'s one pass over its bytes. */
export interface AnswerShape {
  /** `stream`: an event stream; `json`: a JSON body; `other`: anything else (passed on unread). */
  readonly kind: 'stream' | 'json' | 'other';
  /** The answer reached its end (a stream its terminator as the upstream sent it); false when it was cut or the client left. */
  readonly complete: boolean;
  /** `data:` events the client got (0 for a JSON body). */
  readonly events: number;
  /** Epoch ms of the answer's first body byte on its way to the client: time to first token (first chunk) of a stream. */
  readonly firstTokenAt?: number;
  /** Epoch ms when the answer ended (or was cut). */
  readonly endedAt?: number;
}

/** Token usage as the upstream reported it. */
export interface Usage {
  /** Every prompt token, those read from or written to a cache included. */
  readonly inputTokens: number;
  /** Every answer token, reasoning included. */
  readonly outputTokens: number;
  /** Prompt tokens read from a cache (part of `inputTokens`). */
  readonly cachedInputTokens?: number;
  /** Prompt tokens written to a cache (part of `inputTokens`; Anthropic's `cache_creation_input_tokens`). */
  readonly cacheCreationInputTokens?: number;
  /** Answer tokens spent on reasoning (part of `outputTokens`). */
  readonly reasoningOutputTokens?: number;
}

/**
 * A decision between or around attempts, for the timeline (span events): a retry, a fallback, a
 * fallback candidate skipped, a cooldown, a budget decision. Attributes never hold prompt text or
 * credentials.
 */
export interface RoutingEvent {
  /** Dotted name, e.g. `switchyard.retry`, `switchyard.fallback`, `switchyard.budget.refused`. */
  readonly name: string;
  /** Epoch milliseconds. */
  readonly at: number;
  /** Index into `attempts` of the attempt this event follows or belongs to, if any. */
  readonly attempt?: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

/** The owner's budget as the budget guard saw it for this request. */
export interface BudgetState {
  readonly owner: string;
  /** The owner's limit for the current window, when one is set. */
  readonly limitUsd?: number;
  /** Settled spend in the window before this request. */
  readonly spendUsd: number;
  /** Other requests' open reservations when this one was checked. */
  readonly reservedUsd: number;
  /** This request's worst-case cost, reserved before dispatch. */
  readonly estimateUsd: number;
  /** (spend + reservations) / limit, when a limit is set. */
  readonly spendPct?: number;
}

/** The error the gateway answered with, when it did not pass an upstream answer on. */
export interface RecordedError {
  readonly status: number;
  readonly type: string;
  readonly code: string;
}

/** A transition of the policy's `on:` maps that decided what followed an attempt. */
export interface TransitionTaken {
  /** How the attempt ended, in the policy's vocabulary (`http_503`, `refusal`, …): the key that matched. */
  readonly outcome: TransitionOutcome;
  /** What it led to: `retry_same_route` while retries were left, then the action that followed them. */
  readonly action: TransitionAction;
  /** Index into `attempts` of the attempt it followed. */
  readonly attempt: number;
  /** Whose `on:` map it came from. */
  readonly from: 'workflow' | 'route';
}

/** What the rate limiter decided for a call, in the routing record (`record.rateLimit`); flat, so audit writes every field. */
export interface RateLimitState {
  readonly owner: string;
  /** The client key's name, when a key was checked. */
  readonly key?: string;
  /** What refused the call, when something did. */
  readonly refused?: 'requests' | 'tokens';
  readonly requestsScope?: 'key' | 'owner';
  readonly requestsLimit?: number;
  readonly requestsRemaining?: number;
  readonly requestsResetMs?: number;
  readonly tokensScope?: 'key' | 'owner';
  readonly tokensLimit?: number;
  readonly tokensRemaining?: number;
  readonly tokensResetMs?: number;
  /** Tokens counted up front: the call's bound. */
  readonly tokensReserved?: number;
  /** Tokens the call used, as its usage reported (or as settled without one); set once it is over. */
  tokensUsed?: number;
}

/** A call that minted or followed up on a gateway ID (a video, a task, a stored response). */
export interface TaskRecord {
  /** The gateway ID the client holds (never the signing key). */
  readonly id: string;
  /** `create` (the call minted it), or the follow-up: `get`, `content`, `delete`, `remix`. */
  readonly action: 'create' | 'get' | 'content' | 'delete' | 'remix' | 'continue';
  /** The provider and model that minted it: where every follow-up goes. */
  readonly provider: string;
  readonly model: string;
  /** The route the minting call named, when it named one. */
  readonly route?: string;
  /** A video's length as its provider's answer gave it (seconds): what a video is priced by. */
  readonly seconds?: number;
}

/** Everything decided about one request. Middlewares write here and nowhere else on `req`. */
export interface RoutingRecord {
  /** Epoch milliseconds when the record was created. */
  readonly startedAt: number;
  /** The version (a short content hash) of the policy that routed the call. */
  policyVersion?: string;
  endpoint?: Endpoint;
  /** The `model` the client asked for. */
  requestedModel?: string;
  streaming?: boolean;
  /** Who the call is billed to; `default` while no client keys are configured. */
  owner: string;
  /** Every signal that a rule read, by name. Signals no rule needed are never computed. */
  readonly signals: Record<string, SignalReading>;
  /** Rules that failed to evaluate (and so did not match), in evaluation order. */
  readonly ruleErrors: RuleError[];
  selection?: Selection;
  target?: Target;
  readonly attempts: Attempt[];
  usage?: Usage;
  /** `finish_reason`s (`stop_reason`s on Anthropic's Messages) of the answer, distinct, in order. */
  finishReasons?: readonly string[];
  /** What the answer passed to the client looked like; set when an upstream answer was relayed. */
  answer?: AnswerShape;
  /** The model whose answer reached the client: the exact ID sent upstream. Unset when the client got no model's answer. */
  servedModel?: string;
  /** The model whose error answer the client got (an upstream's non-2xx answer, passed on). */
  errorModel?: string;
  /** The answer's own ID, as the provider minted it (`chatcmpl-…`, `msg_…`, `resp_…`). */
  responseId?: string;
  /** Why a fallback model served instead of the selected one, when one did. */
  fallbackReason?: string;
  /** The gateway ID this call minted or followed up on. */
  task?: TaskRecord;
  /** What a media answer reported of itself: a transcription's audio `seconds`. */
  mediaUsage?: { readonly seconds?: number };
  budget?: BudgetState;
  /** The workflow's monthly budget as the budget guard saw it (`owner` holds the workflow's name), when it has one. */
  workflowBudget?: BudgetState;
  /** The run's ceiling as the budget guard saw it (`owner` holds the run ID), for a call of a run whose workflow has `max_run_usd`. */
  runBudget?: BudgetState;
  /** What the rate limiter decided for the call, when the key or its owner has limits. */
  rateLimit?: RateLimitState;
  /** What the call cost, from the upstream's usage and the model's price, when both are known. */
  costUsd?: number;
  /** Retries, fallbacks, skips, cooldowns and budget decisions, in order. */
  readonly events: RoutingEvent[];
  error?: RecordedError;
  /** The workflow the call ran as: the one it named (`x-switchyard-workflow`, `metadata.workflow`), else `default`. */
  workflow?: string;
  /** Who the workflow's calls are charged back to (its `owner`, else the key's owner); the key's owner pays. */
  workflowOwner?: string;
  /** The workflow's `risk`, as the policy writes it: evidence for whoever reviews the call. */
  workflowRisk?: string;
  /** The run the call belongs to (header `x-switchyard-run`), for jobs of many calls. */
  runId?: string;
  /** The last transition of an `on:` map that decided what followed an attempt; unset when none did. */
  transition?: TransitionTaken;
  /** A `stop_and_escalate` transition ended the call: the answer went back, and someone should look at it. */
  escalate?: boolean;
}

export function createRecord(now: number = Date.now()): RoutingRecord {
  return { startedAt: now, owner: 'default', signals: {}, ruleErrors: [], attempts: [], events: [] };
}
