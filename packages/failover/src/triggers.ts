// How one attempt ended, and what that makes it for failover.
import type { IncomingHttpHeaders } from 'node:http';
import type { FailoverTrigger } from '@switchyard/core';

/** Where an answer's content broke the request's JSON schema, without the content itself. */
export interface SchemaViolation {
  /** JSON pointer into the model's output, e.g. `/items/0/name`; empty for the root. */
  readonly path: string;
  /** The schema keyword that failed, e.g. `required`, or `json` when the output is not JSON at all. */
  readonly keyword: string;
}

/** How one attempt ended, as failover needs to know it. */
export type AttemptReport =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      /** Set when the answer was checked against the request's JSON schema and failed. */
      readonly schemaViolation?: SchemaViolation;
      /** Set on a 2xx answer whose finish reasons say the model refused (`content_filter`, `refusal`, `SAFETY`…). */
      readonly refusal?: true;
      /** Set on a 4xx answer whose error says the input's type (an image, a file, …) is not supported. */
      readonly unsupportedInput?: true;
    }
  | {
      readonly kind: 'failed';
      readonly outcome: 'connect_error' | 'timeout' | 'client_aborted';
      /** Set on a timeout of the workflow's `first_token_ms` deadline: its `on_timeout` decides what follows. */
      readonly firstToken?: true;
    };

/** A reason to leave an attempt behind: a failover trigger, or an answer that broke its JSON schema. */
export type Trigger = FailoverTrigger | 'schema_invalid';

export type Verdict =
  /** A 2xx answer that passed every check. */
  | { readonly kind: 'ok' }
  /** An answer that goes back to the client as the upstream sent it (4xx other than 401/408/429). */
  | { readonly kind: 'pass' }
  /** 401: this credential is refused; the provider's next one may not be. */
  | { readonly kind: 'unauthorized' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'trigger'; readonly trigger: Trigger };

export function verdictOf(report: AttemptReport): Verdict {
  if (report.kind === 'failed') {
    return report.outcome === 'client_aborted' ? { kind: 'aborted' } : { kind: 'trigger', trigger: report.outcome };
  }
  const { status } = report;
  if (status >= 200 && status <= 299)
    return report.schemaViolation ? { kind: 'trigger', trigger: 'schema_invalid' } : { kind: 'ok' };
  if (status === 401) return { kind: 'unauthorized' };
  if (isFailureStatus(status)) return { kind: 'trigger', trigger: status };
  return { kind: 'pass' };
}

/** 408, 429 and 5xx: statuses that may trigger failover. Every other 4xx goes back to the client. */
export function isFailureStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** The trigger as records and headers show it: `http_503`, `timeout`, `connect_error`, `schema_invalid`. */
export function triggerLabel(trigger: Trigger): string {
  return typeof trigger === 'number' ? `http_${trigger}` : trigger;
}
