// JSON Schema → the OpenAPI 3.0 subset Gemini's `Schema` accepts (https://ai.google.dev/api/caching#Schema).
// Gemini rejects unknown keywords, so only the documented ones are kept; the rest is rewritten or dropped.
import { isRecord, unsupportedField, type JsonObject } from '../json.js';

const KEPT: ReadonlySet<string> = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'items',
  'minItems',
  'maxItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'anyOf',
  'propertyOrdering',
  'default',
  'example',
]);

/** The `format` values Gemini accepts per type; any other is dropped. */
const FORMATS: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(['enum', 'date-time']),
  number: new Set(['float', 'double']),
  integer: new Set(['int32', 'int64']),
};

/** Deepest `$ref` chain followed; deeper means the schema is recursive, which Gemini cannot express. */
const MAX_REF_DEPTH = 32;

/**
 * Rewrites a JSON Schema for Gemini: local `$ref`s inlined; `const` → `enum`; enum values as strings;
 * `oneOf` → `anyOf`; a `null` type or `anyOf` member → `nullable`; a one-member `allOf` merged;
 * keywords Gemini rejects (`additionalProperties`, `$schema`, `$defs`, `strict`, `examples`, …) dropped.
 * Throws a 400 for recursive schemas and multi-member `allOf`. `param` names the schema in errors.
 */
export function toGeminiSchema(schema: JsonObject, param: string): JsonObject {
  const defs = { ...(isRecord(schema.definitions) ? schema.definitions : {}), ...(isRecord(schema.$defs) ? schema.$defs : {}) };
  return clean(schema, { defs, param, depth: 0 });
}

interface Scope {
  readonly defs: JsonObject;
  readonly param: string;
  readonly depth: number;
}

function clean(input: JsonObject, outer: Scope): JsonObject {
  const [schema, scope] = resolve(input, outer);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && isRecord(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, cleanAny(sub, scope)]));
    } else if (key === 'items') {
      out.items = cleanAny(Array.isArray(value) ? value[0] : value, scope);
    } else if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      Object.assign(out, union(value, scope));
    } else if (key === 'allOf' && Array.isArray(value)) {
      if (value.length !== 1)
        throw unsupportedField(scope.param, 'Schemas with a multi-member `allOf` cannot be sent to this model.');
      Object.assign(out, cleanAny(value[0], scope));
    } else if (key === 'const') {
      out.enum = [String(value)];
    } else if (key === 'type' && Array.isArray(value)) {
      Object.assign(out, typeList(value));
    } else if (KEPT.has(key)) {
      out[key] = value;
    }
  }
  if (Array.isArray(out.enum)) {
    out.enum = out.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    if (out.type !== undefined && out.type !== 'string') out.format = 'enum';
  }
  if (typeof out.format === 'string' && out.format !== 'enum' && !FORMATS[String(out.type)]?.has(out.format)) delete out.format;
  return out;
}

function cleanAny(value: unknown, scope: Scope): JsonObject {
  return isRecord(value) ? clean(value, scope) : {};
}

/** Follows local `$ref`s (`#/$defs/X`, `#/definitions/X`); sibling keywords of a `$ref` win over its target's. */
function resolve(schema: JsonObject, scope: Scope): [JsonObject, Scope] {
  let current = schema;
  let depth = scope.depth;
  while (typeof current.$ref === 'string') {
    if (++depth > MAX_REF_DEPTH) throw unsupportedField(scope.param, 'Recursive schemas cannot be sent to this model.');
    const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(current.$ref);
    const target = match ? scope.defs[decodeURIComponent(match[1]!).replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    if (!isRecord(target)) throw unsupportedField(scope.param, `The schema reference ${current.$ref} cannot be resolved.`);
    const { $ref: _ref, ...siblings } = current;
    current = { ...target, ...siblings };
  }
  return [current, depth === scope.depth ? scope : { ...scope, depth }];
}

/** `anyOf`/`oneOf`: a `null` member becomes `nullable`; one member left is merged in. */
function union(members: unknown[], scope: Scope): JsonObject {
  const isNull = (m: unknown): boolean => isRecord(m) && m.type === 'null';
  const rest = members.filter((m) => !isNull(m)).map((m) => cleanAny(m, scope));
  const nullable = rest.length < members.length ? { nullable: true } : {};
  if (rest.length === 1) return { ...rest[0], ...nullable };
  return { anyOf: rest, ...nullable };
}

/** `type: ["string", "null"]` → `type: "string", nullable: true`; several types → `anyOf`. */
function typeList(types: unknown[]): JsonObject {
  const rest = types.filter((t) => t !== 'null');
  const nullable = rest.length < types.length ? { nullable: true } : {};
  if (rest.length === 1) return { type: rest[0], ...nullable };
  return { anyOf: rest.map((type) => ({ type })), ...nullable };
}
