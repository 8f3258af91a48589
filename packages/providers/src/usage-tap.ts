// Reads token usage from a response body as it passes, without holding the stream up or copying it:
// it keeps references to the chunks it needs and, at most once per usage report, parses the small
// `usage` object alone, never the whole answer.
import type { Usage } from '@switchyard/core';

/** How much of a JSON body's end the tap keeps (OpenAI writes `usage` last), and the longest SSE line it reads. */
export const USAGE_TAP_LIMIT = 1024 * 1024;

export interface UsageTap {
  /** Sees one chunk as it passes; never throws. */
  write(chunk: Buffer): void;
  /** The usage the body reported, once it has ended. */
  end(): Usage | undefined;
}

/** A tap for the response's content type, or `undefined` for bodies that carry no usage we can read. */
export function usageTap(contentType: string | undefined): UsageTap | undefined {
  const type = contentType?.toLowerCase() ?? '';
  if (type.startsWith('application/json')) return new JsonTap();
  if (type.startsWith('text/event-stream')) return new EventStreamTap();
  return undefined;
}

class JsonTap implements UsageTap {
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

  write(chunk: Buffer): void {
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

  /** Complete lines; the last `data:` line that reports usage wins (it is the total). */
  #scan(lines: Buffer): void {
    if (!mayCarryUsage(lines)) return;
    for (let start = 0; start < lines.length; ) {
      const newline = lines.indexOf(NEWLINE, start);
      const end = newline === -1 ? lines.length : newline;
      const line = lines.subarray(start, end);
      if (line.subarray(0, DATA.length).equals(DATA) && mayCarryUsage(line)) this.#usage = usageIn(line) ?? this.#usage;
      start = end + 1;
    }
  }
}

// Chat and completions count `prompt_tokens`; the Responses API counts `input_tokens`. Bytes without
// either hold no usage: streamed chunks carry `"usage":null` until the last one.
function mayCarryUsage(bytes: Buffer): boolean {
  return bytes.indexOf('"prompt_tokens"') !== -1 || bytes.indexOf('"input_tokens"') !== -1;
}

const USAGE_KEY = Buffer.from('"usage"');

/**
 * The last `"usage": {…}` object in `bytes`, read alone. Inside JSON strings every quote is escaped, so
 * `"usage"` followed by `:` is always a key, never text the model wrote.
 */
export function usageIn(bytes: Buffer): Usage | undefined {
  for (let at = bytes.lastIndexOf(USAGE_KEY); at !== -1; at = at === 0 ? -1 : bytes.lastIndexOf(USAGE_KEY, at - 1)) {
    const open = valueStart(bytes, at + USAGE_KEY.length);
    if (open === -1 || bytes[open] !== 0x7b /* { */) continue;
    const close = objectEnd(bytes, open);
    const usage = close === -1 ? undefined : toUsage(parseJson(bytes.subarray(open, close + 1)));
    if (usage) return usage;
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
 * OpenAI's usage object: `prompt_tokens`, `completion_tokens`, `prompt_tokens_details.cached_tokens`,
 * or the Responses API's `input_tokens`, `output_tokens`, `input_tokens_details.cached_tokens`.
 */
function toUsage(usage: unknown): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const chat = count(usage, 'prompt_tokens') !== undefined;
  const inputTokens = count(usage, chat ? 'prompt_tokens' : 'input_tokens');
  if (inputTokens === undefined) return undefined;
  const outputTokens = count(usage, chat ? 'completion_tokens' : 'output_tokens') ?? 0;
  const details = usage[chat ? 'prompt_tokens_details' : 'input_tokens_details'];
  const cachedInputTokens = isObject(details) ? count(details, 'cached_tokens') : undefined;
  return cachedInputTokens === undefined ? { inputTokens, outputTokens } : { inputTokens, outputTokens, cachedInputTokens };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: Record<string, unknown>, name: string): number | undefined {
  const n = value[name];
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
