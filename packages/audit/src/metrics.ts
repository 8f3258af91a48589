// The routing record as metrics: per upstream attempt (the gateway as a GenAI client), per call (the gateway
// as a GenAI server to its clients), and counters of the decisions in between (retries, fallbacks, …).
// Metric attributes are bounded: only names the policy defines or short error classes, never what a client
// sent as is (an unknown model name, a workflow header).
import type { Attributes } from '@opentelemetry/api';
import type { RoutingEvent } from '@switchyard/core';
import {
  ATTR_GEN_AI_WORKFLOW_NAME,
  ATTR_ATTEMPT_OUTCOME,
  ATTR_ERROR_CODE,
  ATTR_ERROR_TYPE,
  ATTR_FALLBACK_REASON,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_OWNER,
  ATTR_PROVIDER,
  ATTR_RETRY_REASON,
  ATTR_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SKIP_REASON,
  ATTR_SKIP_STEP,
  GEN_AI_TOKEN_TYPE_INPUT,
  GEN_AI_TOKEN_TYPE_OUTPUT,
} from './attributes.js';
import type { Instruments } from './instruments.js';
import type { AttemptView } from './outcome.js';
import { callProvider, operationName, systemOf, type RequestFacts } from './record-attributes.js';
import {
  EVENT_COOLDOWN,
  EVENT_FALLBACK,
  EVENT_FALLBACK_SKIPPED,
  EVENT_RATE_LIMIT_REFUSED,
  EVENT_RETRY,
  EVENT_RETRY_SKIPPED,
  RATE_LIMIT_ERROR_CODE,
} from './record-events.js';
import { count, instant } from './record-values.js';

export { createInstruments, type Instruments } from './instruments.js';

/** Everything one finished call adds to the metrics. */
export function recordMetrics(instruments: Instruments, facts: RequestFacts): void {
  recordAttempts(instruments, facts);
  recordCall(instruments, facts);
  for (const event of facts.record.events) recordEvent(instruments, event, facts);
}

/** One duration and one count per attempt; token usage once, for the attempt that served. */
function recordAttempts(instruments: Instruments, facts: RequestFacts): void {
  const { record, outcome } = facts;
  for (const view of outcome.attempts) {
    instruments.clientDuration.record(seconds(view.endedAt - view.attempt.startedAt), attemptMetricAttributes(view, facts));
    const counted: Attributes = { [ATTR_PROVIDER]: view.attempt.provider, [ATTR_GEN_AI_REQUEST_MODEL]: view.attempt.model };
    if (view.outcome !== undefined) counted[ATTR_ATTEMPT_OUTCOME] = view.outcome;
    instruments.attempts.add(1, counted);
    const first = view.attempt.firstTokenAt;
    if (first !== undefined && first >= view.attempt.startedAt) {
      const attrs = attemptMetricAttributes(view, facts);
      if (facts.workflowLabel !== undefined) attrs[ATTR_GEN_AI_WORKFLOW_NAME] = facts.workflowLabel;
      instruments.firstChunk.record(seconds(first - view.attempt.startedAt), attrs);
      // Only the first and last chunk times are kept: each later chunk counts at the average interval.
      const answer = facts.record.answer;
      const chunks = view === outcome.served ? (answer?.events ?? 0) : 0;
      const last = instant(answer?.endedAt);
      if (chunks > 1 && last !== undefined && answer?.firstTokenAt !== undefined && last >= answer.firstTokenAt) {
        const interval = seconds(last - answer.firstTokenAt) / (chunks - 1);
        for (let i = 1; i < chunks; i++) instruments.perOutputChunk.record(interval, attrs);
      }
    }
  }
  const served = outcome.served;
  if (record.usage && served) {
    const attrs = attemptMetricAttributes(served, facts);
    instruments.tokens.record(record.usage.inputTokens, { ...attrs, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_INPUT });
    instruments.tokens.record(record.usage.outputTokens, { ...attrs, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_OUTPUT });
  }
}

/**
 * The call as its client saw it: its duration (to the answer's last byte), and for a successful answer the
 * time to its first byte and the time per output token after it; what it cost; whether the gateway refused it.
 */
function recordCall(instruments: Instruments, facts: RequestFacts): void {
  const { record, outcome } = facts;
  const attrs = callMetricAttributes(facts);
  const timing = record.answer;
  const endedAt = instant(timing?.endedAt);
  const duration = seconds((endedAt ?? outcome.endedAt) - record.startedAt);
  const failed = outcome.errorType !== undefined;
  instruments.serverDuration.record(duration, failed ? { ...attrs, [ATTR_ERROR_TYPE]: outcome.errorType } : attrs);

  // Times out of order (clocks of different sources) say nothing: left out rather than clamped to 0.
  const firstAt = instant(timing?.firstTokenAt);
  if (!failed && firstAt !== undefined && firstAt >= record.startedAt) {
    instruments.firstToken.record(seconds(firstAt - record.startedAt), attrs);
    const outputTokens = count(record.usage?.outputTokens);
    if (endedAt !== undefined && endedAt >= firstAt && outputTokens !== undefined && outputTokens > 1) {
      instruments.perOutputToken.record(seconds(endedAt - firstAt) / (outputTokens - 1), attrs);
    }
  }

  const who: Attributes = { [ATTR_OWNER]: record.owner };
  if (record.selection?.kind === 'route') who[ATTR_ROUTE] = record.selection.route;
  if (record.costUsd !== undefined && Number.isFinite(record.costUsd) && record.costUsd > 0) {
    const spent: Attributes = { ...who };
    if (record.servedModel !== undefined) spent[ATTR_GEN_AI_RESPONSE_MODEL] = record.servedModel;
    if (outcome.served) spent[ATTR_PROVIDER] = outcome.served.attempt.provider;
    instruments.cost.add(record.costUsd, spent);
  }
  // The gateway's own error, no upstream answer relayed: a refusal (an error in a relayed answer is not one).
  if (record.error && record.answer === undefined) {
    instruments.refusals.add(1, {
      ...who,
      [ATTR_ERROR_CODE]: record.error.code,
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: record.error.status,
    });
  }
  if (record.error?.code === RATE_LIMIT_ERROR_CODE || record.events.some((e) => e.name === EVENT_RATE_LIMIT_REFUSED)) {
    instruments.rateLimited.add(1, who);
  }
}

function recordEvent(instruments: Instruments, event: RoutingEvent, facts: RequestFacts): void {
  const { attributes } = event;
  switch (event.name) {
    case EVENT_RETRY:
      instruments.retries.add(1, withTarget(event, { [ATTR_RETRY_REASON]: text(attributes.reason) }));
      return;
    case EVENT_FALLBACK: {
      const attrs: Attributes = { [ATTR_FALLBACK_REASON]: text(attributes.reason) };
      const { selection } = facts.record;
      if (selection?.kind === 'route') attrs[ATTR_ROUTE] = selection.route;
      instruments.fallbacks.add(1, attrs);
      return;
    }
    case EVENT_RETRY_SKIPPED:
      // failover says why in `why` (`deadline`, `retry_after`); `reason` is the retry's trigger.
      instruments.skips.add(1, withTarget(event, { [ATTR_SKIP_STEP]: 'retry', [ATTR_SKIP_REASON]: text(attributes.why) }));
      return;
    case EVENT_FALLBACK_SKIPPED:
      instruments.skips.add(1, withTarget(event, { [ATTR_SKIP_STEP]: 'fallback', [ATTR_SKIP_REASON]: text(attributes.reason) }));
      return;
    case EVENT_COOLDOWN:
      instruments.cooldowns.add(1, withTarget(event, {}));
  }
}

/** The GenAI server metrics' attributes: what the client called and what served it, in bounded names. */
function callMetricAttributes(facts: RequestFacts): Attributes {
  const { record } = facts;
  const attrs: Attributes = {};
  const operation = operationName(record.endpoint);
  if (operation) attrs[ATTR_GEN_AI_OPERATION_NAME] = operation;
  const provider = callProvider(facts);
  if (provider !== undefined) {
    attrs[ATTR_PROVIDER] = provider;
    const system = systemOf(provider, facts);
    if (system) attrs[ATTR_GEN_AI_PROVIDER_NAME] = system;
  }
  // What the client asked for, once the policy knew it (a route or a pinned ID): never an arbitrary string.
  const { selection } = record;
  if (selection && record.requestedModel !== undefined) attrs[ATTR_GEN_AI_REQUEST_MODEL] = record.requestedModel;
  if (selection?.kind === 'route') attrs[ATTR_ROUTE] = selection.route;
  if (record.servedModel !== undefined) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = record.servedModel;
  return attrs;
}

function attemptMetricAttributes(view: AttemptView, facts: RequestFacts): Attributes {
  const { provider, model } = view.attempt;
  const attrs: Attributes = { [ATTR_PROVIDER]: provider, [ATTR_GEN_AI_REQUEST_MODEL]: model };
  const operation = operationName(facts.record.endpoint);
  if (operation) attrs[ATTR_GEN_AI_OPERATION_NAME] = operation;
  const system = systemOf(provider, facts);
  if (system) attrs[ATTR_GEN_AI_PROVIDER_NAME] = system;
  const where = facts.providers.get(provider);
  if (where?.address !== undefined) attrs[ATTR_SERVER_ADDRESS] = where.address;
  if (where?.port !== undefined) attrs[ATTR_SERVER_PORT] = where.port;
  if (view === facts.outcome.served) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = model;
  if (view.errorClass !== undefined) attrs[ATTR_ERROR_TYPE] = view.errorClass;
  return attrs;
}

/** The model and provider a failover event names (the policy's own names). */
function withTarget(event: RoutingEvent, attrs: Attributes): Attributes {
  const { provider, model } = event.attributes;
  if (typeof provider === 'string') attrs[ATTR_PROVIDER] = provider;
  if (typeof model === 'string') attrs[ATTR_GEN_AI_REQUEST_MODEL] = model;
  return attrs;
}

function text(value: string | number | boolean | undefined): string {
  return value === undefined ? 'unknown' : String(value);
}

function seconds(ms: number): number {
  return Math.max(0, ms) / 1000;
}
