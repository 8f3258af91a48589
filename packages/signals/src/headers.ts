// A header's first value, as sent: Node joins repeated custom headers with ", ", which would blur them.
import type { IncomingMessage } from 'node:http';

/** The first value of header `lowerName` (lower-case), or `undefined` when the request has none. */
export function firstHeader(req: IncomingMessage, lowerName: string): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length === lowerName.length && key.toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}
