// readRequest(): the one reader of a request body — limits, encodings, depth, mistyped fields, slow bodies.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routing } from './context.js';
import type { SwitchyardError } from './errors.js';
import { bodyLimits, readRequest } from './read-request.js';
import { deeperThan, MAX_NESTING } from './request-shape.js';

let server: Server;
let url: string;

beforeAll(async () => {
  const limits = bodyLimits({ bodyLimit: 2048, bodyTimeoutMs: 300 });
  server = createServer((req, res) => {
    readRequest(req, limits).then(
      (request) => {
        const { record } = routing(req);
        res.end(
          JSON.stringify({
            endpoint: request.endpoint,
            model: request.model,
            stream: request.stream,
            recorded: record.requestedModel,
          }),
        );
      },
      (err: SwitchyardError) => res.writeHead(err.status).end(JSON.stringify({ code: err.code, param: err.param ?? null })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(url + path, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const CHAT = JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] });

describe('readRequest()', () => {
  it('should parse a plain body once and record what the client asked for', async () => {
    expect(await post('/v1/chat/completions', CHAT)).toEqual({
      status: 200,
      json: { endpoint: 'chat', model: 'smart', stream: false, recorded: 'smart' },
    });
  });

  it('should read gzip and deflate bodies, and refuse an encoding or charset it cannot read with 415', async () => {
    expect((await post('/v1/chat/completions', gzipSync(CHAT), { 'content-encoding': 'gzip' })).status).toBe(200);
    expect(await post('/v1/chat/completions', CHAT, { 'content-encoding': 'zstd' })).toEqual({
      status: 415,
      json: { code: 'unsupported_encoding', param: null },
    });
    expect((await post('/v1/chat/completions', CHAT, { 'content-type': 'application/json; charset=latin1' })).status).toBe(415);
  });

  it('should take a limit in bytes or as a size', () => {
    expect(bodyLimits({ bodyLimit: '1mb' }).limit).toBe(1024 * 1024);
    expect(() => bodyLimits({ bodyLimit: 'lots' })).toThrow(TypeError);
  });

  it('should refuse a body over the limit with 413, compressed or not', async () => {
    const big = JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'x'.repeat(4000) }] });
    expect((await post('/v1/chat/completions', big)).json.code).toBe('request_too_large');
    expect((await post('/v1/chat/completions', gzipSync(big), { 'content-encoding': 'gzip' })).status).toBe(413);
  });

  it('should refuse JSON nested deeper than its limit with 400 invalid_body (issue 10)', async () => {
    const deep = `{"model":"smart","messages":[{"role":"user","content":"hi"}],"metadata":{"x":${'['.repeat(500)}${']'.repeat(500)}}}`;
    expect(await post('/v1/chat/completions', deep)).toEqual({ status: 400, json: { code: 'invalid_body', param: null } });
  });

  it('should name the mistyped field the gateway reads (issue 10)', async () => {
    for (const [field, value] of [
      ['stream', 'yes'],
      ['max_tokens', -1],
      ['max_completion_tokens', 1.5],
      ['n', 0],
      ['metadata', 'x'],
      ['tools', {}],
      ['stream_options', true],
    ] as const) {
      const body = JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'hi' }], [field]: value });
      expect(await post('/v1/chat/completions', body), field).toEqual({
        status: 400,
        json: { code: 'invalid_field', param: field },
      });
    }
  });

  it('should cut a body that never finishes with 408 (issue 10)', async () => {
    const { port } = server.address() as AddressInfo;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-length': '100' },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      req.write('{"model":');
    });
    expect(status).toBe(408);
  });
});

describe('deeperThan()', () => {
  it('should measure nesting outside strings only, and agree with a walk of the parsed value', () => {
    expect(deeperThan(Buffer.from(`{"a":"${'['.repeat(200)}"}`))).toBe(false);
    expect(deeperThan(Buffer.from(`${'['.repeat(MAX_NESTING + 1)}${']'.repeat(MAX_NESTING + 1)}`))).toBe(true);
    expect(deeperThan(Buffer.from(`${'['.repeat(MAX_NESTING)}${']'.repeat(MAX_NESTING)}`))).toBe(false);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 1, max: 12 }), (value, limit) => {
        const depth = (v: unknown): number =>
          typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v as object).map(depth)) : 0;
        expect(deeperThan(Buffer.from(JSON.stringify(value)), limit)).toBe(depth(value) > limit);
      }),
    );
  });
});
