// Gemini `streamGenerateContent?alt=sse` events → OpenAI chat.completion.chunk stream, event by event.
// Every Gemini event is a partial GenerateContentResponse; there is no end event: the stream is
// complete when a finishReason arrived and the upstream ended.
import type { Usage } from '@switchyard/core';
import { isRecord, parseJson } from '../json.js';
import { recordUsage, type FinishReason } from '../openai.js';
import { ChunkWriter, incompleteStreamError, unreadableStreamError, type ChunkStreamOptions } from '../openai-chunks.js';
import type { SseEvent } from '../sse.js';
import { TranslatingStream, type StreamEnd, type StreamTranslator } from '../stream.js';
import { geminiErrorBody } from './errors.js';
import { firstCandidate, geminiFinishReason, geminiUsage, readParts, responseId } from './response.js';

/** A Transform from Gemini's SSE bytes to OpenAI's; pipe the upstream body through it. */
export function geminiToOpenAIStream(options: ChunkStreamOptions): TranslatingStream {
  return new TranslatingStream(new GeminiToOpenAI(options), options);
}

export class GeminiToOpenAI implements StreamTranslator {
  readonly #out: ChunkWriter;
  #started = false;
  #toolCalls = 0;
  #finish: FinishReason | undefined;
  #usage: unknown;
  ended: StreamEnd | undefined;

  constructor(options: ChunkStreamOptions) {
    this.#out = new ChunkWriter(options);
  }

  get usage(): Usage | undefined {
    return this.#usage === undefined ? undefined : recordUsage(geminiUsage(this.#usage));
  }

  event(event: SseEvent): string {
    const data = parseJson(event.data);
    if (!isRecord(data)) return this.fail('an event is not JSON.');
    if (isRecord(data.error)) {
      this.ended = 'upstream_error';
      return this.#out.error(geminiErrorBody(data, 500));
    }
    let out = '';
    if (!this.#started) {
      this.#started = true;
      this.#out.id = responseId(data);
      out += this.#out.delta({ role: 'assistant', content: '' });
    }
    if (data.usageMetadata !== undefined) this.#usage = data.usageMetadata;
    if (this.#finish !== undefined) return out; // usage-only events after the finish
    const { text, toolCalls } = readParts(firstCandidate(data), this.#out.id, this.#toolCalls);
    if (text !== null && text !== '') out += this.#out.delta({ content: text });
    for (const call of toolCalls) {
      out += this.#out.delta({ tool_calls: [{ index: this.#toolCalls++, ...call }] });
    }
    this.#finish = geminiFinishReason(data, this.#toolCalls > 0);
    if (this.#finish !== undefined) out += this.#out.finish(this.#finish);
    return out;
  }

  end(): string {
    if (this.#finish === undefined) {
      this.ended = 'incomplete';
      return this.#out.error(incompleteStreamError('Gemini'));
    }
    this.ended = 'done';
    return this.#out.done(geminiUsage(this.#usage));
  }

  fail(why: string): string {
    this.ended = 'unreadable';
    return this.#out.error(unreadableStreamError('Gemini', why));
  }
}
