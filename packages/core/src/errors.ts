// Errors a client sees: typed, with a stable code, rendered in the client's wire format.
import type { IncomingMessage } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import { routing } from './context.js';
import { clientFormatOf, endpointOf } from './endpoint.js';

/** The error families of the OpenAI error shape. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error';

export interface SwitchyardErrorInit {
  readonly status: number;
  readonly type: ErrorType;
  /** Stable, machine-readable code, e.g. `model_not_found`. */
  readonly code: string;
  readonly message: string;
  /** The request field at fault, when there is one. */
  readonly param?: string;
  /** Response headers the answer carries (`Allow`, `Retry-After`, …). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/** An error that the gateway answers with, instead of passing an upstream answer on. */
export class SwitchyardError extends Error {
  override readonly name = 'SwitchyardError';
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly param: string | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(init: SwitchyardErrorInit) {
    super(init.message, { cause: init.cause });
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param;
    this.headers = init.headers;
  }
}

export function badRequest(message: string, code = 'invalid_request', param?: string): SwitchyardError {
  return new SwitchyardError({ status: 400, type: 'invalid_request_error', code, message, param });
}

/** 405: a known path asked for with a method it does not take; `Allow` lists the ones it does. */
export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): SwitchyardError {
  return new SwitchyardError({
    status: 405,
    type: 'invalid_request_error',
    code: 'method_not_allowed',
    message: `${method} is not allowed on ${path}; use ${allowed.join(' or ')}.`,
    headers: { allow: allowed.join(', ') },
  });
}

/** 404: a path that is no endpoint of this gateway. */
export function unknownEndpoint(method: string, path: string): SwitchyardError {
  return new SwitchyardError({
    status: 404,
    type: 'invalid_request_error',
    code: 'unknown_endpoint',
    message: `${method} ${path} is not an endpoint of this gateway.`,
  });
}

/** The OpenAI error body: `{ error: { message, type, param, code } }`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

export function openAIErrorBody(err: SwitchyardError): OpenAIErrorBody {
  return { error: { message: err.message, type: err.type, param: err.param ?? null, code: err.code } };
}

/** Anthropic's error body: `{ type: "error", error: { type, message } }`. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/** Anthropic's error type for an HTTP status (https://docs.anthropic.com/en/api/errors); 503 is its overload. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The gateway's error in Anthropic's shape. Anthropic's body has no `code`: the type is the status's. */
export function anthropicErrorBody(err: SwitchyardError): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(err.status), message: err.message } };
}

/** The wire format a client reads errors in. */
export type ErrorFormat = 'openai' | 'anthropic' | 'gemini';

/** Google's error body: `{ error: { code, message, status } }`, `status` the google.rpc.Code name of the HTTP status. */
export interface GoogleErrorBody {
  error: { code: number; message: string; status: string };
}

/** google.rpc.Code names by HTTP status, as Google's APIs pair them. */
const GOOGLE_STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  412: 'FAILED_PRECONDITION',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The google.rpc.Code name for an HTTP status: other 4xx are INVALID_ARGUMENT, other 5xx INTERNAL. */
export function googleStatus(status: number): string {
  return GOOGLE_STATUS_NAMES[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

/** Google's error body for an HTTP status and message. */
export function googleErrorBody(status: number, message: string): GoogleErrorBody {
  return { error: { code: status, message, status: googleStatus(status) } };
}

/**
 * The client's own: Anthropic's on the Messages endpoints, Google's on Gemini's, and for a request outside
 * the routed endpoints (`GET /models`, an unknown path) Anthropic's when it carries `anthropic-version`,
 * which Anthropic's SDKs always send; OpenAI's everywhere else.
 */
export function errorFormat(req: IncomingMessage & { readonly path?: string }): ErrorFormat {
  const { request, record } = routing(req);
  if (request) return request.format;
  const path = req.path ?? '';
  const endpoint = record.endpoint ?? endpointOf(path);
  if (endpoint === 'other') return req.headers?.['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
  return clientFormatOf(path);
}

/** The gateway's error in a client's wire format. */
export function errorBody(format: ErrorFormat, error: SwitchyardError): OpenAIErrorBody | AnthropicErrorBody | GoogleErrorBody {
  if (format === 'anthropic') return anthropicErrorBody(error);
  if (format === 'gemini') return googleErrorBody(error.status, error.message);
  return openAIErrorBody(error);
}

/** Turns body-parser failures and anything unexpected into a SwitchyardError; never leaks internals. */
export function toSwitchyardError(err: unknown): SwitchyardError {
  if (err instanceof SwitchyardError) return err;
  const parserType = (err as { type?: unknown } | null)?.type;
  switch (parserType) {
    case 'entity.parse.failed':
      return badRequest('The request body is not valid JSON.', 'invalid_json');
    case 'entity.too.large': {
      const limit = (err as { limit?: number }).limit;
      return new SwitchyardError({
        status: 413,
        type: 'invalid_request_error',
        code: 'request_too_large',
        message: `The request body is larger than the gateway's limit${limit ? ` of ${limit} bytes` : ''}.`,
      });
    }
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new SwitchyardError({
        status: 415,
        type: 'invalid_request_error',
        code: 'unsupported_encoding',
        message: 'The request body encoding is not supported; send UTF-8 JSON.',
      });
    case 'request.aborted':
      return badRequest('The request was aborted before its body arrived.', 'request_aborted');
  }
  const clientError = exposedClientError(err);
  if (clientError) return clientError;
  return new SwitchyardError({
    status: 500,
    type: 'api_error',
    code: 'internal_error',
    message: 'The gateway failed to handle this request.',
    cause: err,
  });
}

const TYPE_BY_STATUS: Readonly<Record<number, ErrorType>> = {
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
};

/**
 * Other client errors from Express's own stack (http-errors with a 4xx status and `expose: true`, e.g.
 * body-parser's `request.size.invalid`): the client's fault, not the gateway's, and their message is
 * meant to be shown.
 */
function exposedClientError(err: unknown): SwitchyardError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode, expose, message } = err as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
    message?: unknown;
  };
  const code = typeof status === 'number' ? status : statusCode;
  if (expose !== true || typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 499) {
    return undefined;
  }
  return new SwitchyardError({
    status: code,
    type: TYPE_BY_STATUS[code] ?? 'invalid_request_error',
    code: 'invalid_request',
    message: typeof message === 'string' && message !== '' ? message : 'The request is not valid.',
  });
}

export interface ErrorHandlerOptions {
  /** Called with every unexpected (500) error, for logging. Default: `console.error`. */
  readonly onInternalError?: (err: unknown) => void;
}

/** Express error handler that answers in the client's error shape (see `errorFormat`) and records the error. */
export function errorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  const onInternalError = options.onInternalError ?? ((err) => console.error('switchyard: internal error', err));
  return function switchyardErrorHandler(err, req, res, _next) {
    const error = toSwitchyardError(err);
    if (error.code === 'internal_error') onInternalError(error.cause);
    if (res.headersSent) {
      // Part of an answer is already out: the only honest signal left is to cut the connection.
      res.destroy();
      return;
    }
    const { record } = routing(req);
    // A call refused before its body was read (a key, say) still says which endpoint it came to.
    if (req.path !== undefined) record.endpoint ??= endpointOf(req.path);
    record.error = { status: error.status, type: error.type, code: error.code };
    if (error.headers) res.set(error.headers);
    res.status(error.status).json(errorBody(errorFormat(req), error));
  };
}
