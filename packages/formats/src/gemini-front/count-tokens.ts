// `POST …/models/{model}:countTokens` (https://ai.google.dev/api/tokens): its body as the chat request the
// gateway would send, for the gateway's own token estimate; Google's answer; and the body a Gemini
// provider gets.
import { invalidField, isRecord, type JsonObject } from '../json.js';
import { readGeminiRequest } from './request.js';

/** Google's countTokens answer. */
export interface CountTokensAnswer {
  totalTokens: number;
}

/**
 * The OpenAI chat request that `generateContent` with this countTokens body would send: its `contents`,
 * or its whole `generateContentRequest` (system instruction and tools included). Throws a 400
 * SwitchyardError as `readGeminiRequest` does (its `param` then names the field inside
 * `generateContentRequest`), and for a body with both or neither.
 */
export function toChatRequestFromCountTokens(body: unknown, options: { readonly model: string }): JsonObject {
  if (!isRecord(body)) throw invalidField('body', 'The request body must be a JSON object.');
  const hasContents = body.contents !== undefined && body.contents !== null;
  const request = body.generateContentRequest;
  if (request !== undefined && request !== null) {
    if (hasContents) throw invalidField('contents', 'Set `contents` or `generateContentRequest`, not both.');
    if (!isRecord(request)) throw invalidField('generateContentRequest', '`generateContentRequest` must be an object.');
    return readGeminiRequest(request, { ...options, stream: false }).request;
  }
  if (!hasContents) throw invalidField('contents', 'Set `contents` or `generateContentRequest`.');
  return readGeminiRequest({ contents: body.contents }, { ...options, stream: false }).request;
}

/** Google's answer to countTokens. */
export function countTokensAnswer(totalTokens: number): CountTokensAnswer {
  return { totalTokens };
}

/**
 * The countTokens body for a Gemini provider: as the client sent it, except that a
 * `generateContentRequest` must name the model it counts for (`models/{model}`), which is the
 * provider's model now.
 */
export function geminiCountTokensBody(body: JsonObject, raw: Buffer, model: string): Buffer {
  const request = body.generateContentRequest;
  if (!isRecord(request)) return raw;
  return Buffer.from(JSON.stringify({ ...body, generateContentRequest: { ...request, model: `models/${model}` } }));
}
