// A push parser for server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html):
// bytes go in as they arrive, split anywhere; complete events come out. Between calls it holds only the
// event being read: its fields so far and the unfinished line.
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** The `event:` field, when the event had one. */
  readonly event?: string;
  /** The `data:` lines, joined with `\n`. */
  readonly data: string;
}

/** The largest event the parsers accept by default: far above any real one, small enough to bound memory. */
export const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;

/** Thrown by {@link SseParser.push} when one event grows past the limit. */
export class SseEventTooLarge extends Error {
  override readonly name = 'SseEventTooLarge';
}

const LF = 10;
const CR = 13;

export class SseParser {
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxChars: number;
  /** The line the last chunk ended in. */
  #line = '';
  /** The last chunk ended in CR: a LF opening the next one belongs to it. */
  #skipLf = false;
  #event: string | undefined;
  #data: string | undefined;

  /** @param maxEventBytes Longest event accepted (UTF-16 units, close to bytes). Default: {@link DEFAULT_MAX_EVENT_BYTES}. */
  constructor(maxEventBytes: number = DEFAULT_MAX_EVENT_BYTES) {
    this.#maxChars = maxEventBytes;
  }

  /** The events that `chunk` completes, in order. */
  push(chunk: Buffer | string): SseEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const events: SseEvent[] = [];
    let at = 0;
    if (this.#skipLf && text.length > 0) {
      if (text.charCodeAt(0) === LF) at = 1;
      this.#skipLf = false;
    }
    let cr = text.indexOf('\r', at);
    let lf = text.indexOf('\n', at);
    while (cr !== -1 || lf !== -1) {
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      const line = this.#line === '' ? text.slice(at, end) : this.#line + text.slice(at, end);
      this.#line = '';
      this.#takeLine(line, events);
      at = end + 1;
      if (text.charCodeAt(end) === CR) {
        if (at === text.length) this.#skipLf = true;
        else if (text.charCodeAt(at) === LF) at += 1;
      }
      if (cr !== -1 && cr < at) cr = text.indexOf('\r', at);
      if (lf !== -1 && lf < at) lf = text.indexOf('\n', at);
    }
    if (at < text.length) this.#line += text.slice(at);
    if (this.#line.length + (this.#data?.length ?? 0) > this.#maxChars) {
      throw new SseEventTooLarge(`An event is longer than ${this.#maxChars} characters.`);
    }
    return events;
  }

  /**
   * The stream ended: the event still being read, if it has data. The standard drops an event the
   * stream ends inside of; servers that omit the last blank line would lose their final event.
   */
  end(): SseEvent[] {
    const events = this.push(this.#decoder.end());
    if (this.#line !== '') this.#takeLine(this.#line, events);
    this.#line = '';
    this.#takeLine('', events);
    return events;
  }

  #takeLine(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data !== undefined) {
        events.push(this.#event === undefined ? { data: this.#data } : { event: this.#event, data: this.#data });
      }
      this.#event = undefined;
      this.#data = undefined;
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return; // a comment
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* space */) value = value.slice(1);
    if (field === 'data') this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
    else if (field === 'event') this.#event = value;
    // id and retry mean nothing to a translation.
  }
}

/** One `data:` event. */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** One named event, the way Anthropic writes them. */
export function sseNamed(event: string, value: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(value)}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';
