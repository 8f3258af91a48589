import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { errorBody, type OpenAIError } from './errors.js';
import { nextId } from './ids.js';

/** The headers every response carries: a request ID and, when scripted, `Retry-After`. */
export function baseHeaders(contentType: string, retryAfter: string | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { 'content-type': contentType, 'x-request-id': nextId('req') };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  return headers;
}

/** Writes a complete JSON response with a `content-length`, so keep-alive connections stay reusable. */
export function sendJson(res: ServerResponse, status: number, body: string, retryAfter?: string): void {
  const headers = baseHeaders('application/json', retryAfter);
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

/** Writes an OpenAI-shaped error response. */
export function sendError(res: ServerResponse, status: number, error: OpenAIError, extraHeaders?: OutgoingHttpHeaders): void {
  const body = errorBody(error);
  const headers = baseHeaders('application/json', undefined);
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(status, extraHeaders ? { ...headers, ...extraHeaders } : headers);
  res.end(body);
}
