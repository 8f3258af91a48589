// What goes to the upstream: the body with the exact model ID, and the client's headers minus its
// credentials and hop-by-hop headers, plus the provider's credential.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ParsedRequest, ProviderCredential, ProviderFormat } from '@switchyard/core';

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
 * serialised once with `model` replaced (in place, so the key order stays). A chat or completions stream
 * also asks for usage (`stream_options.include_usage`), which prices the call; see `asksUsageForClient`.
 */
export function requestBody(request: ParsedRequest, model: string): Buffer {
  const { body, raw } = request;
  const addUsage = asksUsageForClient(request);
  if (body.model === model && !addUsage) return raw;
  if (body.model === model && body.stream_options === undefined) {
    // Spliced in after the opening brace: cheaper than serialising the whole prompt again.
    const open = raw.indexOf(0x7b /* { */);
    return Buffer.concat([raw.subarray(0, open + 1), INCLUDE_USAGE, raw.subarray(open + 1)]);
  }
  const out: Record<string, unknown> = { ...body, model };
  if (addUsage) out.stream_options = { ...(isObject(body.stream_options) ? body.stream_options : {}), include_usage: true };
  return Buffer.from(JSON.stringify(out));
}

const INCLUDE_USAGE = Buffer.from('"stream_options":{"include_usage":true},');

/**
 * Whether the gateway adds `stream_options.include_usage` to this request: an OpenAI-format chat or
 * completions stream whose client did not ask for usage. The answer's usage-only chunk is then the
 * gateway's, and is not passed on (see `usageChunkFilter`).
 */
export function asksUsageForClient(request: ParsedRequest): boolean {
  const { body, endpoint } = request;
  if (body.stream !== true || (endpoint !== 'chat' && endpoint !== 'completions')) return false;
  return !(isObject(body.stream_options) && body.stream_options.include_usage === true);
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
