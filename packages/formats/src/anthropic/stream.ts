// Anthropic Messages event stream → OpenAI chat.completion.chunk stream, event by event.
import type { Usage } from '@switchyard/core';
import { count, isRecord, parseJson, type JsonObject } from '../json.js';
import { recordUsage, type FinishReason } from '../openai.js';
import { ChunkWriter, incompleteStreamError, unreadableStreamError, type ChunkStreamOptions } from '../openai-chunks.js';
import type { SseEvent } from '../sse.js';
import { TranslatingStream, type StreamEnd, type StreamTranslator } from '../stream.js';
import { fromAnthropicStreamError } from './errors.js';
import { chatUsage, finishReason } from './response.js';
import { JSON_TOOL_NAME } from './types.js';

/** A Transform from Anthropic's SSE bytes to OpenAI's; pipe the upstream body through it. */
export function anthropicToOpenAIStream(options: ChunkStreamOptions): TranslatingStream {
  return new TranslatingStream(new AnthropicToOpenAI(options), options);
}

export class AnthropicToOpenAI implements StreamTranslator {
  readonly #out: ChunkWriter;
  /** Anthropic content block index → index in OpenAI's `tool_calls`. */
  readonly #toolIndex = new Map<number, number>();
  /** The block of the forced JSON tool, whose input is streamed as content. */
  #jsonBlock: number | undefined;
  #stopReason: unknown = null;
  /** Anthropic's usage counters, merged: `message_delta` totals overwrite `message_start`'s. */
  readonly #usage: JsonObject = {};
  #reported = false;
  ended: StreamEnd | undefined;

  constructor(options: ChunkStreamOptions) {
    this.#out = new ChunkWriter(options);
  }

  get usage(): Usage | undefined {
    return this.#reported ? recordUsage(chatUsage(this.#usage)) : undefined;
  }

  event(event: SseEvent): string {
    const data = parseJson(event.data);
    if (!isRecord(data)) return this.fail('an event is not JSON.');
    switch (data.type) {
      case 'message_start': {
        const message = isRecord(data.message) ? data.message : {};
        this.#out.id = typeof message.id === 'string' ? message.id : '';
        this.#mergeUsage(message.usage);
        return this.#out.delta({ role: 'assistant', content: '' });
      }
      case 'content_block_start':
        return this.#blockStart(data);
      case 'content_block_delta':
        return this.#blockDelta(data);
      case 'message_delta':
        if (isRecord(data.delta) && data.delta.stop_reason !== undefined) this.#stopReason = data.delta.stop_reason;
        this.#mergeUsage(data.usage);
        return '';
      case 'message_stop':
        return this.#finish();
      case 'error':
        this.ended = 'upstream_error';
        return this.#out.error(fromAnthropicStreamError(data));
      default: // ping, content_block_stop, and event types added later
        return '';
    }
  }

  end(): string {
    this.ended = 'incomplete';
    return this.#out.error(incompleteStreamError('Anthropic'));
  }

  fail(why: string): string {
    this.ended = 'unreadable';
    return this.#out.error(unreadableStreamError('Anthropic', why));
  }

  #blockStart(data: JsonObject): string {
    const block = data.content_block;
    const index = data.index;
    if (!isRecord(block) || typeof index !== 'number') return '';
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
      return this.#out.delta({ content: block.text });
    }
    if (block.type !== 'tool_use' || typeof block.name !== 'string') return '';
    if (block.name === JSON_TOOL_NAME) {
      this.#jsonBlock = index;
      return '';
    }
    const toolIndex = this.#toolIndex.size;
    this.#toolIndex.set(index, toolIndex);
    return this.#out.delta({
      tool_calls: [{ index: toolIndex, id: String(block.id), type: 'function', function: { name: block.name, arguments: '' } }],
    });
  }

  #blockDelta(data: JsonObject): string {
    const delta = data.delta;
    if (!isRecord(delta)) return '';
    if (delta.type === 'text_delta' && typeof delta.text === 'string') return this.#out.delta({ content: delta.text });
    if (delta.type !== 'input_json_delta' || typeof delta.partial_json !== 'string' || delta.partial_json === '') return '';
    if (data.index === this.#jsonBlock) return this.#out.delta({ content: delta.partial_json });
    const toolIndex = this.#toolIndex.get(data.index as number);
    if (toolIndex === undefined) return '';
    return this.#out.delta({ tool_calls: [{ index: toolIndex, function: { arguments: delta.partial_json } }] });
  }

  #finish(): string {
    this.ended = 'done';
    const reason: FinishReason = finishReason(this.#stopReason, this.#jsonBlock !== undefined && this.#toolIndex.size === 0);
    return this.#out.finish(reason) + this.#out.done(chatUsage(this.#usage));
  }

  #mergeUsage(usage: unknown): void {
    if (!isRecord(usage)) return;
    for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens']) {
      const n = count(usage[key]);
      if (n !== undefined) {
        this.#usage[key] = n;
        this.#reported = true;
      }
    }
  }
}
