// Token counting the gateway answers itself: a route served by a provider of another wire format than the
// client's has no counting endpoint for that client, so the prompt is counted here, and labelled so.
import type { ServerResponse } from 'node:http';
import type { ParsedRequest } from '@switchyard/core';
import { countPromptTokens } from '@switchyard/signals';

/** Says how a token count was made: absent for a provider's exact count. */
export const TOKEN_COUNT_HEADER = 'x-switchyard-token-count';
/** The value of `x-switchyard-token-count` for the gateway's own count. */
export const ESTIMATE = 'estimate; tokenizer=o200k_base';

/**
 * Answers a token-counting request with the gateway's o200k count of its prompt, in the client's shape:
 * Anthropic's `{ input_tokens }` or Google's `{ totalTokens }`. Other tokenizers count differently: the
 * header says it is an estimate.
 */
export async function answerTokenCount(res: ServerResponse, request: ParsedRequest): Promise<void> {
  const tokens = await countPromptTokens(countedBody(request));
  const body = request.format === 'gemini' ? { totalTokens: tokens } : { input_tokens: tokens };
  const json = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    [TOKEN_COUNT_HEADER]: ESTIMATE,
  });
  res.end(json);
}

/** Gemini's countTokens may wrap a whole generateContent request. */
function countedBody(request: ParsedRequest): Readonly<Record<string, unknown>> {
  const wrapped = request.body.generateContentRequest;
  return typeof wrapped === 'object' && wrapped !== null && !Array.isArray(wrapped)
    ? (wrapped as Record<string, unknown>)
    : request.body;
}
