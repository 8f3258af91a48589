import { parsePolicy } from '@switchyard/core';
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CLIENT_KEY, post, PROVIDER_KEY, startGateway, testPolicy } from '../test/gateway.js';
import { json, startTestUpstream } from '../test/upstream.js';

describe('dispatch() request body', () => {
  it('should forward the exact bytes the client sent when the body already names the target model', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });
    // Odd spacing, key order and escapes that a re-serialisation would change.
    const raw = '{ "messages":[{"content":"caf\\u00e9 \u2603","role":"user"}],\n  "model" : "gpt-test", "n":1.0 }';

    const res = await post(gateway, raw);

    expect(res.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.body.equals(Buffer.from(raw))).toBe(true);
    expect(upstream.requests[0]!.headers['content-length']).toBe(String(Buffer.byteLength(raw)));
  });

  it('should replace a route name by the exact model ID, keeping every other field in order', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({
      policy: testPolicy(upstream.baseUrl),
      selection: { kind: 'route', route: 'smart', rule: 'default', model: 'gpt-test' },
    });
    const sent = { messages: [{ role: 'user', content: 'hi' }], model: 'smart', temperature: 0.5, stream: false };

    const res = await post(gateway, sent);

    expect(res.status).toBe(200);
    const expected = JSON.stringify({
      messages: [{ role: 'user', content: 'hi' }],
      model: 'gpt-test',
      temperature: 0.5,
      stream: false,
    });
    expect(upstream.requests[0]!.body.toString()).toBe(expected);
    expect(upstream.requests[0]!.headers['content-length']).toBe(String(Buffer.byteLength(expected)));
    expect(upstream.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it("should splice the routed model into the client's bytes, never re-serialising the prompt", async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({
      policy: testPolicy(upstream.baseUrl),
      selection: { kind: 'route', route: 'smart', rule: 'default', model: 'gpt-test' },
    });
    // Spacing, escapes and a number form that JSON.stringify would all change.
    const raw = '{ "messages":[{"content":"caf\\u00e9 \u2603","role":"user"}],\n  "model" : "smart", "n":1.0 }';

    const res = await post(gateway, raw);

    expect(res.status).toBe(200);
    expect(upstream.requests[0]!.body.toString()).toBe(raw.replace('"smart"', '"gpt-test"'));
  });

  it('should call the provider on its base URL path plus the request path', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(upstream.requests[0]!.method).toBe('POST');
    expect(upstream.requests[0]!.url).toBe('/v1/chat/completions');
    expect(upstream.requests[0]!.headers.host).toBe(new URL(upstream.baseUrl).host);
  });
});

describe('dispatch() request headers', () => {
  it("should send the provider's credential and never the client's key, cookie or proxy credentials", async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    await post(
      gateway,
      { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] },
      {
        headers: {
          authorization: `Bearer ${CLIENT_KEY}`,
          'x-api-key': CLIENT_KEY,
          'api-key': CLIENT_KEY,
          'proxy-authorization': `Basic ${CLIENT_KEY}`,
          cookie: `session=${CLIENT_KEY}`,
        },
      },
    );

    const { headers } = upstream.requests[0]!;
    expect(headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(headers['x-api-key']).toBeUndefined();
    expect(headers['api-key']).toBeUndefined();
    expect(headers['proxy-authorization']).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain(CLIENT_KEY);
  });

  it('should send no authorization at all to a provider without credentials', async () => {
    const upstream = await startTestUpstream();
    const policy = testPolicy('http://127.0.0.1:9/unused', {
      providers: `open: { format: openai, base_url: ${upstream.baseUrl} }`,
      models: 'free-model: { provider: open }',
    });
    const gateway = await startGateway({ policy });

    const res = await post(
      gateway,
      { model: 'free-model', messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { authorization: `Bearer ${CLIENT_KEY}` } },
    );

    expect(res.status).toBe(200);
    expect(upstream.requests[0]!.headers.authorization).toBeUndefined();
    expect((await gateway.lastRecord()).attempts[0]!.credentialIndex).toBe(-1);
  });

  it('should forward only the headers it allows, never one that chooses who is billed, and ask for an uncompressed answer (issue 10)', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });
    const headers = {
      'x-mock-status': '429',
      'openai-organization': 'org-1',
      'openai-project': 'proj-1',
      'x-goog-user-project': 'someone-else',
      'x-request-id': 'req-7',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'accept-encoding': 'gzip, br',
    };

    await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] }, { headers });

    const sent = upstream.requests[0]!.headers;
    expect(sent['x-mock-status']).toBeUndefined();
    expect(sent['openai-organization']).toBeUndefined();
    expect(sent['openai-project']).toBeUndefined();
    expect(sent['x-goog-user-project']).toBeUndefined();
    expect(sent['x-request-id']).toBe('req-7');
    expect(sent.traceparent).toBe(headers.traceparent);
    expect(sent['accept-encoding']).toBe('identity');
  });

  it("should forward the headers a provider's forward_headers names, billing headers still excepted", async () => {
    const upstream = await startTestUpstream();
    const policy = testPolicy(upstream.baseUrl);
    const withHeaders = parsePolicy(
      `version: 1\nproviders:\n  local: { format: openai, base_url: ${upstream.baseUrl}, credentials: [{ env: LOCAL_KEY }], forward_headers: [x-mock-*, x-team] }\nmodels:\n  gpt-test: { provider: local }\n`,
      'policy.yaml',
      { env: { LOCAL_KEY: PROVIDER_KEY } },
    );
    expect(policy.providers.get('local')!.forwardHeaders).toEqual([]);
    const gateway = await startGateway({ policy: withHeaders });

    await post(
      gateway,
      { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { 'x-mock-status': '200', 'x-team': 'search', 'x-other': 'no', 'openai-organization': 'org-1' } },
    );

    const sent = upstream.requests[0]!.headers;
    expect(sent['x-mock-status']).toBe('200');
    expect(sent['x-team']).toBe('search');
    expect(sent['x-other']).toBeUndefined();
    expect(sent['openai-organization']).toBeUndefined();
    expect(() =>
      parsePolicy(
        `version: 1\nproviders:\n  local: { format: openai, base_url: ${upstream.baseUrl}, forward_headers: [openai-*] }\nmodels: {}\n`,
        'policy.yaml',
        { env: {} },
      ),
    ).toThrow(/header "openai-\*" carries a credential or says who is billed/);
  });

  it('should swap credentials and not forward Expect when the client sent Expect: 100-continue', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });
    const body = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${gateway.url}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          expect: '100-continue',
          authorization: `Bearer ${CLIENT_KEY}`,
          'content-length': body.length,
        },
      });
      req.on('continue', () => req.end(body));
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });

    expect(status).toBe(200);
    const { headers, body: received } = upstream.requests[0]!;
    expect(headers.expect).toBeUndefined();
    expect(headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(received.toString()).toBe(body);
  });
});

describe('dispatch() response', () => {
  it('should pass the answer through and name the served model and the exact selection', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-served-model')).toBe('gpt-test');
    expect(res.headers.get('x-switchyard-route')).toBe('exact');
    expect(await res.json()).toMatchObject({ object: 'chat.completion', model: 'gpt-test' });
  });

  it.each([
    ['long-context', 'smart/long-context'],
    ['default', 'smart/default'],
  ])('should name route and rule %s in x-switchyard-route', async (rule, header) => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({
      policy: testPolicy(upstream.baseUrl),
      selection: { kind: 'route', route: 'smart', rule, model: 'gpt-test' },
    });

    const res = await post(gateway, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.headers.get('x-switchyard-route')).toBe(header);
    expect(res.headers.get('x-switchyard-served-model')).toBe('gpt-test');
    // The body says what the upstream says: it served the exact ID it was sent.
    expect(await res.json()).toMatchObject({ model: 'gpt-test' });
  });

  it("should pass an upstream 429 through with the upstream's own headers and body", async () => {
    const error =
      '{"error":{"message":"Rate limit reached for gpt-test","type":"requests","param":null,"code":"rate_limit_exceeded"}}';
    const upstream = await startTestUpstream(json(429, error, { 'retry-after': '7', 'x-ratelimit-remaining-requests': '0' }));
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(await res.text()).toBe(error);
    const record = await gateway.lastRecord();
    expect(record.attempts).toMatchObject([{ status: 429, outcome: 'http_error', errorClass: 'http_429' }]);
    expect(record.error).toBeUndefined();
  });

  it('should pass an upstream 503 with a non-JSON body through unchanged', async () => {
    const upstream = await startTestUpstream((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('upstream overloaded');
    });
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('upstream overloaded');
  });

  it('should record the attempt, the served model and the usage of a successful call', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });
    const before = Date.now();

    await (await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] })).text();

    const record = await gateway.lastRecord();
    expect(record.servedModel).toBe('gpt-test');
    expect(record.usage).toStrictEqual({ inputTokens: 11, outputTokens: 7, cachedInputTokens: 3 });
    expect(record.attempts).toHaveLength(1);
    const attempt = record.attempts[0]!;
    expect(attempt).toMatchObject({ provider: 'local', model: 'gpt-test', credentialIndex: 0, status: 200, outcome: 'ok' });
    expect(attempt.errorClass).toBeUndefined();
    expect(attempt.startedAt).toBeGreaterThanOrEqual(before);
    expect(attempt.endedAt).toBeGreaterThanOrEqual(attempt.startedAt);
  });
});

describe('dispatch() configuration', () => {
  it("should answer 400 format_not_supported (the client's choice of model, not a server fault) for an endpoint that is not translated to the provider's format, without calling it", async () => {
    const upstream = await startTestUpstream();
    const policy = testPolicy(upstream.baseUrl, {
      providers: `claude: { format: anthropic, base_url: ${upstream.baseUrl} }`,
      models: 'claude-test: { provider: claude }',
    });
    const gateway = await startGateway({ policy });

    const res = await post(gateway, { model: 'claude-test', input: 'hi' }, { path: '/embeddings' });

    expect(res.status).toBe(400);
    expect(res.headers.get('x-switchyard-route')).toBe('exact');
    expect(await res.json()).toStrictEqual({
      error: {
        message:
          'Provider "claude" speaks the anthropic format, which this gateway calls for chat completions, messages, the Responses API and generateContent only, not for embeddings.',
        type: 'invalid_request_error',
        param: null,
        code: 'format_not_supported',
      },
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it('should fail with a configuration error when signals() and pin() did not run', async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl), stages: false });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal_error');
    expect(gateway.internalErrors).toHaveLength(1);
    expect((gateway.internalErrors[0] as Error).message).toBe(
      'switchyard: dispatch() needs signals() and pin() mounted before it',
    );
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('dispatch() and the provider credential in answers (issue 10)', () => {
  it('should scrub a credential an upstream echoes in its error body and headers, and drop its cookies and account headers', async () => {
    const upstream = await startTestUpstream((_req, res) =>
      res
        .writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': `Bearer realm="${PROVIDER_KEY}"`,
          'set-cookie': 'session=abc',
          'openai-organization': 'org-billed',
        })
        .end(JSON.stringify({ error: { message: `Incorrect API key provided: ${PROVIDER_KEY}.`, code: 'invalid_api_key' } })),
    );
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
    const text = await res.text();

    expect(res.status).toBe(401);
    expect(text).not.toContain(PROVIDER_KEY);
    expect(JSON.parse(text).error.message).toBe('Incorrect API key provided: [redacted].');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="[redacted]"');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('openai-organization')).toBeNull();
  });

  it('should scrub a credential cut across the chunks of a stream', async () => {
    const half = Math.floor(PROVIDER_KEY.length / 2);
    const upstream = await startTestUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: {"choices":[{"delta":{"content":"${PROVIDER_KEY.slice(0, half)}`);
      setTimeout(() => res.end(`${PROVIDER_KEY.slice(half)}"}}]}\n\ndata: [DONE]\n\n`), 20);
    });
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const text = await (
      await post(gateway, { model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'Hi' }] })
    ).text();

    expect(text).not.toContain(PROVIDER_KEY);
    expect(text).toContain('[redacted]');
  });
});
