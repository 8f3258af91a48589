import { isRecord } from './guards.js';

const MAX_DEPTH = 8;

/**
 * A small value that satisfies the common parts of a JSON Schema: required properties of objects,
 * `enum`/`const`, and the basic types. Used for `json_schema` replies and tool-call arguments.
 */
export function sampleFromSchema(schema: unknown, depth = 0): unknown {
  if (!isRecord(schema) || depth > MAX_DEPTH) return {};
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants) && variants.length > 0) return sampleFromSchema(variants[0], depth + 1);

  const declared: unknown = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  // Gemini's schemas name types in upper case (`OBJECT`, `STRING`).
  const type = typeof declared === 'string' ? declared.toLowerCase() : declared;
  switch (type) {
    case 'string':
      return 'mock';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array':
      return typeof schema.minItems === 'number' && schema.minItems > 0
        ? Array.from({ length: schema.minItems }, () => sampleFromSchema(schema.items, depth + 1))
        : [];
    default:
      return sampleObject(schema, depth);
  }
}

function sampleObject(schema: Record<string, unknown>, depth: number): Record<string, unknown> {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  const result: Record<string, unknown> = {};
  for (const name of required) {
    if (typeof name === 'string') result[name] = sampleFromSchema(properties[name], depth + 1);
  }
  return result;
}
