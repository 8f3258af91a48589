// Explain must say what the gateway does. Random requests and random upstream scripts, each explained and
// then sent through the real stack to a mock provider scripted the same way: same rule, same model, same
// attempts, same answer.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePolicy } from '@switchyard/core';
import { MemoryStore } from '@switchyard/budget';
import { startMockProvider, type Behaviour, type MockProvider } from '@switchyard/mock-provider';
import express from 'express';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy, type CompiledPolicy } from '../compile.js';
import { switchyard } from '../stack.js';
import { explainRequest } from './explain.js';
import type { UpstreamOutcome } from './types.js';

const ENV = { FID_KEY_1: 'sk-fidelity-1', FID_KEY_2: 'sk-fidelity-2' };
let mock: MockProvider;
let server: Server;
let base: string;
let compiled: CompiledPolicy;

beforeAll(async () => {
  mock = await startMockProvider({ apiKeys: Object.values(ENV) });
  const text = `version: 1
providers:
  local: { format: openai, base_url: ${mock.url}, credentials: [{ env: FID_KEY_1 }, { env: FID_KEY_2 }] }
models:
  m-a: { provider: local, context_window: 100000, capabilities: [tools, json_schema, streaming, vision] }
  m-b: { provider: local, context_window: 100000, capabilities: [streaming] }
  m-c: { provider: local, context_window: 100000, capabilities: [tools, json_schema, streaming, vision] }
routes:
  smart:
    default: m-a
    rules:
      - { name: extract, if: 'workflow == "extract"', use: m-c }
      - { name: tools, if: 'has_tools && !streaming', use: m-c }
      - { name: many, if: 'messages_count > 2 || max_tokens > 500', use: m-b }
    fallbacks: [m-b, m-c, m-a]
failover:
  retry: { attempts: 2, backoff_ms: 1, on: [429, 500, 502, 503] }
  fallback: { on: [429, 500, 503] }
  cooldown: { failures: 0 }
`;
  compiled = compilePolicy(parsePolicy(text, 'fidelity.yaml', { env: ENV }), { budget: { store: new MemoryStore() } });
  const app = express();
  app.use('/v1', switchyard(compiled, { onInternalError: () => {} }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await mock?.close();
});

const requests = fc.record({
  workflow: fc.option(fc.constantFrom('extract', 'chat'), { nil: undefined }),
  tools: fc.boolean(),
  stream: fc.boolean(),
  images: fc.boolean(),
  messages: fc.integer({ min: 1, max: 4 }),
  maxTokens: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
});

const STATUSES: readonly number[] = [200, 400, 429, 500, 503];
const scripts = fc.record({
  'm-a': fc.array(fc.constantFrom(...STATUSES), { maxLength: 5 }),
  'm-b': fc.array(fc.constantFrom(...STATUSES), { maxLength: 5 }),
  'm-c': fc.array(fc.constantFrom(...STATUSES), { maxLength: 5 }),
});

type Features = typeof requests extends fc.Arbitrary<infer T> ? T : never;

function body(f: Features): Record<string, unknown> {
  const text = (i: number) => `message ${i}`;
  const content = (i: number) =>
    f.images && i === 0
      ? [
          { type: 'text', text: text(i) },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        ]
      : text(i);
  return {
    model: 'smart',
    messages: Array.from({ length: f.messages }, (_, i) => ({ role: 'user', content: content(i) })),
    ...(f.tools
      ? { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }] }
      : {}),
    ...(f.stream ? { stream: true } : {}),
    ...(f.maxTokens === undefined ? {} : { max_tokens: f.maxTokens }),
  };
}

describe('explain agrees with the gateway', () => {
  it('on the route, the rule, the attempts and the answer', async () => {
    await fc.assert(
      fc.asyncProperty(requests, scripts, async (features, script) => {
        mock.reset();
        for (const [model, steps] of Object.entries(script)) {
          // Past its script a model answers normally, as explain assumes.
          mock.script(model, [...steps.map((status): Behaviour => (status === 200 ? {} : { status })), {}]);
        }
        const headers = features.workflow ? { 'x-switchyard-workflow': features.workflow } : undefined;
        const explained = await explainRequest(compiled, {
          body: body(features),
          headers,
          upstream: script as Record<string, UpstreamOutcome[]>,
        });
        const res = await fetch(`${base}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body(features)),
        });
        await res.arrayBuffer();
        const route = res.headers.get('x-switchyard-route');
        expect(route).toBe(`${explained.route}/${explained.rule}`);
        expect({
          status: res.status,
          served: res.headers.get('x-switchyard-served-model'),
          error_model: res.headers.get('x-switchyard-error-model'),
          attempts: Number(res.headers.get('x-switchyard-attempts')),
          fallback_reason: res.headers.get('x-switchyard-fallback-reason'),
        }).toEqual({
          status: explained.call!.status,
          served: explained.call!.served,
          error_model: explained.call!.error_model,
          attempts: explained.call!.attempts.length,
          fallback_reason: explained.call!.fallback_reason,
        });
        expect(mock.calls.map((c) => c.model)).toEqual(explained.call!.attempts.map((a) => a.model));
      }),
      { numRuns: 60 },
    );
  });
});
