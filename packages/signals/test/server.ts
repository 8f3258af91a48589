// Test helpers: a real HTTP server around signals(), and small policies. Not part of the build.
import type { AddressInfo } from 'node:net';
import { errorHandler, parsePolicy, routing, type Policy } from '@switchyard/core';
import express, { type Express, type RequestHandler } from 'express';
import { signalCatalog } from '../src/catalog.js';
import { signals } from '../src/middleware.js';
import type { SignalCatalog, SignalCatalogOptions } from '../src/types.js';

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

export async function serve(app: Express): Promise<Served> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Answers with what the stack parsed and with the readings of the signals named in `?read=a,b`. */
export const reportSignals: RequestHandler = async function reportSignals(req, res) {
  const ctx = routing(req);
  const names = typeof req.query.read === 'string' && req.query.read !== '' ? req.query.read.split(',') : [];
  const reader = ctx.signals;
  await reader?.read(names);
  // What a rule would record: the readings of the signals it read.
  const signals = Object.fromEntries(names.flatMap((name) => (reader?.reading(name) ? [[name, reader.reading(name)]] : [])));
  res.json({
    signals,
    endpoint: ctx.record.endpoint,
    requestedModel: ctx.record.requestedModel,
    streaming: ctx.record.streaming,
    path: ctx.request?.path,
    raw: ctx.request?.raw.toString('utf8'),
    bound: ctx.signals?.upperBound('input_tokens') ?? null,
  });
};

/** An app with signals() under /v1, the reporting handler and core's errorHandler(). */
export function signalsApp(
  options: { readonly catalog: SignalCatalog; readonly bodyLimit?: number | string },
  before: RequestHandler[] = [],
): Express {
  const app = express();
  const v1 = express.Router();
  v1.use(...before, signals(options));
  v1.all('/{*rest}', reportSignals);
  app.use('/v1', v1);
  app.use(errorHandler({ onInternalError: () => {} }));
  return app;
}

const BASE = `version: 1
providers: {}
models: {}
`;

/** A valid policy whose extra YAML (e.g. a `signals:` block) follows three fixed lines. */
export function policyWith(extra = '', file = 'test.yaml'): Policy {
  return parsePolicy(BASE + extra, file, { env: {} });
}

export function catalogWith(extra = '', options?: SignalCatalogOptions): SignalCatalog {
  return signalCatalog(policyWith(extra), options);
}

export interface Posted {
  readonly status: number;
  readonly body: any;
}

/** POSTs JSON (or a raw string) to `url + path`. */
export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Posted> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
