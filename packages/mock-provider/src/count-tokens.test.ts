import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import { jsonOf } from '../test/utils.js';
import { ANTHROPIC_VERSION, geminiBody, messagesBody, postGemini, postMessages } from '../test/native.js';
import type { MockProvider } from './types.js';

const KEY = 'sk-count';

function postCount(mock: MockProvider, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${mock.origin}/v1/messages/count_tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION, 'x-api-key': KEY, ...headers },
    body: JSON.stringify(body),
  });
}

function countBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { max_tokens: _max, ...rest } = messagesBody(extra);
  return rest;
}

describe('POST /v1/messages/count_tokens', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [KEY] });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should count what a Messages call reports as input', async () => {
    const extra = { system: 'Be terse.', messages: [{ role: 'user', content: 'What is the capital of France, please?' }] };
    const count = await jsonOf(postCount(mock, countBody(extra)));
    const message = await jsonOf(postMessages(mock, messagesBody(extra), { key: KEY }));
    expect(count).toEqual({ input_tokens: message.usage.input_tokens });
    expect(count.input_tokens).toBeGreaterThan(3);
    expect(mock.calls[0]).toMatchObject({ path: '/v1/messages/count_tokens', model: 'claude-sonnet-4-5', status: 200 });
  });

  it('should work with the Anthropic SDK', async () => {
    const client = new Anthropic({ baseURL: mock.origin, apiKey: KEY, maxRetries: 0 });
    const result = await client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
    expect(result.input_tokens).toBe(4);
  });

  it('should refuse max_tokens and the Messages checks alike', async () => {
    const withMax = await postCount(mock, messagesBody());
    expect(withMax.status).toBe(400);
    expect((await jsonOf(withMax)).error).toEqual({
      type: 'invalid_request_error',
      message: 'max_tokens: Extra inputs are not permitted',
    });
    const system = await postCount(mock, countBody({ messages: [{ role: 'system', content: 'x' }] }));
    expect(system.status).toBe(400);
  });

  it('should check the key and anthropic-version like /v1/messages', async () => {
    const noKey = await postCount(mock, countBody(), { 'x-api-key': '' });
    expect(noKey.status).toBe(401);
    expect((await jsonOf(noKey)).error.type).toBe('authentication_error');
    const noVersion = await postCount(mock, countBody(), { 'anthropic-version': '' });
    expect(noVersion.status).toBe(400);
  });

  it('should play scripted faults in Anthropic shape', async () => {
    mock.script('claude-sonnet-4-5', { status: 529 });
    const res = await postCount(mock, countBody());
    expect(res.status).toBe(529);
    expect((await jsonOf(res)).error.type).toBe('overloaded_error');
  });
});

describe('POST /v1beta/models/{model}:countTokens', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [KEY] });
  });
  afterAll(() => mock.close());

  it('should count what generateContent reports as prompt tokens, from contents or a whole request', async () => {
    const contents = [{ role: 'user', parts: [{ text: 'Tell me a story about a dragon.' }] }];
    const count = await jsonOf(postGemini(mock, { contents }, { method: 'countTokens', key: KEY }));
    const generated = await jsonOf(postGemini(mock, geminiBody({ contents }), { key: KEY }));
    expect(count).toEqual({
      totalTokens: generated.usageMetadata.promptTokenCount,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: generated.usageMetadata.promptTokenCount }],
    });
    const whole = {
      generateContentRequest: { model: 'models/gemini-2.5-pro', contents, systemInstruction: { parts: [{ text: 'Be kind.' }] } },
    };
    const wider = await jsonOf(postGemini(mock, whole, { method: 'countTokens', key: KEY }));
    expect(wider.totalTokens).toBeGreaterThan(count.totalTokens);
    expect(mock.calls[0]).toMatchObject({ model: 'gemini-2.5-pro', stream: false });
  });

  it.each([
    [{ contents: [], generateContentRequest: { contents: [] } }],
    [{ messages: [{ role: 'user', content: 'hi' }] }],
    [{ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }],
  ])('should refuse %j with INVALID_ARGUMENT', async (body) => {
    const res = await postGemini(mock, body, { method: 'countTokens', key: KEY });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.status).toBe('INVALID_ARGUMENT');
  });

  it('should answer 403 without a key and 400 API_KEY_INVALID with a wrong one', async () => {
    expect((await postGemini(mock, geminiBody(), { method: 'countTokens' })).status).toBe(403);
    const wrong = await postGemini(mock, geminiBody(), { method: 'countTokens', key: 'nope' });
    expect(wrong.status).toBe(400);
    expect((await jsonOf(wrong)).error.details[0].reason).toBe('API_KEY_INVALID');
  });
});
