// The official @anthropic-ai/sdk pointed at the mock: if the SDK parses it, the shapes are faithful.
import Anthropic, { APIError, AuthenticationError, BadRequestError, OverloadedError, RateLimitError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import type { MockProvider } from './types.js';

const KEY = 'sk-ant-sdk-test';
// An ID the SDK does not warn about as deprecated.
const MODEL = 'claude-sonnet-4-6';
const WEATHER: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather of a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('@anthropic-ai/sdk against the mock', () => {
  let mock: MockProvider;
  let client: Anthropic;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [KEY], models: [MODEL] });
    client = new Anthropic({ baseURL: mock.origin, apiKey: KEY, maxRetries: 0 });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should create a message and expose the request id', async () => {
    const { data, request_id } = await client.messages
      .create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    expect(data.content).toEqual([{ type: 'text', text: `Mock reply from ${MODEL}.` }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage).toMatchObject({ input_tokens: 5, output_tokens: 9, cache_read_input_tokens: 0 });
    expect(request_id).toMatch(/^req_/);
    expect(mock.calls[0]!.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('should stream with .stream() and build the final message from the events', async () => {
    const stream = client.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts.join('')).toBe(`Mock reply from ${MODEL}.`);
    expect(texts.length).toBe(4);
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: `Mock reply from ${MODEL}.` })]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 5, output_tokens: 9 });
  });

  it('should iterate stream: true events in order', async () => {
    const events = await client.messages.create({
      model: MODEL,
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const types: string[] = [];
    for await (const event of events) types.push(event.type);
    // The SDK swallows ping events.
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('should run a tool round trip, streaming the forced call', async () => {
    const first = await client.messages
      .stream({
        model: MODEL,
        max_tokens: 64,
        tools: [WEATHER],
        tool_choice: { type: 'any' },
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content[0];
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'mock' } });
    if (call?.type !== 'tool_use') throw new Error('expected a tool_use block');

    const second = await client.messages.create({
      model: MODEL,
      max_tokens: 64,
      tools: [WEATHER],
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'Sunny' }] },
      ],
    });
    expect(second.content[0]).toMatchObject({ type: 'text' });
  });

  it('should map error statuses to the SDK error classes', async () => {
    const ask = () => client.messages.create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
    mock.script(MODEL, [{ status: 429, retryAfter: '1' }, { status: 529 }]);
    const limited = await ask().catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as APIError).type).toBe('rate_limit_error');
    expect((limited as APIError).requestID).toMatch(/^req_/);
    expect(await ask().catch((error: unknown) => error)).toBeInstanceOf(OverloadedError);

    const wrongKey = new Anthropic({ baseURL: mock.origin, apiKey: 'sk-ant-other', maxRetries: 0 });
    await expect(
      wrongKey.messages.create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('should surface a validation 400 as BadRequestError with the upstream message', async () => {
    const error = await client.messages
      .create({
        model: MODEL,
        max_tokens: 8,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'user', content: 'b' },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as APIError).apiMessage).toContain('roles must alternate');
  });

  it('should throw an APIError carrying overloaded_error on a mid-stream error event', async () => {
    mock.script(MODEL, { streamError: 529, dropAfterChunks: 2 });
    const stream = client.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).type).toBe('overloaded_error');
    expect(texts).toHaveLength(2);
  });

  it('should fail the SDK stream on a dropped connection', async () => {
    mock.script(MODEL, { dropAfterChunks: 1 });
    const stream = client.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    await expect(stream.finalMessage()).rejects.toThrow();
  });

  it('should list models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual([MODEL]);
  });
});
