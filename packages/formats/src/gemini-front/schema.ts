// Gemini's `Schema` (the OpenAPI 3.0 subset of https://ai.google.dev/api/caching#Schema, types often
// upper-case: "OBJECT") → the JSON Schema OpenAI-format providers take; and the depth guard every
// client object passed on unread goes through.
import { invalidField, isRecord, type JsonObject } from '../json.js';

/** Deepest nesting accepted in a schema, function arguments or a function response; far above real ones. */
export const MAX_DEPTH = 64;

/** Keywords whose value is the same in both dialects. */
const COPIED: ReadonlySet<string> = new Set([
  'title',
  'description',
  'enum',
  'required',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'default',
]);

/** The OpenAPI `format`s JSON Schema has no use for: `enum` is Gemini's marker for enum-valued fields. */
const DROPPED_FORMATS: ReadonlySet<string> = new Set(['enum']);

/**
 * Rewrites a Gemini `Schema` as JSON Schema: types lower-cased (`TYPE_UNSPECIFIED` dropped), `nullable`
 * → a `null` type (or a `null` member of `anyOf`), `example` → `examples`, `propertyOrdering` and unknown
 * keywords dropped. Throws a 400 naming `param` for a schema that is not an object or nests too deep.
 */
export function fromGeminiSchema(schema: unknown, param: string): JsonObject {
  return convert(schema, param, 0);
}

function convert(schema: unknown, param: string, depth: number): JsonObject {
  if (!isRecord(schema)) throw invalidField(param, `\`${param}\` must be a Schema object.`);
  if (depth > MAX_DEPTH) throw invalidField(param, `\`${param}\` nests deeper than ${MAX_DEPTH} levels.`);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type') {
      const type = typeName(value, `${param}.type`);
      if (type !== undefined) out.type = type;
    } else if (key === 'properties') {
      if (!isRecord(value)) throw invalidField(`${param}.properties`, `\`${param}.properties\` must be an object.`);
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, convert(sub, `${param}.properties.${name}`, depth + 1)]),
      );
    } else if (key === 'items') {
      out.items = convert(value, `${param}.items`, depth + 1);
    } else if (key === 'anyOf') {
      if (!Array.isArray(value)) throw invalidField(`${param}.anyOf`, `\`${param}.anyOf\` must be an array.`);
      out.anyOf = value.map((sub, i) => convert(sub, `${param}.anyOf[${i}]`, depth + 1));
    } else if (key === 'format') {
      if (typeof value === 'string' && !DROPPED_FORMATS.has(value)) out.format = value;
    } else if (key === 'example') {
      out.examples = [value];
    } else if (COPIED.has(key)) {
      out[key] = value;
    }
    // `nullable` is applied below; `propertyOrdering` and anything else Gemini-only is dropped.
  }
  return schema.nullable === true ? nullable(out) : out;
}

function typeName(value: unknown, param: string): string | undefined {
  if (typeof value !== 'string') throw invalidField(param, `\`${param}\` must be a string.`);
  const type = value.toLowerCase();
  if (type === 'type_unspecified') return undefined;
  if (!TYPES.has(type)) throw invalidField(param, `\`${param}\` must be one of ${[...TYPES].join(', ')} (any case).`);
  return type;
}

const TYPES: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

function nullable(schema: JsonObject): JsonObject {
  if (typeof schema.type === 'string') {
    if (schema.type === 'null') return schema;
    return { ...schema, type: [schema.type, 'null'], ...(Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {}) };
  }
  if (Array.isArray(schema.anyOf)) return { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  return schema; // no type: anything, null included
}

/** Throws a 400 naming `param` when `value` nests objects or arrays deeper than {@link MAX_DEPTH}. */
export function checkDepth(value: unknown, param: string): void {
  if (depthExceeds(value, MAX_DEPTH)) throw invalidField(param, `\`${param}\` nests deeper than ${MAX_DEPTH} levels.`);
}

function depthExceeds(value: unknown, left: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (left === 0) return true;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (depthExceeds(item, left - 1)) return true;
  }
  return false;
}
