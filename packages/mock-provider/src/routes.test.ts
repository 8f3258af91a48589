import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMockHandler, DEFAULT_MODELS, startMockProvider } from './index.js';
import { chatBody, jsonOf, postChat } from '../test/utils.js';
import type { MockProvider } from './types.js';

describe('models and routing', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ models: ['m-one', 'org/m-two'] });
  });
  afterAll(() => mock.close());

  it('should list the configured models like GET /v1/models', async () => {
    const res = await fetch(`${mock.url}/models`);
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({
      object: 'list',
      data: [
        { id: 'm-one', object: 'model', created: 1_700_000_000, owned_by: 'mock' },
        { id: 'org/m-two', object: 'model', created: 1_700_000_000, owned_by: 'mock' },
      ],
    });
  });

  it('should list the default models when none are configured', async () => {
    const plain = await startMockProvider();
    try {
      const { data } = await jsonOf(fetch(`${plain.url}/models`));
      expect(data.map((model: { id: string }) => model.id)).toEqual(DEFAULT_MODELS);
    } finally {
      await plain.close();
    }
  });

  it('should retrieve one model and 404 an unknown one', async () => {
    expect(await jsonOf(fetch(`${mock.url}/models/org/m-two`))).toMatchObject({ id: 'org/m-two' });
    const missing = await fetch(`${mock.url}/models/nope`);
    expect(missing.status).toBe(404);
    expect((await jsonOf(missing)).error.code).toBe('model_not_found');
  });

  it('should answer 404 in OpenAI shape for an unknown path', async () => {
    const res = await fetch(`${mock.url}/embeddingz`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await jsonOf(res)).toEqual({
      error: { message: 'Invalid URL (POST /v1/embeddingz)', type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('should answer 405 with Allow for a wrong method', async () => {
    const res = await fetch(`${mock.url}/chat/completions`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await jsonOf(res)).error.type).toBe('invalid_request_error');
  });

  it('should apply header scripts to GET /v1/models', async () => {
    const res = await fetch(`${mock.url}/models`, { headers: { 'x-mock-status': '503' } });
    expect(res.status).toBe(503);
    expect((await jsonOf(res)).error.type).toBe('server_error');
  });
});

describe('api keys', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: ['sk-one', 'sk-two'] });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should answer 401 invalid_api_key for a wrong key without echoing it', async () => {
    const res = await postChat(mock, chatBody(), { headers: { authorization: 'Bearer sk-wrong-secret-key' } });
    expect(res.status).toBe(401);
    const { error } = await jsonOf(res);
    expect(error).toMatchObject({ type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
    expect(error.message).not.toContain('sk-wrong-secret-key');
  });

  it('should answer 401 when the key is missing', async () => {
    const res = await postChat(mock, chatBody());
    expect(res.status).toBe(401);
    expect((await jsonOf(res)).error.code).toBe('invalid_api_key');
  });

  it('should accept any configured key and record which one arrived', async () => {
    const res = await postChat(mock, chatBody(), { headers: { authorization: 'Bearer sk-two' } });
    expect(res.status).toBe(200);
    expect(mock.calls).toHaveLength(1);
    expect(mock.calls[0]?.headers.authorization).toBe('Bearer sk-two');
  });

  it('should not consume a model script step for a rejected call', async () => {
    mock.script('gpt-4o-mini', [{ status: 500 }, {}]);
    await postChat(mock, chatBody(), { headers: { authorization: 'Bearer nope' } });
    const res = await postChat(mock, chatBody(), { headers: { authorization: 'Bearer sk-one' } });
    expect(res.status).toBe(500);
  });
});

describe('createMockHandler', () => {
  let server: Server;
  let base: string;
  const handler = createMockHandler();
  beforeAll(async () => {
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('should serve paths with and without the /v1 prefix and record on the handler', async () => {
    const prefixed = await fetch(`${base}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chatBody()) });
    const mounted = await fetch(`${base}/chat/completions?x=1`, { method: 'POST', body: JSON.stringify(chatBody()) });
    expect([prefixed.status, mounted.status]).toEqual([200, 200]);
    expect(handler.calls.map((call) => call.path)).toEqual(['/v1/chat/completions', '/chat/completions']);
  });
});

describe('createMockHandler in an Express app', () => {
  it('should use the body an express.json() parser already read, on all three APIs', async () => {
    const handler = createMockHandler({ models: ['m'] });
    const app = express();
    app.use('/upstream/v1', express.json(), handler);
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upstream/v1`;
      const res = await fetch(`${base}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatBody({ model: 'm' })),
      });
      expect(res.status).toBe(200);
      expect((await jsonOf(res)).choices[0].message.content).toBe('Mock reply from m.');
      expect(handler.calls[0]?.body).toEqual(chatBody({ model: 'm' }));
      expect((await fetch(`${base}/models`)).status).toBe(200);
      const messages = await fetch(`${base}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect((await jsonOf(messages)).content[0].text).toBe('Mock reply from m.');
      const gemini = await fetch(`${base}/models/m:generateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
      expect((await jsonOf(gemini)).candidates[0].content.parts[0].text).toBe('Mock reply from m.');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
