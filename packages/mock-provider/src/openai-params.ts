// The 400 errors OpenAI's typed request validation sends, with its messages, `param` paths and codes.
import { invalidRequest, type OpenAIError } from './errors.js';
import { isRecord } from './guards.js';

/** `Missing required parameter: 'x'.` */
export function missingParameter(param: string): OpenAIError {
  return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

/** `Unknown parameter: 'x'.` */
export function unknownParameter(param: string): OpenAIError {
  return invalidRequest(`Unknown parameter: '${param}'.`, param, 'unknown_parameter');
}

/** `Invalid type for 'x': expected a string, but got an integer instead.` */
export function invalidType(param: string, expected: string, value: unknown): OpenAIError {
  return invalidRequest(
    `Invalid type for '${param}': expected ${expected}, but got ${typeName(value)} instead.`,
    param,
    'invalid_type',
  );
}

/** `Invalid value: 'v'. Supported values are: 'a', 'b', and 'c'.` */
export function invalidValue(param: string, value: unknown, supported: readonly string[]): OpenAIError {
  return invalidRequest(`Invalid value: '${String(value)}'. Supported values are: ${listOf(supported)}.`, param, 'invalid_value');
}

/** `Invalid 'x': integer below minimum value. Expected a value >= 16, but got 5 instead.` (and the other bounds). */
export function outOfRange(param: string, value: number, bound: number, side: 'min' | 'max'): OpenAIError {
  const kind = Number.isInteger(value) ? 'integer' : 'decimal';
  const where = side === 'min' ? 'below minimum' : 'above maximum';
  const op = side === 'min' ? '>=' : '<=';
  return invalidRequest(
    `Invalid '${param}': ${kind} ${where} value. Expected a value ${op} ${bound}, but got ${value} instead.`,
    param,
    `${kind}_${side === 'min' ? 'below_min' : 'above_max'}_value`,
  );
}

/** The first key of `body` outside `known`, as OpenAI's `unknown_parameter` 400 (param path prefixed by `at`). */
export function unknownKey(body: Record<string, unknown>, known: ReadonlySet<string>, at = ''): OpenAIError | undefined {
  for (const key of Object.keys(body)) if (!known.has(key)) return unknownParameter(`${at}${key}`);
  return undefined;
}

/** A number field within [min, max] when present (null allowed), else its 400. */
export function checkNumber(
  body: Record<string, unknown>,
  param: string,
  min: number,
  max: number,
  integer = false,
): OpenAIError | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || (integer && !Number.isInteger(value))) {
    return invalidType(param, integer ? 'an integer' : 'a number', value);
  }
  if (value < min) return outOfRange(param, value, min, 'min');
  return value > max ? outOfRange(param, value, max, 'max') : undefined;
}

/** A field of one JSON type when present (null allowed), else its `invalid_type` 400. */
export function checkType(
  body: Record<string, unknown>,
  param: string,
  type: 'string' | 'boolean' | 'object' | 'array',
): OpenAIError | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  const ok = type === 'object' ? isRecord(value) : type === 'array' ? Array.isArray(value) : typeof value === type;
  return ok ? undefined : invalidType(param, type === 'array' ? 'an array' : `${type === 'object' ? 'an' : 'a'} ${type}`, value);
}

/** A string field with one of `supported` values when present, else its 400. */
export function checkEnum(body: Record<string, unknown>, param: string, supported: readonly string[]): OpenAIError | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return invalidType(param, 'a string', value);
  return supported.includes(value) ? undefined : invalidValue(param, value, supported);
}

/** `'a', 'b', and 'c'` as OpenAI lists supported values. */
function listOf(values: readonly string[]): string {
  const quoted = values.map((value) => `'${value}'`);
  if (quoted.length <= 1) return quoted.join('');
  if (quoted.length === 2) return `${quoted[0]} and ${quoted[1]}`;
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
}

/** How OpenAI names a JSON value's type in messages: `a string`, `an integer`, `an object`, …. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  return `a ${typeof value}`;
}
