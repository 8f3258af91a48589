// The Gemini front door answers errors in Google's shape, `{error: {code, message, status}}`: `code` is
// the HTTP status, `status` its google.rpc.Code name (https://ai.google.dev/gemini-api/docs/troubleshooting);
// core renders the gateway's own errors with the same functions.

export { googleErrorBody, googleStatus };
import { googleErrorBody, googleStatus, type SwitchyardError } from '@switchyard/core';
import { STATUS_BY_TYPE } from '../anthropic/errors.js';
import type { GeminiErrorBody } from '../gemini/types.js';
import { isRecord } from '../json.js';
import type { TranslatedError } from '../openai.js';

/** The gateway's own error (bad request, unknown model, budget, upstream unreachable, …) in Google's shape. */
export function googleError(err: SwitchyardError): TranslatedError<GeminiErrorBody> {
  return { status: err.status, body: googleErrorBody(err.status, err.message) };
}

/** An OpenAI-format error answer (an upstream's, or one translated into OpenAI's shape) in Google's, status kept. */
export function fromOpenAIErrorToGoogle(status: number, body: unknown): TranslatedError<GeminiErrorBody> {
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const message = typeof error.message === 'string' ? error.message : `The provider answered ${status} without an error message.`;
  return { status, body: googleErrorBody(status, message) };
}

/** OpenAI error types and the gateway's stream codes, by the HTTP status they stand for. */
const STATUS_BY_OPENAI_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  server_error: 500,
  api_error: 500,
  upstream_stream_incomplete: 502,
  upstream_bad_response: 502,
  stream_cut: 502,
};

/**
 * An OpenAI error event inside a chunk stream, in Google's shape. The event has no HTTP status: it is
 * read from its `code` (an HTTP status, or Anthropic's error types included, as the Anthropic translator passes them on),
 * else its `type`, else 500. The SDK throws on it only with a `code` from 400 to 599.
 */
export function fromOpenAIStreamError(data: unknown): GeminiErrorBody {
  const error = isRecord(data) && isRecord(data.error) ? data.error : {};
  const status =
    httpStatus(error.code) ??
    statusOf(error.code, STATUS_BY_TYPE) ??
    statusOf(error.code, STATUS_BY_OPENAI_TYPE) ??
    statusOf(error.type, STATUS_BY_OPENAI_TYPE) ??
    500;
  const message = typeof error.message === 'string' ? error.message : 'The provider reported an error mid-stream.';
  return googleErrorBody(status, message);
}

/** Some OpenAI-compatible servers (vLLM, …) put the HTTP status in `code`. */
function httpStatus(code: unknown): number | undefined {
  return typeof code === 'number' && Number.isInteger(code) && code >= 400 && code <= 599 ? code : undefined;
}

function statusOf(key: unknown, table: Readonly<Record<string, number>>): number | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}
