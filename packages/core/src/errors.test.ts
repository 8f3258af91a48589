import { once } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { routing } from './context.js';
import { badRequest, errorHandler, openAIErrorBody, SwitchyardError, toSwitchyardError, type OpenAIErrorBody } from './errors.js';

const INTERNAL: OpenAIErrorBody = {
  error: { message: 'The gateway failed to handle this request.', type: 'api_error', param: null, code: 'internal_error' },
};

describe('SwitchyardError', () => {
  it('should carry status, type, code, param, message and cause', () => {
    const cause = new Error('root');
    const err = new SwitchyardError({
      status: 404,
      type: 'not_found_error',
      code: 'model_not_found',
      message: 'The model "gpt" does not exist.',
      param: 'model',
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SwitchyardError');
    expect([err.status, err.type, err.code, err.param, err.message]).toEqual([
      404,
      'not_found_error',
      'model_not_found',
      'model',
      'The model "gpt" does not exist.',
    ]);
    expect(err.cause).toBe(cause);
  });

  it('should build a 400 invalid_request_error with badRequest()', () => {
    const err = badRequest('messages must be an array', 'invalid_messages', 'messages');
    expect([err.status, err.type, err.code, err.param, err.message]).toEqual([
      400,
      'invalid_request_error',
      'invalid_messages',
      'messages',
      'messages must be an array',
    ]);
    expect(badRequest('bad').code).toBe('invalid_request');
  });

  it('should render the OpenAI error body, with param null when there is none', () => {
    expect(openAIErrorBody(badRequest('bad', 'invalid_json'))).toEqual({
      error: { message: 'bad', type: 'invalid_request_error', param: null, code: 'invalid_json' },
    });
    expect(openAIErrorBody(badRequest('bad', 'invalid_model', 'model')).error.param).toBe('model');
  });
});

describe('toSwitchyardError', () => {
  const summary = (err: unknown) => {
    const e = toSwitchyardError(err);
    return { status: e.status, type: e.type, code: e.code, message: e.message };
  };

  it('should pass a SwitchyardError through unchanged', () => {
    const err = badRequest('bad');
    expect(toSwitchyardError(err)).toBe(err);
  });

  it('should map body-parser failures to client errors', () => {
    expect(summary({ type: 'entity.parse.failed' })).toEqual({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_json',
      message: 'The request body is not valid JSON.',
    });
    expect(summary({ type: 'entity.too.large', limit: 1024 })).toEqual({
      status: 413,
      type: 'invalid_request_error',
      code: 'request_too_large',
      message: "The request body is larger than the gateway's limit of 1024 bytes.",
    });
    expect(summary({ type: 'entity.too.large' }).message).toBe("The request body is larger than the gateway's limit.");
    expect(summary({ type: 'encoding.unsupported' })).toEqual({
      status: 415,
      type: 'invalid_request_error',
      code: 'unsupported_encoding',
      message: 'The request body encoding is not supported; send UTF-8 JSON.',
    });
    expect(summary({ type: 'charset.unsupported' }).status).toBe(415);
    expect(summary({ type: 'request.aborted' })).toEqual({
      status: 400,
      type: 'invalid_request_error',
      code: 'request_aborted',
      message: 'The request was aborted before its body arrived.',
    });
  });

  it('should map other exposed 4xx http-errors to their status and message', () => {
    const sizeInvalid = Object.assign(new Error('request size did not match content length'), {
      status: 400,
      statusCode: 400,
      expose: true,
      type: 'request.size.invalid',
    });
    expect(summary(sizeInvalid)).toEqual({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_request',
      message: 'request size did not match content length',
    });
    expect(summary({ statusCode: 403, expose: true, message: 'signature mismatch' })).toEqual({
      status: 403,
      type: 'permission_error',
      code: 'invalid_request',
      message: 'signature mismatch',
    });
  });

  it('should turn anything else into a 500 internal_error that keeps the original as cause', () => {
    const secretive = Object.assign(new Error('ECONNREFUSED redis://:hunter2@cache'), { status: 400 });
    const unexposed5xx = Object.assign(new Error('boom'), { status: 503, expose: true });
    for (const err of [new Error('db password hunter2'), secretive, unexposed5xx, 'a string', null, undefined, 42]) {
      const result = toSwitchyardError(err);
      expect(summary(err)).toEqual({
        status: 500,
        type: 'api_error',
        code: 'internal_error',
        message: 'The gateway failed to handle this request.',
      });
      expect(result.cause).toBe(err);
    }
  });
});

describe('errorHandler in an express app', () => {
  let server: Server;
  let base: string;
  const internal: unknown[] = [];
  let lastRequest: IncomingMessage | undefined;
  const boom = new Error('cannot reach db://admin:hunter2@10.0.0.5');
  const dropped = new Error('upstream dropped mid-stream');

  beforeAll(async () => {
    const app = express();
    app.use((req, _res, next) => {
      lastRequest = req;
      next();
    });
    app.get('/not-found', () => {
      throw new SwitchyardError({
        status: 404,
        type: 'not_found_error',
        code: 'model_not_found',
        message: 'The model "gpt" does not exist; use one of: smart, cheap.',
        param: 'model',
      });
    });
    app.post('/json', express.json({ limit: 64 }), (req, res) => {
      res.json({ got: req.body as unknown });
    });
    app.get('/parse-failed', (_req, _res, next) => next({ type: 'entity.parse.failed' }));
    app.get('/too-large', (_req, _res, next) => next({ type: 'entity.too.large', limit: 2048 }));
    app.get('/boom', async () => {
      await Promise.resolve();
      throw boom;
    });
    app.get('/partial', (_req, res, next) => {
      res.status(200).type('text/event-stream');
      res.write('data: {"partial":true}\n\n');
      setTimeout(() => next(dropped), 20);
    });
    app.use(errorHandler({ onInternalError: (err) => internal.push(err) }));
    server = app.listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    internal.length = 0;
    lastRequest = undefined;
  });

  it('should render a SwitchyardError as the OpenAI error shape with its status', async () => {
    const res = await fetch(`${base}/not-found`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({
      error: {
        message: 'The model "gpt" does not exist; use one of: smart, cheap.',
        type: 'not_found_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
    expect(routing(lastRequest!).record.error).toEqual({ status: 404, type: 'not_found_error', code: 'model_not_found' });
    expect(internal).toEqual([]);
  });

  it('should answer 400 invalid_json for a body express.json() cannot parse', async () => {
    const res = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": "smart",',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { message: 'The request body is not valid JSON.', type: 'invalid_request_error', param: null, code: 'invalid_json' },
    });
    expect(routing(lastRequest!).record.error).toEqual({ status: 400, type: 'invalid_request_error', code: 'invalid_json' });
    expect(internal).toEqual([]);
  });

  it("should answer 413 request_too_large for a body over express.json()'s limit", async () => {
    const res = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'x'.repeat(100) }] }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: {
        message: "The request body is larger than the gateway's limit of 64 bytes.",
        type: 'invalid_request_error',
        param: null,
        code: 'request_too_large',
      },
    });
    expect(routing(lastRequest!).record.error).toEqual({ status: 413, type: 'invalid_request_error', code: 'request_too_large' });
  });

  it('should map body-parser-like error objects to 400 and 413', async () => {
    const parse = await fetch(`${base}/parse-failed`);
    expect(parse.status).toBe(400);
    expect(((await parse.json()) as OpenAIErrorBody).error.code).toBe('invalid_json');
    const large = await fetch(`${base}/too-large`);
    expect(large.status).toBe(413);
    expect(await large.json()).toEqual({
      error: {
        message: "The request body is larger than the gateway's limit of 2048 bytes.",
        type: 'invalid_request_error',
        param: null,
        code: 'request_too_large',
      },
    });
    expect(internal).toEqual([]);
  });

  it('should answer 500 internal_error without leaking the message, and report the error', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual(INTERNAL);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('db://');
    expect(internal).toHaveLength(1);
    expect(internal[0]).toBe(boom);
    expect(routing(lastRequest!).record.error).toEqual({ status: 500, type: 'api_error', code: 'internal_error' });
  });

  it('should destroy the connection instead of writing JSON when headers were already sent', async () => {
    const res = await fetch(`${base}/partial`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await expect(res.text()).rejects.toThrow(TypeError);
    await vi.waitFor(() => expect(internal).toEqual([dropped]));
    // The gateway did not answer with an error of its own: the record's `error` stays unset.
    expect(routing(lastRequest!).record.error).toBeUndefined();
    expect(lastRequest!.socket.destroyed).toBe(true);
  });
});

describe('errorHandler defaults', () => {
  it('should log unexpected errors with console.error when no onInternalError is given', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const err = new Error('unexpected');
      const sent: unknown[] = [];
      const res = {
        headersSent: false,
        status(code: number) {
          sent.push(code);
          return this;
        },
        json(body: unknown) {
          sent.push(body);
          return this;
        },
      };
      const req = {} as IncomingMessage;
      errorHandler()(err, req as never, res as never, () => {});
      expect(log).toHaveBeenCalledWith('switchyard: internal error', err);
      expect(sent).toEqual([500, INTERNAL]);
      expect(routing(req).record.error).toEqual({ status: 500, type: 'api_error', code: 'internal_error' });
    } finally {
      log.mockRestore();
    }
  });

  it('should not call onInternalError for client errors', () => {
    const onInternalError = vi.fn();
    const res = { headersSent: false, status: () => res, json: () => res };
    errorHandler({ onInternalError })(badRequest('bad'), {} as never, res as never, () => {});
    expect(onInternalError).not.toHaveBeenCalled();
  });
});
