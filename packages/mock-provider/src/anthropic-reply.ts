import type { IncomingMessage } from 'node:http';
import { promptSegments, promptTokens } from './anthropic-prompt.js';
import type { AnthropicMessagesRequest, AnthropicTool } from './anthropic-types.js';
import { estimateTokens } from './chat-reply.js';
import { isRecord } from './guards.js';
import { nextId } from './ids.js';
import type { PromptCache } from './prompt-cache.js';
import { sampleFromSchema } from './schema-sample.js';
import { cutText } from './text-stops.js';
import type { AnthropicReplyFunction, Behaviour } from './types.js';

/** A `text` content block of an answer. */
export interface AnthropicTextBlock {
  readonly type: 'text';
  readonly text: string;
}

/** A `tool_use` content block of an answer. */
export interface AnthropicToolUseBlock {
  readonly type: 'tool_use';
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
}

/** Token usage in Anthropic's shape; `input_tokens` excludes the cached and cache-written tokens. */
export interface AnthropicUsage {
  readonly input_tokens: number;
  readonly cache_creation_input_tokens: number;
  readonly cache_read_input_tokens: number;
  readonly cache_creation: { readonly ephemeral_5m_input_tokens: number; readonly ephemeral_1h_input_tokens: number };
  readonly output_tokens: number;
  readonly service_tier: 'standard';
}

/** What the assistant answers, before it is shaped as a message or a stream. */
export interface AnthropicReply {
  readonly block: AnthropicTextBlock | AnthropicToolUseBlock;
  readonly stopReason: string;
  readonly stopSequence: string | null;
  readonly usage: AnthropicUsage;
}

/**
 * Decides the answer: a `tool_use` when `tool_choice` is `any` or `tool`, else text (from `reply`, the
 * `output_format` / `output_config.format` schema, or the default) ended by a stop sequence or `max_tokens`.
 */
export function planAnthropicReply(
  request: AnthropicMessagesRequest,
  req: IncomingMessage,
  behaviour: Behaviour,
  cache: PromptCache,
  reply: AnthropicReplyFunction | undefined,
): AnthropicReply {
  const segments = promptSegments(request);
  const total = promptTokens(segments, request.messages.length);
  const scripted = behaviour.cachedTokens;
  const cacheUse = scripted === undefined ? cache.use(segments) : { read: Math.min(scripted, total), write: 0 };

  const tool = forcedTool(request);
  let block: AnthropicReply['block'];
  let stopReason: string;
  let stopSequence: string | null = null;
  let outputTokens: number;
  if (tool) {
    const input = sampleFromSchema(tool.input_schema);
    block = { type: 'tool_use', id: nextId('toolu'), name: tool.name, input };
    stopReason = 'tool_use';
    outputTokens = estimateTokens(JSON.stringify(input));
  } else {
    const cut = cutText(reply ? reply(request, req) : defaultText(request), request.stop_sequences, request.max_tokens);
    block = { type: 'text', text: cut.text };
    stopReason = cut.cut === 'sequence' ? 'stop_sequence' : cut.cut === 'limit' ? 'max_tokens' : 'end_turn';
    stopSequence = cut.sequence ?? null;
    outputTokens = estimateTokens(cut.text);
  }
  const usage: AnthropicUsage = {
    input_tokens: total - cacheUse.read - cacheUse.write,
    cache_creation_input_tokens: cacheUse.write,
    cache_read_input_tokens: cacheUse.read,
    cache_creation: { ephemeral_5m_input_tokens: cacheUse.write, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
  return { block, stopReason: behaviour.finishReason ?? stopReason, stopSequence, usage };
}

function defaultText(request: AnthropicMessagesRequest): string {
  const format = request.output_format ?? (isRecord(request.output_config) ? request.output_config.format : undefined);
  if (isRecord(format) && format.type === 'json_schema') return JSON.stringify(sampleFromSchema(format.schema));
  return `Mock reply from ${request.model}.`;
}

function forcedTool(request: AnthropicMessagesRequest): AnthropicTool | undefined {
  const choice = request.tool_choice;
  if (choice?.type !== 'any' && choice?.type !== 'tool') return undefined;
  const custom = (request.tools ?? []).filter((tool) => isRecord(tool.input_schema));
  return choice.type === 'any' ? custom[0] : custom.find((tool) => tool.name === choice.name);
}
