// The prompt's text pieces, measured one by one: by tokens for `input_tokens`, by UTF-8 bytes for its bound.
// Both walk the same pieces and add the same overheads, and a token is at least one byte, so count <= bound.

/** Measures one text piece: its token count, or its UTF-8 byte length. */
export type Measure = (text: string) => number;

/** Tokens each message (or `/responses` input item) adds around its content, as OpenAI counts them. */
export const TOKENS_PER_MESSAGE = 3;
/** Tokens a message's `name` adds besides its text. */
export const TOKENS_PER_NAME = 1;
/** Tokens that prime the assistant's reply, once per conversation. */
export const REPLY_PRIMING_TOKENS = 3;

export const utf8Bytes: Measure = (text) => Buffer.byteLength(text, 'utf8');

type Body = Readonly<Record<string, unknown>>;

/**
 * The size of everything the model reads as prompt: `system` (string or text blocks), `instructions`,
 * every message's text, name and tool calls, `prompt` and `input` (strings, token-ID arrays or
 * `/responses` items), Gemini's `contents` and `systemInstruction` parts (text, function calls and
 * responses), and `tools`/`functions` definitions as JSON, plus per-message overheads.
 * Token-ID arrays count one per ID under both measures. Images, audio and files are not counted.
 */
export function promptSize(body: Body, measure: Measure): number {
  let size = 0;
  let turns = 0;
  size += contentSize(body.system, measure, 0);
  if (typeof body.instructions === 'string') size += measure(body.instructions);
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      size += itemSize(message, measure);
      turns++;
    }
  }
  size += promptInputSize(body.prompt, measure);
  if (Array.isArray(body.input)) {
    for (const item of body.input) {
      if (isObject(item)) {
        size += itemSize(item, measure);
        turns++;
      } else {
        size += promptInputSize(item, measure);
      }
    }
  } else {
    size += promptInputSize(body.input, measure);
  }
  if (Array.isArray(body.contents)) {
    for (const content of body.contents) {
      size += TOKENS_PER_MESSAGE + (isObject(content) ? partsSize(content.parts, measure) : 0);
      turns++;
    }
  }
  if (isObject(body.systemInstruction)) size += partsSize(body.systemInstruction.parts, measure);
  size += definitionsSize(body.tools, measure) + definitionsSize(body.functions, measure);
  return turns > 0 ? size + REPLY_PRIMING_TOKENS : size;
}

/** Gemini parts: text, and function calls and responses as JSON. */
function partsSize(parts: unknown, measure: Measure): number {
  if (!Array.isArray(parts)) return 0;
  let size = 0;
  for (const part of parts) {
    if (!isObject(part)) continue;
    if (typeof part.text === 'string') size += measure(part.text);
    else if (isObject(part.functionCall)) size += measure(JSON.stringify(part.functionCall));
    else if (isObject(part.functionResponse)) size += measure(JSON.stringify(part.functionResponse));
  }
  return size;
}

/** A chat message, an Anthropic message or a `/responses` input item. */
function itemSize(item: unknown, measure: Measure): number {
  if (!isObject(item)) return 0;
  let size = TOKENS_PER_MESSAGE + contentSize(item.content, measure, 0);
  if (typeof item.name === 'string') size += measure(item.name) + TOKENS_PER_NAME;
  // `/responses` items that are not messages: function calls and their outputs.
  if (typeof item.arguments === 'string') size += measure(item.arguments);
  if (typeof item.output === 'string') size += measure(item.output);
  if (Array.isArray(item.tool_calls)) {
    for (const call of item.tool_calls) {
      const fn = isObject(call) ? call.function : undefined;
      if (!isObject(fn)) continue;
      if (typeof fn.name === 'string') size += measure(fn.name);
      if (typeof fn.arguments === 'string') size += measure(fn.arguments);
    }
  }
  return size;
}

/** A string, or an array of content parts/blocks: text, Anthropic `tool_use` input and `tool_result` content. */
function contentSize(content: unknown, measure: Measure, depth: number): number {
  if (typeof content === 'string') return measure(content);
  if (!Array.isArray(content)) return 0;
  let size = 0;
  for (const part of content) {
    if (!isObject(part)) continue;
    if (typeof part.text === 'string') size += measure(part.text);
    else if (part.type === 'tool_use' && part.input !== undefined) size += measure(JSON.stringify(part.input));
    // tool_result blocks nest content one level; deeper nesting is not a valid request.
    else if (part.type === 'tool_result' && depth === 0) size += contentSize(part.content, measure, 1);
  }
  return size;
}

/** `prompt`/`input` of completions and embeddings: a string, token IDs, or a list of either. */
function promptInputSize(input: unknown, measure: Measure): number {
  if (typeof input === 'string') return measure(input);
  if (typeof input === 'number') return 1;
  if (!Array.isArray(input)) return 0;
  let size = 0;
  for (const entry of input) {
    if (typeof entry === 'string') size += measure(entry);
    else if (typeof entry === 'number') size += 1;
    else if (Array.isArray(entry)) size += entry.length;
  }
  return size;
}

function definitionsSize(definitions: unknown, measure: Measure): number {
  return Array.isArray(definitions) && definitions.length > 0 ? measure(JSON.stringify(definitions)) : 0;
}

export function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
