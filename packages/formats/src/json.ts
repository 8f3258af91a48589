// Guards for JSON read from clients and upstreams, and the errors a translation fails with.
import { SwitchyardError } from '@switchyard/core';

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 400 `invalid_request`: the client's body is not the shape its API documents. */
export function invalidField(param: string, message: string): SwitchyardError {
  return new SwitchyardError({ status: 400, type: 'invalid_request_error', code: 'invalid_request', message, param });
}

/** 400 `unsupported_parameter`: valid for the client's API, but the serving provider's format cannot express it. */
export function unsupportedField(param: string, message: string): SwitchyardError {
  return new SwitchyardError({
    status: 400,
    type: 'invalid_request_error',
    code: 'unsupported_parameter',
    message,
    param,
  });
}

/** 502 `upstream_bad_response`: the provider answered 2xx with a body its API does not document. */
export function badUpstreamBody(provider: string, why: string): SwitchyardError {
  return new SwitchyardError({
    status: 502,
    type: 'api_error',
    code: 'upstream_bad_response',
    message: `The ${provider} answer could not be translated: ${why}.`,
  });
}

/** A finite number, or `undefined` when the field is absent or null; anything else is a 400. */
export function optionalNumber(body: JsonObject, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidField(key, `\`${key}\` must be a number.`);
  return value;
}

/** A non-negative safe integer from an upstream's usage object, else `undefined`. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** `JSON.parse` that answers `undefined` instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
