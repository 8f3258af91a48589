// The `/v1/messages` front door: an OpenAI chat.completion.chunk stream → Anthropic's event stream:
// message_start, then per content block content_block_start / _delta… / _stop, then message_delta
// (stop reason and usage) and message_stop.
import type { Usage } from '@switchyard/core';
import type { AnthropicErrorBody, AnthropicStopReason } from '../anthropic/types.js';
import { isRecord, parseJson, type JsonObject } from '../json.js';
import type { SseEvent } from '../sse.js';
import { sseNamed } from '../sse.js';
import { TranslatingStream, type StreamEnd, type StreamTranslator, type TranslatingStreamOptions } from '../stream.js';
import { anthropicUsage, stopReason } from './response.js';

export interface MessageStreamOptions extends TranslatingStreamOptions {
  /** The exact model ID that served: the Message's `model`. */
  readonly model: string;
}

/** A Transform from OpenAI's chunk stream bytes to Anthropic's event stream; pipe the upstream body through it. */
export function openAIToAnthropicStream(options: MessageStreamOptions): TranslatingStream {
  return new TranslatingStream(new OpenAIToAnthropic(options), options);
}

const ERROR_TYPES: ReadonlySet<string> = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'overloaded_error',
]);

export class OpenAIToAnthropic implements StreamTranslator {
  readonly #model: string;
  #started = false;
  /** Index of the open content block, -1 before the first. */
  #block = -1;
  #blockOpen = false;
  #textBlock: number | undefined;
  /** OpenAI tool call index → Anthropic content block index. */
  readonly #toolBlocks = new Map<number, number>();
  #finish: unknown;
  #usage: unknown;
  ended: StreamEnd | undefined;

  constructor(options: Pick<MessageStreamOptions, 'model'>) {
    this.#model = options.model;
  }

  get usage(): Usage | undefined {
    if (!isRecord(this.#usage)) return undefined;
    const u = anthropicUsage(this.#usage);
    const cached = u.cache_read_input_tokens ?? 0;
    return { inputTokens: u.input_tokens + cached, outputTokens: u.output_tokens, cachedInputTokens: cached };
  }

  event(event: SseEvent): string {
    if (event.data === '[DONE]') return this.#finishMessage();
    const data = parseJson(event.data);
    if (!isRecord(data)) return this.fail('an event is not JSON.');
    if (isRecord(data.error)) {
      this.ended = 'upstream_error';
      const type = typeof data.error.type === 'string' && ERROR_TYPES.has(data.error.type) ? data.error.type : 'api_error';
      const message = typeof data.error.message === 'string' ? data.error.message : 'The provider reported an error mid-stream.';
      return this.#error({ type: 'error', error: { type, message } });
    }
    let out = '';
    if (!this.#started) out += this.#messageStart(typeof data.id === 'string' ? data.id : '');
    if (isRecord(data.usage)) this.#usage = data.usage;
    const choice = Array.isArray(data.choices) ? data.choices[0] : undefined;
    if (!isRecord(choice)) return out;
    const delta = isRecord(choice.delta) ? choice.delta : {};
    for (const text of [delta.content, delta.refusal]) {
      if (typeof text === 'string' && text !== '') out += this.#text(text);
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) if (isRecord(call)) out += this.#toolCall(call);
    }
    if (typeof choice.finish_reason === 'string') this.#finish = choice.finish_reason;
    return out;
  }

  /** A stream that ends after its finish_reason but without `[DONE]` is complete all the same. */
  end(): string {
    if (this.#finish !== undefined) return this.#finishMessage();
    this.ended = 'incomplete';
    const message = 'The provider stream ended before the answer was complete.';
    return this.#error({ type: 'error', error: { type: 'api_error', message } });
  }

  fail(why: string): string {
    this.ended = 'unreadable';
    return this.#error({
      type: 'error',
      error: { type: 'api_error', message: `The provider stream could not be translated: ${why}` },
    });
  }

  #messageStart(id: string): string {
    this.#started = true;
    // OpenAI reports usage only at the end: message_delta carries the real input count.
    return sseNamed('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: this.#model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  #text(text: string): string {
    let out = '';
    if (this.#textBlock === undefined || this.#textBlock !== this.#block) {
      out += this.#startBlock({ type: 'text', text: '' });
      this.#textBlock = this.#block;
    }
    return (
      out +
      sseNamed('content_block_delta', { type: 'content_block_delta', index: this.#block, delta: { type: 'text_delta', text } })
    );
  }

  #toolCall(call: JsonObject): string {
    const index = typeof call.index === 'number' ? call.index : 0;
    const fn = isRecord(call.function) ? call.function : {};
    let out = '';
    let block = this.#toolBlocks.get(index);
    if (block === undefined) {
      out += this.#startBlock({ type: 'tool_use', id: String(call.id ?? ''), name: String(fn.name ?? ''), input: {} });
      block = this.#block;
      this.#toolBlocks.set(index, block);
    }
    if (typeof fn.arguments === 'string' && fn.arguments !== '') {
      const delta = { type: 'input_json_delta', partial_json: fn.arguments };
      out += sseNamed('content_block_delta', { type: 'content_block_delta', index: block, delta });
    }
    return out;
  }

  #startBlock(contentBlock: JsonObject): string {
    const out = this.#stopBlock();
    this.#block += 1;
    this.#blockOpen = true;
    return (
      out + sseNamed('content_block_start', { type: 'content_block_start', index: this.#block, content_block: contentBlock })
    );
  }

  #stopBlock(): string {
    if (!this.#blockOpen) return '';
    this.#blockOpen = false;
    return sseNamed('content_block_stop', { type: 'content_block_stop', index: this.#block });
  }

  #finishMessage(): string {
    this.ended = 'done';
    const out = (this.#started ? '' : this.#messageStart('')) + this.#stopBlock();
    const reason: AnthropicStopReason = stopReason(this.#finish);
    const usage = anthropicUsage(this.#usage);
    return (
      out +
      sseNamed('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: reason, stop_sequence: null },
        usage: {
          input_tokens: usage.input_tokens,
          output_tokens: usage.output_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
        },
      }) +
      sseNamed('message_stop', { type: 'message_stop' })
    );
  }

  #error(body: AnthropicErrorBody): string {
    return sseNamed('error', body);
  }
}
