// Gemini parses bodies as protocol buffers: unknown field names are refused, and each field may be
// spelled in camelCase or snake_case. Error paths use the snake_case spelling, as upstream's do.
import { googleInvalid, type GoogleError } from './gemini-errors.js';
import { isRecord } from './guards.js';

/** Field names of one message type, accepted in both spellings. */
export type FieldSet = ReadonlySet<string>;

/** `functionCallingConfig` → `function_calling_config`. */
export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** The set of `names` (camelCase) and their snake_case spellings. */
export function fieldSet(...names: string[]): FieldSet {
  return new Set(names.flatMap((name) => [name, snake(name)]));
}

/** The value of field `camel` of `record`, in whichever spelling it was sent. */
export function pick(record: unknown, camel: string): unknown {
  if (!isRecord(record)) return undefined;
  const value = record[camel];
  return value === undefined ? record[snake(camel)] : value;
}

/** Joins a path and a field, e.g. `generation_config` + `responseSchema` → `generation_config.response_schema`. */
export function at(path: string, field: string): string {
  return path === '' ? snake(field) : `${path}.${snake(field)}`;
}

/** The 400 upstream sends for the first field of `record` (at `path`) that is not in `known`. */
export function unknownField(record: Record<string, unknown>, known: FieldSet, path: string): GoogleError | undefined {
  for (const name of Object.keys(record)) {
    if (known.has(name)) continue;
    const where = path === '' ? '' : ` at '${path}'`;
    return googleInvalid(`Invalid JSON payload received. Unknown name "${name}"${where}: Cannot find field.`, path);
  }
  return undefined;
}

/** The 400 for a field whose value has the wrong JSON type. */
export function badValue(path: string, type: string, value: unknown): GoogleError {
  return googleInvalid(`Invalid value at '${path}' (${type}), ${JSON.stringify(value) ?? 'undefined'}`, path);
}

// Gemini's `Schema`: a select subset of OpenAPI 3.0. `additionalProperties`, `$schema`, `$ref`, `oneOf` and
// type arrays are JSON Schema and are refused here; `responseJsonSchema`/`parametersJsonSchema` take those.
const SCHEMA_FIELDS = fieldSet(
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
);
const TYPES: ReadonlySet<string> = new Set([
  'TYPE_UNSPECIFIED',
  'STRING',
  'NUMBER',
  'INTEGER',
  'BOOLEAN',
  'ARRAY',
  'OBJECT',
  'NULL',
]);
const MAX_DEPTH = 32;

/** The 400 upstream sends for a `Schema` (at `path`) that uses fields or values outside Gemini's subset. */
export function checkSchema(schema: unknown, path: string, depth = 0): GoogleError | undefined {
  if (!isRecord(schema)) return badValue(path, 'type.googleapis.com/google.ai.generativelanguage.v1beta.Schema', schema);
  if (depth > MAX_DEPTH) return undefined;
  const unknown = unknownField(schema, SCHEMA_FIELDS, path);
  if (unknown) return unknown;
  const type = schema.type;
  if (Array.isArray(type)) {
    const message = `Invalid JSON payload received. Unknown name "type" at '${path}': Proto field is not repeating, cannot start list.`;
    return googleInvalid(message, path);
  }
  if (type !== undefined && (typeof type !== 'string' || !TYPES.has(type.toUpperCase()))) {
    return badValue(at(path, 'type'), 'type.googleapis.com/google.ai.generativelanguage.v1beta.Type', type);
  }
  const properties = schema.properties;
  if (properties !== undefined) {
    if (!isRecord(properties)) return badValue(at(path, 'properties'), 'map', properties);
    for (const [i, value] of Object.values(properties).entries()) {
      const problem = checkSchema(value, `${at(path, 'properties')}[${i}].value`, depth + 1);
      if (problem) return problem;
    }
  }
  if (schema.items !== undefined) {
    const problem = checkSchema(schema.items, at(path, 'items'), depth + 1);
    if (problem) return problem;
  }
  const anyOf = pick(schema, 'anyOf');
  if (Array.isArray(anyOf)) {
    for (const [i, variant] of anyOf.entries()) {
      const problem = checkSchema(variant, `${at(path, 'anyOf')}[${i}]`, depth + 1);
      if (problem) return problem;
    }
  }
  return undefined;
}
