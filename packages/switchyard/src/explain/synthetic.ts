// A request that never came over the network, for the real middlewares to decide on: what explain and
// policy tests run the stack's pieces against.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import express, { type Request, type RequestHandler, type Response } from 'express';

/** What a synthetic request is made of. */
export interface SyntheticInit {
  /** Below the mount point, e.g. `/chat/completions`. */
  readonly path: string;
  /** The body's JSON bytes, read as a client's body would be. */
  readonly raw: Buffer;
  /** Header names and values, as a client would send them. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A POST with `init`'s body and headers, shaped as Express's request, and a bare response. */
export function syntheticCall(init: SyntheticInit): { req: Request; res: Response } {
  const req = new IncomingMessage(new Socket());
  // Express's own request prototype: plugins and middlewares see `req.get()`, `req.path` and the rest.
  Object.setPrototypeOf(req, express.request);
  req.method = 'POST';
  req.url = init.path;
  const rawHeaders: string[] = [];
  for (const [name, value] of Object.entries(init.headers)) {
    rawHeaders.push(name, value);
    req.headers[name.toLowerCase()] = value;
  }
  req.rawHeaders = rawHeaders;
  req.headers['content-type'] ??= 'application/json';
  req.headers['content-length'] = String(init.raw.length);
  // The body as an app's express.raw() would have left it: core's readRequest parses these bytes.
  (req as IncomingMessage & { body?: unknown }).body = init.raw;
  req.complete = true;
  // Nothing is ever sent on it: the middlewares that run here pass refusals to `next`.
  const res = new ServerResponse(req);
  return { req: req as Request, res: res as Response };
}

/** Runs one middleware; resolves with what it passed to `next` (`undefined` when it let the request through). */
export function runMiddleware(handler: RequestHandler, req: Request, res: Response): Promise<unknown> {
  return new Promise((resolve, reject) => {
    try {
      const out: unknown = handler(req, res, (err?: unknown) => resolve(err));
      if (out instanceof Promise) out.catch(reject);
    } catch (err) {
      reject(err);
    }
  });
}
