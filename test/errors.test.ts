// Requests the gateway refuses, each in the OpenAI error shape and never forwarded upstream.
import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basicPolicy, chat, MODELS, rawPost, startHarness, type Harness } from './helpers/gateway.js';

const BODY_LIMIT = 16 * 1024;
const ALLOWED = ['smart', 'cheap', MODELS.mini, MODELS.gpt4o, MODELS.llama, MODELS.qwen];

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ mocks: ['alpha', 'beta'], policy: basicPolicy, bodyLimit: BODY_LIMIT });
});
afterAll(() => h?.close());
beforeEach(() => h.resetMocks());

function expectNothingForwarded() {
  expect(h.mocks.alpha!.calls).toHaveLength(0);
  expect(h.mocks.beta!.calls).toHaveLength(0);
}

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

function expectErrorShape(json: unknown): asserts json is ErrorBody {
  expect(json).toMatchObject({ error: { message: expect.any(String), type: expect.any(String) } });
  const error = (json as ErrorBody).error;
  expect(Object.keys(error).sort()).toEqual(expect.arrayContaining(['code', 'message', 'param', 'type']));
}

async function sdkError(model: string): Promise<APIError> {
  const err = await chat(h.client, { model }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.APIError);
  return err as APIError;
}

describe('404 model_not_found', () => {
  it('an unknown model ID: NotFoundError whose message lists the allowed IDs', async () => {
    const err = await sdkError('gpt-9-turbo-2031-01-01');
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.status).toBe(404);
    expect(err.code).toBe('model_not_found');
    expect(err.type).toBe('invalid_request_error');
    expect(err.message).toContain('gpt-9-turbo-2031-01-01');
    for (const id of ALLOWED) expect(err.message).toContain(id);
    expectNothingForwarded();
  });

  for (const family of ['gpt', 'claude', 'gemini']) {
    it(`the family shortcut "${family}" is refused with the allowed IDs`, async () => {
      const err = await sdkError(family);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect(err.status).toBe(404);
      expect(err.code).toBe('model_not_found');
      for (const id of ALLOWED) expect(err.message).toContain(id);
      expectNothingForwarded();
    });
  }

  it('an undated vendor alias (gpt-4o) is a family shortcut too, not silently pinned', async () => {
    const err = await sdkError('gpt-4o');
    expect(err.status).toBe(404);
    expect(err.code).toBe('model_not_found');
    expectNothingForwarded();
  });

  it('the raw body is the OpenAI error shape', async () => {
    const res = await rawPost(
      `${h.url}/chat/completions`,
      JSON.stringify({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expectErrorShape(res.json);
    expect(res.json.error.code).toBe('model_not_found');
    expect(res.json.error.param).toBe('model');
  });
});

describe('400 bad request', () => {
  it('malformed JSON: 400 invalid_json', async () => {
    const res = await rawPost(`${h.url}/chat/completions`, '{"model": "smart", "messages": [');
    expect(res.status).toBe(400);
    expectErrorShape(res.json);
    expect(res.json.error.code).toBe('invalid_json');
    expect(res.json.error.type).toBe('invalid_request_error');
    expectNothingForwarded();
  });

  it('a body without model: 400 missing_model, param model', async () => {
    const res = await rawPost(`${h.url}/chat/completions`, JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.status).toBe(400);
    expectErrorShape(res.json);
    expect(res.json.error.code).toBe('missing_model');
    expect(res.json.error.param).toBe('model');
    expectNothingForwarded();
  });

  it('a model that is not a string: 400', async () => {
    const res = await rawPost(`${h.url}/chat/completions`, JSON.stringify({ model: 42, messages: [] }));
    expect(res.status).toBe(400);
    expectErrorShape(res.json);
    expect(res.json.error.param).toBe('model');
    expectNothingForwarded();
  });

  it('the SDK surfaces it as BadRequestError', async () => {
    const err = await h.client.chat.completions
      .create({ messages: [{ role: 'user', content: 'hi' }] } as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as APIError).code).toBe('missing_model');
  });
});

describe('413 request too large', () => {
  it('a body over the limit: 413 request_too_large, not forwarded', async () => {
    const big = JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT * 2) }] });
    const res = await rawPost(`${h.url}/chat/completions`, big);
    expect(res.status).toBe(413);
    expectErrorShape(res.json);
    expect(res.json.error.code).toBe('request_too_large');
    expectNothingForwarded();
  });

  it('through the SDK: APIError 413', async () => {
    const err = await chat(h.client, { model: 'smart', messages: [{ role: 'user', content: 'y'.repeat(BODY_LIMIT * 2) }] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as APIError).status).toBe(413);
    expect((err as APIError).code).toBe('request_too_large');
  });

  it('a body just under the limit still goes through', async () => {
    const r = await chat(h.client, { model: 'smart', messages: [{ role: 'user', content: 'z'.repeat(BODY_LIMIT / 2) }] });
    expect(r.status).toBe(200);
  });
});

describe('404 unknown endpoint', () => {
  it('POST /v1/no-such-endpoint', async () => {
    const res = await rawPost(`${h.url}/no-such-endpoint`, JSON.stringify({ model: 'smart' }));
    expect(res.status).toBe(404);
    expectErrorShape(res.json);
    expectNothingForwarded();
  });

  it('GET /v1/chat/completions is not an endpoint either', async () => {
    const res = await fetch(`${h.url}/chat/completions`);
    expect([404, 405]).toContain(res.status);
    expectErrorShape(await res.json());
    expectNothingForwarded();
  });
});
