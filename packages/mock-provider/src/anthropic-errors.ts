import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { nextId } from './ids.js';

/** The `error.type` values of the Anthropic API. */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

/** The `error` object of an Anthropic error response. */
export interface AnthropicError {
  readonly type: AnthropicErrorType;
  readonly message: string;
}

// Types and messages as the Anthropic API sends them for each status.
const BY_STATUS: Readonly<Record<number, AnthropicError>> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'The requested resource could not be found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: {
    type: 'rate_limit_error',
    message:
      'This request would exceed the rate limit for your organization (mock) of 50 requests per minute. ' +
      'For details, refer to: https://docs.claude.com/en/api/rate-limits.',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/** The error Anthropic would send with `status`; other statuses fall back by class (4xx, 5xx). */
export function anthropicErrorForStatus(status: number): AnthropicError {
  const known = BY_STATUS[status];
  if (known) return known;
  if (status >= 500) return { type: 'api_error', message: `Internal server error (HTTP ${status}).` };
  return { type: 'invalid_request_error', message: `Request failed (HTTP ${status}).` };
}

/** A 400 `invalid_request_error`. */
export function anthropicInvalid(message: string): AnthropicError {
  return { type: 'invalid_request_error', message };
}

/** The error data of a response or an `event: error`: `{"type":"error","error":{…},"request_id":…}`. */
export function anthropicErrorBody(error: AnthropicError, requestId: string): string {
  return JSON.stringify({ type: 'error', error, request_id: requestId });
}

/** The headers every Anthropic answer carries: its `request-id` and, when scripted, `retry-after`. */
export function anthropicHeaders(contentType: string, requestId: string, retryAfter: string | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { 'content-type': contentType, 'request-id': requestId };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  return headers;
}

/** Writes an Anthropic-shaped error response. */
export function sendAnthropicError(
  res: ServerResponse,
  status: number,
  error: AnthropicError,
  retryAfter?: string,
  extraHeaders?: OutgoingHttpHeaders,
): void {
  const requestId = nextId('req');
  const body = anthropicErrorBody(error, requestId);
  const headers = anthropicHeaders('application/json', requestId, retryAfter);
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(status, extraHeaders ? { ...headers, ...extraHeaders } : headers);
  res.end(body);
}

/** Renders a scripted error status the Anthropic way (for `playLeadingFaults`). */
export function sendAnthropicStatus(res: ServerResponse, status: number, retryAfter: string | undefined): void {
  sendAnthropicError(res, status, anthropicErrorForStatus(status), retryAfter);
}
