import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { BodyTooLargeError, type ParsedBody, readParsedBody } from './body.js';
import { INVALID_JSON } from './chat-validation.js';
import { isRecord } from './guards.js';
import type { CallRecord } from './recorder.js';
import type { UploadedFile, UploadSummary } from './types.js';

/** One uploaded file: its summary plus its first bytes, kept to tell its format; the rest is counted and dropped. */
export interface FilePart extends UploadedFile {
  readonly head: Buffer;
}

/** A parsed multipart/form-data request: text fields and the files that streamed through. */
export interface MultipartForm {
  readonly fields: Readonly<Record<string, string | readonly string[]>>;
  readonly files: readonly FilePart[];
  readonly fileBytes: number;
}

/** The outcome of reading a multipart request: the form, or why it cannot be used (400, or 413 for a file too large). */
export type MultipartResult =
  | { readonly ok: true; readonly form: MultipartForm }
  | { readonly ok: false; readonly status: 400 | 413; readonly message: string };

/** Limits of one multipart read. */
export interface MultipartLimits {
  /** Largest file, in bytes; one byte more answers 413. */
  readonly fileBytes: number;
  /** How many leading bytes of each file to keep. Default 4096 (enough for a WAV header). */
  readonly headBytes?: number;
}

const DEFAULT_HEAD_BYTES = 4096;
const JSON_LIMIT_BYTES = 32 * 1024 * 1024;
const FIELD_LIMIT_BYTES = 1024 * 1024;
const MAX_FILES = 32;
const MAX_FIELDS = 128;

/**
 * Streams a multipart/form-data request through busboy: text fields are kept, files are counted chunk by chunk
 * and only their first `headBytes` kept, so uploads of any size pass in constant memory. A request that is not
 * multipart, is malformed, or holds a file over `fileBytes` resolves `ok: false`; the body is still drained.
 */
export function readMultipart(req: IncomingMessage, limits: MultipartLimits): Promise<MultipartResult> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\b/i.test(contentType)) {
    return Promise.resolve({
      ok: false,
      status: 400,
      message:
        `Invalid Content-Type header (${contentType || 'none'}), expected multipart/form-data. ` +
        "(HINT: If you're using curl, you can pass -H 'Content-Type: multipart/form-data')",
    });
  }
  const headBytes = limits.headBytes ?? DEFAULT_HEAD_BYTES;
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // busboy reports the limit when a file reaches it; one byte more tells "exactly the limit" from "over".
        limits: { fileSize: limits.fileBytes + 1, fieldSize: FIELD_LIMIT_BYTES, files: MAX_FILES, fields: MAX_FIELDS },
      });
    } catch (error) {
      resolve({ ok: false, status: 400, message: `Could not parse multipart form: ${(error as Error).message}` });
      return;
    }
    const fields: Record<string, string | string[]> = {};
    const files: FilePart[] = [];
    const pending: Promise<void>[] = [];
    let tooLarge: string | undefined;
    let settled = false;
    const settle = (result: MultipartResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };

    parser.on('field', (name, value) => {
      const earlier = fields[name];
      if (earlier === undefined) fields[name] = value;
      else fields[name] = Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
    });
    parser.on('file', (field, stream, info) => {
      const head: Buffer[] = [];
      let kept = 0;
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (kept < headBytes) {
          // A copy, so the rest of the chunk is not kept alive with it.
          const piece = Buffer.from(chunk.subarray(0, headBytes - kept));
          head.push(piece);
          kept += piece.length;
        }
      });
      stream.on('limit', () => {
        tooLarge ??= field;
      });
      pending.push(
        new Promise((ended) => {
          stream.once('close', () => {
            files.push({
              field,
              filename: info.filename || undefined,
              contentType: info.mimeType,
              bytes,
              head: Buffer.concat(head),
            });
            ended();
          });
        }),
      );
    });
    parser.on('error', (error: Error) => {
      req.unpipe(parser);
      req.resume();
      settle({ ok: false, status: 400, message: `Could not parse multipart form: ${error.message}` });
    });
    parser.on('close', () => {
      void Promise.all(pending).then(() => {
        if (tooLarge !== undefined) {
          settle({
            ok: false,
            status: 413,
            message: `Maximum content size limit (${limits.fileBytes}) exceeded in file '${tooLarge}'.`,
          });
          return;
        }
        const fileBytes = files.reduce((sum, file) => sum + file.bytes, 0);
        settle({ ok: true, form: { fields, files, fileBytes } });
      });
    });

    // A body parser in front (e.g. express.raw()) may have read the stream already.
    const consumed = (req as { body?: unknown }).body;
    if (req.readableEnded) parser.end(Buffer.isBuffer(consumed) ? consumed : undefined);
    else req.pipe(parser);
  });
}

/** Records what a multipart request carried: its fields as the body, the files' summary, and the `model` field. */
export function recordUpload(call: CallRecord, form: MultipartForm): void {
  const summary: UploadSummary = {
    fields: form.fields,
    files: form.files.map(({ field, filename, contentType, bytes }) => ({ field, filename, contentType, bytes })),
    fileBytes: form.fileBytes,
  };
  call.upload = summary;
  call.body = form.fields;
  const model = form.fields.model;
  if (typeof model === 'string') call.model = model;
  call.stream = form.fields.stream === 'true';
}

/** The one value of a text field (the first, when it was sent several times), or `undefined`. */
export function field(form: MultipartForm, name: string): string | undefined {
  const value = form.fields[name];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

/** A request body that may come as JSON or as multipart/form-data: its fields, and the form when multipart. */
export type FieldsResult =
  | { readonly ok: true; readonly fields: Readonly<Record<string, unknown>>; readonly form: MultipartForm | undefined }
  | { readonly ok: false; readonly status: 400 | 413; readonly message: string };

/**
 * Reads a body a route takes either way (the videos API): multipart through {@link readMultipart}, anything
 * else as JSON (a body that is not a JSON object is a 400 with OpenAI's message).
 */
export async function readFields(req: IncomingMessage, call: CallRecord, limits: MultipartLimits): Promise<FieldsResult> {
  if (/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')) {
    const read = await readMultipart(req, limits);
    if (!read.ok) return read;
    recordUpload(call, read.form);
    return { ok: true, fields: read.form.fields, form: read.form };
  }
  let body: ParsedBody;
  try {
    body = await readParsedBody(req, JSON_LIMIT_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { ok: false, status: 413, message: error.message };
    throw error;
  }
  call.body = body.value;
  if (!body.json || !isRecord(body.value)) return { ok: false, status: 400, message: INVALID_JSON };
  if (typeof body.value.model === 'string') call.model = body.value.model;
  return { ok: true, fields: body.value, form: undefined };
}
