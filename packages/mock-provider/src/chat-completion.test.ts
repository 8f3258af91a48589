import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import { chatBody, jsonOf, postChat } from '../test/utils.js';
import type { MockProvider } from './types.js';

describe('chat completions (non-stream)', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ models: ['gpt-4o-mini', 'gpt-4o-2024-08-06'] });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should answer with an OpenAI chat.completion body and usage', async () => {
    const res = await postChat(mock, chatBody({ model: 'gpt-4o-2024-08-06' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const body = await jsonOf(res);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-2024-08-06',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Mock reply from gpt-4o-2024-08-06.', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.created).toBeCloseTo(Date.now() / 1000, -1);
    expect(typeof body.system_fingerprint).toBe('string');
    const { prompt_tokens, completion_tokens, total_tokens } = body.usage;
    expect(completion_tokens).toBe(Math.ceil('Mock reply from gpt-4o-2024-08-06.'.length / 4));
    expect(prompt_tokens).toBeGreaterThan(0);
    expect(total_tokens).toBe(prompt_tokens + completion_tokens);
  });

  it('should count more prompt tokens for a longer prompt', async () => {
    const short = await jsonOf(postChat(mock, chatBody()));
    const long = await jsonOf(postChat(mock, chatBody({ messages: [{ role: 'user', content: 'x'.repeat(400) }] })));
    expect(long.usage.prompt_tokens - short.usage.prompt_tokens).toBeGreaterThanOrEqual(90);
  });

  it('should cut the reply at max_tokens with finish_reason length', async () => {
    for (const field of ['max_tokens', 'max_completion_tokens']) {
      const body = await jsonOf(postChat(mock, chatBody({ [field]: 2 })));
      expect(body.choices[0].finish_reason).toBe('length');
      expect(body.choices[0].message.content).toBe('Mock rep');
      expect(body.usage.completion_tokens).toBe(2);
    }
  });

  it.each([
    'o1',
    'o3-mini-2025-01-31',
    'o4-mini',
    'gpt-5',
    'gpt-5-mini',
    'gpt-5.1',
  ])('should refuse max_tokens for the reasoning model %s, as OpenAI does, and take max_completion_tokens', async (model) => {
    const messages = [{ role: 'user', content: 'hi' }];
    const refused = await postChat(mock, { model, messages, max_tokens: 5 });
    expect(refused.status).toBe(400);
    expect((await jsonOf(refused)).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'unsupported_parameter',
      message: expect.stringContaining("Use 'max_completion_tokens' instead"),
    });
    const served = await postChat(mock, { model, messages, max_completion_tokens: 5 });
    expect(served.status).toBe(200);
  });

  it.each(['gpt-4o-mini', 'gpt-4.1', 'omni-moderation-latest', 'o10x'])('should take max_tokens for %s', async (model) => {
    const res = await postChat(mock, { model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });
    expect(res.status).toBe(200);
  });

  it('should answer with a tool call when tool_choice is required or names a function', async () => {
    const tools = [
      { type: 'function', function: { name: 'search', parameters: { type: 'object', properties: {} } } },
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
            required: ['city', 'unit'],
          },
        },
      },
    ];
    const toolChoice = { type: 'function', function: { name: 'get_weather' } };
    const named = await jsonOf(postChat(mock, chatBody({ tools, tool_choice: toolChoice })));
    expect(named.choices[0].finish_reason).toBe('tool_calls');
    expect(named.choices[0].message.content).toBeNull();
    const [call] = named.choices[0].message.tool_calls;
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(call.id).toMatch(/^call_/);
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'mock', unit: 'c' });

    const required = await jsonOf(postChat(mock, chatBody({ tools, tool_choice: 'required' })));
    expect(required.choices[0].message.tool_calls[0].function.name).toBe('search');

    const auto = await jsonOf(postChat(mock, chatBody({ tools, tool_choice: 'auto' })));
    expect(auto.choices[0].finish_reason).toBe('stop');
    expect(auto.choices[0].message.tool_calls).toBeUndefined();
  });

  it('should reply with JSON built from the schema for response_format json_schema', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer' }, note: { type: 'string' } },
      required: ['name', 'age'],
    };
    const responseFormat = { type: 'json_schema', json_schema: { name: 'p', schema } };
    const body = await jsonOf(postChat(mock, chatBody({ response_format: responseFormat })));
    expect(JSON.parse(body.choices[0].message.content)).toEqual({ name: 'mock', age: 0 });
  });

  it('should use the reply option for the completion text', async () => {
    const custom = await startMockProvider({ reply: (request) => `echo ${request.messages.length}` });
    try {
      const body = await jsonOf(postChat(custom, chatBody()));
      expect(body.choices[0].message.content).toBe('echo 1');
    } finally {
      await custom.close();
    }
  });

  it('should be accepted by the official openai client', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Mock reply from gpt-4o-mini.');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect(mock.calls[0]?.headers.authorization).toBe('Bearer sk-test');
  });
});

describe('chat completions validation', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ models: ['gpt-4o-mini'], strictModels: true });
  });
  afterAll(() => mock.close());

  it.each([
    ['invalid JSON', '{"model": "gpt-4o-mini",', null, null],
    ['a missing model', { messages: [{ role: 'user', content: 'hi' }] }, 'model', null],
    ['missing messages', { model: 'gpt-4o-mini' }, 'messages', 'missing_required_parameter'],
    ['empty messages', { model: 'gpt-4o-mini', messages: [] }, 'messages', 'empty_array'],
    ['messages that is not an array', { model: 'gpt-4o-mini', messages: 'hi' }, 'messages', 'invalid_type'],
    [
      'a message without role',
      { model: 'gpt-4o-mini', messages: [{ content: 'hi' }] },
      'messages[0].role',
      'missing_required_parameter',
    ],
  ])('should answer 400 invalid_request_error for %s', async (_name, body, param, code) => {
    const res = await postChat(mock, body);
    expect(res.status).toBe(400);
    const { error } = await jsonOf(res);
    expect(error).toMatchObject({ type: 'invalid_request_error', param, code });
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('should record an invalid body as the raw string', async () => {
    mock.reset();
    await postChat(mock, 'not json');
    expect(mock.calls[0]?.body).toBe('not json');
    expect(mock.calls[0]?.status).toBe(400);
  });

  it('should answer 404 model_not_found for unknown models when strictModels is set', async () => {
    const res = await postChat(mock, chatBody({ model: 'gpt-9' }));
    expect(res.status).toBe(404);
    expect((await jsonOf(res)).error).toEqual({
      message: 'The model `gpt-9` does not exist or you do not have access to it.',
      type: 'invalid_request_error',
      param: null,
      code: 'model_not_found',
    });
    expect((await postChat(mock, chatBody({ model: 'gpt-4o-mini' }))).status).toBe(200);
  });

  it('should answer unknown models when strictModels is off', async () => {
    const lenient = await startMockProvider({ models: ['gpt-4o-mini'] });
    try {
      const res = await postChat(lenient, chatBody({ model: 'anything-goes' }));
      expect(res.status).toBe(200);
      expect((await jsonOf(res)).model).toBe('anything-goes');
    } finally {
      await lenient.close();
    }
  });
});
