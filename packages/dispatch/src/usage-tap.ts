// Reads token usage from a response body as it passes, without holding the stream up or copying it:
// it keeps references to the chunks it needs and, at most once per usage report, parses the small
// `usage` object alone, never the whole answer. Also: the filter that hides the usage chunk of an OpenAI
// stream from a client that did not ask for it (the gateway asks on its behalf, to price the call).
import type { Usage } from '@switchyard/core';

/** How much of a JSON body's end the tap keeps (OpenAI writes `usage` last), and the longest SSE line it reads. */
export const USAGE_TAP_LIMIT = 1024 * 1024;

export interface UsageTap {
  /** Sees one chunk as it passes; never throws. */
  write(chunk: Buffer): void;
  /** The usage the body reported, once it has ended (or what it reported so far, when it was cut). */
  end(): Usage | undefined;
  /** `data:` events seen so far (0 for JSON bodies): what a cut stream delivered. */
  readonly events: number;
}

/** A tap for the response's content type, or `undefined` for bodies that carry no usage we can read. */
export function usageTap(contentType: string | undefined): UsageTap | undefined {
  const type = contentType?.toLowerCase() ?? '';
  if (type.startsWith('application/json')) return new JsonTap();
  if (type.startsWith('text/event-stream')) return new EventStreamTap();
  return undefined;
}

class JsonTap implements UsageTap {
  readonly events = 0;
  #chunks: Buffer[] = [];
  #length = 0;

  write(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    while (this.#length - this.#chunks[0]!.length >= USAGE_TAP_LIMIT) this.#length -= this.#chunks.shift()!.length;
  }

  end(): Usage | undefined {
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    return usageIn(body);
  }
}

const NEWLINE = 0x0a;
const DATA = Buffer.from('data:');

class EventStreamTap implements UsageTap {
  /** The pieces of the line the last chunk ended in; `undefined` while a line too long to read is skipped. */
  #partial: Buffer[] | undefined = [];
  #partialLength = 0;
  #usage: Usage | undefined;
  events = 0;

  write(chunk: Buffer): void {
    // Counted per chunk, so a `data:` split across two chunks is missed: good enough for an estimate.
    for (let at = chunk.indexOf(DATA); at !== -1; at = chunk.indexOf(DATA, at + DATA.length)) this.events++;
    const first = chunk.indexOf(NEWLINE);
    if (first === -1) {
      this.#keepPartial(chunk);
      return;
    }
    if (this.#partial) {
      const head = chunk.subarray(0, first);
      // Only a line that started in an earlier chunk is ever copied.
      this.#scan(this.#partialLength === 0 ? head : Buffer.concat([...this.#partial, head]));
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last > first) this.#scan(chunk.subarray(first + 1, last));
    this.#partial = [chunk.subarray(last + 1)];
    this.#partialLength = chunk.length - last - 1;
  }

  end(): Usage | undefined {
    if (this.#partial) this.#scan(Buffer.concat(this.#partial));
    return this.#usage;
  }

  #keepPartial(chunk: Buffer): void {
    if (!this.#partial) return;
    this.#partial.push(chunk);
    this.#partialLength += chunk.length;
    if (this.#partialLength > USAGE_TAP_LIMIT) this.#partial = undefined;
  }

  /**
   * Complete lines; the last `data:` line that reports usage wins (it is the total). Anthropic reports
   * input tokens in `message_start` and the output total in `message_delta`, which may carry only that.
   */
  #scan(lines: Buffer): void {
    if (!mayCarryUsage(lines)) return;
    for (let start = 0; start < lines.length; ) {
      const newline = lines.indexOf(NEWLINE, start);
      const end = newline === -1 ? lines.length : newline;
      const line = lines.subarray(start, end);
      if (line.subarray(0, DATA.length).equals(DATA) && mayCarryUsage(line)) {
        const raw = usageObjectIn(line);
        const outputTokens = isObject(raw) ? count(raw, 'output_tokens') : undefined;
        this.#usage =
          toUsage(raw) ?? (this.#usage && outputTokens !== undefined ? { ...this.#usage, outputTokens } : this.#usage);
      }
      start = end + 1;
    }
  }
}

/**
 * The tap of an answer the gateway translated: the translator read the usage from the upstream's own
 * events, so this one only counts the `data:` events the client got.
 */
export class TranslatedStreamTap implements UsageTap {
  readonly #usage: () => Usage | undefined;
  events = 0;

  constructor(usage: () => Usage | undefined) {
    this.#usage = usage;
  }

  write(chunk: Buffer): void {
    for (let at = chunk.indexOf(DATA); at !== -1; at = chunk.indexOf(DATA, at + DATA.length)) this.events++;
  }

  end(): Usage | undefined {
    return this.#usage();
  }
}

// Chat and completions count `prompt_tokens`; the Responses API and Anthropic count `input_tokens`, and an
// Anthropic `message_delta` may count `output_tokens` alone. Bytes without any hold no usage: streamed
// chunks carry `"usage":null` until the last one.
function mayCarryUsage(bytes: Buffer): boolean {
  return (
    bytes.indexOf('"prompt_tokens"') !== -1 || bytes.indexOf('"input_tokens"') !== -1 || bytes.indexOf('"output_tokens"') !== -1
  );
}

const USAGE_KEY = Buffer.from('"usage"');

/**
 * The last `"usage": {…}` object in `bytes`, read alone. Inside JSON strings every quote is escaped, so
 * `"usage"` followed by `:` is always a key, never text the model wrote.
 */
export function usageIn(bytes: Buffer): Usage | undefined {
  return toUsage(usageObjectIn(bytes, (raw) => toUsage(raw) !== undefined));
}

/** The last `"usage": {…}` object in `bytes` that `accept` takes (default: any object), parsed. */
function usageObjectIn(bytes: Buffer, accept: (raw: unknown) => boolean = isObject): unknown {
  for (let at = bytes.lastIndexOf(USAGE_KEY); at !== -1; at = at === 0 ? -1 : bytes.lastIndexOf(USAGE_KEY, at - 1)) {
    const open = valueStart(bytes, at + USAGE_KEY.length);
    if (open === -1 || bytes[open] !== 0x7b /* { */) continue;
    const close = objectEnd(bytes, open);
    const raw = close === -1 ? undefined : parseJson(bytes.subarray(open, close + 1));
    if (accept(raw)) return raw;
  }
  return undefined;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Index of the value after `:` (and JSON whitespace), or -1 when no colon follows. */
function valueStart(bytes: Buffer, from: number): number {
  let i = from;
  while (isSpace(bytes[i])) i++;
  if (bytes[i] !== 0x3a /* : */) return -1;
  i++;
  while (isSpace(bytes[i])) i++;
  return i < bytes.length ? i : -1;
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Index of the `}` closing the object that opens at `open`, or -1 when the bytes end first. */
function objectEnd(bytes: Buffer, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c /* \ */) i++;
      else if (byte === 0x22 /* " */) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b) depth++;
    else if (byte === 0x7d /* } */ && --depth === 0) return i;
  }
  return -1;
}

/**
 * One usage object, normalised so that `inputTokens` counts every prompt token and `cachedInputTokens`
 * those read from a cache: OpenAI chat's `prompt_tokens`, `completion_tokens`,
 * `prompt_tokens_details.cached_tokens`; the Responses API's `input_tokens`, `output_tokens`,
 * `input_tokens_details.cached_tokens`; Anthropic's `input_tokens` (without the cache), `output_tokens`,
 * `cache_read_input_tokens` and `cache_creation_input_tokens` (counted as input at the input price).
 */
export function toUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const chat = count(usage, 'prompt_tokens') !== undefined;
  let inputTokens = count(usage, chat ? 'prompt_tokens' : 'input_tokens');
  if (inputTokens === undefined) return undefined;
  const outputTokens = count(usage, chat ? 'completion_tokens' : 'output_tokens') ?? 0;
  const details = usage[chat ? 'prompt_tokens_details' : 'input_tokens_details'];
  let cachedInputTokens = isObject(details) ? count(details, 'cached_tokens') : undefined;
  const cacheRead = count(usage, 'cache_read_input_tokens');
  const cacheWrite = count(usage, 'cache_creation_input_tokens');
  if (!chat && (cacheRead !== undefined || cacheWrite !== undefined)) {
    inputTokens += (cacheRead ?? 0) + (cacheWrite ?? 0);
    cachedInputTokens = cacheRead;
  }
  return cachedInputTokens === undefined ? { inputTokens, outputTokens } : { inputTokens, outputTokens, cachedInputTokens };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: Record<string, unknown>, name: string): number | undefined {
  const n = value[name];
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Passes an OpenAI event stream through unchanged except for the usage-only chunk (`"choices": []` with a
 * `usage` object) and the blank line ending its event: what the gateway asked for with
 * `stream_options.include_usage` on behalf of a client that did not. Holds back only an incomplete last
 * line, which the client could not have read yet either; copies a chunk only when it drops something.
 */
export class UsageChunkFilter {
  #partial: Buffer | undefined;
  /** A usage chunk was dropped and the blank line ending its event has not been seen yet. */
  #dropBlank = false;

  /** What of `chunk` (after what was held back) the client gets now; may be empty. */
  push(chunk: Buffer): Buffer {
    const bytes = this.#partial ? Buffer.concat([this.#partial, chunk]) : chunk;
    let last = bytes.lastIndexOf(NEWLINE);
    // A line too long to be a usage chunk is not held back any longer.
    if (bytes.length - last - 1 > USAGE_TAP_LIMIT) last = bytes.length - 1;
    this.#partial = last === bytes.length - 1 ? undefined : bytes.subarray(last + 1);
    const complete = last === bytes.length - 1 ? bytes : bytes.subarray(0, last + 1);
    if (!this.#dropBlank && complete.indexOf('"prompt_tokens"') === -1) return complete;
    return this.#filter(complete);
  }

  /** What was held back, once the stream has ended. */
  end(): Buffer {
    const rest = this.#partial;
    this.#partial = undefined;
    return rest ? this.#filter(rest) : EMPTY;
  }

  #filter(lines: Buffer): Buffer {
    const kept: Buffer[] = [];
    for (let start = 0; start < lines.length; ) {
      const newline = lines.indexOf(NEWLINE, start);
      const end = newline === -1 ? lines.length : newline + 1;
      const line = lines.subarray(start, end);
      start = end;
      const blank = this.#dropBlank && isBlank(line);
      this.#dropBlank = false;
      if (blank) continue;
      if (isUsageChunk(line)) {
        this.#dropBlank = true;
        continue;
      }
      kept.push(line);
    }
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  }
}

const EMPTY = Buffer.alloc(0);

function isBlank(line: Buffer): boolean {
  return line[0] === NEWLINE || (line[0] === 0x0d && (line.length === 1 || line[1] === NEWLINE));
}

function isUsageChunk(line: Buffer): boolean {
  if (!line.subarray(0, DATA.length).equals(DATA) || line.indexOf('"prompt_tokens"') === -1) return false;
  const chunk = parseJson(line.subarray(DATA.length));
  return isObject(chunk) && Array.isArray(chunk.choices) && chunk.choices.length === 0 && isObject(chunk.usage);
}
