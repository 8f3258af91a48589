import { randomBytes } from 'node:crypto';

// A per-process random prefix plus a counter: unique, OpenAI-looking, and no crypto call per request.
const PREFIX = randomBytes(6).toString('hex');
let sequence = 0;

/** Object prefixes of minted IDs: OpenAI's, Anthropic's (`msg`, `toolu`, `req`), and the mock's own `task`/`media`. */
export type IdPrefix = 'chatcmpl' | 'cmpl' | 'call' | 'req' | 'msg' | 'toolu' | 'resp' | 'fc' | 'video' | 'task' | 'media';

/**
 * A fresh ID such as `chatcmpl-mock3f9a…` for the given object prefix: OpenAI's `chatcmpl`, `cmpl`, `call`, `req`,
 * `resp`, `msg` (also Responses output messages), `fc`, `video`; Anthropic's `msg`, `toolu` (and `req` for
 * `request-id`); the mock's `task` and `media`.
 */
export function nextId(prefix: IdPrefix): string {
  sequence += 1;
  const separator = prefix === 'chatcmpl' || prefix === 'cmpl' ? '-' : '_';
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
