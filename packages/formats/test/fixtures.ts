// What translator tests translate: a ParsedRequest made the way the gateway makes one (core's parseRequest),
// and the model and provider it goes to.
import { type ModelConfig, type ParsedRequest, type ProviderConfig, type ProviderFormat, parseRequest } from '@switchyard/core';

/** The request a client sent to `path` (below the mount point, e.g. `/chat/completions`) with this JSON body. */
export function parsedRequest(path: string, body: Readonly<Record<string, unknown>>): ParsedRequest {
  return parseRequest({ path, body, raw: Buffer.from(JSON.stringify(body)), headers: {}, rawHeaders: [] });
}

/** A model of provider `p` that states no capabilities. */
export function modelConfig(id: string, maxOutputTokens?: number): ModelConfig {
  return { id, provider: 'p', capabilities: new Set(), maxOutputTokens };
}

/** Provider `p`, without credentials or extra forwarded headers. */
export function providerConfig(format: ProviderFormat, baseUrl: string): ProviderConfig {
  return { name: 'p', format, baseUrl, credentials: [], forwardHeaders: [] };
}
