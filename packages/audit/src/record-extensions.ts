// Record fields that core is gaining (answer timing, the upstream's response id, more usage detail), read
// through narrow local types with optional chaining, so audit compiles and works before and after they land:
//   record.answer.firstTokenAt, record.answer.endedAt      epoch ms, set by dispatch() on the relayed answer
//   record.responseId                                      the upstream answer's id (`chatcmpl-…`, `msg_…`)
//   record.usage.cacheCreationInputTokens, .reasoningOutputTokens
import type { AnswerShape, RoutingRecord, Usage } from '@switchyard/core';

/** When the answer passed to the client began and ended. */
export interface AnswerTiming {
  /** Epoch ms of the first body byte of the answer passed to the client. */
  readonly firstTokenAt?: number;
  /** Epoch ms of its last byte. */
  readonly endedAt?: number;
}

/** Usage beyond input, output and cache reads, when the upstream reported it. */
export interface UsageDetail {
  /** Input tokens written to the provider's prompt cache (part of `inputTokens`). */
  readonly cacheCreationInputTokens?: number;
  /** Output tokens spent on reasoning (part of `outputTokens`). */
  readonly reasoningOutputTokens?: number;
}

export function answerTiming(record: RoutingRecord): AnswerTiming | undefined {
  return record.answer as (AnswerShape & AnswerTiming) | undefined;
}

export function usageDetail(record: RoutingRecord): UsageDetail | undefined {
  return record.usage as (Usage & UsageDetail) | undefined;
}

export function responseId(record: RoutingRecord): string | undefined {
  const id = (record as RoutingRecord & { readonly responseId?: unknown }).responseId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** A count the record holds, if it is one (a non-negative integer). */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** An epoch-ms time the record holds, if it is one. */
export function instant(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
