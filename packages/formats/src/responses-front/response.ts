// `POST /v1/responses` from a provider of another format: an OpenAI chat.completion → a Responses API
// `response` object, and the pieces the stream translator shares.
import { randomBytes } from 'node:crypto';
import { badUpstreamBody, count, isRecord } from '../json.js';
import type {
  FunctionCall,
  IncompleteReason,
  ItemStatus,
  MessageContent,
  OutputItem,
  ResponsesResponse,
  ResponsesUsage,
} from './types.js';

export interface ResponseOptions {
  /** The exact model ID that served: the response's `model`. */
  readonly model: string;
  /** The response's `id`. Default: a new `resp_…`. */
  readonly id?: string;
}

/** Translates a 2xx OpenAI chat.completion body; throws a 502 SwitchyardError when it is not one. */
export function toResponsesResponse(body: unknown, options: ResponseOptions): ResponsesResponse {
  const choice = isRecord(body) && Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isRecord(body) || !isRecord(choice) || !isRecord(choice.message)) {
    throw badUpstreamBody('OpenAI-format', 'the body is not a chat.completion');
  }
  const ids = new ItemIds(options.id);
  const { status, incomplete_details } = outcome(choice.finish_reason);
  const message = choice.message;
  const output: OutputItem[] = [];
  const content: MessageContent[] = [];
  if (typeof message.content === 'string' && message.content !== '') content.push(outputText(message.content));
  if (typeof message.refusal === 'string' && message.refusal !== '') content.push({ type: 'refusal', refusal: message.refusal });
  if (content.length > 0) {
    const itemStatus: ItemStatus = status === 'incomplete' ? 'incomplete' : 'completed';
    output.push({ id: ids.message(output.length), type: 'message', status: itemStatus, content, role: 'assistant' });
  }
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isRecord(call) || !isRecord(call.function) || typeof call.function.name !== 'string') continue;
      const args = typeof call.function.arguments === 'string' ? call.function.arguments : '';
      output.push(functionCall(ids.functionCall(output.length), String(call.id ?? ''), call.function.name, args, 'completed'));
    }
  }
  return {
    id: ids.response,
    object: 'response',
    created_at: typeof body.created === 'number' ? body.created : now(),
    status,
    error: null,
    incomplete_details,
    model: options.model,
    output,
    usage: responsesUsage(body.usage),
  };
}

/** A chat `finish_reason` → the response's status: cut at the output cap or by a filter is `incomplete`. */
export function outcome(finish: unknown): Pick<ResponsesResponse, 'status' | 'incomplete_details'> {
  const reason: IncompleteReason | undefined =
    finish === 'length' ? 'max_output_tokens' : finish === 'content_filter' ? 'content_filter' : undefined;
  return reason === undefined
    ? { status: 'completed', incomplete_details: null }
    : { status: 'incomplete', incomplete_details: { reason } };
}

/** OpenAI chat usage → Responses usage; zeros for what the upstream did not report. */
export function responsesUsage(usage: unknown): ResponsesUsage {
  const u = isRecord(usage) ? usage : {};
  const input = count(u.prompt_tokens) ?? 0;
  const output = count(u.completion_tokens) ?? 0;
  const cached = isRecord(u.prompt_tokens_details) ? count(u.prompt_tokens_details.cached_tokens) : undefined;
  const reasoning = isRecord(u.completion_tokens_details) ? count(u.completion_tokens_details.reasoning_tokens) : undefined;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning ?? 0 },
    total_tokens: count(u.total_tokens) ?? input + output,
  };
}

export function outputText(text: string): MessageContent {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function functionCall(id: string, callId: string, name: string, args: string, status: ItemStatus): FunctionCall {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

/**
 * The ids of one response and its output items, OpenAI's prefixes on one random suffix: `resp_<hex>`,
 * `msg_<hex>_<output index>`, `fc_<hex>_<output index>`. Nothing is stored under them.
 */
export class ItemIds {
  readonly response: string;
  readonly #suffix: string;

  constructor(id?: string) {
    this.response = id ?? `resp_${randomBytes(24).toString('hex')}`;
    this.#suffix = this.response.startsWith('resp_') ? this.response.slice('resp_'.length) : this.response;
  }

  message(index: number): string {
    return `msg_${this.#suffix}_${index}`;
  }

  functionCall(index: number): string {
    return `fc_${this.#suffix}_${index}`;
  }
}

export function now(): number {
  return Math.floor(Date.now() / 1000);
}
