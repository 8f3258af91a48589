import { randomBytes } from 'node:crypto';

// A per-process random prefix plus a counter: unique, OpenAI-looking, and no crypto call per request.
const PREFIX = randomBytes(6).toString('hex');
let sequence = 0;

/**
 * A fresh ID such as `chatcmpl-mock3f9a…` for the given object prefix: OpenAI's `chatcmpl`, `call`, `req`;
 * Anthropic's `msg`, `toolu` (and `req` for `request-id`).
 */
export function nextId(prefix: 'chatcmpl' | 'call' | 'req' | 'msg' | 'toolu'): string {
  sequence += 1;
  const separator = prefix === 'chatcmpl' ? '-' : '_';
  return `${prefix}${separator}mock${PREFIX}${sequence.toString(36)}`;
}

/** The current time in Unix seconds, as OpenAI's `created` fields use. */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A fresh opaque ID without a prefix, like Gemini's `responseId`. */
export function nextOpaqueId(): string {
  sequence += 1;
  return `mock${PREFIX}${sequence.toString(36)}`;
}
