import type { IncomingMessage, ServerResponse } from 'node:http';
import { anthropicInvalid, sendAnthropicError } from './anthropic-errors.js';

// Upstream accepts only its published versions; the mock takes any dated one, so a newer SDK (the
// installed one sends 2026-10-21) still passes while a missing or malformed header does not.
const VERSION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks what every Anthropic endpoint checks before the body: the API key (when `keys` are set) from
 * `x-api-key` or `Authorization: Bearer` (newer SDKs send the latter), then the `anthropic-version` header.
 * Sends the error and returns `false` when the request may not pass.
 */
export function passAnthropicGate(req: IncomingMessage, res: ServerResponse, keys: ReadonlySet<string> | undefined): boolean {
  if (keys) {
    const key = apiKey(req);
    if (key === undefined) {
      sendAnthropicError(res, 401, { type: 'authentication_error', message: 'x-api-key header is required' });
      return false;
    }
    if (!keys.has(key)) {
      sendAnthropicError(res, 401, { type: 'authentication_error', message: 'invalid x-api-key' });
      return false;
    }
  }
  const version = req.headers['anthropic-version'];
  if (typeof version !== 'string' || version.length === 0) {
    sendAnthropicError(res, 400, anthropicInvalid('anthropic-version: header is required'));
    return false;
  }
  if (!VERSION.test(version)) {
    sendAnthropicError(res, 400, anthropicInvalid(`anthropic-version: "${version}" is not a valid version`));
    return false;
  }
  return true;
}

function apiKey(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const authorization = req.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim() || undefined;
  return undefined;
}
