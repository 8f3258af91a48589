// The structured-output check: a non-streamed answer's content against the request's JSON schema, with ajv.
import { Ajv, type ValidateFunction } from 'ajv';
import type { SchemaViolation } from './triggers.js';

/** A compiled JSON schema. */
export type OutputValidator = ValidateFunction;

/** Compiled schemas kept; the least recently used one is dropped beyond this. */
const CACHE_SIZE = 64;

/**
 * The JSON schema a chat request asks its answer to follow (`response_format.json_schema.schema`), for
 * non-streamed requests only: a stream has reached the client before it could be checked.
 */
export function requestedSchema(body: Readonly<Record<string, unknown>>): object | undefined {
  if (body.stream === true) return undefined;
  const format = body.response_format;
  if (!isObject(format) || format.type !== 'json_schema' || !isObject(format.json_schema)) return undefined;
  const schema = format.json_schema.schema;
  return isObject(schema) ? schema : undefined;
}

/**
 * Compiles schemas once and checks answers against them. A schema is cached by its JSON text, so the
 * same schema sent by many requests compiles once; ajv's own registry is pruned with the cache.
 */
export class SchemaChecker {
  /** Built on the first schema: most gateways never see one. */
  #ajv: Ajv | undefined;
  readonly #cache = new Map<string, { readonly schema: object; readonly validate: ValidateFunction | undefined }>();

  /** The compiled schema, or `undefined` when ajv cannot compile it (then the answer is not checked). */
  validator(schema: object): OutputValidator | undefined {
    const text = JSON.stringify(schema);
    const hit = this.#cache.get(text);
    if (hit) {
      this.#cache.delete(text);
      this.#cache.set(text, hit);
      return hit.validate;
    }
    const ajv = (this.#ajv ??= new Ajv({ strict: false, validateFormats: false, allErrors: false }));
    let validate: ValidateFunction | undefined;
    try {
      validate = ajv.compile(schema);
    } catch {
      // The upstream judges the schema itself; an answer to a schema we cannot compile goes unchecked.
      ajv.removeSchema(schema);
    }
    this.#cache.set(text, { schema, validate });
    if (this.#cache.size > CACHE_SIZE) {
      const [oldest, entry] = this.#cache.entries().next().value!;
      this.#cache.delete(oldest);
      ajv.removeSchema(entry.schema);
    }
    return validate;
  }

  /**
   * Checks every choice of an OpenAI chat completion body: its `message.content` must be JSON that
   * `validate` accepts. A refusal (`message.refusal`) is the model's answer, not a schema error.
   */
  check(validate: OutputValidator, body: Buffer): SchemaViolation | undefined {
    const completion = parseJson(body.toString('utf8'));
    const choices = isObject(completion) ? completion.choices : undefined;
    if (!Array.isArray(choices) || choices.length === 0) return { path: '', keyword: 'json' };
    for (const choice of choices) {
      const message = isObject(choice) ? choice.message : undefined;
      if (!isObject(message)) return { path: '', keyword: 'json' };
      if (typeof message.refusal === 'string' && message.refusal !== '') continue;
      if (typeof message.content !== 'string') return { path: '', keyword: 'json' };
      const output = parseJson(message.content);
      if (output === NOT_JSON) return { path: '', keyword: 'json' };
      if (!validate(output)) {
        const error = validate.errors?.[0];
        return { path: error?.instancePath ?? '', keyword: error?.keyword ?? 'schema' };
      }
    }
    return undefined;
  }
}

const NOT_JSON = Symbol('not json');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
