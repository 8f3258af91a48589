// Evidence for media calls and their follow-ups: the server span carries switchyard.endpoint and
// switchyard.task.* (the gateway ID, never the provider's own or the key), and the audit log line of a poll names
// the task's original route, model and provider.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import express from 'express';
import OpenAI from 'openai';
import { compilePolicy, parsePolicy, switchyard } from 'switchyard';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ID_SECRET } from './helpers/media.js';

const KEY = 'sk-media-evidence-provider';
const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const lines: Record<string, unknown>[] = [];
let mock: MockProvider;
let server: Server;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockProvider({ port: 0, apiKeys: [KEY] });
  const yaml = `version: 1
ids: { secret: { env: EV_ID_SECRET } }
providers:
  media: { format: openai, base_url: ${mock.url}, credentials: [{ env: EV_KEY }] }
models:
  sora-2: { provider: media, endpoints: [videos] }
routes:
  clips: { default: sora-2 }
`;
  const compiled = compilePolicy(parsePolicy(yaml, 'evidence.yaml', { env: { EV_KEY: KEY, EV_ID_SECRET: ID_SECRET } }));
  const app = express();
  app.use(
    '/v1',
    switchyard(compiled, { audit: { tracerProvider, metrics: false, log: (line) => lines.push(JSON.parse(line)) } }),
  );
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  client = new OpenAI({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: 'x', maxRetries: 0 });
});
afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await tracerProvider.shutdown();
  await mock?.close();
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

it('a video create and its poll are on the span and in the audit log, the poll naming the original route and model', async () => {
  const video = await client.videos.create({ model: 'clips', prompt: 'dunes' });
  await client.videos.retrieve(video.id);
  await until(() => lines.length >= 2);
  const [create, poll] = lines;
  expect(create).toMatchObject({
    endpoint: 'videos',
    route: 'clips',
    task: { id: video.id, action: 'create', model: 'sora-2', route: 'clips' },
  });
  expect(poll).toMatchObject({
    endpoint: 'videos',
    provider: 'media',
    status: 200,
    task: { id: video.id, action: 'get', provider: 'media', model: 'sora-2', route: 'clips' },
  });
  const own = mock.calls[0]!.mintedId!;
  expect(JSON.stringify(lines)).not.toContain(own);
  await until(() => spans.getFinishedSpans().filter((s) => s.attributes['switchyard.task.id']).length >= 2);
  const servers = spans.getFinishedSpans().filter((s) => s.attributes['switchyard.task.id'] !== undefined);
  expect(servers.map((s) => s.attributes['switchyard.task.action'])).toEqual(['create', 'get']);
  for (const span of servers) {
    expect(span.attributes['switchyard.endpoint']).toBe('videos');
    expect(span.attributes['switchyard.task.id']).toBe(video.id);
    expect(span.attributes['switchyard.task.model']).toBe('sora-2');
    expect(JSON.stringify(span.attributes)).not.toContain(ID_SECRET);
  }
});
