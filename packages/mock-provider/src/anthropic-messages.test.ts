import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import { messagesBody, postMessages } from '../test/native.js';
import { jsonOf } from '../test/utils.js';
import type { MockProvider } from './types.js';

const WEATHER = {
  name: 'get_weather',
  description: 'Weather of a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } },
    required: ['city', 'days'],
  },
};
const TIME = {
  name: 'get_time',
  input_schema: { type: 'object', properties: { zone: { type: 'string', enum: ['UTC', 'CET'] } }, required: ['zone'] },
};

describe('anthropic messages (non-stream)', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should answer a message in Anthropic shape with a request-id header', async () => {
    const res = await postMessages(mock, messagesBody());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const body = await jsonOf(res);
    expect(body).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Mock reply from claude-sonnet-4-5.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 6, // "Say hello." = 10 chars → 3 tokens, plus 3 for the turn
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        output_tokens: 9,
        service_tier: 'standard',
      },
    });
  });

  it('should record the call with its path, headers, body and outcome', async () => {
    await (await postMessages(mock, messagesBody(), { key: 'sk-ant-1' })).text();
    expect(mock.calls).toHaveLength(1);
    expect(mock.calls[0]).toMatchObject({
      model: 'claude-sonnet-4-5',
      path: '/v1/messages',
      method: 'POST',
      stream: false,
      status: 200,
      outcome: 'completed',
      body: messagesBody(),
    });
    expect(mock.calls[0]!.headers).toMatchObject({ 'x-api-key': 'sk-ant-1', 'anthropic-version': '2023-06-01' });
  });

  it('should stop at max_tokens with stop_reason max_tokens', async () => {
    const body = await jsonOf(postMessages(mock, messagesBody({ max_tokens: 2 })));
    expect(body.content).toEqual([{ type: 'text', text: 'Mock rep' }]);
    expect(body).toMatchObject({ stop_reason: 'max_tokens', stop_sequence: null, usage: { output_tokens: 2 } });
  });

  it('should end at a stop sequence and name it', async () => {
    const body = await jsonOf(postMessages(mock, messagesBody({ stop_sequences: ['nothing', 'from'] })));
    expect(body.content).toEqual([{ type: 'text', text: 'Mock reply ' }]);
    expect(body).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'from' });
  });

  it('should prefer the stop sequence that comes first in the text', async () => {
    const body = await jsonOf(postMessages(mock, messagesBody({ stop_sequences: ['claude', 'reply'] })));
    expect(body).toMatchObject({ content: [{ text: 'Mock ' }], stop_sequence: 'reply' });
  });

  it('should answer tool_choice any with a tool_use of the first tool', async () => {
    const body = await jsonOf(postMessages(mock, messagesBody({ tools: [WEATHER, TIME], tool_choice: { type: 'any' } })));
    expect(body.content).toEqual([
      {
        type: 'tool_use',
        id: expect.stringMatching(/^toolu_[a-zA-Z0-9_-]+$/),
        name: 'get_weather',
        input: { city: 'mock', days: 1 },
      },
    ]);
    expect(body).toMatchObject({ stop_reason: 'tool_use', stop_sequence: null });
    expect(body.usage.output_tokens).toBeGreaterThan(0);
  });

  it('should answer tool_choice tool with the named tool', async () => {
    const body = await jsonOf(
      postMessages(mock, messagesBody({ tools: [WEATHER, TIME], tool_choice: { type: 'tool', name: 'get_time' } })),
    );
    expect(body.content).toEqual([{ type: 'tool_use', id: expect.any(String), name: 'get_time', input: { zone: 'UTC' } }]);
    expect(body.stop_reason).toBe('tool_use');
  });

  it('should answer text when tools are only offered (auto)', async () => {
    const body = await jsonOf(postMessages(mock, messagesBody({ tools: [WEATHER], tool_choice: { type: 'auto' } })));
    expect(body).toMatchObject({ content: [{ type: 'text' }], stop_reason: 'end_turn' });
  });

  it('should answer JSON built from output_format and from output_config.format', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { type: 'string' }, score: { type: 'number' } },
      required: ['answer', 'score'],
    };
    for (const extra of [
      { output_format: { type: 'json_schema', schema } },
      { output_config: { format: { type: 'json_schema', schema } } },
    ]) {
      const body = await jsonOf(postMessages(mock, messagesBody(extra)));
      expect(JSON.parse(body.content[0].text)).toEqual({ answer: 'mock', score: 0 });
    }
  });

  it('should count system text, tool results and tool inputs in input_tokens', async () => {
    const conversation = {
      system: 'x'.repeat(40),
      tools: [WEATHER],
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny, 21 degrees' }] },
      ],
    };
    const plain = await jsonOf(postMessages(mock, messagesBody({ messages: conversation.messages })));
    const full = await jsonOf(postMessages(mock, messagesBody(conversation)));
    expect(plain.usage.input_tokens).toBeGreaterThan(3 * 3);
    expect(full.usage.input_tokens).toBeGreaterThan(plain.usage.input_tokens + 10);
  });

  it('should write a cache_control prefix on first sight and read it afterwards', async () => {
    const body = messagesBody({
      system: [{ type: 'text', text: 'S'.repeat(400), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Question one?' }],
    });
    const first = (await jsonOf(postMessages(mock, body))).usage;
    expect(first).toMatchObject({
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 0 },
    });
    const second = (await jsonOf(postMessages(mock, { ...body, messages: [{ role: 'user', content: 'Another question?' }] })))
      .usage;
    expect(second).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 100 });
    // input_tokens counts only what is neither read from nor written to the cache.
    expect(first.input_tokens).toBe(Math.ceil((400 + 13) / 4) + 3 - 100);
    expect(second.input_tokens).toBe(Math.ceil((400 + 17) / 4) + 3 - 100);

    mock.reset();
    expect((await jsonOf(postMessages(mock, body))).usage.cache_creation_input_tokens).toBe(100);
  });

  it('should read the longest cached prefix and write only the rest', async () => {
    const system = [{ type: 'text', text: 'S'.repeat(400), cache_control: { type: 'ephemeral' } }];
    await (await postMessages(mock, messagesBody({ system }))).text();
    const longer = messagesBody({
      system,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'D'.repeat(200), cache_control: { type: 'ephemeral' } }] }],
    });
    const usage = (await jsonOf(postMessages(mock, longer))).usage;
    expect(usage).toMatchObject({ cache_read_input_tokens: 100, cache_creation_input_tokens: 50 });
  });

  it('should report scripted cachedTokens as cache reads', async () => {
    const res = await postMessages(mock, messagesBody(), { headers: { 'x-mock-cached-tokens': '4' } });
    expect((await jsonOf(res)).usage).toMatchObject({
      input_tokens: 2,
      cache_read_input_tokens: 4,
      cache_creation_input_tokens: 0,
    });
    const capped = await postMessages(mock, messagesBody(), { headers: { 'x-mock-cached-tokens': '999' } });
    expect((await jsonOf(capped)).usage).toMatchObject({ input_tokens: 0, cache_read_input_tokens: 6 });
  });

  it('should report a scripted finishReason verbatim as stop_reason', async () => {
    mock.script('claude-sonnet-4-5', { finishReason: 'refusal' });
    expect((await jsonOf(postMessages(mock, messagesBody()))).stop_reason).toBe('refusal');
  });

  it('should use the anthropicReply option for the text', async () => {
    const custom = await startMockProvider({
      anthropicReply: (request) => `echo ${String((request.messages[0]!.content as string).length)}`,
    });
    try {
      expect((await jsonOf(postMessages(custom, messagesBody()))).content[0].text).toBe('echo 10');
    } finally {
      await custom.close();
    }
  });
});
