// Reads a request's body once, without body-parser's layers on the common path (an uncompressed UTF-8
// body), and makes the ParsedRequest every middleware reads.
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import bytes from 'bytes';
import { routing } from './context.js';
import { badRequest, SwitchyardError } from './errors.js';
import { isObject, parseRequest, type ParsedRequest } from './request.js';
import { deeperThan, MAX_NESTING } from './request-shape.js';

/** The body limit unless `bodyLimit` says otherwise. */
export const DEFAULT_BODY_LIMIT = '4mb';
/** How long a body may take to arrive whole unless `bodyTimeoutMs` says otherwise. */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

export interface ReadRequestOptions {
  /** Largest request body accepted, in bytes or as `'4mb'`. Default: `'4mb'`. */
  readonly bodyLimit?: number | string;
  /** A body that has not arrived whole this long after reading began is refused with 408. Default: 30 000 ms. */
  readonly bodyTimeoutMs?: number;
}

/** The options, checked once (at a middleware's construction). @throws TypeError for a limit that does not parse. */
export function bodyLimits(options: ReadRequestOptions = {}): { readonly limit: number; readonly timeoutMs: number } {
  const limit = typeof options.bodyLimit === 'number' ? options.bodyLimit : bytes.parse(options.bodyLimit ?? DEFAULT_BODY_LIMIT);
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 0) {
    throw new TypeError(`bodyLimit must be a number of bytes or a size such as "4mb", got ${JSON.stringify(options.bodyLimit)}`);
  }
  const timeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1) {
    throw new TypeError(`bodyTimeoutMs must be a whole number of milliseconds, got ${String(options.bodyTimeoutMs)}`);
  }
  return { limit, timeoutMs };
}

const DEFAULTS = bodyLimits();

/** An Express request (or a plain one): its path below the mount point and a body an app may have parsed already. */
type Incoming = IncomingMessage & { readonly path?: string; readonly body?: unknown };

/**
 * The request's ParsedRequest: made the first time it is asked for (reading and parsing the body), the
 * same one afterwards. Writes the record's `endpoint`, `requestedModel` and `streaming`. A body the app
 * parsed already (an object from `express.json()`, a Buffer from `express.raw()`, a string) is used.
 * Rejects with a SwitchyardError: 400 (not JSON, not an object, no model, no messages), 413 (over the
 * limit), 415 (an encoding or charset it cannot read), 408 (too slow), 400 `request_aborted`.
 */
export function readRequest(
  req: Incoming,
  options: { readonly limit: number; readonly timeoutMs: number } = DEFAULTS,
): Promise<ParsedRequest> {
  const ctx = routing(req);
  if (ctx.request) return Promise.resolve(ctx.request);
  return ctx.parse(() => parse(req, options));
}

async function parse(req: Incoming, options: { readonly limit: number; readonly timeoutMs: number }): Promise<ParsedRequest> {
  const { body, raw } = await bodyOf(req, options);
  const path = req.path ?? new URL(req.url ?? '/', 'http://localhost').pathname;
  return parseRequest({ path, body, raw, headers: req.headers, rawHeaders: req.rawHeaders });
}

/** The body's bytes and its JSON (anything), as `readRequest` reads them. */
export async function bodyOf(
  req: Incoming,
  options: { readonly limit: number; readonly timeoutMs: number },
): Promise<{ body: unknown; raw: Buffer }> {
  const preParsed = req.body;
  if (Buffer.isBuffer(preParsed)) return { body: parseJson(preParsed), raw: preParsed };
  if (typeof preParsed === 'string') return { body: parseJson(Buffer.from(preParsed)), raw: Buffer.from(preParsed) };
  if (isObject(preParsed)) return { body: preParsed, raw: serialised(preParsed) };
  const raw = await readBody(req, options.limit, options.timeoutMs);
  return { body: parseJson(raw), raw };
}

/** A body the app parsed, as bytes; one too deep to serialise is the client's error. */
function serialised(body: Readonly<Record<string, unknown>>): Buffer {
  try {
    return Buffer.from(JSON.stringify(body));
  } catch {
    throw badRequest(`The request body nests arrays and objects deeper than ${MAX_NESTING} levels.`, 'invalid_body');
  }
}

const BOM = [0xef, 0xbb, 0xbf];

function parseJson(raw: Buffer): unknown {
  const start = raw[0] === BOM[0] && raw[1] === BOM[1] && raw[2] === BOM[2] ? 3 : 0;
  if (raw.length === start) return {};
  if (deeperThan(raw))
    throw badRequest(`The request body nests arrays and objects deeper than ${MAX_NESTING} levels.`, 'invalid_body');
  try {
    return JSON.parse(raw.toString('utf8', start));
  } catch {
    throw badRequest('The request body is not valid JSON.', 'invalid_json');
  }
}

/** The body's bytes, decompressed, up to `limit`. Any content-type is read as JSON: curl users forget the header. */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return Promise.reject(unsupported(`The request body's charset "${charset}" is not supported; send UTF-8 JSON.`));
  }
  const stream = decoded(req);
  if (stream instanceof SwitchyardError) return Promise.reject(stream);
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const timer = setTimeout(() => finish(bodyTimedOut(timeoutMs)), timeoutMs);
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) return finish(tooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    const onError = () => finish(badRequest('The request body could not be read.', 'invalid_body'));
    const onAborted = () => finish(badRequest('The request was aborted before its body arrived.', 'request_aborted'));
    const finish = (err: SwitchyardError | undefined) => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      req.off('aborted', onAborted);
      req.off('close', onClose);
      if (stream !== req) {
        req.unpipe();
        stream.destroy();
      }
      if (err) {
        // Whatever else the client sends is read and dropped, so the answer can still reach it.
        req.resume();
        reject(err);
      } else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
    };
    const onClose = () => {
      if (!req.complete) onAborted();
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    req.on('aborted', onAborted);
    req.on('close', onClose);
  });
}

/** The body as it must be read: the request itself, or through the decompressor its `content-encoding` names. */
function decoded(req: IncomingMessage): Readable | SwitchyardError {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let decompress: Transform;
  switch (encoding) {
    case 'identity':
      return req;
    case 'gzip':
    case 'x-gzip':
      decompress = createGunzip();
      break;
    case 'deflate':
      decompress = createInflate();
      break;
    case 'br':
      decompress = createBrotliDecompress();
      break;
    default:
      return unsupported(
        `The request body's content-encoding "${encoding}" is not supported; send it uncompressed, gzip, deflate or br.`,
      );
  }
  return req.pipe(decompress);
}

function tooLarge(limit: number): SwitchyardError {
  return new SwitchyardError({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `The request body is larger than the gateway's limit of ${limit} bytes.`,
  });
}

function unsupported(message: string): SwitchyardError {
  return new SwitchyardError({ status: 415, type: 'invalid_request_error', code: 'unsupported_encoding', message });
}

/** 408 `request_body_timeout`: `what` (the body, or the part of it the gateway waits for) was too slow. */
export function bodyTimedOut(ms: number, what = 'The request body'): SwitchyardError {
  return new SwitchyardError({
    status: 408,
    type: 'invalid_request_error',
    code: 'request_body_timeout',
    message: `${what} did not arrive within ${ms} ms.`,
  });
}
