// Test helpers: in-memory trace and metric pipelines, an AsyncLocalStorage context manager, and an Express
// app with audit() in front of a handler that writes the routing record the way the stack does.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  endpointOf,
  errorHandler,
  parsePolicy,
  readRequest,
  routing,
  type Attempt,
  type Policy,
  type RoutingRecord,
} from '@switchyard/core';
import { answerObserver } from '@switchyard/dispatch';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { audit } from '../src/middleware.js';
import type { AuditOptions } from '../src/types.js';

export const PROVIDER_KEY = 'sk-provider-secret-never-in-spans';
export const CLIENT_KEY = 'sk-client-secret-never-in-spans';
export const PROMPT = 'The launch code is hunter2-swordfish';

export function testPolicy(): Policy {
  return parsePolicy(
    `version: 1
providers:
  openai: { format: openai, base_url: "https://api.openai.example:8443/v1", credentials: [{ env: KEY }] }
  groq: { format: openai, base_url: "http://127.0.0.1:4102/v1", credentials: [{ env: KEY }, { env: KEY }] }
  claude: { format: anthropic, base_url: "https://api.anthropic.example", credentials: [{ env: KEY }] }
models:
  gpt-4o-mini-2024-07-18: { provider: openai }
  gpt-4o-2024-08-06: { provider: openai }
  llama-3.3-70b-versatile: { provider: groq }
  claude-sonnet-4-5-20250929: { provider: claude }
routes:
  smart:
    default: gpt-4o-mini-2024-07-18
    rules:
      - { name: schema, if: has_schema, use: gpt-4o-2024-08-06 }
`,
    'audit-test-policy.yaml',
    { env: { KEY: PROVIDER_KEY } },
  );
}

/** A tracer provider exporting to memory, and a meter provider read on demand. */
export function memoryTelemetry() {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    spans,
    tracerProvider,
    meterProvider,
    /** Every finished span, once at least `count` have ended (audit writes them as the response closes). */
    async finished(count: number): Promise<ReadableSpan[]> {
      await until(() => spans.getFinishedSpans().length >= count, `${count} finished spans`);
      return spans.getFinishedSpans();
    },
    async metrics(): Promise<ResourceMetrics> {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics;
    },
    async shutdown(): Promise<void> {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Data points of the metric `name` (any scope). */
export function points(resourceMetrics: ResourceMetrics, name: string): DataPoint<number | Histogram>[] {
  return resourceMetrics.scopeMetrics.flatMap((s) =>
    s.metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<number | Histogram>[]),
  );
}

/** What an instrumentation's context manager does, so `trace.getActiveSpan()` works in tests. */
export class StorageContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

export async function until(check: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What the stack's signals() writes: the parsed request and the record's request fields. */
export function parseLikeSignals(req: Request): RoutingRecord {
  // express.json() read the body already: the parsed request is made from it, a microtask from now; the
  // record's request fields are known at once, as a stack's later middlewares see them.
  readRequest(req).catch(() => {});
  const { record } = routing(req);
  const body = req.body as Record<string, unknown>;
  record.endpoint = endpointOf(req.path);
  record.requestedModel = body.model as string;
  record.streaming = body.stream === true;
  return record;
}

/** What dispatch() writes for an attempt that got an answer, completed when the client has it all. */
export function answeredAttempt(
  record: RoutingRecord,
  res: Response,
  init: Pick<Attempt, 'provider' | 'model'> & { status: number; credentialIndex?: number },
): Attempt {
  // Written here as dispatch's attempt log writes it: field by field as the answer goes out.
  const attempt: { -readonly [K in keyof Attempt]: Attempt[K] } = {
    provider: init.provider,
    model: init.model,
    credentialIndex: init.credentialIndex ?? 0,
    startedAt: Date.now(),
  };
  record.attempts.push(attempt);
  attempt.status = init.status;
  if (init.status < 200 || init.status > 299) attempt.errorClass = `http_${init.status}`;
  record.servedModel = init.model;
  res.on('finish', () => {
    attempt.endedAt = Date.now();
    attempt.outcome = init.status >= 200 && init.status <= 299 ? 'ok' : 'http_error';
  });
  res.on('close', () => {
    if (res.writableFinished) return;
    attempt.endedAt = Date.now();
    attempt.outcome = 'client_aborted';
    attempt.errorClass = 'client_aborted';
  });
  return attempt;
}

/** Passes `chunks` to the client the way dispatch() does: through its answer observer, which records the finish reasons. */
export function relay(
  res: Response,
  status: number,
  contentType: string,
  chunks: readonly (string | Buffer)[],
  intervalMs = 0,
): void {
  res.writeHead(status, { 'content-type': contentType });
  const observer = status >= 200 && status <= 299 ? answerObserver({ contentType, format: 'openai' }) : undefined;
  const { record } = routing(res.req);
  const source = Readable.from(
    (async function* () {
      for (const chunk of chunks) {
        if (intervalMs) await new Promise((resolve) => setTimeout(resolve, intervalMs));
        const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        yield observer ? observer.write(bytes) : bytes;
      }
      if (observer) {
        observer.end();
        if (observer.finishReasons) record.finishReasons = observer.finishReasons;
      }
    })(),
  );
  source.pipe(res);
}

export interface AuditApp {
  readonly url: string;
  close(): Promise<void>;
}

/** `POST /v1/chat/completions` (and `/v1/embeddings`) behind audit(), then `stack`, then core's errorHandler(). */
export async function startAuditApp(
  options: AuditOptions,
  stack: RequestHandler[],
  before: RequestHandler[] = [],
): Promise<AuditApp> {
  const app = express();
  const router = express.Router();
  router.post(['/chat/completions', '/embeddings'], ...before, audit(options), express.json(), ...stack);
  router.use(errorHandler({ onInternalError: () => {} }));
  app.use('/v1', router);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

export function chatCompletion(
  model: string,
  finishReason = 'stop',
  usage = { prompt_tokens: 12, completion_tokens: 5 },
): string {
  return JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Mock reply.' }, finish_reason: finishReason }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  });
}
