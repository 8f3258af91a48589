// Gemini GenerateContentResponse → OpenAI chat.completion, and the pieces the stream translator shares.
import { randomBytes } from 'node:crypto';
import { badUpstreamBody, count, isRecord, type JsonObject } from '../json.js';
import type { ChatCompletion, ChatToolCall, ChatUsage, CompletionOptions, FinishReason } from '../openai.js';

const FILTERED: ReadonlySet<string> = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
]);

/** Translates a 2xx `generateContent` body; throws a 502 SwitchyardError when it is not one. */
export function fromGeminiResponse(body: unknown, options: CompletionOptions): ChatCompletion {
  if (!isRecord(body) || (body.candidates !== undefined && !Array.isArray(body.candidates))) {
    throw badUpstreamBody('Gemini', 'the body is not a GenerateContentResponse');
  }
  const id = responseId(body);
  const candidate = firstCandidate(body);
  const { text, toolCalls } = readParts(candidate, id, 0);
  const message: ChatCompletion['choices'][0]['message'] = { role: 'assistant', content: text, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id,
    object: 'chat.completion',
    created: options.created ?? Math.floor(Date.now() / 1000),
    model: options.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: geminiFinishReason(body, toolCalls.length > 0) ?? 'stop' }],
    usage: geminiUsage(body.usageMetadata),
  };
}

/** The answer's id: Gemini's `responseId`, else a fresh one. Also the stem of its tool call ids. */
export function responseId(body: JsonObject): string {
  const id = typeof body.responseId === 'string' ? body.responseId.replace(/[^A-Za-z0-9_-]/g, '') : '';
  return id !== '' ? id : randomBytes(12).toString('base64url');
}

export function firstCandidate(body: JsonObject): JsonObject | undefined {
  const candidate = Array.isArray(body.candidates) ? body.candidates[0] : undefined;
  return isRecord(candidate) ? candidate : undefined;
}

/**
 * The candidate's visible text (thought summaries left out) and function calls. Call ids are Gemini's
 * own when it gives one, else `call_<response id>_<n>`, counting from `firstCall`: stable and made of
 * the characters every provider accepts in an id.
 */
export function readParts(
  candidate: JsonObject | undefined,
  id: string,
  firstCall: number,
): { text: string | null; toolCalls: ChatToolCall[] } {
  let text: string | null = null;
  const toolCalls: ChatToolCall[] = [];
  const parts = isRecord(candidate?.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
  for (const part of parts) {
    if (!isRecord(part) || part.thought === true) continue;
    if (typeof part.text === 'string') text = (text ?? '') + part.text;
    else if (isRecord(part.functionCall) && typeof part.functionCall.name === 'string') {
      const call = part.functionCall;
      toolCalls.push({
        id: typeof call.id === 'string' && call.id !== '' ? call.id : `call_${id}_${firstCall + toolCalls.length}`,
        type: 'function',
        function: { name: call.name as string, arguments: JSON.stringify(call.args ?? {}) },
      });
    }
  }
  return { text, toolCalls };
}

/**
 * Gemini `finishReason` → OpenAI `finish_reason`: STOP with a function call is `tool_calls`; a blocked
 * prompt (`promptFeedback.blockReason`, no candidate) is `content_filter`. `undefined` while unfinished.
 */
export function geminiFinishReason(body: JsonObject, calledTools: boolean): FinishReason | undefined {
  const candidate = firstCandidate(body);
  const reason = candidate?.finishReason;
  if (typeof reason !== 'string' || reason === 'FINISH_REASON_UNSPECIFIED') {
    const blocked = isRecord(body.promptFeedback) && typeof body.promptFeedback.blockReason === 'string';
    return blocked && candidate === undefined ? 'content_filter' : undefined;
  }
  if (reason === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  return calledTools ? 'tool_calls' : 'stop'; // STOP, and LANGUAGE, OTHER, MALFORMED_FUNCTION_CALL, …
}

/** Gemini `usageMetadata` → OpenAI usage; thinking tokens count as completion tokens, as OpenAI counts reasoning. */
export function geminiUsage(metadata: unknown): ChatUsage {
  const m = isRecord(metadata) ? metadata : {};
  const prompt = (count(m.promptTokenCount) ?? 0) + (count(m.toolUsePromptTokenCount) ?? 0);
  const thoughts = count(m.thoughtsTokenCount) ?? 0;
  const completion = (count(m.candidatesTokenCount) ?? 0) + thoughts;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: count(m.cachedContentTokenCount) ?? 0 },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
}
