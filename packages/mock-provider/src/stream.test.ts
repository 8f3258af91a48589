import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import { chatBody, postChat, sseData } from '../test/utils.js';
import type { MockProvider } from './types.js';

async function streamEvents(mock: MockProvider, extra: Record<string, unknown>, headers?: Record<string, string>) {
  const res = await postChat(mock, chatBody({ stream: true, ...extra }), { headers });
  const data = sseData(await res.text());
  return { res, data, chunks: data.slice(0, -1).map((line) => JSON.parse(line)) };
}

describe('chat completions (stream)', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());

  it('should send role chunk, content deltas, finish chunk, then [DONE]', async () => {
    const { res, data, chunks } = await streamEvents(mock, {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(data.at(-1)).toBe('[DONE]');

    expect(chunks).toHaveLength(1 + 4 + 1);
    const [first, ...rest] = chunks;
    const finish = rest.pop();
    expect(first.choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(rest.map((chunk) => chunk.choices[0].finish_reason)).toEqual([null, null, null, null]);
    expect(rest.map((chunk) => chunk.choices[0].delta.content).join('')).toBe('Mock reply from gpt-4o-mini.');
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', id: first.id, model: 'gpt-4o-mini' });
      expect(chunk).not.toHaveProperty('usage');
    }
    expect(mock.calls.at(-1)).toMatchObject({ stream: true, outcome: 'completed', status: 200 });
  });

  it('should send a usage chunk with empty choices only when include_usage is true', async () => {
    const { chunks } = await streamEvents(mock, { stream_options: { include_usage: true } });
    const last = chunks.at(-1);
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 7, prompt_tokens_details: { cached_tokens: 0 } });
    expect(last.usage.total_tokens).toBe(last.usage.prompt_tokens + last.usage.completion_tokens);
    // Every chunk before it carries "usage": null, as OpenAI sends them.
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');

    const without = await streamEvents(mock, { stream_options: { include_usage: false } });
    expect(without.chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    expect(without.chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('should send as many content deltas as x-mock-chunks asks for', async () => {
    const { chunks } = await streamEvents(mock, {}, { 'x-mock-chunks': '7' });
    expect(chunks).toHaveLength(1 + 7 + 1);
  });

  it('should stream a forced tool call as argument deltas', async () => {
    const tools = [
      {
        type: 'function',
        function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
      },
    ];
    const { chunks } = await streamEvents(mock, { tools, tool_choice: 'required' });
    expect(chunks[0].choices[0].delta.tool_calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'lookup' } });
    const args = chunks
      .slice(1, -1)
      .map((chunk) => chunk.choices[0].delta.tool_calls[0].function.arguments)
      .join('');
    expect(JSON.parse(args)).toEqual({ q: 'mock' });
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('should be read by the official openai client, usage included', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let totalTokens = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      totalTokens = chunk.usage?.total_tokens ?? totalTokens;
    }
    expect(text).toBe('Mock reply from gpt-4o-mini.');
    expect(totalTokens).toBeGreaterThan(0);
  });

  it('should let the openai client assemble a streamed tool call', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ type: 'function', function: { name: 'ping', parameters: { type: 'object', properties: {} } } }],
      tool_choice: { type: 'function', function: { name: 'ping' } },
    });
    const completion = await runner.finalChatCompletion();
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: 'ping', arguments: '{}' } });
  });
});
