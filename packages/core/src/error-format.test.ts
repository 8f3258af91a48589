// errorHandler() answers in the client's wire format: Anthropic's on the Messages endpoint and for
// Anthropic clients outside the routed endpoints, OpenAI's everywhere else.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routing } from './context.js';
import { anthropicErrorBody, anthropicErrorType, errorHandler, SwitchyardError } from './errors.js';

const NOT_FOUND = new SwitchyardError({
  status: 404,
  type: 'invalid_request_error',
  code: 'model_not_found',
  message: 'No such model.',
  param: 'model',
});

describe('anthropicErrorType', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [415, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [501, 'api_error'],
    [502, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('should name %i %s', (status, type) => {
    expect(anthropicErrorType(status)).toBe(type);
  });

  it("should render the gateway's error in Anthropic's shape, without a code", () => {
    expect(anthropicErrorBody(NOT_FOUND)).toStrictEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'No such model.' },
    });
  });
});

describe('errorHandler() wire format', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.post('/v1/messages', (req, _res, next) => {
      routing(req).record.endpoint = 'messages';
      next(NOT_FOUND);
    });
    app.post('/v1/chat/completions', (req, _res, next) => {
      routing(req).record.endpoint = 'chat';
      next(NOT_FOUND);
    });
    app.get('/v1/models', (_req, _res, next) => next(NOT_FOUND));
    app.use(errorHandler());
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const anthropic = { type: 'error', error: { type: 'not_found_error', message: 'No such model.' } };
  const openai = { error: { message: 'No such model.', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } };

  it("should answer the Messages endpoint in Anthropic's shape, with the same status", async () => {
    const res = await fetch(`${base}/messages`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toStrictEqual(anthropic);
  });

  it("should answer a chat endpoint in OpenAI's shape, even to a client that sends anthropic-version", async () => {
    const res = await fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toStrictEqual(openai);
  });

  it('should answer a request outside the routed endpoints in the shape its client speaks', async () => {
    expect(await (await fetch(`${base}/models`, { headers: { 'anthropic-version': '2023-06-01' } })).json()).toStrictEqual(
      anthropic,
    );
    expect(await (await fetch(`${base}/models`)).json()).toStrictEqual(openai);
  });
});
