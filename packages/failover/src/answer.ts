// An upstream's answer as failover judges it: the wire format's own vocabulary read as everyone else's
// (Anthropic's 529), and a structured output checked against the request's schema.
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderFormat } from '@switchyard/core';
import type { OutputValidator, SchemaChecker } from './schema-check.js';
import type { AttemptReport } from './triggers.js';

/** Anthropic's "overloaded" status, which means what 503 means elsewhere. */
export const ANTHROPIC_OVERLOADED = 529;

/** How one upstream attempt ended, as dispatch() saw it. */
export type UpstreamAnswer =
  | {
      readonly kind: 'answered';
      /** The upstream's HTTP status, or what the gateway made of its answer (a 2xx it could not read is a 502). */
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      /** The provider's wire format. */
      readonly format: ProviderFormat;
      /** A 2xx answer's whole body in the client's format, when dispatch() read it whole to check it. */
      readonly body?: Buffer;
    }
  | { readonly kind: 'failed'; readonly outcome: 'connect_error' | 'timeout' | 'client_aborted' };

/** The request's structured-output schema, compiled, and the checker that runs it. */
export interface OutputCheck {
  readonly validate: OutputValidator;
  readonly checker: SchemaChecker;
}

/**
 * What failover makes of an answer: Anthropic's 529 counts as a 503 for every trigger, and a 2xx body
 * read whole is checked against `output` (its violation, if any, is in the report).
 */
export function judgeAnswer(answer: UpstreamAnswer, output: OutputCheck | undefined): AttemptReport {
  if (answer.kind === 'failed') return answer;
  const { status, headers, format, body } = answer;
  const ok = status >= 200 && status <= 299;
  const schemaViolation = ok && output && body ? output.checker.check(output.validate, body) : undefined;
  const judged = status === ANTHROPIC_OVERLOADED && format === 'anthropic' ? 503 : status;
  return schemaViolation
    ? { kind: 'answered', status: judged, headers, schemaViolation }
    : { kind: 'answered', status: judged, headers };
}
