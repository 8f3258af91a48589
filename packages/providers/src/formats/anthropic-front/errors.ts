// The `/v1/messages` front door answers errors in Anthropic's shape: the gateway's own and translated upstream ones.
import type { SwitchyardError } from '@switchyard/core';
import type { AnthropicErrorBody } from '../anthropic/types.js';
import { isRecord } from '../json.js';
import type { TranslatedError } from '../openai.js';

/** Anthropic's error type for an HTTP status. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The gateway's own error (bad request, unknown model, budget, upstream unreachable, …) in Anthropic's shape. */
export function anthropicError(err: SwitchyardError): TranslatedError<AnthropicErrorBody> {
  return { status: err.status, body: { type: 'error', error: { type: anthropicErrorType(err.status), message: err.message } } };
}

/** An OpenAI-format upstream's error answer in Anthropic's shape, status kept. */
export function fromOpenAIError(status: number, body: unknown): TranslatedError<AnthropicErrorBody> {
  return { status, body: openAIErrorToAnthropic(body, status) };
}

export function openAIErrorToAnthropic(body: unknown, status: number): AnthropicErrorBody {
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const message = typeof error.message === 'string' ? error.message : `The provider answered ${status} without an error message.`;
  return { type: 'error', error: { type: anthropicErrorType(status), message } };
}
