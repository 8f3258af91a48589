import type { IncomingHttpHeaders } from 'node:http';
import { invalidApiKey, type OpenAIError } from './errors.js';

/** The 401 error for a request whose bearer key is missing or not in `keys`, or `undefined` when it may pass. */
export function checkApiKey(headers: IncomingHttpHeaders, keys: ReadonlySet<string>): OpenAIError | undefined {
  const authorization = headers.authorization;
  if (authorization === undefined || authorization.length === 0) return invalidApiKey();
  const key = authorization.startsWith('Bearer ') ? authorization.slice(7).trim() : authorization.trim();
  return keys.has(key) ? undefined : invalidApiKey(key);
}
