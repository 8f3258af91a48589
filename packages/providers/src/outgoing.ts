// What goes to the upstream: the body with the exact model ID, and the client's headers minus its
// credentials and hop-by-hop headers, plus the provider's credential.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ParsedRequest, ProviderCredential } from '@switchyard/core';

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

/**
 * The request body for `model`: the client's bytes untouched when they already name it, else the body
 * serialised once with `model` replaced (in place, so the key order stays).
 */
export function requestBody(request: ParsedRequest, model: string): Buffer {
  if (request.body.model === model) return request.raw;
  return Buffer.from(JSON.stringify({ ...request.body, model }));
}

/** The upstream request's headers; `host` is set by the proxy from the provider's base URL. */
export function outgoingHeaders(
  client: IncomingHttpHeaders,
  contentLength: number,
  credential: ProviderCredential | undefined,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name in client) {
    if (!NOT_FORWARDED.has(name)) headers[name] = client[name];
  }
  headers['content-type'] = 'application/json';
  headers['content-length'] = contentLength;
  // Uncompressed, so the usage tap can read the answer as it passes.
  headers['accept-encoding'] = 'identity';
  if (credential) headers.authorization = `Bearer ${credential.secret.reveal()}`;
  return headers;
}
