// Test helper: dispatch() mounted at /v1 behind a stand-in for signals(), rules() and pin(), with core's
// errorHandler() after it; every request's routing record is kept for the test to read.
import type { AddressInfo } from 'node:net';
import {
  errorHandler,
  type ParsedRequest,
  parsePolicy,
  type Policy,
  readRequest,
  type RoutingRecord,
  routing,
  type Selection,
} from '@switchyard/core';
import express from 'express';
import { dispatch } from '../src/dispatch.js';
import { afterThisTest } from './upstream.js';
import type { DispatchHandler, DispatchOptions } from '../src/types.js';

export const PROVIDER_KEY = 'sk-provider-secret';
export const CLIENT_KEY = 'sk-client-key';

/**
 * A policy with provider `local` (format openai, one credential) at `baseUrl` and its model `gpt-test`,
 * plus `extra` YAML lines under `providers:` and `models:`; `sections` replaces the routes section.
 */
export function testPolicy(baseUrl: string, extra: { providers?: string; models?: string } = {}, sections?: string): Policy {
  const yaml = `
version: 1
providers:
  local: { format: openai, base_url: ${baseUrl}, credentials: [{ env: LOCAL_KEY }] }
  ${extra.providers ?? ''}
models:
  gpt-test: { provider: local }
  ${extra.models ?? ''}
${
  sections ??
  `routes:
  smart: { default: gpt-test, rules: [{ name: long-context, if: "input_tokens > 100000", use: gpt-test }] }`
}
`;
  return parsePolicy(yaml, 'policy.yaml', { env: { LOCAL_KEY: PROVIDER_KEY } });
}

export interface Exchange {
  readonly record: RoutingRecord;
  /** Resolves once the gateway's response to this request has closed (finished or cut). */
  readonly closed: Promise<void>;
}

export interface TestGateway {
  readonly url: string;
  /** The dispatch() serving now. */
  readonly handler: DispatchHandler;
  /** Serves `policy` from now on, as a reload does: a new dispatch() built on the current one, which is closed. */
  reload(policy: Policy): DispatchHandler;
  readonly exchanges: Exchange[];
  readonly internalErrors: unknown[];
  /** The last request's record, once its response has closed. */
  lastRecord(): Promise<RoutingRecord>;
}

export interface GatewayOptions extends Partial<Omit<DispatchOptions, 'policy'>> {
  readonly policy: Policy;
  /** What rules()/pin() decided. Default: the body's `model`, as an exact ID. */
  readonly selection?: Selection;
  /** false = the stand-ins set nothing: dispatch() runs alone. */
  readonly stages?: boolean;
}

export async function startGateway(options: GatewayOptions): Promise<TestGateway> {
  const { policy, selection, stages = true, ...dispatchOptions } = options;
  const exchanges: Exchange[] = [];
  const internalErrors: unknown[] = [];
  let handler = dispatch({ policy, ...dispatchOptions });
  const router = express.Router();
  router.post(
    '/{*path}',
    function keepRecord(req, res, next) {
      const { record } = routing(req);
      exchanges.push({ record, closed: new Promise((resolve) => res.once('close', () => resolve())) });
      next();
    },
    express.raw({ type: () => true, limit: '10mb' }),
    async function fakeStages(req, _res, next) {
      if (!stages) return next();
      let request: ParsedRequest;
      try {
        request = await readRequest(req);
      } catch (err) {
        return next(err);
      }
      const chosen = selection ?? { kind: 'exact', model: request.model };
      const model = policy.models.get(chosen.model);
      const provider = model && policy.providers.get(model.provider);
      if (!provider) return next(new Error(`test: unknown model ${chosen.model}`));
      const { record } = routing(req);
      record.selection = chosen;
      record.target = { model: chosen.model, provider: provider.name, format: provider.format };
      next();
    },
    (req, res, next) => handler(req, res, next),
  );
  const app = express();
  app.use('/v1', router);
  app.use(errorHandler({ onInternalError: (err) => internalErrors.push(err) }));

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  afterThisTest(
    () =>
      new Promise<void>((resolve) => {
        handler.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    get handler() {
      return handler;
    },
    reload(next: Policy) {
      const previous = handler;
      handler = dispatch({ policy: next, ...dispatchOptions, previous });
      previous.close();
      return handler;
    },
    exchanges,
    internalErrors,
    async lastRecord() {
      const last = exchanges.at(-1);
      if (!last) throw new Error('test: no request reached the gateway');
      await last.closed;
      return last.record;
    },
  };
}

/** POSTs `body` (JSON-encoded unless a string) to `${gateway.url}/chat/completions`, or `init.path`. */
export function post(
  gateway: TestGateway,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal; path?: string } = {},
) {
  return fetch(`${gateway.url}${init.path ?? '/chat/completions'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}
