import type { IncomingMessage } from 'node:http';

/** A request body: parsed JSON, else the raw text (`json: false`), `undefined` when empty. */
export interface ParsedBody {
  readonly value: unknown;
  readonly json: boolean;
}

/** Thrown when a request body is larger than the mock accepts. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/**
 * Reads and parses the request body. When a body parser in front (e.g. `express.json()`) already
 * consumed the stream, its `req.body` is used instead, so the handler can be mounted in an Express app.
 */
export function readParsedBody(req: IncomingMessage, limit: number): Promise<ParsedBody> {
  if (req.readableEnded) return Promise.resolve(fromConsumed((req as { body?: unknown }).body));
  return readText(req, limit).then(parseBody);
}

function readText(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new BodyTooLargeError(`Request body exceeds ${limit} bytes.`));
      else parts.push(chunk);
    });
    req.once('end', () => {
      resolve(parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8'));
    });
    req.once('error', reject);
  });
}

/** Parses text as JSON; keeps the raw text when it is not JSON. */
export function parseBody(raw: string): ParsedBody {
  if (raw.length === 0) return { value: undefined, json: false };
  try {
    return { value: JSON.parse(raw) as unknown, json: true };
  } catch {
    return { value: raw, json: false };
  }
}

function fromConsumed(body: unknown): ParsedBody {
  if (body === undefined) return { value: undefined, json: false };
  if (typeof body === 'string') return parseBody(body);
  if (Buffer.isBuffer(body)) return parseBody(body.toString('utf8'));
  return { value: body, json: true };
}
