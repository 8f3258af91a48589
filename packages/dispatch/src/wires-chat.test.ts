// dispatch() for OpenAI chat clients whose route lands on an Anthropic or Gemini provider: the exact
// request that goes up, the exact answer that comes back, streams, errors, usage and the record.
import { describe, expect, it } from 'vitest';
import { toAnthropicRequest, toGeminiRequest } from '@switchyard/formats';
import { post, startGateway } from '../test/gateway.js';
import {
  anthropicHello,
  anthropicMessage,
  anthropicStream,
  dataOf,
  geminiResponse,
  geminiStream,
  KEYS,
  openAIStream,
  sequence,
  wirePolicy,
} from '../test/wires.js';
import { chatCompletion, json, startTestUpstream } from '../test/upstream.js';

const HELLO = [{ role: 'user', content: 'Hello!' }];
const SMART = { kind: 'route', route: 'smart', rule: 'default', model: 'gpt-test' } as const;

describe('dispatch() to an Anthropic provider', () => {
  it('should send the translated request to /v1/messages with x-api-key, and answer a chat.completion with its usage', async () => {
    const upstream = await startTestUpstream(anthropicHello);
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });
    const sent = { model: 'claude-test', messages: [{ role: 'system', content: 'Be brief.' }, ...HELLO], temperature: 1.5 };

    const res = await post(gateway, sent, { headers: { authorization: 'Bearer sk-client', 'x-mock': 'kept' } });

    expect(res.status).toBe(200);
    const got = upstream.requests[0]!;
    expect(got.url).toBe('/v1/messages');
    // The model's output cap is the default max_tokens; Anthropic's temperature tops out at 1.
    expect(JSON.parse(got.body.toString())).toStrictEqual({
      model: 'claude-test',
      max_tokens: 1024,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello!' }] }],
      system: 'Be brief.',
      temperature: 1,
    });
    expect(got.body.toString()).toBe(JSON.stringify(toAnthropicRequest(sent, { model: 'claude-test', defaultMaxTokens: 1024 })));
    expect(got.headers['x-api-key']).toBe(KEYS.CLAUDE_KEY);
    expect(got.headers['anthropic-version']).toBe('2023-06-01');
    expect(got.headers.authorization).toBeUndefined();
    // Only the headers the provider's format and the policy allow are forwarded (issue 10).
    expect(got.headers['x-mock']).toBeUndefined();

    expect(await res.json()).toStrictEqual({
      id: 'msg_1',
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'claude-test',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello.', refusal: null }, logprobs: null, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 34, completion_tokens: 5, total_tokens: 39, prompt_tokens_details: { cached_tokens: 20 } },
    });
    expect(res.headers.get('x-switchyard-served-model')).toBe('claude-test');
    expect(res.headers.get('content-type')).toBe('application/json');
    // Anthropic's own headers stay behind: the client asked OpenAI's API.
    expect(res.headers.get('request-id')).toBeNull();
    const record = await gateway.lastRecord();
    expect(record.usage).toStrictEqual({ inputTokens: 34, outputTokens: 5, cachedInputTokens: 20 });
    expect(record.servedModel).toBe('claude-test');
    expect(record.attempts).toMatchObject([{ provider: 'claude', model: 'claude-test', status: 200, outcome: 'ok' }]);
  });

  it('should take a base_url that already ends in /v1 as meant', async () => {
    const upstream = await startTestUpstream(
      json(200, anthropicMessage([{ type: 'text', text: 'Hi.' }], 'end_turn', 'claude1-test')),
    );
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'claude1-test', messages: HELLO, max_tokens: 7 });

    expect(res.status).toBe(200);
    expect(upstream.requests[0]!.url).toBe('/v1/messages');
    expect(JSON.parse(upstream.requests[0]!.body.toString())).toMatchObject({ max_tokens: 7 });
  });

  it('should translate a stream event by event, ending in [DONE], with usage only when asked', async () => {
    const upstream = await startTestUpstream(anthropicStream(['Hel', 'lo', '.'], 60));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'claude-test', messages: HELLO, stream: true });
    const reader = res.body!.getReader();
    const times: number[] = [];
    let text = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      times.push(Date.now());
      text += new TextDecoder().decode(read.value);
    }

    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(JSON.parse(upstream.requests[0]!.body.toString())).toMatchObject({ model: 'claude-test', stream: true });
    const chunks = dataOf(text);
    expect(chunks.at(-1)).toBe('[DONE]');
    expect(
      chunks.slice(0, -1).map((c) => (c as { choices: { delta: object; finish_reason: unknown }[] }).choices[0]),
    ).toStrictEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: 'Hel' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: 'lo' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: '.' }, logprobs: null, finish_reason: null },
      { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' },
    ]);
    expect(text).not.toContain('"usage"');
    // Nine events 60 ms apart: the first chunk reached the client long before the last.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(300);
    const record = await gateway.lastRecord();
    expect(record.usage).toStrictEqual({ inputTokens: 34, outputTokens: 5, cachedInputTokens: 20 });
    expect(record.attempts).toMatchObject([{ status: 200, outcome: 'ok' }]);
    expect(record.error).toBeUndefined();

    const asked = await post(gateway, {
      model: 'claude-test',
      messages: HELLO,
      stream: true,
      stream_options: { include_usage: true },
    });
    const withUsage = dataOf(await asked.text());
    expect(withUsage.at(-2)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 34, completion_tokens: 5, total_tokens: 39, prompt_tokens_details: { cached_tokens: 20 } },
    });
  });

  it("should answer Anthropic's errors in OpenAI's shape, 529 as 503, and retry a 529 as it would a 503", async () => {
    const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    const upstream = await startTestUpstream(sequence(json(529, body), anthropicHello));
    const extra = 'failover: { retry: { attempts: 2, on: [503], backoff_ms: 1 } }';
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl, extra) });

    const retried = await post(gateway, { model: 'claude-test', messages: HELLO }, { headers: { 'x-retry': '1' } });
    expect(retried.status).toBe(200);
    expect((await gateway.lastRecord()).attempts).toMatchObject([
      { status: 529, outcome: 'http_error', errorClass: 'http_529' },
      { status: 200, outcome: 'ok' },
    ]);

    upstream.behaviour = json(529, body, { 'retry-after': '1' });
    const res = await post(gateway, { model: 'claude-test', messages: HELLO });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toStrictEqual({
      error: { message: 'Overloaded', type: 'api_error', param: null, code: 'overloaded_error' },
    });

    upstream.behaviour = json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: too big' } });
    const bad = await post(gateway, { model: 'claude-test', messages: HELLO });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toStrictEqual({
      error: { message: 'max_tokens: too big', type: 'invalid_request_error', param: null, code: 'invalid_request_error' },
    });
    expect((await gateway.lastRecord()).attempts).toMatchObject([{ status: 400, outcome: 'http_error' }]);
  });

  it('should end the stream with an OpenAI error event, and no [DONE], when Anthropic sends an error event', async () => {
    const upstream = await startTestUpstream(anthropicStream(['Hel'], 5, 'error'));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const text = await (await post(gateway, { model: 'claude-test', messages: HELLO, stream: true })).text();

    const chunks = dataOf(text);
    expect(chunks.at(-1)).toStrictEqual({
      error: { message: 'Overloaded', type: 'api_error', param: null, code: 'overloaded_error' },
    });
    expect(chunks).not.toContain('[DONE]');
    const record = await gateway.lastRecord();
    expect(record.error).toStrictEqual({ status: 200, type: 'api_error', code: 'upstream_stream_error' });
    expect(record.attempts).toMatchObject([{ outcome: 'stream_cut', errorClass: 'upstream_stream_error' }]);
  });

  it('should end a translated stream the upstream cut with an error event in the client format', async () => {
    const upstream = await startTestUpstream(anthropicStream(['Hel', 'lo'], 5, 'drop'));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const text = await (await post(gateway, { model: 'claude-test', messages: HELLO, stream: true })).text();

    const chunks = dataOf(text);
    expect(chunks).not.toContain('[DONE]');
    expect(chunks.at(-1)).toMatchObject({ error: { type: 'api_error', code: 'stream_cut' } });
    const record = await gateway.lastRecord();
    expect(record.error).toStrictEqual({ status: 200, type: 'api_error', code: 'stream_cut' });
    expect(record.attempts).toMatchObject([{ outcome: 'stream_cut', errorClass: 'upstream_dropped' }]);
    // What Anthropic reported before the cut: the prompt and the first output token.
    expect(record.usage).toStrictEqual({ inputTokens: 34, outputTokens: 1, cachedInputTokens: 20 });
  });

  it("should answer 502 upstream_bad_response in OpenAI's shape for a 2xx body that is not a Message", async () => {
    const upstream = await startTestUpstream(json(200, '{"not":"a message"'));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'claude-test', messages: HELLO });

    expect(res.status).toBe(502);
    expect(await res.json()).toStrictEqual({
      error: {
        message: 'The Anthropic answer could not be translated: the body is not a Message.',
        type: 'api_error',
        param: null,
        code: 'upstream_bad_response',
      },
    });
    expect((await gateway.lastRecord()).attempts).toMatchObject([
      { status: 200, outcome: 'http_error', errorClass: 'upstream_bad_response' },
    ]);
  });

  it('should refuse with 400 a request Anthropic cannot express, without calling it', async () => {
    const upstream = await startTestUpstream(anthropicHello);
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'claude-test', messages: HELLO, n: 2 });

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'unsupported_parameter', param: 'n', type: 'invalid_request_error' },
    });
    expect(upstream.requests).toHaveLength(0);
    expect(res.headers.get('x-switchyard-attempts')).toBe('0');
  });

  it('should check a JSON schema on the translated answer, and retry one that breaks it', async () => {
    const answer = (input: object) =>
      json(200, anthropicMessage([{ type: 'tool_use', id: 'toolu_1', name: 'json_response', input }], 'tool_use'));
    const upstream = await startTestUpstream(sequence(answer({ nom: 'Ada' }), answer({ name: 'Ada' })));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };

    const res = await post(gateway, {
      model: 'claude-test',
      messages: HELLO,
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema } },
    });

    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string }; finish_reason: string }[] };
    expect(body.choices[0]).toMatchObject({ message: { content: '{"name":"Ada"}' }, finish_reason: 'stop' });
    expect((await gateway.lastRecord()).attempts).toMatchObject([
      { status: 200, errorClass: 'schema_invalid' },
      { status: 200, outcome: 'ok' },
    ]);
  });
});

describe('dispatch() to a Gemini provider', () => {
  it('should call generateContent with x-goog-api-key and answer a chat.completion with its usage', async () => {
    const upstream = await startTestUpstream(json(200, geminiResponse([{ text: 'Hello.' }], 'STOP'), { 'x-goog-thing': '1' }));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });
    const sent = { model: 'gemini-test', messages: HELLO, max_tokens: 50 };

    const res = await post(gateway, sent, { headers: { authorization: 'Bearer sk-client' } });

    const got = upstream.requests[0]!;
    expect(got.url).toBe('/v1beta/models/gemini-test:generateContent');
    expect(got.body.toString()).toBe(JSON.stringify(toGeminiRequest(sent, { model: 'gemini-test' }).body));
    expect(JSON.parse(got.body.toString())).toStrictEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hello!' }] }],
      generationConfig: { maxOutputTokens: 50 },
    });
    expect(got.headers['x-goog-api-key']).toBe(KEYS.GEMINI_KEY);
    expect(got.headers.authorization).toBeUndefined();
    expect(got.headers['anthropic-version']).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-goog-thing')).toBeNull();
    expect(await res.json()).toStrictEqual({
      id: 'resp1',
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gemini-test',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello.', refusal: null }, logprobs: null, finish_reason: 'stop' },
      ],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 3,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect((await gateway.lastRecord()).usage).toStrictEqual({ inputTokens: 12, outputTokens: 3, cachedInputTokens: 4 });
  });

  it('should stream through streamGenerateContent?alt=sse, ending in [DONE]', async () => {
    const upstream = await startTestUpstream(geminiStream(['Hel', 'lo.']));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const text = await (
      await post(gateway, { model: 'gemini-test', messages: HELLO, stream: true, stream_options: { include_usage: true } })
    ).text();

    expect(upstream.requests[0]!.url).toBe('/v1beta/models/gemini-test:streamGenerateContent?alt=sse');
    const chunks = dataOf(text) as { choices: { delta: object; finish_reason: string | null }[]; usage?: unknown }[];
    expect(chunks.at(-1)).toBe('[DONE]');
    expect(chunks.slice(0, 4).map((c) => [c.choices[0]!.delta, c.choices[0]!.finish_reason])).toStrictEqual([
      [{ role: 'assistant', content: '' }, null],
      [{ content: 'Hel' }, null],
      [{ content: 'lo.' }, null],
      [{}, 'stop'],
    ]);
    expect(chunks[4]).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 3 } });
    expect((await gateway.lastRecord()).usage).toStrictEqual({ inputTokens: 12, outputTokens: 3, cachedInputTokens: 4 });
  });

  it("should answer Gemini's errors in OpenAI's shape, status and Retry-After kept", async () => {
    const body = { error: { code: 429, message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED' } };
    const upstream = await startTestUpstream(json(429, body, { 'retry-after': '7' }));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gemini-test', messages: HELLO, stream: true });

    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-switchyard-error-model')).toBe('gemini-test');
    expect(await res.json()).toStrictEqual({
      error: { message: 'Quota exceeded.', type: 'rate_limit_error', param: null, code: 'resource_exhausted' },
    });
  });
});

describe('dispatch() failover across formats', () => {
  it('should fall back from an OpenAI-format provider to an Anthropic one and answer the same client', async () => {
    const upstream = await startTestUpstream(sequence(json(503, { error: { message: 'busy' } }), anthropicHello));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl), selection: SMART });

    const res = await post(gateway, { model: 'smart', messages: HELLO });

    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-served-model')).toBe('claude-test');
    expect(res.headers.get('x-switchyard-fallback-reason')).toBe('http_503');
    expect(await res.json()).toMatchObject({
      object: 'chat.completion',
      model: 'claude-test',
      choices: [{ message: { content: 'Hello.' } }],
    });
    expect(upstream.requests.map((r) => r.url)).toStrictEqual(['/v1/chat/completions', '/v1/messages']);
    expect(upstream.requests[0]!.headers.authorization).toBe(`Bearer ${KEYS.OPENAI_KEY}`);
    expect(upstream.requests[1]!.headers['x-api-key']).toBe(KEYS.CLAUDE_KEY);
  });

  it('should skip a fallback whose format cannot express the request, and say why', async () => {
    const upstream = await startTestUpstream(sequence(json(503, { error: { message: 'busy' } }), chatCompletion()));
    const extra = '  wide: { default: gpt-test, fallbacks: [claude-test, gemini-test] }\n';
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl, extra), selection: { ...SMART, route: 'wide' } });

    // Two choices: neither Anthropic nor Gemini answers with more than one.
    const res = await post(gateway, { model: 'wide', messages: HELLO, n: 2 });

    expect(res.status).toBe(503);
    const record = await gateway.lastRecord();
    expect(record.events.filter((e) => e.name === 'switchyard.fallback.skipped').map((e) => e.attributes)).toStrictEqual([
      { model: 'claude-test', provider: 'claude', reason: 'format_not_supported' },
      { model: 'gemini-test', provider: 'gemini', reason: 'format_not_supported' },
    ]);
    expect(upstream.requests).toHaveLength(1);
  });

  it('should fall back from Anthropic to an OpenAI-format provider on a stream, before its first byte', async () => {
    const overloaded = json(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const upstream = await startTestUpstream(sequence(overloaded, openAIStream(['Hi'])));
    const extra = '  claudefirst: { default: claude-test, fallbacks: [gpt-test] }\n';
    const gateway = await startGateway({
      policy: wirePolicy(upstream.baseUrl, extra),
      selection: { kind: 'route', route: 'claudefirst', rule: 'default', model: 'claude-test' },
    });

    const text = await (await post(gateway, { model: 'claudefirst', messages: HELLO, stream: true })).text();

    expect(dataOf(text).at(-1)).toBe('[DONE]');
    expect(text).toContain('"content":"Hi"');
    const record = await gateway.lastRecord();
    expect(record.fallbackReason).toBe('http_503');
    expect(record.attempts).toMatchObject([
      { provider: 'claude', status: 529 },
      { provider: 'openai', status: 200, outcome: 'ok' },
    ]);
  });
});
