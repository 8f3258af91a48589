// The `/v1/messages` front door answers errors in Anthropic's shape: the gateway's own and translated upstream ones.
import { anthropicErrorBody, anthropicErrorType, type SwitchyardError } from '@switchyard/core';
import type { AnthropicErrorBody } from '../anthropic/types.js';
import { isRecord } from '../json.js';
import type { TranslatedError } from '../openai.js';

export { anthropicErrorType };

/** The gateway's own error (bad request, unknown model, budget, upstream unreachable, …) in Anthropic's shape. */
export function anthropicError(err: SwitchyardError): TranslatedError<AnthropicErrorBody> {
  return { status: err.status, body: anthropicErrorBody(err) };
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
