// What goes to the upstream besides the body: the client's headers minus its credentials and hop-by-hop
// headers, plus the provider's credential.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ProviderCredential, ProviderFormat } from '@switchyard/core';

/**
 * Client headers never forwarded. Credentials: the client's key is for this gateway, never for the
 * provider (`api-key` and `x-goog-api-key` are the Azure and Gemini spellings). Hop-by-hop headers
 * describe the client's connection, not ours (RFC 9110 §7.6.1); forwarding `connection: close` would
 * also cost the pooled upstream connection. The body headers are set anew for the body we send.
 */
const NOT_FORWARDED = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'content-length',
  'content-type',
  'content-encoding',
  'accept-encoding',
]);

/** The Messages API version sent to Anthropic when the client named none (an OpenAI client never does). */
export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * The upstream request's headers; `host` is set by the proxy from the provider's base URL. The
 * credential goes where the provider's format expects it: `authorization: Bearer` (OpenAI),
 * `x-api-key` (Anthropic, with `anthropic-version`), `x-goog-api-key` (Gemini).
 */
export function outgoingHeaders(
  client: IncomingHttpHeaders,
  contentLength: number,
  credential: ProviderCredential | undefined,
  format: ProviderFormat = 'openai',
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name in client) {
    if (!NOT_FORWARDED.has(name)) headers[name] = client[name];
  }
  headers['content-type'] = 'application/json';
  headers['content-length'] = contentLength;
  // Uncompressed, so the usage tap can read the answer as it passes.
  headers['accept-encoding'] = 'identity';
  if (format === 'anthropic') headers['anthropic-version'] ??= ANTHROPIC_VERSION;
  if (!credential) return headers;
  const secret = credential.secret.reveal();
  if (format === 'openai') headers.authorization = `Bearer ${secret}`;
  else if (format === 'anthropic') headers['x-api-key'] = secret;
  else headers['x-goog-api-key'] = secret;
  return headers;
}
