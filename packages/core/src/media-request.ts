// The parsed request of a media call: a multipart upload read only as far as its `model` field (the rest
// streams on to the provider), or a follow-up on a gateway ID (the model and provider are the ID's). JSON
// media calls (image generations, speech, tasks) are read as every other call is, by `readRequest`.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { RequestHandler } from 'express';
import { routing } from './context.js';
import { clientFormatOf, endpointOf } from './endpoint.js';
import { badRequest, SwitchyardError } from './errors.js';
import { type GatewayIdKind, type GatewayIds, looksLikeGatewayId, type MintedId } from './gateway-id.js';
import { bodyOf, bodyLimits, readRequest, type ReadRequestOptions, bodyTimedOut } from './read-request.js';
import type { Endpoint, ProviderFormat } from './record.js';
import { firstHeader, isObject, parseRequest, type FollowUp, type MultipartUpload, type ParsedRequest } from './request.js';

/** How far into a multipart body the `model` field is looked for before the call is refused. */
export const MULTIPART_HEAD_LIMIT = 1024 * 1024;

export interface MediaRequestOptions extends ReadRequestOptions {
  /** The policy's ID key; without it every follow-up is a 404 (no ID was handed out). */
  readonly ids?: GatewayIds;
  /** Bytes of a multipart body read while looking for `model`. Default: 1 MiB. */
  readonly multipartHeadLimit?: number;
  /**
   * The policy's route names: a follow-up on an ID minted through a route asks for that route (a key allowed the
   * route may poll what it made), else for the minting model. Either way the minting provider and model serve it.
   */
  readonly routes?: ReadonlySet<string>;
}

/** What a follow-up asks for: the route it was minted through while the policy has it, else the minting model. */
function askedFor(minted: MintedId, routes: ReadonlySet<string> | undefined): string {
  return minted.route !== undefined && routes?.has(minted.route) ? minted.route : minted.model;
}

const KIND_OF: Partial<Record<Endpoint, GatewayIdKind>> = { videos: 'video', tasks: 'task', responses: 'resp' };
const NOUN: Readonly<Record<GatewayIdKind, string>> = { video: 'video', task: 'task', resp: 'response' };

/**
 * Makes the ParsedRequest of a media or follow-up call, before `signals()` would: a follow-up (`/videos/{id}…`,
 * `/tasks/{id}`, `/responses/{id}`) gets its model from the gateway ID, or 404 `not_found` for an ID that is
 * not one of this gateway's (altered, forged, another owner's); a multipart body is read up to its `model`
 * field. Mount after `keys()` (the owner is checked) and before `signals()`.
 */
export function mediaRequest(options: MediaRequestOptions = {}): RequestHandler {
  const limits = bodyLimits(options);
  const headLimit = options.multipartHeadLimit ?? MULTIPART_HEAD_LIMIT;
  return function switchyardMediaRequest(req, _res, next) {
    const ctx = routing(req);
    if (ctx.request) return next();
    const path = req.path;
    const endpoint = endpointOf(path);
    const followUp = followUpOf(path, endpoint, req.method);
    let made: Promise<ParsedRequest>;
    if (followUp) {
      made = ctx.parse(async () => {
        const minted = options.ids?.unwrap(followUp.id, KIND_OF[endpoint]);
        const kind = KIND_OF[endpoint]!;
        if (!minted || minted.owner !== ctx.record.owner) throw notFound(kind, followUp.id);
        const read = followUp.action === 'remix' ? await bodyOf(req, limits) : { body: {}, raw: Buffer.alloc(0) };
        if (!isObject(read.body)) throw badRequest('The request body must be a JSON object.', 'invalid_body');
        const fields = { ...read.body, model: askedFor(minted, options.routes) };
        const info: FollowUp = { minted, gatewayId: followUp.id, action: followUp.action };
        return new MediaRequest(endpoint, path, fields, read.raw, req, { followUp: info });
      });
    } else if (isMultipart(req.headers)) {
      made = ctx.parse(() => readMultipart(req, endpoint, path, headLimit, limits.timeoutMs));
    } else {
      made = readRequest(req, limits);
    }
    made.then(() => next(), next);
  };
}

/**
 * `POST /responses` on a policy with an ID key: a `previous_response_id` that is a gateway ID sends the call to
 * the provider and model that stored the response (the model the client named gives way: only that provider
 * holds the conversation), the provider's own ID in its place; an altered one is a 404. Any other call is
 * parsed as `readRequest` would. Mount after `keys()`, before `signals()`.
 */
export function previousResponse(options: MediaRequestOptions & { readonly ids: GatewayIds }): RequestHandler {
  const limits = bodyLimits(options);
  const { ids } = options;
  return function switchyardPreviousResponse(req, _res, next) {
    const ctx = routing(req);
    if (ctx.request) return next();
    ctx
      .parse(async () => {
        const { body, raw } = await bodyOf(req, limits);
        const init = { path: req.path, headers: req.headers, rawHeaders: req.rawHeaders };
        const previous = isObject(body) ? body.previous_response_id : undefined;
        if (typeof previous !== 'string' || !looksLikeGatewayId(previous)) return parseRequest({ ...init, body, raw });
        const minted = ids.unwrap(previous, 'resp');
        if (!minted || minted.owner !== ctx.record.owner) throw notFound('resp', previous);
        const changed = {
          ...(body as Record<string, unknown>),
          model: askedFor(minted, options.routes),
          previous_response_id: minted.id,
        };
        const request = parseRequest({ ...init, body: changed, raw: Buffer.from(JSON.stringify(changed)) });
        const followUp: FollowUp = { minted, gatewayId: previous, action: 'continue' };
        return Object.defineProperty(request, 'followUp', { value: followUp, enumerable: true });
      })
      .then(() => next(), next);
  };
}

/** Not found in the client's wire format; the ID is echoed only in part. */
function notFound(kind: GatewayIdKind, id: string): SwitchyardError {
  const shown = id.length > 48 ? `${id.slice(0, 48)}…` : id;
  return new SwitchyardError({
    status: 404,
    type: 'invalid_request_error',
    code: 'not_found',
    param: 'id',
    message: `No ${NOUN[kind]} with ID '${shown}' was created through this gateway (an ID it hands out is signed; this one is altered, forged or another owner's).`,
  });
}

interface FollowUpPath {
  readonly id: string;
  readonly action: FollowUp['action'];
}

/** The ID and action of a follow-up path, `undefined` for a create. */
function followUpOf(path: string, endpoint: Endpoint, method: string): FollowUpPath | undefined {
  if (!KIND_OF[endpoint]) return undefined;
  const parts = path.split('/').filter(Boolean);
  const at = parts.indexOf(endpoint);
  const raw = at >= 0 ? parts[at + 1] : undefined;
  if (raw === undefined) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    id = raw;
  }
  const tail = parts[at + 2];
  if (tail === 'content') return { id, action: 'content' };
  if (tail === 'remix') return { id, action: 'remix' };
  return { id, action: method === 'DELETE' ? 'delete' : 'get' };
}

function isMultipart(headers: IncomingHttpHeaders): boolean {
  return /^multipart\/form-data/i.test(headers['content-type'] ?? '');
}

const NO_BYTES = Buffer.alloc(0);

class MediaRequest implements ParsedRequest {
  readonly format: ProviderFormat;
  readonly headers: IncomingHttpHeaders;
  readonly model: string;
  readonly stream = false;
  readonly maxOutputTokens = undefined;
  readonly completions = 1;
  readonly hasSchema = false;
  readonly hasTools = false;
  readonly hasImages = false;
  readonly upload?: MultipartUpload;
  readonly followUp?: FollowUp;
  readonly #rawHeaders: readonly string[];

  constructor(
    readonly endpoint: Endpoint,
    readonly path: string,
    readonly body: Readonly<Record<string, unknown>>,
    readonly raw: Buffer,
    req: IncomingMessage,
    extra: { readonly upload?: MultipartUpload; readonly followUp?: FollowUp },
  ) {
    this.format = clientFormatOf(path);
    this.headers = req.headers;
    this.#rawHeaders = req.rawHeaders;
    this.model = String(body.model);
    this.upload = extra.upload;
    this.followUp = extra.followUp;
  }

  header(lowerName: string): string | undefined {
    return firstHeader(this.#rawHeaders, lowerName);
  }

  get workflow(): string | undefined {
    const workflow = this.header('x-switchyard-workflow');
    return workflow || undefined;
  }
}

/**
 * Reads a multipart body until its `model` field has arrived whole, keeping the bytes read; the rest stays
 * unread until the provider's request takes it. Files before `model` are read past (counted, not kept
 * beyond the head limit): past `headLimit` bytes without `model`, 400 `model_field_too_late`.
 */
function readMultipart(
  req: IncomingMessage,
  endpoint: Endpoint,
  path: string,
  headLimit: number,
  timeoutMs: number,
): Promise<ParsedRequest> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'identity') {
    return Promise.reject(
      new SwitchyardError({
        status: 415,
        type: 'invalid_request_error',
        code: 'unsupported_encoding',
        message: `A multipart body is streamed to the provider as sent; content-encoding "${encoding}" is not supported.`,
      }),
    );
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { fieldSize: 64 * 1024 } });
  } catch {
    return Promise.reject(badRequest('The multipart/form-data body has no boundary.', 'invalid_body'));
  }
  return new Promise((resolve, reject) => {
    const head: Buffer[] = [];
    let length = 0;
    const fields: Record<string, unknown> = {};
    let done = false;
    const timer = setTimeout(() => finish(bodyTimedOut(timeoutMs, `The form's "model" field`)), timeoutMs);
    const finish = (err?: SwitchyardError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      parser.removeAllListeners();
      parser.on('error', () => {});
      parser.destroy();
      if (err) {
        req.resume();
        return reject(err);
      }
      req.pause();
      const upload = new Upload(head, req, Number(req.headers['content-length']) || undefined);
      resolve(new MediaRequest(endpoint, path, fields, NO_BYTES, req, { upload }));
    };
    const onData = (chunk: Buffer) => {
      head.push(chunk);
      length += chunk.length;
      parser.write(chunk);
      if (!done && length > headLimit) {
        finish(
          badRequest(
            `The form's "model" field did not come within its first ${headLimit} bytes: send "model" before the file (the gateway streams files through, it does not hold them).`,
            'model_field_too_late',
            'model',
          ),
        );
      }
    };
    const onEnd = () => parser.end();
    const onClose = () => {
      if (!req.complete) finish(badRequest('The request was aborted before its body arrived.', 'request_aborted'));
    };
    // Text fields are read up to the first file after `model` (n, size, seconds price the call), then the rest streams.
    parser.on('field', (name, value) => {
      if (name === 'model') {
        if (value === '') return finish(missingModel());
        fields.model = value;
      } else if (Object.keys(fields).length < 32) fields[name] = numberOr(value);
    });
    parser.on('file', (_name, file) => {
      // Destroyed with the parser when it is cut short: its "unexpected end" is ours, not an error.
      file.on('error', () => {});
      file.resume();
      if (fields.model !== undefined) finish();
    });
    parser.on('error', () => finish(badRequest('The multipart/form-data body could not be read.', 'invalid_body')));
    parser.on('close', () => finish(fields.model === undefined ? missingModel() : undefined));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}

function missingModel(): SwitchyardError {
  return badRequest('The form must name a model: a non-empty "model" field.', 'missing_model', 'model');
}

function numberOr(value: string): unknown {
  return /^\d+(?:\.\d+)?$/.test(value) ? Number(value) : value;
}

/** The head read so far, then the rest of the client's body as it comes, with backpressure. */
class Upload implements MultipartUpload {
  #head: Buffer[] | undefined;

  constructor(
    head: Buffer[],
    readonly req: IncomingMessage,
    readonly declared: number | undefined,
  ) {
    this.#head = head;
  }

  take(model: string): { readonly body: Readable; readonly length: number | undefined } {
    const head = this.#head;
    if (!head) throw new Error('switchyard: a multipart upload can be sent once');
    this.#head = undefined;
    const { bytes, delta } = withModel(Buffer.concat(head), model);
    const req = this.req;
    async function* body(): AsyncGenerator<Buffer> {
      yield bytes;
      for await (const chunk of req) yield chunk as Buffer;
    }
    return { body: Readable.from(body(), { objectMode: false }), length: this.declared && this.declared + delta };
  }
}

const MODEL_PART = /name="model"\r\n(?:[^\r\n]+\r\n)*\r\n/;

/** The head with the `model` field's value replaced (the client may have named a route); its change in length. */
function withModel(head: Buffer, model: string): { bytes: Buffer; delta: number } {
  const text = head.toString('latin1');
  const match = MODEL_PART.exec(text);
  if (!match) return { bytes: head, delta: 0 };
  const start = match.index + match[0].length;
  const end = text.indexOf('\r\n', start);
  if (end < 0) return { bytes: head, delta: 0 };
  const old = head.subarray(start, end);
  const value = Buffer.from(model);
  if (old.equals(value)) return { bytes: head, delta: 0 };
  return { bytes: Buffer.concat([head.subarray(0, start), value, head.subarray(end)]), delta: value.length - old.length };
}
