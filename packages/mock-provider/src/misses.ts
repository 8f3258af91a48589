import type { ServerResponse } from 'node:http';
import { sendAnthropicError } from './anthropic-errors.js';
import { invalidRequest } from './errors.js';
import { sendGoogleError } from './gemini-errors.js';
import { sendError } from './respond.js';
import type { RouteMatch } from './router.js';

/**
 * Answers a request no route takes: 404 for an unknown path, 405 with `Allow` for a wrong method, in the
 * shape of the API the path belongs to (Gemini under `/v1beta/`, Anthropic under `/messages`, else OpenAI).
 */
export function sendMiss(
  res: ServerResponse,
  method: string,
  path: string,
  local: string,
  match: Exclude<RouteMatch, { kind: 'found' }>,
): void {
  const allow = match.kind === 'wrong-method' ? { allow: match.allowed } : undefined;
  if (local.startsWith('/v1beta/')) {
    if (allow) res.setHeader('allow', allow.allow);
    if (allow) sendGoogleError(res, { code: 405, message: `Method ${method} is not allowed.`, status: 'UNIMPLEMENTED' });
    else sendGoogleError(res, { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' });
    return;
  }
  if (local === '/messages' || local.startsWith('/messages/')) {
    if (allow) sendAnthropicError(res, 405, { type: 'invalid_request_error', message: 'Method Not Allowed' }, undefined, allow);
    else sendAnthropicError(res, 404, { type: 'not_found_error', message: 'Not Found' });
    return;
  }
  if (allow) sendError(res, 405, invalidRequest(`Invalid method for URL (${method} ${path})`), allow);
  else sendError(res, 404, invalidRequest(`Invalid URL (${method} ${path})`));
}
