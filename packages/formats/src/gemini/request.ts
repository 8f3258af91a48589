// OpenAI chat request → Gemini generateContent / streamGenerateContent request.
import { readChatRequest, type ChatInput, type ImagePart, type Turn } from '../chat-input.js';
import { invalidField, isRecord, parseJson, type JsonObject } from '../json.js';
import { toGeminiSchema } from './schema.js';
import type { GeminiCall, GeminiContent, GeminiGenerationConfig, GeminiPart, GeminiRequest } from './types.js';

export interface GeminiRequestOptions {
  /** The exact model ID to call, e.g. `gemini-2.5-pro`. */
  readonly model: string;
}

/**
 * Gemini 3 rejects replayed function calls without the thought signature it issued with them; OpenAI
 * clients cannot carry it, so calls replayed to Gemini 3 and later carry Google's documented stand-in
 * (https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

/**
 * Translates an OpenAI chat request body for Gemini: the path below the provider's base URL and the
 * body. Throws a 400 SwitchyardError for what cannot be translated (see the README's table).
 */
export function toGeminiRequest(body: unknown, options: GeminiRequestOptions): GeminiCall {
  const input = readChatRequest(body);
  const request: GeminiRequest = { contents: toContents(input.turns, needsSignature(options.model)) };
  if (input.system.length > 0) request.systemInstruction = { parts: input.system.map((text) => ({ text })) };
  if (input.tools.length > 0) {
    request.tools = [
      {
        functionDeclarations: input.tools.map((tool, i) => {
          const parameters = tool.parameters && toGeminiSchema(tool.parameters, `tools[${i}].function.parameters`);
          return {
            name: tool.name,
            ...(tool.description !== undefined ? { description: tool.description } : {}),
            // Gemini rejects an OBJECT schema without properties: a function without arguments has none.
            ...(parameters && !isEmptyObjectSchema(parameters) ? { parameters } : {}),
          };
        }),
      },
    ];
    const choice = input.toolChoice;
    if (choice === 'auto') request.toolConfig = { functionCallingConfig: { mode: 'AUTO' } };
    else if (choice === 'none') request.toolConfig = { functionCallingConfig: { mode: 'NONE' } };
    else if (choice === 'required') request.toolConfig = { functionCallingConfig: { mode: 'ANY' } };
    else if (choice !== undefined) {
      request.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
    }
  }
  const config = generationConfig(input);
  if (Object.keys(config).length > 0) request.generationConfig = config;
  const model = encodeURIComponent(options.model);
  return {
    path: input.stream ? `/models/${model}:streamGenerateContent?alt=sse` : `/models/${model}:generateContent`,
    body: request,
  };
}

function needsSignature(model: string): boolean {
  const major = /^gemini-(\d+)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

function toContents(turns: readonly Turn[], signCalls: boolean): GeminiContent[] {
  const names = new Map<string, string>();
  const contents: GeminiContent[] = [];
  for (const turn of turns) {
    let parts: GeminiPart[];
    if (turn.role === 'user') {
      parts = turn.parts.map((part) => (part.type === 'text' ? { text: part.text } : toImagePart(part)));
    } else if (turn.role === 'assistant') {
      parts = turn.parts.map((part): GeminiPart => ({ text: part.text }));
      for (const call of turn.toolCalls) {
        names.set(call.id, call.name);
        parts.push({
          functionCall: { name: call.name, args: call.input },
          ...(signCalls ? { thoughtSignature: SKIP_THOUGHT_SIGNATURE } : {}),
        });
      }
    } else {
      const name = names.get(turn.toolCallId);
      if (name === undefined) {
        throw invalidField(
          'messages',
          `The tool message for \`${turn.toolCallId}\` answers no tool call of an earlier assistant message.`,
        );
      }
      parts = [{ functionResponse: { name, response: toolResponse(turn.content) } }];
    }
    if (parts.length === 0) continue;
    const role = turn.role === 'assistant' ? 'model' : 'user';
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }
  if (contents.length === 0)
    throw invalidField('messages', '`messages` must hold at least one non-empty user, assistant or tool message.');
  return contents;
}

/** A tool's result: a JSON object as it is, anything else as `{ output }` (Gemini's documented key). */
function toolResponse(content: string): JsonObject {
  const parsed = parseJson(content);
  return isRecord(parsed) ? parsed : { output: content };
}

function toImagePart(image: ImagePart): GeminiPart {
  if (image.inline) return { inlineData: { mimeType: image.inline.mediaType, data: image.inline.data } };
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(image.url).pathname)?.[1]?.toLowerCase();
  return { fileData: { mimeType: (extension && IMAGE_TYPES[extension]) ?? 'image/jpeg', fileUri: image.url } };
}

function generationConfig(input: ChatInput): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (input.temperature !== undefined) config.temperature = input.temperature;
  if (input.topP !== undefined) config.topP = input.topP;
  if (input.maxTokens !== undefined) config.maxOutputTokens = input.maxTokens;
  if (input.stop.length > 0) config.stopSequences = [...input.stop];
  if (input.presencePenalty !== undefined) config.presencePenalty = input.presencePenalty;
  if (input.frequencyPenalty !== undefined) config.frequencyPenalty = input.frequencyPenalty;
  if (input.seed !== undefined) config.seed = input.seed;
  const format = input.responseFormat;
  if (format) {
    config.responseMimeType = 'application/json';
    if (format.type === 'json_schema')
      config.responseSchema = toGeminiSchema(format.schema, 'response_format.json_schema.schema');
  }
  return config;
}

function isEmptyObjectSchema(schema: JsonObject): boolean {
  return !isRecord(schema.properties) || Object.keys(schema.properties).length === 0;
}
