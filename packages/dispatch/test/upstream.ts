// Test helper: a tiny OpenAI-shaped upstream on 127.0.0.1 that records what it received and answers as
// each test scripts it: JSON, slow SSE, a hang, a drop mid-stream, a reset.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach } from 'vitest';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Resolves when the connection this request came on closes. */
  readonly connectionClosed: Promise<void>;
}

/** Answers one request; `body` is the whole request body. */
export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface TestUpstream {
  /** Base URL to put in a policy, e.g. `http://127.0.0.1:4321/v1`. */
  readonly baseUrl: string;
  readonly requests: ReceivedRequest[];
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  /** What the next requests get. Default: a chat completion naming the requested model. */
  behaviour: Behaviour;
  /** Resolves with the next request as soon as its body has arrived. */
  nextRequest(): Promise<ReceivedRequest>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** Runs `cleanup` after the current test. */
export function afterThisTest(cleanup: () => Promise<void> | void): void {
  cleanups.push(async () => cleanup());
}

export async function startTestUpstream(behaviour: Behaviour = chatCompletion()): Promise<TestUpstream> {
  const requests: ReceivedRequest[] = [];
  const waiting: Array<(request: ReceivedRequest) => void> = [];
  const closed = new WeakMap<Socket, Promise<void>>();
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        connectionClosed: closed.get(req.socket) ?? Promise.resolve(),
      };
      requests.push(request);
      upstream.behaviour(req, res, body);
      waiting.shift()?.(request);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    closed.set(socket, new Promise((resolve) => socket.once('close', () => resolve())));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterThisTest(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const upstream: TestUpstream = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    connections: () => connections,
    behaviour,
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
  };
  return upstream;
}

/** A base URL on which nothing listens: connections are refused. */
export async function refusingBaseUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

export interface TestUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly prompt_tokens_details?: { readonly cached_tokens: number };
}

export const USAGE: TestUsage = { prompt_tokens: 11, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 3 } };

/** 200 with a chat completion whose `model` is the one the request named. */
export function chatCompletion(usage: TestUsage = USAGE): Behaviour {
  return (_req, res, body) => {
    const { model } = JSON.parse(body.toString()) as { model: string };
    json(200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
      usage,
    })(_req, res, body);
  };
}

/** `status` with `body` as JSON (or as it is, when a string), plus `headers`. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Behaviour {
  return (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
}

/** 200 `text/event-stream`: writes `writes` one by one, `intervalMs` apart, then ends (unless `drop`). */
export function sse(writes: readonly string[], intervalMs: number, end: 'end' | 'drop' | 'hang' = 'end'): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      if (i < writes.length) {
        res.write(writes[i++]);
        return;
      }
      clearInterval(timer);
      if (end === 'end') res.end();
      else if (end === 'drop') res.socket?.destroy();
    }, intervalMs);
  };
}

/** SSE `data:` events of a streamed chat completion, with a final usage chunk when `usage` is given. */
export function chatChunks(model: string, words: readonly string[], usage?: TestUsage): string[] {
  const chunk = (delta: object, extra: object = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta }], usage: null, ...extra })}\n\n`;
  const events = words.map((word) => chunk({ content: word }));
  if (usage)
    events.push(`data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model, choices: [], usage })}\n\n`);
  events.push('data: [DONE]\n\n');
  return events;
}

/** Never answers. */
export const hang: Behaviour = () => {};

/** Closes the connection without answering. */
export const reset: Behaviour = (req) => req.socket.destroy();
