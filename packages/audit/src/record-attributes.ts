// The routing record as span attributes: the request's on the server span, each attempt's on its own.
import type { Attributes } from '@opentelemetry/api';
import type { Endpoint, RoutingRecord, SignalReading } from '@switchyard/core';
import {
  ATTEMPT_PREFIX,
  ATTR_ATTEMPT_CREDENTIAL_INDEX,
  ATTR_ATTEMPT_INDEX,
  ATTR_ATTEMPT_OUTCOME,
  ATTR_ATTEMPTS,
  ATTR_COST_USD,
  ATTR_FIRST_TOKEN_MS,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_ENDPOINT,
  ATTR_ERROR_CODE,
  ATTR_ERROR_KIND,
  ATTR_ERROR_MODEL,
  ATTR_ERROR_TYPE,
  ATTR_FALLBACK_REASON,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_GEN_AI_WORKFLOW_NAME,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_OWNER,
  ATTR_POLICY_VERSION,
  ATTR_PROVIDER,
  ATTR_REQUESTED_MODEL,
  ATTR_ROUTE,
  ATTR_RULE,
  ATTR_SELECTED_MODEL,
  ATTR_SELECTION,
  ATTR_SERVED_MODEL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_STREAMING,
  ATTR_WORKFLOW,
  BUDGET_PREFIX,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_OPERATION_EMBEDDINGS,
  GEN_AI_OPERATION_TEXT_COMPLETION,
  RECORD_PREFIX,
  SIGNAL_ABSENT_SUFFIX,
  SIGNAL_LENGTH_SUFFIX,
  SIGNAL_PRESENT_SUFFIX,
  SIGNAL_VALUE_MAX,
  SIGNAL_AT_MOST_SUFFIX,
  SIGNAL_PREFIX,
} from './attributes.js';
import { flattenInto } from './flatten.js';
import type { AttemptView, RequestOutcome } from './outcome.js';
import { genAiProvider, type ProviderFacts } from './providers.js';
import { count } from './record-values.js';

/** What the request's attributes are built from, besides the record. */
export interface RequestFacts {
  readonly record: RoutingRecord;
  /** The signals rules read (`record.signals` may hold more by the time attributes are built). */
  readonly signalNames: readonly string[];
  /** Signals recorded by presence only (`record: presence`: prompt text). Default: none. */
  readonly presenceOnly?: ReadonlySet<string>;
  readonly outcome: RequestOutcome;
  readonly providers: ReadonlyMap<string, ProviderFacts>;
  /** The request's output limit (core's `ParsedRequest.maxOutputTokens`). */
  readonly maxTokens: number | undefined;
  readonly finishReasons: readonly string[] | undefined;
  /** The workflow the call ran as, or the label its client sent when none was resolved: for spans and the log. */
  readonly workflow: string | undefined;
  /** The workflow as a metric label: a name the policy defines (or `default`), never a client's free label. */
  readonly workflowLabel?: string | undefined;
}

const OPERATIONS: Readonly<Record<Endpoint, string | undefined>> = {
  chat: GEN_AI_OPERATION_CHAT,
  messages: GEN_AI_OPERATION_CHAT,
  responses: GEN_AI_OPERATION_CHAT,
  completions: GEN_AI_OPERATION_TEXT_COMPLETION,
  embeddings: GEN_AI_OPERATION_EMBEDDINGS,
  gemini: GEN_AI_OPERATION_CHAT,
  count_tokens: undefined,
  // The GenAI conventions name no operation for images, speech, transcription, video or vendor tasks (yet).
  images: undefined,
  audio: undefined,
  videos: undefined,
  tasks: undefined,
  other: undefined,
};

/** `gen_ai.operation.name` for the endpoint the request came in on. */
export function operationName(endpoint: Endpoint | undefined): string | undefined {
  return endpoint === undefined ? undefined : OPERATIONS[endpoint];
}

/** Record fields written by name below; any other field is written generically under `switchyard.`. */
const RECORD_FIELDS = new Set([
  'startedAt',
  'endpoint',
  'requestedModel',
  'streaming',
  'owner',
  'signals',
  'ruleErrors',
  'selection',
  'target',
  'attempts',
  'usage',
  'finishReasons',
  'answer',
  'servedModel',
  'errorModel',
  'responseId',
  'policyVersion',
  'fallbackReason',
  'budget',
  'costUsd',
  'events',
  'error',
]);

const ATTEMPT_FIELDS = new Set([
  'provider',
  'model',
  'credentialIndex',
  'firstTokenAt',
  'startedAt',
  'endedAt',
  'status',
  'outcome',
  'errorClass',
]);

/** The server span's attributes: everything the record says about the request as a whole. */
export function requestAttributes(facts: RequestFacts): Attributes {
  const { record, outcome } = facts;
  const attrs: Attributes = {};
  const operation = operationName(record.endpoint);
  if (operation) attrs[ATTR_GEN_AI_OPERATION_NAME] = operation;
  if (record.endpoint) attrs[ATTR_ENDPOINT] = record.endpoint;
  if (record.requestedModel !== undefined) {
    attrs[ATTR_GEN_AI_REQUEST_MODEL] = record.requestedModel;
    attrs[ATTR_REQUESTED_MODEL] = record.requestedModel;
  }
  if (record.streaming !== undefined) {
    attrs[ATTR_STREAMING] = record.streaming;
    attrs[ATTR_GEN_AI_REQUEST_STREAM] = record.streaming;
  }
  attrs[ATTR_OWNER] = record.owner;
  if (record.policyVersion !== undefined) attrs[ATTR_POLICY_VERSION] = record.policyVersion;
  if (facts.workflow !== undefined) {
    attrs[ATTR_WORKFLOW] = facts.workflow;
    attrs[ATTR_GEN_AI_WORKFLOW_NAME] = facts.workflow;
  }
  if (facts.maxTokens !== undefined) attrs[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = facts.maxTokens;

  const { selection } = record;
  if (selection) {
    attrs[ATTR_SELECTION] = selection.kind;
    attrs[ATTR_SELECTED_MODEL] = selection.model;
    if (selection.kind === 'route') {
      attrs[ATTR_ROUTE] = selection.route;
      attrs[ATTR_RULE] = selection.rule;
    }
  }
  for (const name of facts.signalNames) {
    const reading = record.signals[name];
    if (reading) signalInto(attrs, name, reading, facts.presenceOnly?.has(name) === true);
  }

  const provider = callProvider(facts);
  if (provider !== undefined) {
    attrs[ATTR_PROVIDER] = provider;
    const system = systemOf(provider, facts);
    if (system) attrs[ATTR_GEN_AI_PROVIDER_NAME] = system;
  }
  attrs[ATTR_ATTEMPTS] = record.attempts.length;
  if (record.errorModel !== undefined) attrs[ATTR_ERROR_MODEL] = record.errorModel;
  if (record.servedModel !== undefined) {
    attrs[ATTR_SERVED_MODEL] = record.servedModel;
    attrs[ATTR_GEN_AI_RESPONSE_MODEL] = record.servedModel;
  }
  responseInto(attrs, facts);
  if (record.fallbackReason !== undefined) attrs[ATTR_FALLBACK_REASON] = record.fallbackReason;
  if (record.budget) flattenInto(attrs, BUDGET_PREFIX, record.budget);
  if (record.costUsd !== undefined && Number.isFinite(record.costUsd)) attrs[ATTR_COST_USD] = record.costUsd;
  const firstAt = record.answer?.firstTokenAt;
  if (firstAt !== undefined && firstAt >= record.startedAt) attrs[ATTR_FIRST_TOKEN_MS] = firstAt - record.startedAt;
  if (record.error) {
    attrs[ATTR_ERROR_CODE] = record.error.code;
    attrs[ATTR_ERROR_KIND] = record.error.type;
  }
  if (outcome.errorType !== undefined) attrs[ATTR_ERROR_TYPE] = outcome.errorType;
  flattenInto(attrs, RECORD_PREFIX, record, RECORD_FIELDS);
  return attrs;
}

/** One attempt's CLIENT span attributes, per the GenAI conventions plus `switchyard.attempt.*`. */
export function attemptAttributes(view: AttemptView, facts: RequestFacts): Attributes {
  const { attempt } = view;
  const attrs: Attributes = {};
  const operation = operationName(facts.record.endpoint);
  if (operation) attrs[ATTR_GEN_AI_OPERATION_NAME] = operation;
  const system = systemOf(attempt.provider, facts);
  if (system) attrs[ATTR_GEN_AI_PROVIDER_NAME] = system;
  attrs[ATTR_PROVIDER] = attempt.provider;
  attrs[ATTR_GEN_AI_REQUEST_MODEL] = attempt.model;
  const where = facts.providers.get(attempt.provider);
  if (where?.address !== undefined) attrs[ATTR_SERVER_ADDRESS] = where.address;
  if (where?.port !== undefined) attrs[ATTR_SERVER_PORT] = where.port;
  if (facts.maxTokens !== undefined) attrs[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = facts.maxTokens;
  if (facts.record.streaming !== undefined) attrs[ATTR_GEN_AI_REQUEST_STREAM] = facts.record.streaming;
  attrs[ATTR_ATTEMPT_INDEX] = view.index;
  attrs[ATTR_ATTEMPT_CREDENTIAL_INDEX] = attempt.credentialIndex;
  if (attempt.status !== undefined) attrs[ATTR_HTTP_RESPONSE_STATUS_CODE] = attempt.status;
  if (view.outcome !== undefined) attrs[ATTR_ATTEMPT_OUTCOME] = view.outcome;
  if (view.errorClass !== undefined) attrs[ATTR_ERROR_TYPE] = view.errorClass;
  if (attempt.firstTokenAt !== undefined && attempt.firstTokenAt >= attempt.startedAt)
    attrs[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = (attempt.firstTokenAt - attempt.startedAt) / 1000;
  if (view === facts.outcome.served) {
    attrs[ATTR_GEN_AI_RESPONSE_MODEL] = attempt.model;
    responseInto(attrs, facts);
  }
  flattenInto(attrs, ATTEMPT_PREFIX, attempt, ATTEMPT_FIELDS);
  return attrs;
}

/** The provider of the call: the one that served, else the last one tried, else the one chosen. */
export function callProvider(facts: Pick<RequestFacts, 'record' | 'outcome'>): string | undefined {
  const { record, outcome } = facts;
  return outcome.served?.attempt.provider ?? outcome.attempts.at(-1)?.attempt.provider ?? record.target?.provider;
}

/** `gen_ai.provider.name` of a provider: from the policy, else from the target when it is that provider. */
export function systemOf(provider: string, facts: Pick<RequestFacts, 'providers' | 'record'>): string | undefined {
  const known = facts.providers.get(provider)?.system;
  if (known) return known;
  const { target } = facts.record;
  return target?.provider === provider ? genAiProvider(target.format) : undefined;
}

/** What the answer said about itself: its id, usage and finish reasons. */
function responseInto(attrs: Attributes, facts: RequestFacts): void {
  const { record } = facts;
  // A value that is not an id (a provider's odd answer) is left out.
  const id = typeof record.responseId === 'string' && record.responseId !== '' ? record.responseId : undefined;
  if (id !== undefined) attrs[ATTR_GEN_AI_RESPONSE_ID] = id;
  const { usage } = record;
  if (usage) {
    attrs[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.inputTokens;
    attrs[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.outputTokens;
    if (usage.cachedInputTokens !== undefined) attrs[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cachedInputTokens;
    const detail = record.usage;
    const written = count(detail?.cacheCreationInputTokens);
    if (written !== undefined) attrs[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = written;
    const reasoning = count(detail?.reasoningOutputTokens);
    if (reasoning !== undefined) attrs[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = reasoning;
  }
  if (facts.finishReasons?.length) attrs[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [...facts.finishReasons];
}

function signalInto(attrs: Attributes, name: string, reading: SignalReading, presenceOnly: boolean): void {
  // Signal names are the policy's own identifiers: written as they are, never re-cased.
  const key = SIGNAL_PREFIX + name;
  switch (reading.kind) {
    case 'value': {
      const { value } = reading;
      if (presenceOnly) {
        attrs[key + SIGNAL_PRESENT_SUFFIX] = true;
        if (typeof value === 'string') attrs[key + SIGNAL_LENGTH_SUFFIX] = value.length;
      } else attrs[key] = typeof value === 'string' ? capped(value) : value;
      return;
    }
    case 'at_most':
      attrs[key + SIGNAL_AT_MOST_SUFFIX] = reading.value;
      return;
    case 'absent':
      attrs[key + SIGNAL_ABSENT_SUFFIX] = reading.reason;
  }
}

/** A string signal's value as spans hold it: at most SIGNAL_VALUE_MAX characters. */
function capped(value: string): string {
  return value.length <= SIGNAL_VALUE_MAX ? value : `${value.slice(0, SIGNAL_VALUE_MAX)}…`;
}
