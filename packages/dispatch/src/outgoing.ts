// What goes to the upstream besides the body: the client headers the provider's format and the policy
// allow, never a credential or a billing header, and the provider's own credential.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { NEVER_FORWARDED, type ProviderConfig, type ProviderCredential, type ProviderFormat } from '@switchyard/core';

/** Client headers every provider gets: what the client accepts, who it is, and the trace it belongs to. */
const COMMON = [
  'accept',
  'accept-language',
  'user-agent',
  'traceparent',
  'tracestate',
  'baggage',
  'x-request-id',
  'x-client-request-id',
  'idempotency-key',
];

/** And those of each format's own API. */
const BY_FORMAT: Readonly<Record<ProviderFormat, readonly string[]>> = {
  openai: [],
  anthropic: ['anthropic-version', 'anthropic-beta'],
  gemini: [],
};

/** The Messages API version sent to Anthropic when the client named none (an OpenAI client never does). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Which client headers one provider gets: built once per provider. */
export interface HeaderFilter {
  readonly names: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

export function headerFilter(provider: ProviderConfig): HeaderFilter {
  const names = new Set([...COMMON, ...BY_FORMAT[provider.format]]);
  const prefixes: string[] = [];
  for (const header of provider.forwardHeaders) {
    if (header.endsWith('*')) prefixes.push(header.slice(0, -1));
    else names.add(header);
  }
  return { names, prefixes };
}

/**
 * The upstream request's headers; `host` is set by the proxy from the provider's base URL. Only the
 * client headers `filter` allows pass (hop-by-hop and body headers never do; they are set anew). The
 * credential goes where the provider's format expects it: `authorization: Bearer` (OpenAI), `x-api-key`
 * (Anthropic, with `anthropic-version`), `x-goog-api-key` (Gemini).
 */
export function outgoingHeaders(
  client: IncomingHttpHeaders,
  contentLength: number,
  credential: ProviderCredential | undefined,
  format: ProviderFormat,
  filter: HeaderFilter,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name in client) {
    if (forwarded(name, filter)) headers[name] = client[name];
  }
  headers['content-type'] = 'application/json';
  headers['content-length'] = contentLength;
  // Uncompressed, so the answer observer can read the answer as it passes.
  headers['accept-encoding'] = 'identity';
  if (format === 'anthropic') headers['anthropic-version'] ??= ANTHROPIC_VERSION;
  if (!credential) return headers;
  const secret = credential.secret.reveal();
  if (format === 'openai') headers.authorization = `Bearer ${secret}`;
  else if (format === 'anthropic') headers['x-api-key'] = secret;
  else headers['x-goog-api-key'] = secret;
  return headers;
}

function forwarded(name: string, filter: HeaderFilter): boolean {
  if (NEVER_FORWARDED.has(name)) return false;
  if (filter.names.has(name)) return true;
  for (const prefix of filter.prefixes) if (name.startsWith(prefix)) return true;
  return false;
}
