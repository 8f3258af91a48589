// The one pass over an answer's bytes on their way to the client: its token usage, finish reasons and
// events, and — for a stream whose usage the gateway asked for on the client's behalf — the usage chunk
// the client did not ask for, dropped. Nothing is parsed but the few bytes that carry these facts.
import type { ProviderFormat, Usage } from '@switchyard/core';
import { mayCarryUsage, usageAfterEvent, usageIn } from '@switchyard/formats';
import { FinishReasons } from './finish-reasons.js';

/** How much of a JSON body's end is kept for its usage (OpenAI writes `usage` last), and the longest line held back. */
export const OBSERVED_LIMIT = 1024 * 1024;

export interface AnswerObserver {
  readonly kind: 'json' | 'stream';
  /** What of `chunk` the client gets now: `chunk` itself unless something in it is dropped or held back. */
  write(chunk: Buffer): Buffer;
  /** The answer ended (or was cut): what was held back, and the facts are final. */
  end(): Buffer;
  readonly usage: Usage | undefined;
  readonly finishReasons: readonly string[] | undefined;
  /** `data:` events the client got (0 for JSON). */
  readonly events: number;
  /** The answer's own ID: the first `"id"` in its first bytes (`chatcmpl-…`, `msg_…`, `resp_…`). */
  readonly responseId: string | undefined;
}

export interface ObserverOptions {
  readonly contentType: string | undefined;
  /** The wire format of the bytes observed: the client's. */
  readonly format: ProviderFormat;
  /** Where usage comes from when it is not in these bytes: the translator that read the upstream's own events. */
  readonly usage?: () => Usage | undefined;
  /** Drop OpenAI's usage-only chunk, which the gateway asked for and the client did not. */
  readonly hideUsageChunk?: boolean;
}

/** An observer for a JSON body or an event stream; `undefined` for anything else (passed on unread). */
export function answerObserver(options: ObserverOptions): AnswerObserver | undefined {
  const type = options.contentType?.toLowerCase() ?? '';
  if (type.startsWith('application/json')) return new JsonObserver(options);
  if (type.startsWith('text/event-stream')) return new EventStreamObserver(options);
  return undefined;
}

const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;
const DATA = Buffer.from('data:');

class JsonObserver implements AnswerObserver {
  readonly kind = 'json';
  readonly events = 0;
  readonly #id = new FirstId();
  readonly #finish: FinishReasons;
  readonly #usageFrom: (() => Usage | undefined) | undefined;
  #chunks: Buffer[] = [];
  #length = 0;
  #usage: Usage | undefined;

  constructor(options: ObserverOptions) {
    this.#finish = new FinishReasons(options.format);
    this.#usageFrom = options.usage;
  }

  write(chunk: Buffer): Buffer {
    this.#id.see(chunk);
    this.#finish.write(chunk);
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    while (this.#length - this.#chunks[0]!.length >= OBSERVED_LIMIT) this.#length -= this.#chunks.shift()!.length;
    return chunk;
  }

  end(): Buffer {
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    this.#chunks = [];
    this.#usage = this.#usageFrom ? this.#usageFrom() : usageIn(body);
    return EMPTY;
  }

  get usage(): Usage | undefined {
    return this.#usage;
  }

  get finishReasons(): readonly string[] | undefined {
    return this.#finish.reasons;
  }

  get responseId(): string | undefined {
    return this.#id.value;
  }
}

class EventStreamObserver implements AnswerObserver {
  readonly kind = 'stream';
  readonly #id = new FirstId();
  readonly #finish: FinishReasons;
  readonly #usageFrom: (() => Usage | undefined) | undefined;
  readonly #hide: boolean;
  /** The incomplete last line of what arrived so far. */
  #partial: Buffer | undefined;
  /** A usage chunk was dropped and the blank line ending its event has not been seen yet. */
  #dropBlank = false;
  /** Inside a line too long to read, until its newline. */
  #skipping = false;
  #usage: Usage | undefined;
  events = 0;

  constructor(options: ObserverOptions) {
    this.#finish = new FinishReasons(options.format);
    this.#usageFrom = options.usage;
    this.#hide = options.hideUsageChunk === true;
  }

  get usage(): Usage | undefined {
    return this.#usageFrom ? this.#usageFrom() : this.#usage;
  }

  get finishReasons(): readonly string[] | undefined {
    return this.#finish.reasons;
  }

  get responseId(): string | undefined {
    return this.#id.value;
  }

  write(chunk: Buffer): Buffer {
    this.#id.see(chunk);
    // Counted per chunk, so a `data:` split across two chunks is missed: good enough for an estimate.
    for (let at = chunk.indexOf(DATA); at !== -1; at = chunk.indexOf(DATA, at + DATA.length)) this.events++;
    const out: Buffer[] | undefined = this.#hide ? [] : undefined;
    let rest = chunk;
    if (this.#skipping) {
      const newline = rest.indexOf(NEWLINE);
      // Still inside a line too long to read: it passes on, unread.
      if (newline === -1) return chunk;
      this.#skipping = false;
      out?.push(rest.subarray(0, newline + 1));
      rest = rest.subarray(newline + 1);
    }
    const bytes = this.#partial ? Buffer.concat([this.#partial, rest]) : rest;
    const last = bytes.lastIndexOf(NEWLINE);
    if (last !== -1) {
      const complete = last === bytes.length - 1 ? bytes : bytes.subarray(0, last + 1);
      const kept = this.#lines(complete);
      out?.push(kept);
    }
    let partial = last === bytes.length - 1 ? EMPTY : bytes.subarray(last + 1);
    if (partial.length > OBSERVED_LIMIT) {
      // Too long to be anything we read: not held back any longer, and the rest of its line is skipped.
      out?.push(partial);
      partial = EMPTY;
      this.#skipping = true;
    }
    this.#partial = partial.length > 0 ? partial : undefined;
    if (!out) return chunk;
    return out.length === 1 ? out[0]! : out.length === 0 ? EMPTY : Buffer.concat(out);
  }

  end(): Buffer {
    const rest = this.#partial;
    this.#partial = undefined;
    if (!rest || this.#skipping) return EMPTY;
    const kept = this.#lines(rest);
    return this.#hide ? kept : EMPTY;
  }

  /** Reads complete lines; what the client gets of them (they all pass unless a usage chunk is hidden). */
  #lines(lines: Buffer): Buffer {
    const finish = this.#finish.mayHold(lines);
    const usage = !this.#usageFrom && mayCarryUsage(lines);
    const hiding = this.#hide && (this.#dropBlank || usage);
    if (!finish && !usage && !hiding) return lines;
    const kept: Buffer[] = [];
    let dropped = false;
    for (let start = 0; start < lines.length; ) {
      const newline = lines.indexOf(NEWLINE, start);
      const end = newline === -1 ? lines.length : newline + 1;
      const line = lines.subarray(start, end);
      start = end;
      if (hiding && this.#skip(line)) {
        dropped = true;
        continue;
      }
      if (!isData(line)) {
        kept.push(line);
        continue;
      }
      if (finish) this.#finish.scan(line);
      if (usage) this.#usage = usageAfterEvent(line, this.#usage);
      kept.push(line);
    }
    if (!dropped) return lines;
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  }

  /** Whether `line` is the gateway's usage chunk, or the blank line ending its event. */
  #skip(line: Buffer): boolean {
    const blank = this.#dropBlank && isBlank(line);
    this.#dropBlank = false;
    if (blank) return true;
    if (!isUsageChunk(line)) return false;
    // Its usage still counts: the gateway asked for it to price the call.
    this.#usage = usageAfterEvent(line, this.#usage);
    this.#dropBlank = true;
    return true;
  }
}

function isData(line: Buffer): boolean {
  return line[0] === 0x64 /* d */ && line.subarray(0, DATA.length).equals(DATA);
}

function isBlank(line: Buffer): boolean {
  return line[0] === NEWLINE || (line[0] === 0x0d && (line.length === 1 || line[1] === NEWLINE));
}

/** OpenAI's usage-only chunk: `"choices": []` with a `usage` object. */
function isUsageChunk(line: Buffer): boolean {
  if (!isData(line) || line.indexOf('"prompt_tokens"') === -1) return false;
  let chunk: unknown;
  try {
    chunk = JSON.parse(line.subarray(DATA.length).toString('utf8'));
  } catch {
    return false;
  }
  if (typeof chunk !== 'object' || chunk === null) return false;
  const { choices, usage } = chunk as { choices?: unknown; usage?: unknown };
  return Array.isArray(choices) && choices.length === 0 && typeof usage === 'object' && usage !== null;
}

const ID_KEY = Buffer.from('"id"');
/** How far into the answer its own ID is looked for: it leads every answer and first event. */
const ID_WITHIN = 512;
const ID_VALUE = /^\s*:\s*"([A-Za-z0-9_.:-]{1,128})"/;

/** The first `"id": "…"` of an answer, from the first bytes that arrive. */
class FirstId {
  value: string | undefined;
  #seen = 0;

  see(chunk: Buffer): void {
    if (this.value !== undefined || this.#seen >= ID_WITHIN) return;
    const head = chunk.subarray(0, ID_WITHIN - this.#seen);
    this.#seen += head.length;
    const at = head.indexOf(ID_KEY);
    if (at === -1) return;
    const match = ID_VALUE.exec(head.toString('latin1', at + ID_KEY.length, Math.min(head.length, at + ID_KEY.length + 160)));
    if (match) this.value = match[1];
  }
}
