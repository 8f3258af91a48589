import type { IncomingMessage } from 'node:http';
import { estimateTokens } from './chat-reply.js';
import { isRecord } from './guards.js';
import { nextId } from './ids.js';
import { sampleFromSchema } from './schema-sample.js';
import type { Behaviour, ResponsesReplyFunction, ResponsesRequest } from './types.js';

/** An `output_text` content part of a message item. */
export interface OutputText {
  readonly type: 'output_text';
  readonly text: string;
  readonly annotations: readonly unknown[];
  readonly logprobs: readonly unknown[];
}

/** The assistant `message` output item. */
export interface MessageItem {
  readonly type: 'message';
  readonly id: string;
  readonly status: 'completed' | 'incomplete';
  readonly role: 'assistant';
  readonly content: readonly OutputText[];
}

/** A `function_call` output item: the model asks the client to run a function. */
export interface FunctionCallItem {
  readonly type: 'function_call';
  readonly id: string;
  readonly call_id: string;
  readonly name: string;
  readonly arguments: string;
  readonly status: 'completed';
}

/** Token usage in the Responses API's shape. */
export interface ResponsesUsage {
  readonly input_tokens: number;
  readonly input_tokens_details: { readonly cached_tokens: number };
  readonly output_tokens: number;
  readonly output_tokens_details: { readonly reasoning_tokens: number };
  readonly total_tokens: number;
}

/** What the model answers, before it is shaped as a response object or a stream. */
export interface ResponsesReply {
  readonly item: MessageItem | FunctionCallItem;
  readonly status: 'completed' | 'incomplete';
  /** Why the answer is incomplete (`max_output_tokens`, or a scripted `finishReason`), else `null`. */
  readonly incompleteReason: string | null;
  readonly usage: ResponsesUsage;
}

/**
 * Decides the answer: a `function_call` when `tool_choice` is `required` (first function tool) or names a
 * function, else a message whose text comes from `reply`, the `text.format` schema or the default, cut at
 * `max_output_tokens` (then `incomplete`). `earlierTokens` are the tokens of the `previous_response_id` chain,
 * which upstream bills again as input.
 */
export function planResponsesReply(
  request: ResponsesRequest,
  req: IncomingMessage,
  behaviour: Behaviour,
  earlierTokens: number,
  reply: ResponsesReplyFunction | undefined,
): ResponsesReply {
  const input = inputTokens(request) + earlierTokens;
  const tool = forcedFunction(request);
  let item: ResponsesReply['item'];
  let output: number;
  let incompleteReason: string | null = null;
  if (tool) {
    const args = JSON.stringify(sampleFromSchema(tool.parameters));
    item = {
      type: 'function_call',
      id: nextId('fc'),
      call_id: nextId('call'),
      name: tool.name,
      arguments: args,
      status: 'completed',
    };
    output = estimateTokens(args);
  } else {
    let text = reply ? reply(request, req) : defaultText(request);
    const limit = request.max_output_tokens;
    if (typeof limit === 'number' && estimateTokens(text) > limit) {
      text = text.slice(0, limit * 4);
      incompleteReason = 'max_output_tokens';
    }
    incompleteReason = behaviour.finishReason ?? incompleteReason;
    const status = incompleteReason === null ? 'completed' : 'incomplete';
    const content: OutputText = { type: 'output_text', text, annotations: [], logprobs: [] };
    item = { type: 'message', id: nextId('msg'), status, role: 'assistant', content: [content] };
    output = estimateTokens(text);
  }
  const cached = Math.min(behaviour.cachedTokens ?? 0, input);
  return {
    item,
    status: incompleteReason === null ? 'completed' : 'incomplete',
    incompleteReason,
    usage: {
      input_tokens: input,
      input_tokens_details: { cached_tokens: cached },
      output_tokens: output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input + output,
    },
  };
}

function defaultText(request: ResponsesRequest): string {
  const text = `Mock reply from ${request.model}.`;
  const format = isRecord(request.text) ? request.text.format : undefined;
  if (!isRecord(format)) return text;
  if (format.type === 'json_schema') return JSON.stringify(sampleFromSchema(format.schema));
  if (format.type === 'json_object') return JSON.stringify({ reply: text });
  return text;
}

function forcedFunction(request: ResponsesRequest): { name: string; parameters: unknown } | undefined {
  const functions = (request.tools ?? []).flatMap((tool) =>
    isRecord(tool) && tool.type === 'function' && typeof tool.name === 'string'
      ? [{ name: tool.name, parameters: tool.parameters }]
      : [],
  );
  const choice = request.tool_choice;
  if (choice === 'required') return functions[0];
  if (isRecord(choice) && choice.type === 'function') return functions.find((fn) => fn.name === choice.name);
  return undefined;
}

/** The input's size in tokens: one per four characters of text, instructions and call data, plus 3 per item. */
export function inputTokens(request: ResponsesRequest): number {
  let chars = typeof request.instructions === 'string' ? request.instructions.length : 0;
  const input = request.input;
  if (typeof input === 'string') return Math.ceil((chars + input.length) / 4) + 3;
  const items = Array.isArray(input) ? input : [];
  for (const item of items) chars += itemChars(item);
  return Math.ceil(chars / 4) + 3 * items.length;
}

function itemChars(item: unknown): number {
  if (!isRecord(item)) return 0;
  if (typeof item.content === 'string') return item.content.length;
  if (Array.isArray(item.content)) {
    let chars = 0;
    for (const part of item.content) if (isRecord(part) && typeof part.text === 'string') chars += part.text.length;
    return chars;
  }
  if (typeof item.arguments === 'string') return item.arguments.length + String(item.name ?? '').length;
  if (typeof item.output === 'string') return item.output.length;
  return 0;
}
