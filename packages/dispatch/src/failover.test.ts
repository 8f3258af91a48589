// dispatch()'s failover loop at the wire: what the client gets and what the record says, against the
// tiny test upstream. The decisions themselves are tested in @switchyard/failover.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePolicy } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { post, PROVIDER_KEY, startGateway, testPolicy } from '../test/gateway.js';
import { afterThisTest, chatCompletion, json, startTestUpstream, type Behaviour } from '../test/upstream.js';
import { endCutAnswer } from './stream-error.js';

/** Provider `local` at `baseUrl` with model `gpt-test`, plus the `failover:` section given. */
function policyWith(baseUrl: string, failover: string) {
  return parsePolicy(
    `version: 1
providers:
  local: { format: openai, base_url: ${baseUrl}, credentials: [{ env: LOCAL_KEY }] }
  claude: { format: anthropic, base_url: https://api.anthropic.com, credentials: [{ env: LOCAL_KEY }] }
models:
  gpt-test: { provider: local }
  claude-test: { provider: claude }
${failover}
`,
    'policy.yaml',
    { env: { LOCAL_KEY: PROVIDER_KEY } },
  );
}

/** Answers the `n`th request (from 0) with `behaviours[n]`, the last one repeating. */
function sequence(...behaviours: Behaviour[]): Behaviour {
  let n = 0;
  return (req, res, body) => behaviours[Math.min(n++, behaviours.length - 1)]!(req, res, body);
}

/** 200 with event-stream headers, then the connection closes before any body byte. */
const headersThenDrop: Behaviour = (req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.flushHeaders();
  setTimeout(() => req.socket.destroy(), 20);
};

describe('dispatch() failover at the wire', () => {
  it('should say how many attempts a call took, and 0 on an error before any attempt', async () => {
    const upstream = await startTestUpstream(sequence(json(503, { error: { message: 'busy' } }), chatCompletion()));
    const gateway = await startGateway({
      policy: policyWith(upstream.baseUrl, 'failover: { retry: { attempts: 2, backoff_ms: 1 } }'),
    });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-attempts')).toBe('2');

    const unsupported = await post(gateway, { model: 'claude-test', input: 'hi' }, { path: '/embeddings' });
    expect(unsupported.status).toBe(400);
    expect(unsupported.headers.get('x-switchyard-attempts')).toBe('0');
  });

  it('should pass the upstream error of the last attempt on, naming the model that failed', async () => {
    const upstream = await startTestUpstream(
      json(503, { error: { message: 'busy', type: 'server_error' } }, { 'retry-after': '0' }),
    );
    const gateway = await startGateway({
      policy: policyWith(upstream.baseUrl, 'failover: { retry: { attempts: 2, backoff_ms: 1 } }'),
    });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(503);
    expect(await res.json()).toStrictEqual({ error: { message: 'busy', type: 'server_error' } });
    // Served means served: no model's answer reached the client, so only the failing model is named (issue 9).
    expect(res.headers.get('x-switchyard-served-model')).toBeNull();
    expect(res.headers.get('x-switchyard-error-model')).toBe('gpt-test');
    const record = await gateway.lastRecord();
    expect(record.servedModel).toBeUndefined();
    expect(record.errorModel).toBe('gpt-test');
    expect(record.attempts).toMatchObject([
      { status: 503, outcome: 'http_error', errorClass: 'http_503' },
      { status: 503, outcome: 'http_error', errorClass: 'http_503' },
    ]);
    expect(record.attempts[0]!.endedAt).toBeTypeOf('number');
    // The discarded answer's body was read to its end: the connection was reused.
    expect(upstream.connections()).toBe(1);
  });

  it('should fail over a 2xx stream that closes before its first byte, as a connection error', async () => {
    const upstream = await startTestUpstream(sequence(headersThenDrop, chatCompletion()));
    const gateway = await startGateway({
      policy: policyWith(upstream.baseUrl, 'failover: { retry: { attempts: 2, backoff_ms: 1 } }'),
    });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const record = await gateway.lastRecord();
    expect(record.attempts).toMatchObject([
      { status: 200, outcome: 'connect_error', errorClass: 'upstream_dropped' },
      { outcome: 'ok' },
    ]);
  });

  it('should answer 502 for a 2xx that closes before its first byte when nothing is left to try', async () => {
    const upstream = await startTestUpstream(headersThenDrop);
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({
      error: {
        code: 'upstream_unavailable',
        message: 'Provider "local" closed the connection before its answer began (upstream_dropped).',
      },
    });
    expect((await gateway.lastRecord()).servedModel).toBeUndefined();
  });

  it('should answer 502 upstream_bad_response for an empty 2xx body, not pass it on as an answer (issue 10)', async () => {
    const upstream = await startTestUpstream(json(200, ''));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_bad_response');
    expect((await gateway.lastRecord()).attempts).toMatchObject([{ status: 200, errorClass: 'upstream_bad_response' }]);
  });

  it.each([
    ['an HTML page', 'text/html', '<html><body>Bad gateway</body></html>'],
    ['HTML labelled as JSON', 'application/json', '<html>oops</html>'],
    ['plain text', 'text/plain', 'OK'],
    ['a stream that is not an event stream', 'text/event-stream', '<html>'],
  ])('should treat %s answered 200 as a 502 that falls back (issue 10)', async (_case, type, body) => {
    const bad = await startTestUpstream((_req, res) => res.writeHead(200, { 'content-type': type }).end(body));
    const good = await startTestUpstream();
    const policy = testPolicy(
      bad.baseUrl,
      {
        providers: `backup: { format: openai, base_url: ${good.baseUrl}, credentials: [{ env: LOCAL_KEY }] }`,
        models: 'gpt-backup: { provider: backup }',
      },
      'routes:\n  smart: { default: gpt-test, fallbacks: [gpt-backup] }',
    );
    const gateway = await startGateway({
      policy,
      selection: { kind: 'route', route: 'smart', rule: 'default', model: 'gpt-test' },
    });

    const res = await post(gateway, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-served-model')).toBe('gpt-backup');
    expect(res.headers.get('x-switchyard-fallback-reason')).toBe('http_502');
  });

  it('should cut an answer still passing when total_ms runs out, with an error event', async () => {
    const upstream = await startTestUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('data: {"choices":[]}\n\n')), 50);
    });
    const gateway = await startGateway({ policy: policyWith(upstream.baseUrl, 'failover: { timeouts: { total_ms: 400 } }') });

    const started = Date.now();
    const res = await post(gateway, { model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const text = await res.text();

    expect(Date.now() - started).toBeLessThan(600);
    expect(text).toMatch(
      /\ndata: \{"error":\{"message":"The answer did not complete within the call's time limit \(total_ms\)\.","type":"api_error","code":"stream_cut"\}\}\n\n$/,
    );
    const record = await gateway.lastRecord();
    expect(record.attempts).toMatchObject([{ outcome: 'stream_cut', errorClass: 'total_timeout' }]);
  });

  it('should time out a hanging attempt at first_byte_ms with its own message', async () => {
    const upstream = await startTestUpstream(() => {});
    const gateway = await startGateway({
      policy: policyWith(upstream.baseUrl, 'failover: { timeouts: { first_byte_ms: 150 } }'),
    });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({
      error: { code: 'upstream_timeout', message: 'Provider "local" did not send a first byte within 150 ms (first_byte_ms).' },
    });
    expect((await gateway.lastRecord()).attempts).toMatchObject([{ outcome: 'timeout', errorClass: 'first_byte_timeout' }]);
    await upstream.requests[0]!.connectionClosed;
  });
});

describe('endCutAnswer', () => {
  /** What a client receives when `write` runs on a fresh response, and whether the body ended cleanly. */
  async function received(write: (res: ServerResponse) => void): Promise<{ text: string; clean: boolean }> {
    const server = createServer((_req, res) => write(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    afterThisTest(() => new Promise<void>((resolve) => server.close(() => resolve())));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      return { text: await res.text(), clean: true };
    } catch {
      return { text: '', clean: false };
    }
  }

  const stream = (endpoint: Parameters<typeof endCutAnswer>[2]) => (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    res.write('data: {"partial":');
    endCutAnswer(res, 'text/event-stream; charset=utf-8', endpoint, 'Cut.');
  };

  it('should end an OpenAI chat stream with an error data event', async () => {
    expect(await received(stream('chat'))).toEqual({
      text: 'data: {"partial":\ndata: {"error":{"message":"Cut.","type":"api_error","code":"stream_cut"}}\n\n',
      clean: true,
    });
  });

  it('should end a Responses API stream with an error event', async () => {
    expect((await received(stream('responses'))).text).toBe(
      'data: {"partial":\nevent: error\ndata: {"type":"error","sequence_number":0,"code":"stream_cut","message":"Cut.","param":null,' +
        '"error":{"type":"api_error","code":"stream_cut","message":"Cut.","param":null}}\n\n',
    );
  });

  it('should end an Anthropic stream with an error event', async () => {
    expect((await received(stream('messages'))).text).toBe(
      'data: {"partial":\nevent: error\ndata: {"type":"error","error":{"type":"api_error","message":"Cut."}}\n\n',
    );
  });

  it('should cut a body that is not an event stream', async () => {
    const result = await received((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"choices":[');
      endCutAnswer(res, 'application/json', 'chat', 'Cut.');
    });
    expect(result.clean).toBe(false);
  });
});
