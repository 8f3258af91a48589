import { invalidRequest, type OpenAIError } from './errors.js';
import { isRecord } from './guards.js';
import type { ChatCompletionRequest } from './types.js';

/** OpenAI's 400 message for a body that is not JSON. */
export const INVALID_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP " +
  'library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have ' +
  'trouble figuring out how to fix this, please visit https://platform.openai.com/docs/guides/error-codes/api-errors.)';

/** The outcome of checking a chat completion body: the typed request, or the 400 error OpenAI would send. */
export type ChatValidation =
  | { readonly ok: true; readonly request: ChatCompletionRequest }
  | { readonly ok: false; readonly error: OpenAIError };

/** Checks a parsed body the way OpenAI does before it runs a chat completion. */
export function validateChatRequest(body: unknown, isJson: boolean): ChatValidation {
  if (!isJson || !isRecord(body)) return fail(invalidRequest(INVALID_JSON));
  if (typeof body.model !== 'string' || body.model.length === 0) {
    return fail(invalidRequest('you must provide a model parameter', 'model'));
  }
  const messages = body.messages;
  if (messages === undefined) {
    return fail(invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter'));
  }
  if (!Array.isArray(messages)) {
    return fail(
      invalidRequest(
        `Invalid type for 'messages': expected an array of objects, but got ${typeName(messages)} instead.`,
        'messages',
        'invalid_type',
      ),
    );
  }
  if (messages.length === 0) {
    return fail(
      invalidRequest(
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        'messages',
        'empty_array',
      ),
    );
  }
  const badIndex = messages.findIndex((message) => !isRecord(message) || typeof message.role !== 'string');
  if (badIndex !== -1) {
    const param = `messages[${badIndex}].role`;
    return fail(invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter'));
  }
  if (isReasoningModel(body.model) && body.max_tokens !== undefined && body.max_tokens !== null) {
    return fail(invalidRequest(MAX_TOKENS_UNSUPPORTED, 'max_tokens', 'unsupported_parameter'));
  }
  return { ok: true, request: body as ChatCompletionRequest };
}

/** OpenAI's 400 for `max_tokens` sent to a reasoning model. */
export const MAX_TOKENS_UNSUPPORTED =
  "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";

/** OpenAI's reasoning models, which take `max_completion_tokens` only: `o1`…`o9` and `gpt-5…` IDs. */
export function isReasoningModel(model: string): boolean {
  return /^(o[1-9]([-.]|$)|gpt-5)/.test(model);
}

function fail(error: OpenAIError): ChatValidation {
  return { ok: false, error };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
