// The audit log: one JSON line of evidence per request, from the same record as the spans.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { RequestFacts } from './record-attributes.js';
import type { AuditLogSink } from './types.js';

/**
 * One line's fields. Every line has every key (`null` when unknown), so log pipelines need no schema
 * per case. Never the prompt, the answer or a credential.
 */
export interface AuditLogLine {
  /** When the request arrived, ISO 8601. */
  readonly time: string;
  /** The trace holding this request's spans, when it was sampled. */
  readonly trace_id: string | null;
  readonly workflow: string | null;
  /** Who pays: the client key's owner. */
  readonly owner: string;
  /** Who the workflow's calls are charged back to (its `owner`, else the key's owner). */
  readonly workflow_owner: string | null;
  /** The run the call belongs to (`x-switchyard-run`). */
  readonly run_id: string | null;
  /** Endpoint family: `chat`, `completions`, `embeddings`, `responses`, `messages`, `other`. */
  readonly endpoint: string | null;
  readonly requested_model: string | null;
  readonly route: string | null;
  /** The rule that matched, `default`, or `null` for an exact model ID. */
  readonly rule: string | null;
  readonly served_model: string | null;
  /** The policy's name of the provider that served (or was last tried). */
  readonly provider: string | null;
  /** HTTP status the client got; `null` when it went away before any. */
  readonly status: number | null;
  /** `null` on success; else the gateway's error code or the failed attempt's class (`http_503`, …). */
  readonly error_class: string | null;
  readonly input_tokens: number | null;
  readonly output_tokens: number | null;
  readonly cached_input_tokens: number | null;
  readonly cost_usd: number | null;
  readonly fallback_reason: string | null;
  /** The outcome and action of the last `on:` transition that decided what followed an attempt (`refusal`, `stop_and_escalate`). */
  readonly transition_outcome: string | null;
  readonly transition_action: string | null;
  /** A `stop_and_escalate` transition ended the call. */
  readonly escalate: boolean;
  readonly attempts: number;
  readonly duration_ms: number;
  /** A call that minted or followed up on a gateway ID: the ID, what the call did, and where it was minted. */
  readonly task?: {
    readonly id: string;
    readonly action: string;
    readonly provider: string;
    readonly model: string;
    readonly route: string | null;
  };
}

export function auditLogLine(facts: RequestFacts, traceId: string | undefined): AuditLogLine {
  const { record, outcome } = facts;
  const { selection, usage } = record;
  const provider = outcome.served?.attempt.provider ?? outcome.attempts.at(-1)?.attempt.provider ?? record.target?.provider;
  return {
    time: new Date(record.startedAt).toISOString(),
    trace_id: traceId ?? null,
    workflow: facts.workflow ?? null,
    owner: record.owner,
    workflow_owner: record.workflowOwner ?? null,
    run_id: record.runId ?? null,
    endpoint: record.endpoint ?? null,
    requested_model: record.requestedModel ?? null,
    route: selection?.kind === 'route' ? selection.route : null,
    rule: selection?.kind === 'route' ? selection.rule : null,
    served_model: record.servedModel ?? null,
    provider: provider ?? null,
    status: outcome.status ?? null,
    error_class: outcome.errorType ?? null,
    input_tokens: usage?.inputTokens ?? null,
    output_tokens: usage?.outputTokens ?? null,
    cached_input_tokens: usage?.cachedInputTokens ?? null,
    cost_usd: record.costUsd ?? null,
    fallback_reason: record.fallbackReason ?? null,
    transition_outcome: record.transition?.outcome ?? null,
    transition_action: record.transition?.action ?? null,
    escalate: record.escalate === true,
    attempts: record.attempts.length,
    duration_ms: Math.max(0, outcome.endedAt - record.startedAt),
    ...(record.task && { task: { ...record.task, route: record.task.route ?? null } }),
  };
}

export interface LogWriter {
  write(line: AuditLogLine): void;
  close(): void;
}

/** Opens the sink once, when the middleware is built: a path that cannot be opened fails there, not per request. */
export function logWriter(sink: AuditLogSink): LogWriter {
  if (sink === 'stdout') {
    return { write: (line) => void process.stdout.write(`${JSON.stringify(line)}\n`), close() {} };
  }
  if (typeof sink === 'function') {
    return { write: (line) => sink(`${JSON.stringify(line)}\n`), close() {} };
  }
  if (typeof sink === 'object' && sink !== null && typeof sink.path === 'string') {
    let fd: number | undefined = openSync(sink.path, 'a');
    return {
      // Synchronous, like pino's default destination: a line is written when its response closes, and
      // none is lost when the process exits right after.
      write: (line) => {
        if (fd !== undefined) writeSync(fd, `${JSON.stringify(line)}\n`);
      },
      close() {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
      },
    };
  }
  throw new TypeError(`audit(): log must be 'stdout', { path } or a function, got ${JSON.stringify(sink)}`);
}
