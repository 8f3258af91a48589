// The Gemini front door: an OpenAI chat.completion.chunk stream → `streamGenerateContent?alt=sse`. Each
// event is a whole GenerateContentResponse holding the new parts; the last one carries the function
// calls (Gemini sends a call whole, OpenAI in pieces), finishReason and usageMetadata. Gemini streams
// have no end marker: a stream that cannot end well ends with an error event, on which the SDK throws.
import type { Usage } from '@switchyard/core';
import type { GeminiErrorBody } from '../gemini/types.js';
import { isRecord, parseJson, type JsonObject } from '../json.js';
import { recordUsage } from '../openai.js';
import type { SseEvent } from '../sse.js';
import { TranslatingStream, type StreamEnd, type StreamTranslator, type TranslatingStreamOptions } from '../stream.js';
import { fromOpenAIStreamError, googleErrorBody } from './errors.js';
import { answerId, answerParts, chatUsage, functionCallPart, geminiFinishReason, usageMetadata } from './response.js';
import type { GeminiAnswerPart, GeminiResponse } from './types.js';

export interface GeminiStreamOptions extends TranslatingStreamOptions {
  /** The exact model ID that served: every event's `modelVersion`. */
  readonly model: string;
}

/** A Transform from OpenAI's chunk stream bytes to Gemini's SSE; pipe the upstream body through it. */
export function openAIToGeminiStream(options: GeminiStreamOptions): TranslatingStream {
  return new TranslatingStream(new OpenAIToGemini(options), options);
}

/** One event as Google writes them: `data:` and a CRLF pair. */
export function geminiEvent(value: GeminiResponse | GeminiErrorBody): string {
  return `data: ${JSON.stringify(value)}\r\n\r\n`;
}

/** A tool call being assembled from its chunks. */
interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

export class OpenAIToGemini implements StreamTranslator {
  readonly #model: string;
  #id: string | undefined;
  /** By the chunks' tool call index, in the order the calls began. */
  readonly #calls = new Map<number, PendingCall>();
  #finish: string | undefined;
  #usage: unknown;
  ended: StreamEnd | undefined;

  constructor(options: Pick<GeminiStreamOptions, 'model'>) {
    this.#model = options.model;
  }

  get usage(): Usage | undefined {
    const usage = chatUsage(this.#usage);
    return usage && recordUsage(usage);
  }

  event(event: SseEvent): string {
    if (event.data === '[DONE]') return this.#last();
    const data = parseJson(event.data);
    if (!isRecord(data)) return this.fail('an event is not JSON.');
    if (isRecord(data.error)) {
      this.ended = 'upstream_error';
      return geminiEvent(fromOpenAIStreamError(data));
    }
    this.#id ??= answerId(data);
    if (isRecord(data.usage)) this.#usage = data.usage;
    const choice = Array.isArray(data.choices) ? data.choices[0] : undefined;
    let out = '';
    if (isRecord(choice)) {
      const delta = isRecord(choice.delta) ? choice.delta : {};
      const text =
        (typeof delta.content === 'string' ? delta.content : '') + (typeof delta.refusal === 'string' ? delta.refusal : '');
      if (text !== '') out += geminiEvent(this.#response([{ text }]));
      if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) if (isRecord(call)) this.#toolCall(call);
      if (typeof choice.finish_reason === 'string') this.#finish = choice.finish_reason;
    }
    // OpenAI reports usage in a chunk of its own after the finish: the last event waits for it.
    if (this.#finish !== undefined && this.#usage !== undefined) out += this.#last();
    return out;
  }

  /** A stream that ends after its finish_reason, without usage or `[DONE]`, is complete all the same. */
  end(): string {
    if (this.#finish !== undefined) return this.#last();
    this.ended = 'incomplete';
    return geminiEvent(googleErrorBody(502, 'The provider stream ended before the answer was complete.'));
  }

  fail(why: string): string {
    this.ended = 'unreadable';
    return geminiEvent(googleErrorBody(502, `The provider stream could not be translated: ${why}`));
  }

  /**
   * Chunks name a call by `index`; servers that leave it out send each call whole, so a new id there
   * starts a new call and anything else continues the last one.
   */
  #toolCall(call: JsonObject): void {
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : undefined;
    let index: number;
    if (typeof call.index === 'number') index = call.index;
    else if (id !== undefined && ![...this.#calls.values()].some((c) => c.id === id)) index = this.#calls.size;
    else index = Math.max(this.#calls.size - 1, 0);
    let pending = this.#calls.get(index);
    if (!pending) this.#calls.set(index, (pending = { id: '', name: '', arguments: '' }));
    const fn = isRecord(call.function) ? call.function : {};
    if (id !== undefined && pending.id === '') pending.id = id;
    if (typeof fn.name === 'string' && pending.name === '') pending.name = fn.name;
    if (typeof fn.arguments === 'string') pending.arguments += fn.arguments;
  }

  /** The last event: the calls, whole, the finish reason and the usage. */
  #last(): string {
    this.ended = 'done';
    const calls: GeminiAnswerPart[] = [];
    for (const call of this.#calls.values()) {
      const part = functionCallPart({ id: call.id, function: { name: call.name, arguments: call.arguments } });
      if (part) calls.push(part);
    }
    const content = { parts: answerParts('', calls), role: 'model' } as const;
    const usage = usageMetadata(this.#usage);
    return geminiEvent({
      candidates: [{ content, finishReason: geminiFinishReason(this.#finish), index: 0 }],
      ...(usage ? { usageMetadata: usage } : {}),
      ...this.#stamp(),
    });
  }

  #response(parts: GeminiAnswerPart[]): GeminiResponse {
    return { candidates: [{ content: { parts, role: 'model' }, index: 0 }], ...this.#stamp() };
  }

  #stamp(): Pick<GeminiResponse, 'modelVersion' | 'responseId'> {
    this.#id ??= answerId({});
    return { modelVersion: this.#model, responseId: this.#id };
  }
}
