// Anthropic error answers → the OpenAI error shape, status class kept.
import { isRecord } from '../json.js';
import { openAIErrorType, type OpenAIErrorBody, type TranslatedError } from '../openai.js';

/**
 * Anthropic's overload status. It becomes 503, the status OpenAI-format clients and failover
 * policies know for "overloaded, try again"; the `code` still says `overloaded_error`.
 */
export const ANTHROPIC_OVERLOADED = 529;

/**
 * Translates an Anthropic error answer (`{type:'error', error:{type, message}}`, or any body) into
 * OpenAI's shape. The status is kept, except 529 → 503; `code` is Anthropic's error type.
 */
export function fromAnthropicError(status: number, body: unknown): TranslatedError<OpenAIErrorBody> {
  const outStatus = status === ANTHROPIC_OVERLOADED ? 503 : status;
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const type = typeof error?.type === 'string' ? error.type : null;
  const message =
    typeof error?.message === 'string' ? error.message : `The provider answered ${status} without an error message.`;
  return { status: outStatus, body: { error: { message, type: openAIErrorType(outStatus), param: null, code: type } } };
}

/** An `error` event inside an Anthropic stream, as OpenAI's error object (the status is already out). */
export function fromAnthropicStreamError(data: unknown): OpenAIErrorBody {
  const error = isRecord(data) && isRecord(data.error) ? data.error : {};
  const type = typeof error.type === 'string' ? error.type : 'api_error';
  const message = typeof error.message === 'string' ? error.message : 'The provider reported an error mid-stream.';
  return { error: { message, type: openAIErrorType(STATUS_BY_TYPE[type] ?? 500), param: null, code: type } };
}

/** Anthropic's documented error types and their statuses. */
export const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 503,
};
