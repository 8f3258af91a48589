// The gateway as an OpenAI endpoint: non-streaming and streaming completions, exact-ID pinning,
// provider credentials, /v1/models, and an unreachable upstream.
import type { MockProvider } from '@switchyard/mock-provider';
import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  basicPolicy,
  chat,
  chatCalls,
  CLIENT_KEY,
  MODELS,
  onlyCall,
  providerKey,
  startHarness,
  type Harness,
} from './helpers/gateway.js';

let h: Harness;
let alpha: MockProvider;
let beta: MockProvider;

beforeAll(async () => {
  h = await startHarness({ mocks: ['alpha', 'beta'], policy: basicPolicy });
  alpha = h.mocks.alpha!;
  beta = h.mocks.beta!;
});
afterAll(() => h?.close());
beforeEach(() => h.resetMocks());

describe('non-streaming', () => {
  it('answers a route with the upstream body, usage, and the routing headers', async () => {
    const r = await chat(h.client, { model: 'smart', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(r.status).toBe(200);
    expect(r.servedModel).toBe(MODELS.mini);
    expect(r.route).toBe('smart/default');
    expect(r.completion.object).toBe('chat.completion');
    expect(r.completion.model).toBe(MODELS.mini);
    expect(r.completion.choices[0]!.message.content).toBe(`Mock reply from ${MODELS.mini}.`);
    expect(r.completion.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(r.completion.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(r.completion.usage!.total_tokens).toBe(r.completion.usage!.prompt_tokens + r.completion.usage!.completion_tokens);

    const call = onlyCall(alpha);
    expect(call.model).toBe(MODELS.mini);
    expect(call.body).toMatchObject({ model: MODELS.mini, messages: [{ role: 'user', content: 'Say hello' }] });
    expect(call.outcome).toBe('completed');
    expect(chatCalls(beta)).toHaveLength(0);
  });

  it('a rule of the route picks another model: the body sent upstream carries it', async () => {
    const r = await chat(h.client, {
      model: 'smart',
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
    });
    expect(r.route).toBe('smart/tools');
    expect(r.servedModel).toBe(MODELS.llama);
    expect(r.completion.model).toBe(MODELS.llama);
    const call = onlyCall(beta);
    expect(call.model).toBe(MODELS.llama);
    expect(call.body).toMatchObject({ tools: [{ type: 'function', function: { name: 'lookup' } }] });
    expect(chatCalls(alpha)).toHaveLength(0);
  });
});

describe('streaming', () => {
  it('streams chunks through the SDK, with the usage chunk when include_usage is set', async () => {
    const { data: stream, response } = await h.client.chat.completions
      .create({
        model: 'smart',
        messages: [{ role: 'user', content: 'Stream please' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-switchyard-served-model')).toBe(MODELS.mini);
    expect(response.headers.get('x-switchyard-route')).toBe('smart/default');

    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(`Mock reply from ${MODELS.mini}.`);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(c.model).toBe(MODELS.mini);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(last.usage!.total_tokens).toBeGreaterThan(0);

    const call = onlyCall(alpha);
    expect(call.stream).toBe(true);
    expect(call.body).toMatchObject({ model: MODELS.mini, stream: true, stream_options: { include_usage: true } });
    expect(call.outcome).toBe('completed');
  });

  it('without include_usage no usage chunk arrives', async () => {
    const stream = await h.client.chat.completions.create({
      model: 'cheap',
      messages: [{ role: 'user', content: 'Stream please' }],
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(`Mock reply from ${MODELS.llama}.`);
    expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
    expect(onlyCall(beta).model).toBe(MODELS.llama);
  });

  it('passes chunks through as they come, not buffered until the end', async () => {
    const started = Date.now();
    const stream = await h.client.chat.completions.create(
      { model: 'smart', messages: [{ role: 'user', content: 'slowly' }], stream: true },
      { headers: { 'x-mock-chunks': '3', 'x-mock-chunk-interval-ms': '150' } },
    );
    const arrivals: number[] = [];
    for await (const _chunk of stream) arrivals.push(Date.now() - started);
    expect(arrivals.length).toBeGreaterThanOrEqual(4);
    // The role chunk is out before the upstream has sent the rest (3 x 150 ms later).
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(250);
  });
});

describe('exact-ID pinning', () => {
  it('an exact ID goes to its pinned provider only', async () => {
    const r = await chat(h.client, { model: MODELS.llama });
    expect(r.route).toBe('exact');
    expect(r.servedModel).toBe(MODELS.llama);
    expect(r.completion.model).toBe(MODELS.llama);
    expect(onlyCall(beta).model).toBe(MODELS.llama);
    expect(alpha.calls).toHaveLength(0);

    h.resetMocks();
    const r2 = await chat(h.client, { model: MODELS.gpt4o });
    expect(r2.route).toBe('exact');
    expect(r2.servedModel).toBe(MODELS.gpt4o);
    expect(onlyCall(alpha).model).toBe(MODELS.gpt4o);
    expect(beta.calls).toHaveLength(0);
  });

  it('an exact ID streams from its pinned provider', async () => {
    const { data, response } = await h.client.chat.completions
      .create({ model: MODELS.gpt4o, messages: [{ role: 'user', content: 'hi' }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(`Mock reply from ${MODELS.gpt4o}.`);
    expect(response.headers.get('x-switchyard-route')).toBe('exact');
    expect(response.headers.get('x-switchyard-served-model')).toBe(MODELS.gpt4o);
    expect(onlyCall(alpha).stream).toBe(true);
    expect(beta.calls).toHaveLength(0);
  });

  it('a failing pinned provider is not swapped for another: its own status and error come back', async () => {
    const err = await chat(h.client, { model: MODELS.llama }, { headers: { 'x-mock-status': '503' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as APIError).status).toBe(503);
    expect(chatCalls(beta).length).toBeGreaterThanOrEqual(1);
    expect(chatCalls(beta).every((c) => c.model === MODELS.llama)).toBe(true);
    expect(alpha.calls).toHaveLength(0);
  });
});

describe('credentials', () => {
  it('the provider key from the policy env reaches the mock; the client key never does', async () => {
    await chat(h.client, { model: 'smart' });
    await chat(h.client, { model: 'cheap' });
    const stream = await h.client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    for await (const _chunk of stream) void _chunk;
    const calls = [...alpha.calls, ...beta.calls];
    expect(chatCalls(alpha)).toHaveLength(2);
    expect(chatCalls(beta)).toHaveLength(1);
    for (const call of chatCalls(alpha)) expect(call.headers.authorization).toBe(`Bearer ${providerKey('alpha')}`);
    for (const call of chatCalls(beta)) expect(call.headers.authorization).toBe(`Bearer ${providerKey('beta')}`);
    for (const call of calls) {
      expect(JSON.stringify(call.headers)).not.toContain(CLIENT_KEY);
      expect(JSON.stringify(call.body ?? '')).not.toContain(CLIENT_KEY);
    }
    // The mocks accept only their own provider key, so every call also answered 200.
    for (const call of chatCalls(alpha).concat(chatCalls(beta))) expect(call.status).toBe(200);
  });
});

describe('GET /v1/models', () => {
  it('lists the routes and exact IDs through client.models.list()', async () => {
    const ids: string[] = [];
    for await (const model of h.client.models.list()) {
      expect(model.object).toBe('model');
      expect(typeof model.created).toBe('number');
      expect(typeof model.owned_by).toBe('string');
      ids.push(model.id);
    }
    expect(ids.sort()).toEqual(['cheap', 'smart', MODELS.mini, MODELS.gpt4o, MODELS.llama, MODELS.qwen].sort());
    expect(alpha.calls).toHaveLength(0); // answered by the gateway, not forwarded
  });

  it('the raw response is an OpenAI list', async () => {
    const res = await fetch(`${h.url}/models`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toContain('smart');
  });
});

describe('upstream failures', () => {
  it('an unreachable provider answers 502 in the OpenAI error shape', async () => {
    const res = await h.client.chat.completions
      .create({ model: MODELS.qwen, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(res).toBeInstanceOf(OpenAI.APIError);
    const err = res as APIError;
    expect(err.status).toBe(502);
    expect(err.error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
  });
});
