// `POST /v1/responses` from a provider of another format: an OpenAI chat.completion.chunk stream → the
// Responses API's event stream, as OpenAI writes it: response.created, response.in_progress, then per output
// item output_item.added, its content parts or argument deltas, output_item.done, and at last
// response.completed (or response.incomplete) with the whole response and its usage. Every event is
// `event: <type>` + `data: {type, …, sequence_number}`.
import type { Usage } from '@switchyard/core';
import { isRecord, parseJson, type JsonObject } from '../json.js';
import { sseNamed, type SseEvent } from '../sse.js';
import { TranslatingStream, type StreamEnd, type StreamTranslator, type TranslatingStreamOptions } from '../stream.js';
import { functionCall, ItemIds, now, outcome, outputText, responsesUsage } from './response.js';
import type {
  FunctionCall,
  ItemStatus,
  MessageContent,
  OutputItem,
  OutputMessage,
  ResponsesResponse,
  ResponseStatus,
} from './types.js';

export interface ResponsesStreamOptions extends TranslatingStreamOptions {
  /** The exact model ID that served: the response's `model`. */
  readonly model: string;
  /** The response's `id`. Default: a new `resp_…`. */
  readonly id?: string;
}

/** A Transform from OpenAI's chat chunk stream bytes to the Responses API's events; pipe the upstream body through it. */
export function chatToResponsesStream(options: ResponsesStreamOptions): TranslatingStream {
  return new TranslatingStream(new ChatToResponses(options), options);
}

/** The error an `error` event reports: its documented top-level fields, and OpenAI's nested copy. */
interface StreamError {
  type: string;
  code: string;
  message: string;
  param: string | null;
}

interface OpenMessage {
  readonly kind: 'message';
  readonly index: number;
  readonly item: OutputMessage;
  /** The content part being written, the last of `item.content`. */
  part: MessageContent | undefined;
}

interface OpenCall {
  readonly kind: 'function_call';
  readonly index: number;
  readonly item: FunctionCall;
}

export class ChatToResponses implements StreamTranslator {
  readonly #model: string;
  readonly #ids: ItemIds;
  #sequence = 0;
  /** Set by the first event: the response has been announced. */
  #createdAt: number | undefined;
  /** Every output item so far, the open one (last) as written so far. */
  readonly #output: OutputItem[] = [];
  #open: OpenMessage | OpenCall | undefined;
  /** Chat tool call index → its output item. */
  readonly #calls = new Map<number, OpenCall>();
  #finish: unknown;
  #usage: unknown;
  ended: StreamEnd | undefined;

  constructor(options: Pick<ResponsesStreamOptions, 'model' | 'id'>) {
    this.#model = options.model;
    this.#ids = new ItemIds(options.id);
  }

  get usage(): Usage | undefined {
    if (!isRecord(this.#usage)) return undefined;
    const u = responsesUsage(this.#usage);
    return {
      inputTokens: u.input_tokens,
      outputTokens: u.output_tokens,
      cachedInputTokens: u.input_tokens_details.cached_tokens,
    };
  }

  event(event: SseEvent): string {
    if (event.data === '[DONE]') return this.end();
    const data = parseJson(event.data);
    if (!isRecord(data)) return this.fail('an event is not JSON.');
    if (isRecord(data.error)) {
      this.ended = 'upstream_error';
      return this.#error(upstreamError(data.error));
    }
    let out = this.#start(data.created);
    if (isRecord(data.usage)) this.#usage = data.usage;
    const choice = Array.isArray(data.choices) ? data.choices[0] : undefined;
    if (!isRecord(choice)) return out;
    const delta = isRecord(choice.delta) ? choice.delta : {};
    if (typeof delta.content === 'string' && delta.content !== '') out += this.#text('output_text', delta.content);
    if (typeof delta.refusal === 'string' && delta.refusal !== '') out += this.#text('refusal', delta.refusal);
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) {
        if (isRecord(call)) out += this.#toolCall(call);
        if (this.ended !== undefined) return out;
      }
    }
    if (typeof choice.finish_reason === 'string') this.#finish = choice.finish_reason;
    return out;
  }

  /** The answer is complete once its finish_reason came, with or without `[DONE]` after it. */
  end(): string {
    if (this.#finish === undefined) {
      this.ended = 'incomplete';
      const message = 'The provider stream ended before the answer was complete.';
      return this.#error({ type: 'api_error', code: 'upstream_stream_incomplete', message, param: null });
    }
    this.ended = 'done';
    const { status, incomplete_details } = outcome(this.#finish);
    const out = this.#start() + this.#closeItem(status === 'incomplete' ? 'incomplete' : 'completed');
    const response = this.#snapshot(status, { incomplete_details, usage: responsesUsage(this.#usage) });
    return out + this.#emit(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  }

  fail(why: string): string {
    this.ended = 'unreadable';
    const message = `The provider stream could not be translated: ${why}`;
    return this.#error({ type: 'api_error', code: 'upstream_bad_response', message, param: null });
  }

  #start(created?: unknown): string {
    if (this.#createdAt !== undefined) return '';
    this.#createdAt = typeof created === 'number' ? created : now();
    const response = this.#snapshot('in_progress');
    return this.#emit('response.created', { response }) + this.#emit('response.in_progress', { response });
  }

  #text(type: MessageContent['type'], text: string): string {
    let out = '';
    let open = this.#open;
    if (open?.kind !== 'message') {
      out += this.#closeItem('completed');
      const index = this.#output.length;
      const item: OutputMessage = {
        id: this.#ids.message(index),
        type: 'message',
        status: 'in_progress',
        content: [],
        role: 'assistant',
      };
      this.#output.push(item);
      this.#open = open = { kind: 'message', index, item, part: undefined };
      out += this.#emit('response.output_item.added', { item, output_index: index });
    }
    if (open.part?.type !== type) {
      out += this.#closePart(open);
      const part: MessageContent = type === 'output_text' ? outputText('') : { type: 'refusal', refusal: '' };
      open.item.content.push(part);
      open.part = part;
      out += this.#emit('response.content_part.added', { ...partAt(open), part });
    }
    const at = partAt(open);
    const part = open.part!;
    if (part.type === 'output_text') {
      part.text += text;
      return out + this.#emit('response.output_text.delta', { ...at, delta: text, logprobs: [] });
    }
    part.refusal += text;
    return out + this.#emit('response.refusal.delta', { ...at, delta: text });
  }

  #toolCall(call: JsonObject): string {
    const chatIndex = typeof call.index === 'number' ? call.index : 0;
    const fn = isRecord(call.function) ? call.function : {};
    let out = '';
    let open = this.#calls.get(chatIndex);
    if (open === undefined) {
      out += this.#closeItem('completed');
      const index = this.#output.length;
      const item = functionCall(this.#ids.functionCall(index), String(call.id ?? ''), String(fn.name ?? ''), '', 'in_progress');
      this.#output.push(item);
      this.#open = open = { kind: 'function_call', index, item };
      this.#calls.set(chatIndex, open);
      out += this.#emit('response.output_item.added', { item, output_index: index });
    } else if (this.#open !== open) {
      // Its output item is done: OpenAI's stream order (one item after the other) cannot take it any more.
      return out + this.fail(`tool call ${chatIndex} went on after the next output item began.`);
    }
    if (typeof fn.arguments !== 'string' || fn.arguments === '') return out;
    open.item.arguments += fn.arguments;
    return (
      out +
      this.#emit('response.function_call_arguments.delta', {
        delta: fn.arguments,
        item_id: open.item.id,
        output_index: open.index,
      })
    );
  }

  #closePart(open: OpenMessage): string {
    const part = open.part;
    if (part === undefined) return '';
    open.part = undefined;
    const at = partAt(open);
    const done =
      part.type === 'output_text'
        ? this.#emit('response.output_text.done', { ...at, logprobs: [], text: part.text })
        : this.#emit('response.refusal.done', { ...at, refusal: part.refusal });
    return done + this.#emit('response.content_part.done', { ...at, part });
  }

  /** Ends the open output item; a message cut by the output cap is `incomplete`, a function call always `completed`. */
  #closeItem(messageStatus: ItemStatus): string {
    const open = this.#open;
    if (open === undefined) return '';
    this.#open = undefined;
    if (open.kind === 'message') {
      const out = this.#closePart(open);
      open.item.status = messageStatus;
      return out + this.#emit('response.output_item.done', { item: open.item, output_index: open.index });
    }
    open.item.status = 'completed';
    const at = { item_id: open.item.id, output_index: open.index };
    return (
      this.#emit('response.function_call_arguments.done', { arguments: open.item.arguments, ...at }) +
      this.#emit('response.output_item.done', { item: open.item, output_index: open.index })
    );
  }

  /**
   * An `error` event, then `response.failed`, as OpenAI ends a failed stream. The error's fields are at the
   * top level, as documented, and again under `error`, as OpenAI sends them and as the official SDKs read
   * them to throw. No `response.completed` follows.
   */
  #error(error: StreamError): string {
    let out = this.#start();
    out += this.#emit('error', { code: error.code, message: error.message, param: error.param, error });
    if (this.#open !== undefined) this.#open.item.status = 'incomplete';
    this.#open = undefined;
    const response = this.#snapshot('failed', { error: { code: error.code, message: error.message } });
    return out + this.#emit('response.failed', { response });
  }

  #snapshot(status: ResponseStatus, over: Partial<ResponsesResponse> = {}): ResponsesResponse {
    return {
      id: this.#ids.response,
      object: 'response',
      created_at: this.#createdAt ?? now(),
      status,
      error: over.error ?? null,
      incomplete_details: over.incomplete_details ?? null,
      model: this.#model,
      output: [...this.#output],
      usage: over.usage ?? null,
    };
  }

  #emit(type: string, fields: JsonObject): string {
    return sseNamed(type, { type, ...fields, sequence_number: this.#sequence++ });
  }
}

/** Where the open message's last content part is. */
function partAt(open: OpenMessage): { content_index: number; item_id: string; output_index: number } {
  return { content_index: open.item.content.length - 1, item_id: open.item.id, output_index: open.index };
}

/** A chat stream's `{error: {…}}` event, for the `error` event: its code, else its type. */
function upstreamError(error: JsonObject): StreamError {
  const type = typeof error.type === 'string' ? error.type : 'api_error';
  return {
    type,
    code: typeof error.code === 'string' ? error.code : type,
    message: typeof error.message === 'string' ? error.message : 'The provider reported an error mid-stream.',
    param: typeof error.param === 'string' ? error.param : null,
  };
}
