import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMockProvider } from './index.js';
import { messagesBody, namedEvents, postMessages } from '../test/native.js';
import { jsonOf, readUntilEnd } from '../test/utils.js';
import type { MockProvider } from './types.js';

const MODEL = 'claude-sonnet-4-5';
const TOOL = { name: 'lookup', input_schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } };

async function stream(mock: MockProvider, extra: Record<string, unknown> = {}, headers?: Record<string, string>) {
  const res = await postMessages(mock, messagesBody({ stream: true, ...extra }), { headers });
  const text = await res.text();
  return { res, text, events: namedEvents(text) };
}

describe('anthropic messages (stream)', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should send the events in Anthropic order, each named as its data type', async () => {
    const { res, text, events } = await stream(mock);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const { event, data } of events) expect(data.type).toBe(event);
    expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
  });

  it('should carry the message, text deltas, stop reason and usage in their events', async () => {
    const { events } = await stream(mock);
    const [start, blockStart, , ...rest] = events;
    expect(start!.data.message).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: expect.objectContaining({
        input_tokens: 6,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 1,
      }),
    });
    expect(blockStart!.data).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    const deltas = rest.filter((e) => e.event === 'content_block_delta').map((e) => e.data);
    for (const delta of deltas) expect(delta).toMatchObject({ index: 0, delta: { type: 'text_delta' } });
    expect(deltas.map((d) => d.delta.text).join('')).toBe(`Mock reply from ${MODEL}.`);
    expect(rest.find((e) => e.event === 'content_block_stop')!.data).toEqual({ type: 'content_block_stop', index: 0 });
    expect(rest.find((e) => e.event === 'message_delta')!.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 9 },
    });
  });

  it('should stream a forced tool call as tool_use with input_json_delta pieces', async () => {
    const { events } = await stream(mock, { tools: [TOOL], tool_choice: { type: 'any' } }, { 'x-mock-chunks': '3' });
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[1]!.data.content_block).toEqual({
      type: 'tool_use',
      id: expect.stringMatching(/^toolu_/),
      name: 'lookup',
      input: {},
    });
    const partial = events.filter((e) => e.event === 'content_block_delta').map((e) => e.data.delta);
    for (const delta of partial) expect(delta.type).toBe('input_json_delta');
    expect(JSON.parse(partial.map((d) => d.partial_json).join(''))).toEqual({ query: 'mock' });
    expect(events.find((e) => e.event === 'message_delta')!.data.delta.stop_reason).toBe('tool_use');
  });

  it('should send fewer text deltas than asked rather than empty ones', async () => {
    const { events } = await stream(mock, { max_tokens: 1 }, { 'x-mock-chunks': '8' });
    const texts = events.filter((e) => e.event === 'content_block_delta').map((e) => e.data.delta.text);
    expect(texts).toEqual(['M', 'o', 'c', 'k']);
    expect(events.find((e) => e.event === 'message_delta')!.data.delta.stop_reason).toBe('max_tokens');
  });

  it('should send a stop sequence in message_delta', async () => {
    const { events } = await stream(mock, { stop_sequences: ['from'] });
    expect(events.find((e) => e.event === 'message_delta')!.data.delta).toEqual({
      stop_reason: 'stop_sequence',
      stop_sequence: 'from',
    });
  });

  it('should send event: error after the scripted deltas and close on a streamError', async () => {
    mock.script(MODEL, { streamError: 529, dropAfterChunks: 2 });
    const { res, events } = await stream(mock);
    expect(res.status).toBe(200);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'error',
    ]);
    expect(events.at(-1)!.data).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
      request_id: res.headers.get('request-id'),
    });
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('error'));
  });

  it('should place a header-scripted stream error after the first delta', async () => {
    const { events } = await stream(mock, {}, { 'x-mock-stream-error': '500' });
    expect(events.slice(-2).map((e) => e.event)).toEqual(['content_block_delta', 'error']);
    expect(events.at(-1)!.data.error).toEqual({ type: 'api_error', message: 'Internal server error' });
  });

  it('should drop the connection after n deltas without message_stop', async () => {
    mock.script(MODEL, { dropAfterChunks: 1 });
    const { text, broke } = await readUntilEnd(await postMessages(mock, messagesBody({ stream: true })));
    expect(broke).toBe(true);
    expect(namedEvents(text).map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
    ]);
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('error'));
  });

  it('should send one corrupt data line when malformed', async () => {
    const res = await postMessages(mock, messagesBody({ stream: true }), { headers: { 'x-mock-fault': 'malformed' } });
    const blocks = (await res.text()).split('\n\n').filter(Boolean);
    expect(blocks[1]).toMatch(/^event: message_start\ndata: \{/);
    expect(() => namedEvents(blocks[1]!)).toThrow();
    expect(namedEvents(blocks.filter((_, i) => i !== 1).join('\n\n')).at(-1)!.event).toBe('message_stop');
  });

  it('should send headers at once and the first event after firstByteDelayMs', async () => {
    mock.script(MODEL, { firstByteDelayMs: 250 });
    const started = performance.now();
    const res = await postMessages(mock, messagesBody({ stream: true }));
    const headersAfter = performance.now() - started;
    const reader = res.body!.getReader();
    await reader.read();
    const firstAfter = performance.now() - started;
    await reader.cancel();
    expect(headersAfter).toBeLessThan(150);
    expect(firstAfter).toBeGreaterThanOrEqual(245);
  });

  it('should hang until the client aborts and record the call as aborted', async () => {
    const controller = new AbortController();
    const pending = postMessages(mock, messagesBody({ stream: true }), {
      headers: { 'x-mock-fault': 'hang' },
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('pending'));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('aborted'));
    expect(mock.calls[0]?.status).toBeUndefined();
  });

  it('should answer a scripted error status to a stream request as JSON, not SSE', async () => {
    mock.script(MODEL, { status: 529, retryAfter: '3' });
    const res = await postMessages(mock, messagesBody({ stream: true }));
    expect(res.status).toBe(529);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('retry-after')).toBe('3');
    expect((await jsonOf(res)).error.type).toBe('overloaded_error');
  });
});
