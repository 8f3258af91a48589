import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { anthropicEvents, everySplit, runPieces, serveTranslated } from '../../test/sse.js';
import { anthropicToOpenAIStream } from './stream.js';

const MODEL = 'claude-sonnet-4-5-20250929';
const CREATED = 1_700_000_000;

const START = {
  type: 'message_start',
  message: {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    content: [],
    model: MODEL,
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 25, cache_read_input_tokens: 10, cache_creation_input_tokens: 0, output_tokens: 1 },
  },
};
const text = (index: number, t: string) => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
const json = (index: number, partial: string) => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'input_json_delta', partial_json: partial },
});
const stop = (index: number) => ({ type: 'content_block_stop', index });
const toolStart = (index: number, id: string, name: string) => ({
  type: 'content_block_start',
  index,
  content_block: { type: 'tool_use', id, name, input: {} },
});
const messageDelta = (reason: string, output: number) => ({
  type: 'message_delta',
  delta: { stop_reason: reason, stop_sequence: null },
  usage: { output_tokens: output },
});

/** Text (with multi-byte characters), a ping, and two tool calls whose arguments arrive in pieces. */
const SAMPLE = anthropicEvents([
  START,
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  text(0, 'Héllo ✓ 🎉'),
  text(0, ' there'),
  stop(0),
  toolStart(1, 'toolu_1', 'get_weather'),
  json(1, ''),
  json(1, '{"city": '),
  json(1, '"Paris"}'),
  stop(1),
  toolStart(2, 'toolu_2', 'get_time'),
  json(2, '{}'),
  stop(2),
  messageDelta('tool_use', 42),
  { type: 'message_stop' },
]);

function chunk(delta: JsonObject, finish: string | null = null, usage?: null): string {
  const body: JsonObject = {
    id: 'msg_01',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
  if (usage === null) body.usage = null;
  return `data: ${JSON.stringify(body)}\n\n`;
}

const USAGE = { prompt_tokens: 35, completion_tokens: 42, total_tokens: 77, prompt_tokens_details: { cached_tokens: 10 } };
const USAGE_CHUNK = `data: ${JSON.stringify({ id: 'msg_01', object: 'chat.completion.chunk', created: CREATED, model: MODEL, choices: [], usage: USAGE })}\n\n`;

function expected(includeUsage: boolean): string {
  const u = includeUsage ? null : undefined;
  return [
    chunk({ role: 'assistant', content: '' }, null, u),
    chunk({ content: 'Héllo ✓ 🎉' }, null, u),
    chunk({ content: ' there' }, null, u),
    chunk(
      { tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      null,
      u,
    ),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city": ' } }] }, null, u),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, null, u),
    chunk(
      { tool_calls: [{ index: 1, id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '' } }] },
      null,
      u,
    ),
    chunk({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }, null, u),
    chunk({}, 'tool_calls', u),
    includeUsage ? USAGE_CHUNK : '',
    'data: [DONE]\n\n',
  ].join('');
}

const make = (includeUsage = false) => anthropicToOpenAIStream({ model: MODEL, includeUsage, created: CREATED });

describe('anthropicToOpenAIStream()', () => {
  it('should translate the event sequence into the exact chunk sequence, ending in [DONE]', async () => {
    const stream = make();
    expect(await runPieces(stream, [SAMPLE])).toBe(expected(false));
    expect(stream.ended).toBe('done');
    expect(stream.usage).toStrictEqual({ inputTokens: 35, outputTokens: 42, cachedInputTokens: 10 });
  });

  it('should add usage: null to every chunk and a usage chunk before [DONE] only when the client asked', async () => {
    expect(await runPieces(make(true), [SAMPLE])).toBe(expected(true));
    expect(await runPieces(make(false), [SAMPLE])).not.toContain('"usage"');
  });

  it('should put out the same bytes whatever byte the upstream chunks split at', async () => {
    const { splits, bytewise } = await everySplit(SAMPLE, () => make(true));
    expect(splits.length).toBe(Buffer.byteLength(SAMPLE) + 1);
    for (const out of splits) expect(out).toBe(expected(true));
    expect(bytewise).toBe(expected(true));
  });

  it('should read CRLF and CR line endings, split at every byte', async () => {
    const crlf = SAMPLE.replace(/\n/g, '\r\n');
    const { splits, bytewise } = await everySplit(crlf, () => make());
    for (const out of [...splits, bytewise]) expect(out).toBe(expected(false));
    expect(await runPieces(make(), [SAMPLE.replace(/\n/g, '\r')])).toBe(expected(false));
  });

  it('should put each event out as soon as it is complete, holding back only the incomplete one', async () => {
    const stream = make();
    const firstEvent = anthropicEvents([START]);
    stream.write(firstEvent + firstEvent.slice(0, 20));
    expect(String(stream.read())).toBe(chunk({ role: 'assistant', content: '' }));
    stream.write(anthropicEvents([text(0, 'Hi')]).slice(0, -1));
    expect(stream.read()).toBeNull(); // the blank line that ends the event has not arrived
    stream.write('\n');
    expect(String(stream.read())).toBe(chunk({ content: 'Hi' }));
  });

  it('should stream the forced JSON tool input as content and finish with stop', async () => {
    const events = anthropicEvents([
      START,
      toolStart(0, 'toolu_9', 'json_response'),
      json(0, '{"name":'),
      json(0, '"Ada"}'),
      stop(0),
      messageDelta('tool_use', 9),
      { type: 'message_stop' },
    ]);
    expect(await runPieces(make(), [events])).toBe(
      [
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: '{"name":' }),
        chunk({ content: '"Ada"}' }),
        chunk({}, 'stop'),
        'data: [DONE]\n\n',
      ].join(''),
    );
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
  ])('should finish a %s stream with finish_reason %s', async (reason, finish) => {
    const events = anthropicEvents([START, text(0, 'x'), messageDelta(reason, 2), { type: 'message_stop' }]);
    expect(await runPieces(make(), [events])).toContain(chunk({}, finish));
  });

  it('should take input and cache counts from message_delta when it carries them', async () => {
    const events = anthropicEvents([
      START,
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 5, input_tokens: 30, cache_read_input_tokens: 0 },
      },
      { type: 'message_stop' },
    ]);
    const stream = make(true);
    expect(await runPieces(stream, [events])).toContain(
      '"usage":{"prompt_tokens":30,"completion_tokens":5,"total_tokens":35,"prompt_tokens_details":{"cached_tokens":0}}',
    );
    expect(stream.usage).toStrictEqual({ inputTokens: 30, outputTokens: 5, cachedInputTokens: 0 });
  });

  it('should end with an OpenAI error event and no [DONE] when the upstream sends an error mid-stream, ignoring what follows', async () => {
    const events = anthropicEvents([
      START,
      text(0, 'Hel'),
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      text(0, 'lo'),
      { type: 'message_stop' },
    ]);
    const stream = make(true);
    const out = await runPieces(stream, [events]);
    expect(out).toBe(
      chunk({ role: 'assistant', content: '' }, null, null) +
        chunk({ content: 'Hel' }, null, null) +
        'data: {"error":{"message":"Overloaded","type":"api_error","param":null,"code":"overloaded_error"}}\n\n',
    );
    expect(stream.ended).toBe('upstream_error');
  });

  it('should end the client side at the terminal event, without waiting for the upstream to close', async () => {
    for (const terminal of [{ type: 'message_stop' }, { type: 'error', error: { type: 'api_error', message: 'x' } }]) {
      const stream = make();
      const ended = new Promise<void>((resolve) => stream.on('end', resolve));
      stream.on('data', () => {});
      stream.write(anthropicEvents([START, terminal]));
      await ended; // the writable side is still open
      expect(stream.writableEnded).toBe(false);
      stream.write(anthropicEvents([text(0, 'late')])); // read and dropped, no error
      stream.end();
    }
  });

  it('should end with an error event when the upstream ends before message_stop', async () => {
    const stream = make();
    const out = await runPieces(stream, [anthropicEvents([START, text(0, 'Hel')])]);
    expect(
      out.endsWith(
        'data: {"error":{"message":"The Anthropic stream ended before the answer was complete.","type":"api_error","param":null,"code":"upstream_stream_incomplete"}}\n\n',
      ),
    ).toBe(true);
    expect(out).not.toContain('[DONE]');
    expect(stream.ended).toBe('incomplete');
  });

  it('should end with an error event when an event is not JSON', async () => {
    const stream = make();
    const out = await runPieces(stream, ['event: message_start\ndata: {"type":"mess\n\n', anthropicEvents([text(0, 'never')])]);
    expect(out).toBe(
      'data: {"error":{"message":"The Anthropic stream could not be translated: an event is not JSON.","type":"api_error","param":null,"code":"upstream_bad_response"}}\n\n',
    );
    expect(stream.ended).toBe('unreadable');
  });

  it('should end with an error event when an event held back across chunks grows past maxEventBytes', async () => {
    const stream = anthropicToOpenAIStream({ model: MODEL, includeUsage: false, created: CREATED, maxEventBytes: 64 });
    const big = anthropicEvents([text(0, 'x'.repeat(100))]);
    const out = await runPieces(stream, big.match(/[\s\S]{1,10}/g)!);
    expect(out).toContain('"code":"upstream_bad_response"');
    expect(stream.ended).toBe('unreadable');
  });

  it('should be read by the official openai client: text, tool calls and usage', async () => {
    const baseURL = await serveTranslated(SAMPLE, () => make(true));
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    const args: string[] = [];
    const names: string[] = [];
    let finish: string | null = null;
    let usage: unknown;
    for await (const part of stream) {
      if (part.usage) usage = part.usage;
      const choice = part.choices[0];
      if (!choice) continue;
      content += choice.delta.content ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        if (call.function?.name) names[call.index] = call.function.name;
        args[call.index] = (args[call.index] ?? '') + (call.function?.arguments ?? '');
      }
      finish = choice.finish_reason ?? finish;
    }
    expect(content).toBe('Héllo ✓ 🎉 there');
    expect(names).toStrictEqual(['get_weather', 'get_time']);
    expect(args.map((a) => JSON.parse(a))).toStrictEqual([{ city: 'Paris' }, {}]);
    expect(finish).toBe('tool_calls');
    expect(usage).toStrictEqual(USAGE);
  });

  it('should make the official openai client throw on an upstream error mid-stream', async () => {
    const events = anthropicEvents([
      START,
      text(0, 'Hel'),
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    ]);
    const baseURL = await serveTranslated(events, () => make());
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const part of stream) seen.push(part.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow('Overloaded');
    expect(seen.join('')).toBe('Hel');
  });
});
