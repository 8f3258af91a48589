// The Transform that carries an upstream event stream through a translator, chunk by chunk.
import { Transform, type TransformCallback } from 'node:stream';
import type { Usage } from '@switchyard/core';
import { DEFAULT_MAX_EVENT_BYTES, SseEventTooLarge, SseParser, type SseEvent } from './sse.js';

/** How a translated stream ended for the client. */
export type StreamEnd =
  | 'done' // the answer completed
  | 'upstream_error' // the upstream sent an error event; the client got it as an error event
  | 'incomplete' // the upstream ended before the answer was complete; the client got an error event
  | 'unreadable'; // the upstream sent something that is not its event stream; the client got an error event

/** Turns one format's events into another's. Each call answers the text to send on ('' for none). */
export interface StreamTranslator {
  event(event: SseEvent): string;
  /** The upstream ended cleanly. */
  end(): string;
  /** The upstream stream cannot be read (`why` is for the client); ends the client stream with an error. */
  fail(why: string): string;
  /** Set once the client stream is over; later upstream events are ignored. */
  readonly ended: StreamEnd | undefined;
  /** Token usage, once the upstream has reported it; whether or not the client asked for it. */
  readonly usage: Usage | undefined;
}

export interface TranslatingStreamOptions {
  /** Longest single upstream event accepted. Default: 16 MiB. */
  readonly maxEventBytes?: number;
}

/**
 * Pipe the upstream body through it and it to the client: each upstream chunk yields the translation
 * of the events it completes, at once. Nothing but the one incomplete event is held back. The readable
 * side ends as soon as the client's answer is complete (or ended with an error event); later upstream
 * bytes are read and dropped.
 */
export class TranslatingStream extends Transform {
  readonly #parser: SseParser;
  readonly #translator: StreamTranslator;

  constructor(translator: StreamTranslator, options: TranslatingStreamOptions = {}) {
    super();
    this.#translator = translator;
    this.#parser = new SseParser(options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
  }

  /** How the client stream ended; `undefined` while it runs. */
  get ended(): StreamEnd | undefined {
    return this.#translator.ended;
  }

  /** The upstream's token usage, when it reported it. */
  get usage(): Usage | undefined {
    return this.#translator.usage;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#translator.ended === undefined) this.#emit(() => this.#parser.push(chunk), false);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#translator.ended === undefined) this.#emit(() => this.#parser.end(), true);
    callback();
  }

  #emit(read: () => SseEvent[], last: boolean): void {
    let out = '';
    try {
      for (const event of read()) {
        out += this.#translator.event(event);
        if (this.#translator.ended !== undefined) break;
      }
      if (last && this.#translator.ended === undefined) out += this.#translator.end();
    } catch (err) {
      out += this.#translator.fail(err instanceof SseEventTooLarge ? err.message : 'The provider stream could not be read.');
    }
    if (out !== '') this.push(out);
    // The client's answer is over: end it now rather than when the upstream closes.
    if (this.#translator.ended !== undefined) this.push(null);
  }
}
