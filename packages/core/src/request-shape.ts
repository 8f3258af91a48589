// What the gateway checks of a request body before anything reads it: a nesting depth it can walk, and the
// type of each top-level field it reads itself. A mistyped field is the client's error (400 naming it),
// never a 500 further down.
import { badRequest, type SwitchyardError } from './errors.js';
import type { Endpoint } from './record.js';

/** JSON deeper than this is refused; no real request nests a tenth of it. */
export const MAX_NESTING = 128;

/** The deepest nesting of arrays and objects in `raw`, counting only up to `MAX_NESTING + 1`. */
export function deeperThan(raw: Buffer, limit: number = MAX_NESTING): boolean {
  // Nesting past the limit needs more opening brackets than the limit: most bodies settle it in a native scan.
  if (countAtLeast(raw, 0x7b /* { */, 0x5b /* [ */, limit + 1) <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      if (byte === 0x5c /* \ */) i++;
      else if (byte === 0x22 /* " */) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > limit) return true;
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return false;
}

function countAtLeast(raw: Buffer, a: number, b: number, enough: number): number {
  let count = 0;
  for (let at = raw.indexOf(a); at !== -1 && count < enough; at = raw.indexOf(a, at + 1)) count++;
  for (let at = raw.indexOf(b); at !== -1 && count < enough; at = raw.indexOf(b, at + 1)) count++;
  return count;
}

/** `text`: a string, or an array of content blocks (a system prompt). */
type Kind = 'boolean' | 'object' | 'array' | 'text' | 'count' | 'positive';

/** Top-level fields the gateway reads, by the type they must have when present. */
const FIELDS: Readonly<Record<string, Kind>> = {
  stream: 'boolean',
  stream_options: 'object',
  max_tokens: 'count',
  max_completion_tokens: 'count',
  max_output_tokens: 'count',
  n: 'positive',
  best_of: 'positive',
  metadata: 'object',
  tools: 'array',
  response_format: 'object',
  text: 'object',
  output_config: 'object',
  generationConfig: 'object',
  system: 'text',
};

/** The first field of `body` with the wrong type, as a 400 naming it; `undefined` when all are right. */
export function mistypedField(body: Readonly<Record<string, unknown>>, endpoint: Endpoint): SwitchyardError | undefined {
  for (const field in FIELDS) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    const kind = FIELDS[field]!;
    if (!hasKind(value, kind)) return badRequest(`"${field}" must be ${describe(kind)}.`, 'invalid_field', field);
  }
  if (endpoint === 'responses' && body.input !== undefined && typeof body.input !== 'string' && !Array.isArray(body.input)) {
    return badRequest('"input" must be a string or an array of input items.', 'invalid_field', 'input');
  }
  return undefined;
}

function hasKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'text':
      return typeof value === 'string' || Array.isArray(value);
    case 'count':
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'positive':
      return Number.isSafeInteger(value) && (value as number) >= 1;
  }
}

function describe(kind: Kind): string {
  switch (kind) {
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'text':
      return 'a string or an array of content blocks';
    case 'count':
      return 'a whole number, 0 or more';
    case 'positive':
      return 'a whole number, 1 or more';
  }
}
