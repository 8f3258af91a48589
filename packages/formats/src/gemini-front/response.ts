// The Gemini front door: an OpenAI chat.completion → a Gemini GenerateContentResponse, and the pieces
// the stream translator shares.
import { randomBytes } from 'node:crypto';
import { toolInput } from '../anthropic-front/response.js';
import { badUpstreamBody, count, isRecord, type JsonObject } from '../json.js';
import type { ChatUsage } from '../openai.js';
import type { GeminiAnswerPart, GeminiFinishReason, GeminiResponse, GeminiUsageMetadata } from './types.js';

export interface GeminiAnswerOptions {
  /** The exact model ID that served: the answer's `modelVersion`. */
  readonly model: string;
}

/** Translates a 2xx OpenAI chat.completion body; throws a 502 SwitchyardError when it is not one. */
export function toGeminiResponse(body: unknown, options: GeminiAnswerOptions): GeminiResponse {
  const choice = isRecord(body) && Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isRecord(body) || !isRecord(choice) || !isRecord(choice.message)) {
    throw badUpstreamBody('OpenAI-format', 'the body is not a chat.completion');
  }
  const message = choice.message;
  const calls: GeminiAnswerPart[] = [];
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    const part = isRecord(call) ? functionCallPart(call) : undefined;
    if (part) calls.push(part);
  }
  const text = textOf(message.content) + textOf(message.refusal);
  const content = { parts: answerParts(text, calls), role: 'model' } as const;
  const usage = usageMetadata(body.usage);
  return {
    candidates: [{ content, finishReason: geminiFinishReason(choice.finish_reason), index: 0 }],
    ...(usage ? { usageMetadata: usage } : {}),
    modelVersion: options.model,
    responseId: answerId(body),
  };
}

/**
 * The text (when there is some, or nothing else) and then the calls. Never an empty list: the SDK's chat
 * session leaves a turn with an empty `parts` out of its history.
 */
export function answerParts(text: string, calls: readonly GeminiAnswerPart[]): GeminiAnswerPart[] {
  return text !== '' || calls.length === 0 ? [{ text }, ...calls] : [...calls];
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The answer's id: the completion's, else a fresh one. */
export function answerId(body: JsonObject): string {
  return typeof body.id === 'string' && body.id !== '' ? body.id : randomBytes(12).toString('base64url');
}

/**
 * A complete chat tool call → a `functionCall` part, its id kept (a Gemini client sends it back in the
 * `functionResponse`), its arguments parsed: arguments that are not a JSON object become `{}`.
 */
export function functionCallPart(call: JsonObject): GeminiAnswerPart | undefined {
  const fn = isRecord(call.function) ? call.function : undefined;
  if (!fn || typeof fn.name !== 'string' || fn.name === '') return undefined;
  const id = typeof call.id === 'string' && call.id !== '' ? { id: call.id } : {};
  return { functionCall: { ...id, name: fn.name, args: toolInput(fn.arguments) } };
}

/** OpenAI `finish_reason` → Gemini `finishReason`: a tool call stops as Gemini's do, with STOP. */
export function geminiFinishReason(finish: unknown): GeminiFinishReason {
  switch (finish) {
    case 'stop':
    case 'tool_calls':
    case 'function_call':
      return 'STOP';
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    default:
      return 'OTHER';
  }
}

/** An OpenAI usage object, checked; `undefined` when the upstream sent none. */
export function chatUsage(usage: unknown): ChatUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const prompt = count(usage.prompt_tokens) ?? 0;
  const completion = count(usage.completion_tokens) ?? 0;
  const cached = isRecord(usage.prompt_tokens_details) ? (count(usage.prompt_tokens_details.cached_tokens) ?? 0) : 0;
  const reasoning = isRecord(usage.completion_tokens_details)
    ? (count(usage.completion_tokens_details.reasoning_tokens) ?? 0)
    : 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

/**
 * OpenAI usage → Gemini `usageMetadata`. OpenAI counts reasoning inside completion tokens, Gemini apart
 * (`thoughtsTokenCount`); both count cached tokens inside the prompt's.
 */
export function usageMetadata(usage: unknown): GeminiUsageMetadata | undefined {
  const u = chatUsage(usage);
  if (!u) return undefined;
  const thoughts = Math.min(u.completion_tokens_details?.reasoning_tokens ?? 0, u.completion_tokens);
  const cached = u.prompt_tokens_details.cached_tokens;
  const metadata: GeminiUsageMetadata = {
    promptTokenCount: u.prompt_tokens,
    candidatesTokenCount: u.completion_tokens - thoughts,
    totalTokenCount: u.prompt_tokens + u.completion_tokens,
  };
  if (cached > 0) metadata.cachedContentTokenCount = cached;
  if (thoughts > 0) metadata.thoughtsTokenCount = thoughts;
  return metadata;
}
