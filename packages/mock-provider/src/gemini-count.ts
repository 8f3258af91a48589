import { googleInvalid, type GoogleError } from './gemini-errors.js';
import { fieldSet, pick, unknownField } from './gemini-fields.js';
import { promptTokens } from './gemini-reply.js';
import type { GeminiGenerateContentRequest } from './gemini-types.js';
import { validateGenerateContent } from './gemini-validation.js';
import { isRecord } from './guards.js';

const COUNT_FIELDS = fieldSet('contents', 'generateContentRequest');

/** The outcome of checking a `countTokens` body: the answer, or the 400 Gemini would send. */
export type GeminiCount = { readonly ok: true; readonly body: string } | { readonly ok: false; readonly error: GoogleError };

/**
 * Answers `POST /v1beta/models/{model}:countTokens`: the body holds `contents` or a whole
 * `generateContentRequest` (checked like `generateContent`), never both; the answer is
 * `{totalTokens, promptTokensDetails}`, the prompt tokens a `generateContent` call would report.
 */
export function countGeminiTokens(body: unknown, isJson: boolean): GeminiCount {
  if (!isJson) return { ok: false, error: googleInvalid('Invalid JSON payload received. Unexpected token.') };
  if (!isRecord(body)) {
    return { ok: false, error: googleInvalid('Invalid JSON payload received. Unknown name "": Root element must be a message.') };
  }
  const unknown = unknownField(body, COUNT_FIELDS, '');
  if (unknown) return { ok: false, error: unknown };
  const whole = pick(body, 'generateContentRequest');
  if (whole !== undefined && body.contents !== undefined) {
    return { ok: false, error: googleInvalid('contents and generate_content_request must not both be set.') };
  }
  const validation = validateGenerateContent(whole ?? { contents: body.contents }, true);
  if (!validation.ok) return validation;
  const tokens = promptTokens(validation.request as GeminiGenerateContentRequest);
  return {
    ok: true,
    body: JSON.stringify({ totalTokens: tokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: tokens }] }),
  };
}
