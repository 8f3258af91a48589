// signals(): parses the request body once, checks its shape and hands the stack a lazy SignalReader.
import type { IncomingMessage } from 'node:http';
import { badRequest, routing, type ParsedRequest } from '@switchyard/core';
import express, { type NextFunction, type Request, type RequestHandler } from 'express';
import { catalogInternals, type CatalogInternals } from './catalog.js';
import { endpointOf } from './endpoint.js';
import { isObject } from './prompt.js';
import { RequestSignals } from './reader.js';
import type { SignalsOptions } from './types.js';

/** The body limit unless `bodyLimit` says otherwise. */
export const DEFAULT_BODY_LIMIT = '4mb';

const EMPTY = Buffer.alloc(0);
const rawBodies = new WeakMap<IncomingMessage, Buffer>();

function keepRaw(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  rawBodies.set(req, buf);
}

/**
 * The middleware that reads each POST once: parses its JSON body whatever the content-type (up to
 * `bodyLimit`, default 4mb), answers 400 when the body is not an object, has no `model`, or (chat and
 * messages endpoints) no `messages`, and fills `routing(req)`: `request`, the record's `endpoint`,
 * `requestedModel` and `streaming`, and a `signals` reader. No signal is computed here.
 * Body-parser errors (invalid JSON, too large) go to `next(err)` for core's `errorHandler()`.
 * A body the app already parsed (an object, or a Buffer from `express.raw()`) is used as it is.
 * Other methods pass through untouched.
 * @throws TypeError when `options.catalog` was not built by `signalCatalog()` or `bodyLimit` is invalid.
 */
export function signals(options: SignalsOptions): RequestHandler {
  const catalog = catalogInternals(options?.catalog);
  const parseJson = express.json({
    limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    type: () => true, // curl users forget the content-type
    strict: false, // a non-object body gets our "must be a JSON object" error, not a parser one
    verify: keepRaw,
  });

  return function switchyardSignals(req, res, next) {
    if (req.method !== 'POST' || routing(req).request) {
      next();
      return;
    }
    const preParsed: unknown = req.body;
    if (isObject(preParsed) && !Buffer.isBuffer(preParsed)) {
      accept(catalog, req, preParsed, Buffer.from(JSON.stringify(preParsed)), next);
      return;
    }
    if (Buffer.isBuffer(preParsed)) {
      let body: unknown;
      try {
        body = JSON.parse(preParsed.toString('utf8'));
      } catch {
        next(badRequest('The request body is not valid JSON.', 'invalid_json'));
        return;
      }
      accept(catalog, req, body, preParsed, next);
      return;
    }
    parseJson(req, res, (err?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      accept(catalog, req, req.body, rawBodies.get(req) ?? EMPTY, next);
    });
  };
}

function accept(catalog: CatalogInternals, req: Request, body: unknown, raw: Buffer, next: NextFunction): void {
  if (!isObject(body)) {
    next(badRequest('The request body must be a JSON object.', 'invalid_body'));
    return;
  }
  const model = body.model;
  if (typeof model !== 'string' || model.length === 0) {
    next(badRequest('The request body must name a model: "model" must be a non-empty string.', 'missing_model', 'model'));
    return;
  }
  const path = req.path;
  const endpoint = endpointOf(path);
  if ((endpoint === 'chat' || endpoint === 'messages') && !(Array.isArray(body.messages) && body.messages.length > 0)) {
    next(badRequest('"messages" must be a non-empty array.', 'missing_messages', 'messages'));
    return;
  }
  const ctx = routing(req);
  const parsed: ParsedRequest = { endpoint, path, body, raw };
  ctx.request = parsed;
  const { record } = ctx;
  record.endpoint = endpoint;
  record.requestedModel = model;
  record.streaming = body.stream === true;
  ctx.signals = new RequestSignals(catalog, req, record, parsed);
  next();
}
