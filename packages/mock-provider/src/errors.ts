/** The `error` object of an OpenAI error response. */
export interface OpenAIError {
  readonly message: string;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
}

type ErrorTemplate = (model: string | undefined) => OpenAIError;

// Messages, types and codes as the OpenAI API sends them for each status.
const TEMPLATES: Readonly<Record<number, ErrorTemplate>> = {
  400: () => ({ message: 'Invalid request.', type: 'invalid_request_error', param: null, code: null }),
  401: () => invalidApiKey(),
  403: () => ({
    message: 'Country, region, or territory not supported',
    type: 'request_forbidden',
    param: null,
    code: 'unsupported_country_region_territory',
  }),
  404: (model) => modelNotFound(model ?? 'unknown'),
  413: () => ({ message: 'Request too large.', type: 'invalid_request_error', param: null, code: null }),
  429: (model) => ({
    message:
      `Rate limit reached for ${model ?? 'model'} in organization org-mock on requests per min (RPM): ` +
      'Limit 3, Used 3, Requested 1. Please try again in 20s. ' +
      'Visit https://platform.openai.com/account/rate-limits to learn more.',
    type: 'requests',
    param: null,
    code: 'rate_limit_exceeded',
  }),
  500: () => serverError('The server had an error while processing your request. Sorry about that!'),
  502: () => serverError('Bad gateway.'),
  503: () => serverError('The engine is currently overloaded, please try again later.'),
  504: () => serverError('Gateway timeout.'),
};

function serverError(message: string): OpenAIError {
  return { message, type: 'server_error', param: null, code: null };
}

/** The error OpenAI sends for a missing or wrong API key. */
export function invalidApiKey(provided?: string): OpenAIError {
  const message =
    provided === undefined
      ? "You didn't provide an API key. You need to provide your API key in an Authorization header " +
        'using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).'
      : `Incorrect API key provided: ${redact(provided)}. ` +
        'You can find your API key at https://platform.openai.com/account/api-keys.';
  return { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' };
}

/** The error OpenAI sends for a model that does not exist. */
export function modelNotFound(model: string): OpenAIError {
  return {
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    type: 'invalid_request_error',
    param: null,
    code: 'model_not_found',
  };
}

/** A 400 `invalid_request_error` about one parameter. */
export function invalidRequest(message: string, param: string | null = null, code: string | null = null): OpenAIError {
  return { message, type: 'invalid_request_error', param, code };
}

/** The error OpenAI would send with `status`; unknown statuses fall back by class (4xx, 5xx). */
export function errorForStatus(status: number, model?: string): OpenAIError {
  const template = TEMPLATES[status];
  if (template) return template(model);
  if (status >= 500) return serverError(`The server had an error (HTTP ${status}).`);
  return invalidRequest(`Request failed (HTTP ${status}).`);
}

/** Serialises an error as the OpenAI response body `{"error":{…}}`. */
export function errorBody(error: OpenAIError): string {
  return JSON.stringify({ error });
}

// OpenAI echoes only the ends of a wrong key; never the whole credential.
function redact(key: string): string {
  if (key.length <= 8) return '***';
  return `${key.slice(0, 3)}***${key.slice(-4)}`;
}
