import { errorHandler, routing } from '@switchyard/core';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signals } from './middleware.js';
import { catalogWith, post, reportSignals, serve, signalsApp, type Served } from '../test/server.js';

const CHAT = { model: 'smart', messages: [{ role: 'user', content: 'hi' }] };

describe('signals() middleware', () => {
  let server: Served;
  beforeAll(async () => {
    server = await serve(signalsApp({ catalog: catalogWith(), bodyLimit: 200 }));
  });
  afterAll(() => server.close());

  it('should parse the body whatever the content-type and keep its bytes as sent', async () => {
    const text = '{ "model" : "smart",\n  "messages": [{"role": "user", "content": "hi"}], "stream": true }';
    for (const contentType of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const res = await post(server.url, '/v1/chat/completions', text, { 'content-type': contentType });
      expect(res.status, contentType).toBe(200);
      expect(res.body).toMatchObject({
        endpoint: 'chat',
        requestedModel: 'smart',
        streaming: true,
        path: '/chat/completions',
        raw: text,
      });
    }
  });

  it('should parse a body sent without any content-type', async () => {
    const res = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: new Blob(['{"model":"e","input":"x"}']) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ endpoint: 'embeddings', requestedModel: 'e', streaming: false });
  });

  it('should answer 400 invalid_json for a body that is not JSON', async () => {
    const res = await post(server.url, '/v1/chat/completions', '{"model": "smart",');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_json', type: 'invalid_request_error' });
  });

  it('should answer 400 when the body is not a JSON object', async () => {
    for (const body of ['[1, 2]', '"smart"', 'null', '42']) {
      const res = await post(server.url, '/v1/chat/completions', body);
      expect(res.status, body).toBe(400);
      expect(res.body.error, body).toEqual({
        message: 'The request body must be a JSON object.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_body',
      });
    }
  });

  it('should answer 400 missing_model for a missing, empty or non-string model', async () => {
    for (const model of [undefined, '', 42, ['smart']]) {
      const res = await post(server.url, '/v1/chat/completions', { ...CHAT, model });
      expect(res.status, String(model)).toBe(400);
      expect(res.body.error, String(model)).toMatchObject({ code: 'missing_model', param: 'model' });
    }
  });

  it('should answer 400 for chat and messages requests without messages', async () => {
    for (const path of ['/v1/chat/completions', '/v1/messages']) {
      for (const messages of [undefined, [], 'hi', {}]) {
        const res = await post(server.url, path, { model: 'smart', messages });
        expect(res.status, `${path} ${JSON.stringify(messages)}`).toBe(400);
        // Each client reads the error in its own wire format: Anthropic's has no code or param.
        if (path === '/v1/messages') {
          expect(res.body).toMatchObject({
            type: 'error',
            error: { type: 'invalid_request_error', message: '"messages" must be a non-empty array.' },
          });
        } else expect(res.body.error).toMatchObject({ code: 'missing_messages', param: 'messages' });
      }
    }
  });

  it('should not require messages on other endpoints', async () => {
    for (const path of ['/v1/completions', '/v1/embeddings', '/v1/responses', '/v1/somewhere/else']) {
      const res = await post(server.url, path, { model: 'm', input: 'x' });
      expect(res.status, path).toBe(200);
    }
  });

  it('should answer 413 for a body over the limit', async () => {
    const res = await post(server.url, '/v1/chat/completions', {
      ...CHAT,
      messages: [{ role: 'user', content: 'x'.repeat(300) }],
    });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'request_too_large' });
    const under = await post(server.url, '/v1/chat/completions', {
      ...CHAT,
      messages: [{ role: 'user', content: 'x'.repeat(100) }],
    });
    expect(under.status).toBe(200);
  });

  it('should pass other methods through without parsing', async () => {
    const res = await fetch(`${server.url}/v1/models`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ signals: {}, bound: null });
  });
});

describe('signals() after the app parsed the body', () => {
  let server: Served;
  beforeAll(async () => {
    const catalog = catalogWith();
    const app = express();
    app.use('/json', express.json(), signals({ catalog }), reportSignals);
    app.use('/raw', express.raw({ type: () => true }), signals({ catalog }), reportSignals);
    app.use(
      '/twice',
      signals({ catalog }),
      (req, res, next) => {
        res.locals.first = routing(req).signals;
        next();
      },
      signals({ catalog }),
      (req, res) => {
        res.json({ same: res.locals.first === routing(req).signals });
      },
    );
    app.use(errorHandler({ onInternalError: () => {} }));
    server = await serve(app);
  });
  afterAll(() => server.close());

  it('should use a body parsed by express.json() and serialise it once for raw', async () => {
    const res = await post(server.url, '/json/chat/completions?read=model', { ...CHAT, stream: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ endpoint: 'chat', streaming: true, raw: JSON.stringify({ ...CHAT, stream: true }) });
    expect(res.body.signals.model.value).toBe('smart');
  });

  it('should parse a Buffer left by express.raw() and keep it as raw', async () => {
    const text = '{"model":"smart",  "messages":[{"role":"user","content":"hi"}]}';
    const res = await post(server.url, '/raw/chat/completions', text);
    expect(res.status).toBe(200);
    expect(res.body.raw).toBe(text);
    const bad = await post(server.url, '/raw/chat/completions', '{nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
  });

  it('should parse once and keep its reader when mounted twice', async () => {
    const res = await post(server.url, '/twice/chat/completions', CHAT);
    expect(res.body).toEqual({ same: true });
  });
});

describe('signals() options', () => {
  it('should throw a TypeError for a catalog not built by signalCatalog()', () => {
    expect(() => signals({ catalog: { types: new Map() } })).toThrow('options.catalog must be built by signalCatalog(policy)');
    expect(() => signals(undefined as never)).toThrow(TypeError);
  });

  it('should throw a TypeError for an invalid bodyLimit', () => {
    expect(() => signals({ catalog: catalogWith(), bodyLimit: 'lots' })).toThrow(TypeError);
  });
});
