// A ParsedRequest made the way the gateway makes one (core's parseRequest), for translator tests.
import { type ParsedRequest, parseRequest } from '@switchyard/core';

/** The request a client sent to `path` (below the mount point, e.g. `/chat/completions`) with this JSON body. */
export function parsedRequest(path: string, body: Readonly<Record<string, unknown>>): ParsedRequest {
  return parseRequest({ path, body, raw: Buffer.from(JSON.stringify(body)), headers: {}, rawHeaders: [] });
}
