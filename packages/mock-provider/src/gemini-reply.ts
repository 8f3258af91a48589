import type { IncomingMessage } from 'node:http';
import { estimateTokens } from './chat-reply.js';
import { pick } from './gemini-fields.js';
import type { GeminiGenerateContentRequest, GeminiPart } from './gemini-types.js';
import { isRecord } from './guards.js';
import { sampleFromSchema } from './schema-sample.js';
import { cutText } from './text-stops.js';
import type { Behaviour, GeminiReplyFunction } from './types.js';

/** Token counts per modality, as Gemini details them. */
export interface ModalityTokens {
  readonly modality: 'TEXT';
  readonly tokenCount: number;
}

/** `usageMetadata` of a complete answer; `promptTokenCount` includes `cachedContentTokenCount`. */
export interface GeminiUsage {
  readonly promptTokenCount: number;
  readonly candidatesTokenCount: number;
  readonly totalTokenCount: number;
  readonly cachedContentTokenCount?: number;
  readonly promptTokensDetails: readonly ModalityTokens[];
  readonly cacheTokensDetails?: readonly ModalityTokens[];
}

/** What the model answers, before it is shaped as a response or a stream. */
export interface GeminiReply {
  readonly part: GeminiPart;
  readonly finishReason: string;
  readonly usage: GeminiUsage;
}

/**
 * Decides the answer: a `functionCall` when `functionCallingConfig.mode` is `ANY`, else text (from `reply`,
 * the response schema in JSON mode, or the default) ended by a stop sequence (`STOP`) or `maxOutputTokens`
 * (`MAX_TOKENS`). Gemini reports `STOP` for function calls too.
 */
export function planGeminiReply(
  request: GeminiGenerateContentRequest,
  model: string,
  req: IncomingMessage,
  behaviour: Behaviour,
  reply: GeminiReplyFunction | undefined,
): GeminiReply {
  const prompt = promptTokens(request);
  const config = pick(request, 'generationConfig');
  const declaration = forcedFunction(request);
  let part: GeminiPart;
  let finishReason = 'STOP';
  let output: number;
  if (declaration) {
    const args = sampleFromSchema(pick(declaration, 'parameters') ?? pick(declaration, 'parametersJsonSchema'));
    part = { functionCall: { name: String(declaration.name), args: isRecord(args) ? args : {} } };
    output = estimateTokens(JSON.stringify(part.functionCall));
  } else {
    const text = reply ? reply(request, model, req) : defaultText(model, config);
    const stops = pick(config, 'stopSequences');
    const max = pick(config, 'maxOutputTokens');
    const cut = cutText(text, Array.isArray(stops) ? stops : undefined, typeof max === 'number' ? max : undefined);
    if (cut.cut === 'limit') finishReason = 'MAX_TOKENS';
    part = { text: cut.text };
    output = estimateTokens(cut.text);
  }
  return {
    part,
    finishReason: behaviour.finishReason ?? finishReason,
    usage: usage(prompt, output, behaviour.cachedTokens ?? 0),
  };
}

function defaultText(model: string, config: unknown): string {
  const text = `Mock reply from ${model}.`;
  const mime = pick(config, 'responseMimeType');
  const schema = pick(config, 'responseSchema') ?? pick(config, 'responseJsonSchema');
  if (mime === 'text/x.enum') return String(sampleFromSchema(schema));
  if (mime !== 'application/json') return text;
  return JSON.stringify(schema === undefined ? { reply: text } : sampleFromSchema(schema));
}

function forcedFunction(request: GeminiGenerateContentRequest): Record<string, unknown> | undefined {
  const calling = pick(pick(request, 'toolConfig'), 'functionCallingConfig');
  if (pick(calling, 'mode') !== 'ANY') return undefined;
  const declarations = (request.tools ?? []).flatMap((tool) => {
    const list = pick(tool, 'functionDeclarations');
    return Array.isArray(list) ? list.filter(isRecord) : [];
  });
  const allowed = pick(calling, 'allowedFunctionNames');
  const names = Array.isArray(allowed) ? allowed : [];
  return declarations.find((declaration) => names.includes(declaration.name)) ?? declarations[0];
}

/** The prompt's tokens: one per four characters of text, call and response JSON, system text and declarations, plus 3 per turn. */
export function promptTokens(request: GeminiGenerateContentRequest): number {
  let chars = partsChars(pick(request, 'systemInstruction'));
  for (const content of request.contents) chars += partsChars(content);
  for (const tool of request.tools ?? []) chars += JSON.stringify(pick(tool, 'functionDeclarations') ?? []).length;
  return Math.ceil(chars / 4) + 3 * request.contents.length;
}

function partsChars(content: unknown): number {
  const parts = pick(content, 'parts');
  if (!Array.isArray(parts)) return 0;
  let chars = 0;
  for (const part of parts) {
    if (!isRecord(part)) continue;
    if (typeof part.text === 'string') chars += part.text.length;
    const call = pick(part, 'functionCall') ?? pick(part, 'functionResponse');
    if (call !== undefined) chars += JSON.stringify(call).length;
  }
  return chars;
}

function usage(prompt: number, output: number, cached: number): GeminiUsage {
  const base = {
    promptTokenCount: prompt,
    candidatesTokenCount: output,
    totalTokenCount: prompt + output,
    promptTokensDetails: [{ modality: 'TEXT' as const, tokenCount: prompt }],
  };
  const read = Math.min(cached, prompt);
  if (read <= 0) return base;
  return { ...base, cachedContentTokenCount: read, cacheTokensDetails: [{ modality: 'TEXT', tokenCount: read }] };
}
