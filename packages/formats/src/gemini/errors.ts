// Gemini error answers → the OpenAI error shape, status kept.
import { isRecord } from '../json.js';
import { openAIErrorType, type OpenAIErrorBody, type TranslatedError } from '../openai.js';

/**
 * Translates a Gemini error answer (`{error:{code, message, status}}`, also inside a one-element array,
 * or any body) into OpenAI's shape. The HTTP status is kept; `code` is Gemini's `status`, lowercased
 * (`resource_exhausted`, `invalid_argument`, …).
 */
export function fromGeminiError(status: number, body: unknown): TranslatedError<OpenAIErrorBody> {
  return { status, body: geminiErrorBody(body, status) };
}

/** The OpenAI error for a Gemini error object; `status` is the HTTP status when the body gives no code. */
export function geminiErrorBody(body: unknown, status: number): OpenAIErrorBody {
  const first = Array.isArray(body) ? body[0] : body;
  const error = isRecord(first) && isRecord(first.error) ? first.error : {};
  const code = typeof error.status === 'string' ? error.status.toLowerCase() : null;
  const httpStatus = typeof error.code === 'number' ? error.code : status;
  const message = typeof error.message === 'string' ? error.message : `The provider answered ${status} without an error message.`;
  return { error: { message, type: openAIErrorType(httpStatus), param: null, code } };
}
