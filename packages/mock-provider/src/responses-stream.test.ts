import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMockProvider } from './index.js';
import { postJson, readUntilEnd, sseEvents } from '../test/utils.js';
import type { MockProvider } from './types.js';

const MODEL = 'gpt-4.1-mini';

describe('streamed responses', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should send the official event sequence with numbered events', async () => {
    const res = await postJson(
      mock,
      '/responses',
      { model: MODEL, input: 'hi', stream: true },
      { headers: { 'x-mock-chunks': '3' } },
    );
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = sseEvents(await res.text());
    expect(events.map((event) => event.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    events.forEach((event, i) => {
      expect(event.data.type).toBe(event.event);
      expect(event.data.sequence_number).toBe(i);
    });
    const deltas = events.filter((event) => event.event === 'response.output_text.delta').map((event) => event.data.delta);
    expect(deltas.join('')).toBe(`Mock reply from ${MODEL}.`);
    expect(events[0]?.data.response).toMatchObject({ status: 'in_progress', output: [], usage: null });
    const done = events.at(-1)?.data.response;
    expect(done).toMatchObject({ status: 'completed', output: [{ type: 'message' }] });
    expect(done.usage.total_tokens).toBeGreaterThan(0);
    expect(mock.calls[0]).toMatchObject({ stream: true, mintedId: done.id, outcome: 'completed' });
    // A streamed response is stored too.
    expect((await fetch(`${mock.url}/responses/${done.id}`)).status).toBe(200);
  });

  it('should stream function call arguments', async () => {
    const tools = [
      { type: 'function', name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } },
    ];
    const res = await postJson(mock, '/responses', { model: MODEL, input: 'x', tools, tool_choice: 'required', stream: true });
    const events = sseEvents(await res.text());
    expect(events.map((event) => event.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[2]?.data.item).toMatchObject({ type: 'function_call', name: 'f', arguments: '', status: 'in_progress' });
    const args = events.filter((event) => event.event.endsWith('.delta')).map((event) => event.data.delta);
    expect(args.join('')).toBe('{"a":"mock"}');
    expect(events[7]?.data).toMatchObject({ name: 'f', arguments: '{"a":"mock"}' });
  });

  it('should end with response.incomplete when the text is cut', async () => {
    const res = await postJson(
      mock,
      '/responses',
      { model: MODEL, input: 'x', stream: true },
      { headers: { 'x-mock-finish-reason': 'content_filter' } },
    );
    const events = sseEvents(await res.text());
    expect(events.at(-1)).toMatchObject({
      event: 'response.incomplete',
      data: { response: { incomplete_details: { reason: 'content_filter' } } },
    });
  });

  it('should send an error event after n deltas on a scripted streamError', async () => {
    mock.script(MODEL, { streamError: 500, dropAfterChunks: 2 });
    const res = await postJson(mock, '/responses', { model: MODEL, input: 'x', stream: true });
    const events = sseEvents(await res.text());
    expect(events.map((event) => event.event).slice(-3)).toEqual([
      'response.output_text.delta',
      'response.output_text.delta',
      'error',
    ]);
    expect(events.at(-1)?.data).toEqual({
      type: 'error',
      sequence_number: events.length - 1,
      code: 'server_error',
      message: 'The server had an error while processing your request. Sorry about that!',
      param: null,
      error: {
        type: 'server_error',
        code: 'server_error',
        message: 'The server had an error while processing your request. Sorry about that!',
        param: null,
      },
    });
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('error'));
  });

  it('should cut the socket after n deltas on a drop', async () => {
    const res = await postJson(
      mock,
      '/responses',
      { model: MODEL, input: 'x', stream: true },
      { headers: { 'x-mock-fault': 'drop' } },
    );
    const { text, broke } = await readUntilEnd(res);
    expect(broke).toBe(true);
    expect(sseEvents(text).map((event) => event.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
  });

  it('should stream to the openai SDK, which assembles the final response', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
    const stream = client.responses.stream({ model: MODEL, input: 'hi' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(`Mock reply from ${MODEL}.`);
    expect(deltas.join('')).toBe(final.output_text);
  });

  it('should make the SDK throw the error event after the deltas before it, as the live API does', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
    const stream = await client.responses.create(
      { model: MODEL, input: 'hi', stream: true },
      { headers: { 'x-mock-stream-error': '503' } },
    );
    const types: string[] = [];
    const thrown = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(OpenAI.APIError);
    expect((thrown as InstanceType<typeof OpenAI.APIError>).message).toMatch(/overloaded/);
    expect(types.at(-1)).toBe('response.output_text.delta');
    expect(types).not.toContain('response.completed');
  });
});
