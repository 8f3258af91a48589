import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMockProvider } from './index.js';
import { chatBody, jsonOf, postChat, readUntilEnd, sseData } from '../test/utils.js';
import type { MockProvider } from './types.js';

const MODEL = 'gpt-4o-mini';

describe('scripted faults', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should answer a scripted status with an OpenAI error and Retry-After', async () => {
    mock.script(MODEL, { status: 429, retryAfter: '1' });
    const res = await postChat(mock, chatBody());
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await jsonOf(res)).error).toMatchObject({ type: 'requests', param: null, code: 'rate_limit_exceeded' });
    expect(mock.calls[0]).toMatchObject({ status: 429, outcome: 'completed' });
  });

  it.each([
    [400, 'invalid_request_error', null],
    [401, 'invalid_request_error', 'invalid_api_key'],
    [404, 'invalid_request_error', 'model_not_found'],
    [500, 'server_error', null],
    [502, 'server_error', null],
    [503, 'server_error', null],
  ])('should shape a scripted %i like OpenAI', async (status, type, code) => {
    mock.script(MODEL, { status });
    const res = await postChat(mock, chatBody());
    expect(res.status).toBe(status);
    expect(res.headers.has('retry-after')).toBe(false);
    expect((await jsonOf(res)).error).toMatchObject({ type, code });
  });

  it('should answer a scripted error to a stream request as JSON, not SSE', async () => {
    mock.script(MODEL, { status: 500 });
    const res = await postChat(mock, chatBody({ stream: true }));
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('should wait latencyMs before answering', async () => {
    mock.script(MODEL, { latencyMs: 200 });
    const started = performance.now();
    const res = await postChat(mock, chatBody());
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(res.status).toBe(200);
    mock.script(MODEL, {});
    const fast = performance.now();
    await (await postChat(mock, chatBody())).text();
    expect(performance.now() - fast).toBeLessThan(150);
  });

  it('should send stream headers at once and the first chunk after firstByteDelayMs', async () => {
    mock.script(MODEL, { firstByteDelayMs: 300 });
    const started = performance.now();
    const res = await postChat(mock, chatBody({ stream: true }));
    const headersAfter = performance.now() - started;
    const reader = res.body!.getReader();
    await reader.read();
    const firstChunkAfter = performance.now() - started;
    await reader.cancel();
    expect(headersAfter).toBeLessThan(150);
    expect(firstChunkAfter).toBeGreaterThanOrEqual(295);
  });

  it('should space stream chunks by chunkIntervalMs', async () => {
    mock.script(MODEL, { chunks: 2, chunkIntervalMs: 60 });
    const started = performance.now();
    const data = sseData(await (await postChat(mock, chatBody({ stream: true }))).text());
    // role, 2 deltas, finish: three gaps.
    expect(performance.now() - started).toBeGreaterThanOrEqual(175);
    expect(data).toHaveLength(5);
  });

  it('should hang until the client aborts and record the call as aborted', async () => {
    mock.script(MODEL, { hang: true });
    const controller = new AbortController();
    const pending = postChat(mock, chatBody(), { signal: controller.signal });
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('pending'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mock.calls[0]?.status).toBeUndefined();
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('aborted'));
    expect(mock.calls[0]?.endedAt).toBeGreaterThanOrEqual(mock.calls[0]!.startedAt);
  });

  it('should record a slow stream the client leaves mid-way as aborted', async () => {
    mock.script(MODEL, { chunkIntervalMs: 200 });
    const controller = new AbortController();
    const res = await postChat(mock, chatBody({ stream: true }), { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('aborted'));
    expect(mock.calls[0]?.status).toBe(200);
  });

  it('should drop a stream after n content chunks without [DONE]', async () => {
    mock.script(MODEL, { dropAfterChunks: 2 });
    const { text, broke } = await readUntilEnd(await postChat(mock, chatBody({ stream: true })));
    expect(broke).toBe(true);
    const data = sseData(text);
    expect(data).toHaveLength(3);
    expect(data.map((line) => JSON.parse(line).choices[0].delta.content)).toEqual(['', 'Mock re', 'ply fro']);
    expect(text).not.toContain('[DONE]');
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('error'));
  });

  it('should make the openai client fail on a dropped stream', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
    const stream = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true },
      { headers: { 'x-mock-fault': 'drop' } },
    );
    const consume = async (): Promise<void> => {
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(consume()).rejects.toThrow();
  });

  it('should cut a non-stream body in half when dropping', async () => {
    mock.script(MODEL, { dropAfterChunks: 0 });
    const res = await postChat(mock, chatBody());
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('error'));
  });

  it('should send a 200 body that is not JSON when malformed', async () => {
    mock.script(MODEL, { malformed: true });
    const res = await postChat(mock, chatBody());
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith('{"id":"chatcmpl-')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('should send a stream with a corrupt data line when malformed', async () => {
    const res = await postChat(mock, chatBody({ stream: true }), { headers: { 'x-mock-fault': 'malformed' } });
    const data = sseData(await res.text());
    const corrupt = data.filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return line !== '[DONE]';
      }
    });
    expect(corrupt).toHaveLength(1);
  });

  it('should play a sequence one step per call and repeat the last step', async () => {
    mock.script(MODEL, [{ status: 500 }, {}]);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await postChat(mock, chatBody())).status);
    expect(statuses).toEqual([500, 200, 200]);
  });

  it('should take sequences from the script option and restart them on reset()', async () => {
    const scripted = await startMockProvider({ script: { [MODEL]: [{ status: 503 }, { status: 200 }] } });
    try {
      const statuses = async (): Promise<number[]> => [
        (await postChat(scripted, chatBody())).status,
        (await postChat(scripted, chatBody())).status,
      ];
      expect(await statuses()).toEqual([503, 200]);
      scripted.reset();
      expect(scripted.calls).toHaveLength(0);
      expect(await statuses()).toEqual([503, 200]);
    } finally {
      await scripted.close();
    }
  });

  it('should apply the * script to models without their own script', async () => {
    mock.script('*', { status: 502 });
    mock.script('gpt-4o', {});
    expect((await postChat(mock, chatBody({ model: 'other' }))).status).toBe(502);
    expect((await postChat(mock, chatBody({ model: 'gpt-4o' }))).status).toBe(200);
  });

  it('should let header scripts win over the model script field by field', async () => {
    mock.script(MODEL, { status: 500, retryAfter: '9' });
    const res = await postChat(mock, chatBody(), { headers: { 'x-mock-status': '429', 'x-mock-retry-after': '2' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');

    const ok = await postChat(mock, chatBody(), { headers: { 'x-mock-status': '200' } });
    expect(ok.status).toBe(200);
  });

  it('should script latency and hang with headers', async () => {
    const started = performance.now();
    await (await postChat(mock, chatBody(), { headers: { 'x-mock-latency-ms': '150' } })).text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);

    const controller = new AbortController();
    const hanging = postChat(mock, chatBody(), { headers: { 'x-mock-fault': 'hang' }, signal: controller.signal });
    await vi.waitFor(() => expect(mock.calls[1]?.outcome).toBe('pending'));
    controller.abort();
    await expect(hanging).rejects.toThrow();
    await vi.waitFor(() => expect(mock.calls[1]?.outcome).toBe('aborted'));
  });

  it('should end an OpenAI stream with an error data event on a streamError, without [DONE]', async () => {
    mock.script(MODEL, { streamError: 503, dropAfterChunks: 2 });
    const data = sseData(await (await postChat(mock, chatBody({ stream: true }))).text());
    expect(data).toHaveLength(4);
    expect(JSON.parse(data[3]!)).toEqual({
      error: {
        message: 'The engine is currently overloaded, please try again later.',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
    expect(data).not.toContain('[DONE]');
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('error'));
  });

  it('should report a scripted finishReason and cachedTokens in the OpenAI body', async () => {
    const res = await postChat(mock, chatBody(), {
      headers: { 'x-mock-finish-reason': 'content_filter', 'x-mock-cached-tokens': '2' },
    });
    const body = await jsonOf(res);
    expect(body.choices[0].finish_reason).toBe('content_filter');
    expect(body.usage.prompt_tokens_details.cached_tokens).toBe(2);
    const plain = await jsonOf(postChat(mock, chatBody()));
    expect(plain.choices[0].finish_reason).toBe('stop');
    expect(plain.usage.prompt_tokens_details.cached_tokens).toBe(0);
  });

  it('should answer 400 for an x-mock header it cannot use', async () => {
    const res = await postChat(mock, chatBody(), { headers: { 'x-mock-fault': 'explode' } });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.message).toContain('x-mock-fault');
  });
});
