import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** The `error` object of a Google API error response. */
export interface GoogleError {
  /** The HTTP status, repeated in the body. */
  readonly code: number;
  readonly message: string;
  /** The canonical gRPC status name: `INVALID_ARGUMENT`, `RESOURCE_EXHAUSTED`, …. */
  readonly status: string;
  readonly details?: readonly unknown[];
}

// Status names and messages as the Gemini API sends them for each HTTP status.
const BY_STATUS: Readonly<Record<number, { status: string; message: string }>> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: {
    status: 'UNAUTHENTICATED',
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other ' +
      'valid authentication credential.',
  },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  409: { status: 'ABORTED', message: 'The operation was aborted.' },
  429: {
    status: 'RESOURCE_EXHAUSTED',
    message: 'You exceeded your current quota, please check your plan and billing details.',
  },
  499: { status: 'CANCELLED', message: 'The operation was cancelled.' },
  500: {
    status: 'INTERNAL',
    message:
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  },
  501: { status: 'UNIMPLEMENTED', message: 'Operation is not implemented, or supported, or enabled.' },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

/** The error Gemini would send with `status`; other statuses fall back by class (4xx, 5xx). */
export function googleErrorForStatus(status: number, retryAfter?: string): GoogleError {
  const known = BY_STATUS[status] ?? (status >= 500 ? BY_STATUS[500]! : BY_STATUS[400]!);
  // Gemini tells a client when to retry a 429 in a RetryInfo detail, e.g. "retryDelay": "20s".
  const seconds = retryAfter === undefined ? NaN : Number(retryAfter);
  if (status === 429 && Number.isInteger(seconds)) {
    const details = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` }];
    return { code: status, message: known.message, status: known.status, details };
  }
  return { code: status, message: known.message, status: known.status };
}

/** A 400 `INVALID_ARGUMENT` with `message`, and a BadRequest detail when a field is named. */
export function googleInvalid(message: string, field?: string): GoogleError {
  if (field === undefined) return { code: 400, message, status: 'INVALID_ARGUMENT' };
  const details = [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description: message }] }];
  return { code: 400, message, status: 'INVALID_ARGUMENT', details };
}

/** The JSON body or stream event of an error: `{"error":{"code","message","status"}}`. */
export function googleErrorBody(error: GoogleError): string {
  return JSON.stringify({ error });
}

/** Writes a Google-shaped error response whose HTTP status is `error.code`. */
export function sendGoogleError(res: ServerResponse, error: GoogleError, retryAfter?: string): void {
  const body = googleErrorBody(error);
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(body),
  };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  res.writeHead(error.code, headers);
  res.end(body);
}

/** Renders a scripted error status the Gemini way (for `playLeadingFaults`). */
export function sendGoogleStatus(res: ServerResponse, status: number, retryAfter: string | undefined): void {
  sendGoogleError(res, googleErrorForStatus(status, retryAfter), retryAfter);
}
