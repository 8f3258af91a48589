// An upstream's answer as failover judges it: the wire format's own vocabulary read as everyone else's
// (Anthropic's 529), a structured output checked against the request's schema, a refusal told by its finish
// reason, and an error that says the input's type is not supported.
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderFormat } from '@switchyard/core';
import { saysUnsupportedInput } from './input-errors.js';
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
      /**
       * The answer's whole body in the client's format, when dispatch() read it whole: a 2xx answer to check
       * (a schema, a refusal), a 4xx answer whose error the plan reads (`needsErrorBody`).
       */
      readonly body?: Buffer;
      /** The finish reasons of a 2xx answer read whole, in any wire format's vocabulary. */
      readonly finishReasons?: readonly string[];
    }
  | {
      readonly kind: 'failed';
      readonly outcome: 'connect_error' | 'timeout' | 'client_aborted';
      /** The attempt passed the workflow's `first_token_ms` deadline. */
      readonly firstToken?: true;
    };

/** The request's structured-output schema, compiled, and the checker that runs it. */
export interface OutputCheck {
  readonly validate: OutputValidator;
  readonly checker: SchemaChecker;
}

/**
 * Finish reasons that say the model refused: OpenAI's `content_filter`, Anthropic's `refusal`, Gemini's
 * safety reasons.
 */
export const REFUSAL_REASONS: ReadonlySet<string> = new Set([
  'content_filter',
  'refusal',
  'SAFETY',
  'PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'IMAGE_SAFETY',
]);

/** Whether an answer with these finish reasons is a refusal. */
export function isRefusal(finishReasons: readonly string[] | undefined): boolean {
  return finishReasons?.some((reason) => REFUSAL_REASONS.has(reason)) ?? false;
}

/**
 * What failover makes of an answer: Anthropic's 529 counts as a 503 for every trigger; a 2xx body read
 * whole is checked against `output` (its violation, if any, is in the report); a 2xx answer whose finish
 * reasons say the model refused is a `refusal`; a 4xx whose body says the input's type is not supported
 * (or a 415) is `unsupportedInput`.
 */
export function judgeAnswer(answer: UpstreamAnswer, output: OutputCheck | undefined): AttemptReport {
  if (answer.kind === 'failed') return answer;
  const { status, headers, format, body } = answer;
  const ok = status >= 200 && status <= 299;
  const schemaViolation = ok && output && body ? output.checker.check(output.validate, body) : undefined;
  const judged = status === ANTHROPIC_OVERLOADED && format === 'anthropic' ? 503 : status;
  const refusal = ok && isRefusal(answer.finishReasons);
  const unsupportedInput =
    status >= 400 && status <= 499 && (status === 415 || (body !== undefined && saysUnsupportedInput(body)));
  return {
    kind: 'answered',
    status: judged,
    headers,
    ...(schemaViolation && { schemaViolation }),
    ...(refusal && { refusal: true as const }),
    ...(unsupportedInput && { unsupportedInput: true as const }),
  };
}
