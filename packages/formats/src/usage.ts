// Token usage as each wire format reports it, read from an answer's bytes without parsing the answer:
// only the small `usage` object is parsed, never the prompt or the completion.
import type { Usage } from '@switchyard/core';

// Chat and completions count `prompt_tokens`; the Responses API and Anthropic count `input_tokens`, and an
// Anthropic `message_delta` may count `output_tokens` alone. Bytes without any hold no usage: streamed
// chunks carry `"usage":null` until the last one.
export function mayCarryUsage(bytes: Buffer): boolean {
  return (
    bytes.indexOf('"prompt_tokens"') !== -1 || bytes.indexOf('"input_tokens"') !== -1 || bytes.indexOf('"output_tokens"') !== -1
  );
}

const USAGE_KEY = Buffer.from('"usage"');
const GEMINI_USAGE_KEY = Buffer.from('"usageMetadata"');

/**
 * The last `"usage": {…}` object in `bytes`, read alone. Inside JSON strings every quote is escaped, so
 * `"usage"` followed by `:` is always a key, never text the model wrote.
 */
export function usageIn(bytes: Buffer): Usage | undefined {
  return toUsage(usageObjectIn(bytes, (raw) => toUsage(raw) !== undefined)) ?? geminiUsageIn(bytes);
}

/** Gemini's `usageMetadata`: prompt (tool-use prompt included), candidates plus thoughts, cached content. */
function geminiUsageIn(bytes: Buffer): Usage | undefined {
  if (bytes.indexOf(GEMINI_USAGE_KEY) === -1) return undefined;
  const raw = usageObjectIn(bytes, isObject, GEMINI_USAGE_KEY);
  if (!isObject(raw)) return undefined;
  const prompt = count(raw, 'promptTokenCount');
  if (prompt === undefined) return undefined;
  const thoughts = count(raw, 'thoughtsTokenCount') ?? 0;
  const result: Writable<Usage> = {
    inputTokens: prompt + (count(raw, 'toolUsePromptTokenCount') ?? 0),
    outputTokens: (count(raw, 'candidatesTokenCount') ?? 0) + thoughts,
  };
  const cached = count(raw, 'cachedContentTokenCount');
  if (cached !== undefined) result.cachedInputTokens = cached;
  if (thoughts > 0) result.reasoningOutputTokens = thoughts;
  return result;
}

/** The last `"usage": {…}` object in `bytes` that `accept` takes (default: any object), parsed. */
function usageObjectIn(bytes: Buffer, accept: (raw: unknown) => boolean = isObject, key: Buffer = USAGE_KEY): unknown {
  for (let at = bytes.lastIndexOf(key); at !== -1; at = at === 0 ? -1 : bytes.lastIndexOf(key, at - 1)) {
    const open = valueStart(bytes, at + key.length);
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
 * `cache_read_input_tokens` and `cache_creation_input_tokens` (counted as input, and apart as
 * `cacheCreationInputTokens`); reasoning tokens from `completion_tokens_details` / `output_tokens_details`.
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
  const output = usage[chat ? 'completion_tokens_details' : 'output_tokens_details'];
  const reasoningOutputTokens = isObject(output) ? count(output, 'reasoning_tokens') : undefined;
  const result: Writable<Usage> = { inputTokens, outputTokens };
  if (cachedInputTokens !== undefined) result.cachedInputTokens = cachedInputTokens;
  if (!chat && cacheWrite !== undefined && cacheWrite > 0) result.cacheCreationInputTokens = cacheWrite;
  if (reasoningOutputTokens !== undefined && reasoningOutputTokens > 0) result.reasoningOutputTokens = reasoningOutputTokens;
  return result;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: Record<string, unknown>, name: string): number | undefined {
  const n = value[name];
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * The usage after one `data:` line of an event stream, given the usage reported before it: a line that
 * reports usage replaces it (streams report running totals); Anthropic's `message_delta` may report
 * `output_tokens` alone, which updates only that.
 */
export function usageAfterEvent(line: Buffer, before: Usage | undefined): Usage | undefined {
  if (!mayCarryUsage(line)) return before;
  const gemini = geminiUsageIn(line);
  if (gemini) return gemini;
  const raw = usageObjectIn(line);
  const reported = toUsage(raw);
  if (reported) return reported;
  const outputTokens = isObject(raw) ? count(raw, 'output_tokens') : undefined;
  return before && outputTokens !== undefined ? { ...before, outputTokens } : before;
}
