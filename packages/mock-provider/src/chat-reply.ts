import type { IncomingMessage } from 'node:http';
import { isRecord } from './guards.js';
import { nextId } from './ids.js';
import { sampleFromSchema } from './schema-sample.js';
import type { Behaviour, ChatCompletionRequest, ReplyFunction } from './types.js';

/** Why the assistant stopped, as OpenAI reports it. */
export type FinishReason = 'stop' | 'length' | 'tool_calls';

/** A function call in an assistant message. */
export interface ToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

/** Token usage in OpenAI's shape. */
export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number; readonly audio_tokens: number };
  readonly completion_tokens_details: {
    readonly reasoning_tokens: number;
    readonly audio_tokens: number;
    readonly accepted_prediction_tokens: number;
    readonly rejected_prediction_tokens: number;
  };
}

/** What the assistant answers, before it is shaped as a completion or a stream. */
export interface ChatReply {
  readonly content: string | null;
  readonly toolCalls: readonly ToolCall[] | undefined;
  readonly finishReason: FinishReason;
  readonly usage: Usage;
}

/** A cheap, deterministic token estimate: one token per four characters. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Decides the reply: a tool call when `tool_choice` forces one, else text from `reply`, the JSON
 * schema, or the default; text is cut to `max_completion_tokens`/`max_tokens` with `finish_reason: length`.
 */
export function planReply(request: ChatCompletionRequest, req: IncomingMessage, reply?: ReplyFunction): ChatReply {
  const promptTokens = estimatePromptTokens(request.messages);
  const tool = forcedTool(request);
  if (tool) {
    const args = JSON.stringify(sampleFromSchema(tool.parameters));
    const call: ToolCall = { id: nextId('call'), type: 'function', function: { name: tool.name, arguments: args } };
    const tokens = usage(promptTokens, estimateTokens(args));
    return { content: null, toolCalls: [call], finishReason: 'tool_calls', usage: tokens };
  }

  let text = reply ? reply(request, req) : defaultText(request);
  let finishReason: FinishReason = 'stop';
  const limit = completionLimit(request);
  if (limit !== undefined && estimateTokens(text) > limit) {
    text = text.slice(0, limit * 4);
    finishReason = 'length';
  }
  return { content: text, toolCalls: undefined, finishReason, usage: usage(promptTokens, estimateTokens(text)) };
}

/** `reply` with the scripted `finishReason` and `cachedTokens` applied; the same object when none is scripted. */
export function applyScriptedUsage(reply: ChatReply, behaviour: Behaviour): ChatReply {
  const { finishReason, cachedTokens } = behaviour;
  if (finishReason === undefined && cachedTokens === undefined) return reply;
  const cached = Math.min(cachedTokens ?? 0, reply.usage.prompt_tokens);
  return {
    ...reply,
    finishReason: (finishReason as FinishReason | undefined) ?? reply.finishReason,
    usage: { ...reply.usage, prompt_tokens_details: { ...reply.usage.prompt_tokens_details, cached_tokens: cached } },
  };
}

function defaultText(request: ChatCompletionRequest): string {
  const text = `Mock reply from ${request.model}.`;
  const format = request.response_format;
  if (!isRecord(format)) return text;
  if (format.type === 'json_schema') {
    return JSON.stringify(sampleFromSchema(isRecord(format.json_schema) ? format.json_schema.schema : undefined));
  }
  if (format.type === 'json_object') return JSON.stringify({ reply: text });
  return text;
}

function completionLimit(request: ChatCompletionRequest): number | undefined {
  const limit = request.max_completion_tokens ?? request.max_tokens;
  return typeof limit === 'number' && limit >= 0 ? Math.floor(limit) : undefined;
}

function forcedTool(request: ChatCompletionRequest): { name: string; parameters: unknown } | undefined {
  const tools = Array.isArray(request.tools) ? request.tools : [];
  const functions = tools.flatMap((tool) =>
    isRecord(tool) && isRecord(tool.function) && typeof tool.function.name === 'string'
      ? [{ name: tool.function.name, parameters: tool.function.parameters }]
      : [],
  );
  const choice = request.tool_choice;
  let name: string | undefined;
  if (choice === 'required') name = functions[0]?.name;
  else if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === 'string') {
    name = choice.function.name;
  }
  if (name === undefined) return undefined;
  return { name, parameters: functions.find((fn) => fn.name === name)?.parameters };
}

function estimatePromptTokens(messages: readonly unknown[]): number {
  let chars = 0;
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const content = message.content;
    if (typeof content === 'string') chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) if (isRecord(part) && typeof part.text === 'string') chars += part.text.length;
    }
  }
  // OpenAI counts a few tokens of framing per message on top of the text.
  return Math.ceil(chars / 4) + 3 * messages.length;
}

function usage(prompt: number, completion: number): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
