// OpenAI chat request → Anthropic Messages request.
import { readChatRequest, type ChatInput, type ImagePart, type ResponseFormat, type Turn } from '../chat-input.js';
import { invalidField, unsupportedField } from '../json.js';
import {
  JSON_TOOL_NAME,
  type AnthropicBlock,
  type AnthropicMessage,
  type AnthropicRequest,
  type AnthropicTool,
  type AnthropicToolChoice,
} from './types.js';

/** `max_tokens` sent when neither the client nor the caller gives one (Anthropic requires it). */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

export interface AnthropicRequestOptions {
  /** The exact model ID to call. */
  readonly model: string;
  /**
   * `max_tokens` when the client sets neither `max_completion_tokens` nor `max_tokens`: the model's
   * output cap from the catalog. Default: {@link DEFAULT_ANTHROPIC_MAX_TOKENS}.
   */
  readonly defaultMaxTokens?: number;
}

const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * Translates an OpenAI chat request body for Anthropic's `POST /v1/messages`. Throws a 400
 * SwitchyardError for what cannot be translated (see the README's table).
 */
export function toAnthropicRequest(body: unknown, options: AnthropicRequestOptions): AnthropicRequest {
  const input = readChatRequest(body);
  const request: AnthropicRequest = {
    model: options.model,
    max_tokens: input.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages: toMessages(input.turns),
  };
  if (input.system.length > 0) request.system = input.system.join('\n\n');
  Object.assign(request, toolsAndChoice(input));
  // Anthropic's range is 0–1, OpenAI's 0–2: the hottest OpenAI setting is Anthropic's hottest.
  if (input.temperature !== undefined) request.temperature = Math.min(input.temperature, 1);
  if (input.topP !== undefined) request.top_p = input.topP;
  if (input.stop.length > 0) request.stop_sequences = [...input.stop];
  if (input.stream) request.stream = true;
  if (input.user !== undefined) request.metadata = { user_id: input.user };
  return request;
}

/** Anthropic wants alternating turns that start with the user, with tool results first in their turn. */
function toMessages(turns: readonly Turn[]): AnthropicMessage[] {
  const messages: AnthropicMessage[] = [];
  for (const turn of turns) {
    const role = turn.role === 'assistant' ? 'assistant' : 'user';
    const blocks = toBlocks(turn);
    if (blocks.length === 0) continue;
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  }
  for (const message of messages) {
    if (message.role === 'user') message.content = toolResultsFirst(message.content);
  }
  if (messages.length === 0)
    throw invalidField('messages', '`messages` must hold at least one non-empty user, assistant or tool message.');
  if (messages[0]!.role === 'assistant') messages.unshift({ role: 'user', content: [{ type: 'text', text: '.' }] });
  return messages;
}

function toBlocks(turn: Turn): AnthropicBlock[] {
  switch (turn.role) {
    case 'user':
      return turn.parts.map((part) => (part.type === 'text' ? part : toImageBlock(part)));
    case 'assistant':
      return [
        ...turn.parts,
        ...turn.toolCalls.map((call): AnthropicBlock => ({ type: 'tool_use', id: call.id, name: call.name, input: call.input })),
      ];
    case 'tool':
      return [{ type: 'tool_result', tool_use_id: turn.toolCallId, content: turn.content }];
  }
}

function toImageBlock(image: ImagePart): AnthropicBlock {
  if (!image.inline) return { type: 'image', source: { type: 'url', url: image.url } };
  if (!IMAGE_TYPES.has(image.inline.mediaType)) {
    const type = image.inline.mediaType;
    throw unsupportedField('messages', `Images of type ${type} are not supported by this model; send JPEG, PNG, GIF or WebP.`);
  }
  return { type: 'image', source: { type: 'base64', media_type: image.inline.mediaType, data: image.inline.data } };
}

function toolResultsFirst(blocks: AnthropicBlock[]): AnthropicBlock[] {
  const results = blocks.filter((block) => block.type === 'tool_result');
  if (results.length === 0 || results.length === blocks.length) return blocks;
  return [...results, ...blocks.filter((block) => block.type !== 'tool_result')];
}

function toolsAndChoice(input: ChatInput): Pick<AnthropicRequest, 'tools' | 'tool_choice'> {
  const tools: AnthropicTool[] = input.tools.map((tool) => ({
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    input_schema: tool.parameters ?? { type: 'object', properties: {} },
  }));
  const noParallel = input.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  const choice = input.toolChoice;
  const format = input.responseFormat;
  if (format) {
    if (tools.some((tool) => tool.name === JSON_TOOL_NAME)) {
      throw unsupportedField(
        'tools',
        `A tool named \`${JSON_TOOL_NAME}\` cannot be combined with \`response_format\` on this model.`,
      );
    }
    // The answer is the forced tool's input. With tools of the client's own to choose from, the model
    // must call one of them or answer through the JSON tool: `any` over both. The client's tools stay
    // declared either way: Anthropic refuses tool_use blocks in the history of tools it was not given.
    const all = [...tools, jsonTool(format)];
    if (tools.length === 0 || choice === 'none') return { tools: all, tool_choice: { type: 'tool', name: JSON_TOOL_NAME } };
    if (choice === undefined || choice === 'auto') return { tools: all, tool_choice: { type: 'any', ...noParallel } };
  }
  if (tools.length === 0) return {};
  let toolChoice: AnthropicToolChoice | undefined;
  if (choice === 'none') toolChoice = { type: 'none' };
  else if (choice === 'required') toolChoice = { type: 'any', ...noParallel };
  else if (typeof choice === 'object') toolChoice = { type: 'tool', name: choice.name, ...noParallel };
  else if (choice === 'auto' || input.parallelToolCalls === false) toolChoice = { type: 'auto', ...noParallel };
  return toolChoice ? { tools, tool_choice: toolChoice } : { tools };
}

function jsonTool(format: ResponseFormat): AnthropicTool {
  if (format.type === 'json_object') {
    return { name: JSON_TOOL_NAME, description: 'Respond with a JSON object.', input_schema: { type: 'object' } };
  }
  if (format.schema.type !== 'object') {
    throw unsupportedField(
      'response_format.json_schema.schema',
      'This model can only answer with a JSON schema whose root is an object.',
    );
  }
  return {
    name: JSON_TOOL_NAME,
    description: format.description ?? `Respond with a JSON object matching the schema "${format.name}".`,
    input_schema: format.schema,
  };
}
