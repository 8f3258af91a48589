// dispatch() behind the Anthropic-compatible front door (`POST /v1/messages`): passed through untouched
// to Anthropic providers, translated to OpenAI-format and Gemini providers, errors in Anthropic's shape.
import { describe, expect, it } from 'vitest';
import { toOpenAIRequest } from '@switchyard/formats';
import { post, startGateway } from '../test/gateway.js';
import {
  anthropicMessage,
  anthropicStream,
  dataOf,
  eventNames,
  geminiResponse,
  geminiStream,
  KEYS,
  openAIStream,
  wirePolicy,
} from '../test/wires.js';
import { json, refusingBaseUrl, startTestUpstream } from '../test/upstream.js';

const MESSAGES = { path: '/messages' };
const HELLO = [{ role: 'user', content: 'Hello!' }];
const ANTHROPIC_HEADERS = {
  'x-api-key': 'sk-client',
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'some-feature-2025-01-01',
};

describe('/v1/messages to an Anthropic provider', () => {
  it("should pass the client's exact bytes and the answer's exact bytes through, with the provider's key", async () => {
    const answer = JSON.stringify(anthropicMessage([{ type: 'text', text: 'Hello.' }]), null, 1);
    const upstream = await startTestUpstream(json(200, answer, { 'request-id': 'req_1' }));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });
    // Spacing, key order and escapes that a re-serialisation would change.
    const raw =
      '{ "max_tokens": 64, "messages":[{"role":"user","content":"caf\\u00e9"}],\n "model" : "claude-test", "top_k": 5 }';

    const res = await post(gateway, raw, { ...MESSAGES, headers: ANTHROPIC_HEADERS });

    const got = upstream.requests[0]!;
    expect(got.url).toBe('/v1/messages');
    expect(got.body.equals(Buffer.from(raw))).toBe(true);
    expect(got.headers['x-api-key']).toBe(KEYS.CLAUDE_KEY);
    expect(got.headers['anthropic-version']).toBe('2023-06-01');
    expect(got.headers['anthropic-beta']).toBe('some-feature-2025-01-01');
    expect(got.headers.authorization).toBeUndefined();
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(answer);
    expect(res.headers.get('request-id')).toBe('req_1');
    expect(res.headers.get('x-switchyard-served-model')).toBe('claude-test');
    expect((await gateway.lastRecord()).usage).toStrictEqual({
      inputTokens: 34,
      outputTokens: 5,
      cachedInputTokens: 20,
      cacheCreationInputTokens: 4,
    });
  });

  it('should replace only the model of a route, and pass a stream through as sent', async () => {
    const upstream = await startTestUpstream(anthropicStream(['Hi']));
    const selection = { kind: 'route', route: 'smart', rule: 'default', model: 'claude-test' } as const;
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl), selection });
    const sent = { model: 'smart', max_tokens: 64, stream: true, messages: HELLO };

    const text = await (await post(gateway, sent, { ...MESSAGES, headers: ANTHROPIC_HEADERS })).text();

    expect(upstream.requests[0]!.body.toString()).toBe(JSON.stringify({ ...sent, model: 'claude-test' }));
    expect(eventNames(text)).toStrictEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect((await gateway.lastRecord()).usage).toStrictEqual({
      inputTokens: 34,
      outputTokens: 5,
      cachedInputTokens: 20,
      cacheCreationInputTokens: 4,
    });
  });

  it('should send anthropic-version 2023-06-01 when the client sent none', async () => {
    const upstream = await startTestUpstream(json(200, anthropicMessage([])));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    await post(gateway, { model: 'claude-test', max_tokens: 9, messages: HELLO }, MESSAGES);

    expect(upstream.requests[0]!.headers['anthropic-version']).toBe('2023-06-01');
  });
});

describe('/v1/messages to an OpenAI-format provider', () => {
  it('should translate the request and answer a Message', async () => {
    const completion = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-test',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello.', refusal: null }, logprobs: null, finish_reason: 'length' },
      ],
      usage: { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35, prompt_tokens_details: { cached_tokens: 20 } },
    };
    const upstream = await startTestUpstream(json(200, completion, { 'openai-processing-ms': '12' }));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });
    const sent = { model: 'gpt-test', max_tokens: 5, system: 'Be brief.', messages: HELLO };

    const res = await post(gateway, sent, { ...MESSAGES, headers: ANTHROPIC_HEADERS });

    const got = upstream.requests[0]!;
    expect(got.url).toBe('/v1/chat/completions');
    expect(got.body.toString()).toBe(JSON.stringify(toOpenAIRequest(sent, { model: 'gpt-test' })));
    expect(got.headers.authorization).toBe(`Bearer ${KEYS.OPENAI_KEY}`);
    expect(got.headers['x-api-key']).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.headers.get('openai-processing-ms')).toBeNull();
    expect(await res.json()).toStrictEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-test',
      content: [{ type: 'text', text: 'Hello.' }],
      stop_reason: 'max_tokens',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 20 },
    });
    expect((await gateway.lastRecord()).usage).toStrictEqual({ inputTokens: 30, outputTokens: 5, cachedInputTokens: 20 });
  });

  it("should translate a stream into Anthropic's event sequence", async () => {
    const upstream = await startTestUpstream(openAIStream(['Hel', 'lo.']));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', max_tokens: 9, stream: true, messages: HELLO }, MESSAGES);
    const text = await res.text();

    expect(JSON.parse(upstream.requests[0]!.body.toString())).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(eventNames(text)).toStrictEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(dataOf(text)[5]).toStrictEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 20 },
    });
    expect((await gateway.lastRecord()).usage).toStrictEqual({ inputTokens: 30, outputTokens: 5, cachedInputTokens: 20 });
  });

  it("should answer the provider's errors in Anthropic's shape", async () => {
    const upstream = await startTestUpstream(
      json(429, { error: { message: 'Slow down.', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '2' }),
    );
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', max_tokens: 9, messages: HELLO }, MESSAGES);

    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toStrictEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'Slow down.' } });
  });

  it("should end a stream the provider cut with Anthropic's error event", async () => {
    const upstream = await startTestUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const text = await (
      await post(gateway, { model: 'gpt-test', max_tokens: 9, stream: true, messages: HELLO }, MESSAGES)
    ).text();

    expect(eventNames(text)).toStrictEqual(['message_start', 'content_block_start', 'content_block_delta', 'error']);
    expect(dataOf(text).at(-1)).toStrictEqual({
      type: 'error',
      error: { type: 'api_error', message: 'The upstream closed the connection before the answer was complete.' },
    });
  });

  it("should refuse with 400 what OpenAI's format cannot carry, without calling it", async () => {
    const upstream = await startTestUpstream();
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });
    const document = { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } };

    const res = await post(
      gateway,
      { model: 'gpt-test', max_tokens: 9, messages: [{ role: 'user', content: [document] }] },
      MESSAGES,
    );

    expect(res.status).toBe(400);
    expect(await res.json()).toStrictEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: 'Content blocks of type `document` are not translated for this model; text, image and tool_result are.',
      },
    });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('/v1/messages to a Gemini provider', () => {
  it('should translate through the OpenAI shape both ways', async () => {
    const upstream = await startTestUpstream(json(200, geminiResponse([{ text: 'Hello.' }], 'STOP')));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gemini-test', max_tokens: 9, system: 'Be brief.', messages: HELLO }, MESSAGES);

    expect(upstream.requests[0]!.url).toBe('/v1beta/models/gemini-test:generateContent');
    expect(JSON.parse(upstream.requests[0]!.body.toString())).toStrictEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hello!' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 9 },
    });
    expect(await res.json()).toStrictEqual({
      id: 'resp1',
      type: 'message',
      role: 'assistant',
      model: 'gemini-test',
      content: [{ type: 'text', text: 'Hello.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 8, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 4 },
    });
    expect((await gateway.lastRecord()).usage).toStrictEqual({ inputTokens: 12, outputTokens: 3, cachedInputTokens: 4 });
  });

  it("should translate a Gemini stream into Anthropic's events, and its errors into Anthropic's shape", async () => {
    const upstream = await startTestUpstream(geminiStream(['Hel', 'lo.']));
    const gateway = await startGateway({ policy: wirePolicy(upstream.baseUrl) });

    const text = await (
      await post(gateway, { model: 'gemini-test', max_tokens: 9, stream: true, messages: HELLO }, MESSAGES)
    ).text();

    expect(upstream.requests[0]!.url).toBe('/v1beta/models/gemini-test:streamGenerateContent?alt=sse');
    expect(eventNames(text)).toStrictEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(dataOf(text)[5]).toMatchObject({ usage: { input_tokens: 8, output_tokens: 3, cache_read_input_tokens: 4 } });
    expect((await gateway.lastRecord()).usage).toStrictEqual({ inputTokens: 12, outputTokens: 3, cachedInputTokens: 4 });

    upstream.behaviour = json(400, { error: { code: 400, message: 'Bad schema.', status: 'INVALID_ARGUMENT' } });
    const bad = await post(gateway, { model: 'gemini-test', max_tokens: 9, messages: HELLO }, MESSAGES);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toStrictEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'Bad schema.' } });
  });
});

describe("/v1/messages: the gateway's own errors", () => {
  it("should answer an unreachable provider in Anthropic's shape", async () => {
    const gateway = await startGateway({ policy: wirePolicy(await refusingBaseUrl()) });

    const res = await post(gateway, { model: 'claude-test', max_tokens: 9, messages: HELLO }, MESSAGES);

    expect(res.status).toBe(502);
    expect(await res.json()).toStrictEqual({
      type: 'error',
      error: { type: 'api_error', message: 'Provider "claude" refused the connection (ECONNREFUSED).' },
    });
  });
});
