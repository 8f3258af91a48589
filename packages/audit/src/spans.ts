// Writes a finished request onto its server span and one CLIENT child span per upstream attempt.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { RoutingEvent } from '@switchyard/core';
import {
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_RULE,
  ATTR_RULE_ERROR_CODE,
  ATTR_RULE_ERROR_MESSAGE,
  EVENT_RULE_ERROR,
} from './attributes.js';
import { attemptMessage } from './outcome.js';
import { attemptAttributes, operationName, requestAttributes, type RequestFacts } from './record-attributes.js';

export interface ServerSpan {
  readonly span: Span;
  /** Started by audit(), so audit sets its HTTP status and ends it; else its creator does. */
  readonly own: boolean;
  /** For a span its creator ends: ends it, if its creator asked, once audit has written it. */
  readonly release: (() => void) | undefined;
}

export function writeSpans(tracer: Tracer, server: ServerSpan, facts: RequestFacts): void {
  const { span, own } = server;
  const { record, outcome } = facts;
  span.setAttributes(requestAttributes(facts));
  if (own && outcome.status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
  if (outcome.errorMessage !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorMessage });

  // The rules ran as the request arrived; the record does not time each one.
  for (const err of record.ruleErrors) {
    span.addEvent(
      EVENT_RULE_ERROR,
      { [ATTR_RULE]: err.rule, [ATTR_RULE_ERROR_CODE]: err.code, [ATTR_RULE_ERROR_MESSAGE]: err.message },
      record.startedAt,
    );
  }

  const parent = trace.setSpan(ROOT_CONTEXT, span);
  const operation = operationName(record.endpoint) ?? 'call';
  const children: Span[] = [];
  for (const view of outcome.attempts) {
    const child = tracer.startSpan(
      `${operation} ${view.attempt.model}`,
      { kind: SpanKind.CLIENT, startTime: view.attempt.startedAt, attributes: attemptAttributes(view, facts) },
      parent,
    );
    if (view.errorClass !== undefined) child.setStatus({ code: SpanStatusCode.ERROR, message: attemptMessage(view) });
    children.push(child);
  }
  for (const event of record.events) addEvent(children[event.attempt ?? -1] ?? span, event);
  // The parent first: exporters that print as spans end (the console one) then show it above its attempts.
  if (own) span.end(outcome.endedAt);
  for (const [i, view] of outcome.attempts.entries()) children[i]!.end(view.endedAt);
}

function addEvent(span: Span, event: RoutingEvent): void {
  span.addEvent(event.name, event.attributes, event.at);
}
