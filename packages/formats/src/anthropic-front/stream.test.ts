import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { anthropicEvents, dataEvents, everySplit, runPieces, serveTranslated } from '../../test/sse.js';
import { openAIToAnthropicStream } from './stream.js';

const MODEL = 'gpt-4o-2024-08-06';

const chunk = (delta: JsonObject, finish: string | null = null) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  usage: null,
});
const USAGE = { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42, prompt_tokens_details: { cached_tokens: 20 } };

const SAMPLE = dataEvents([
  chunk({ role: 'assistant', content: '', refusal: null }),
  chunk({ content: 'Héllo' }),
  chunk({ content: ' ✓ 🎉' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
  chunk({}, 'tool_calls'),
  { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-2024-08-06', choices: [], usage: USAGE },
  '[DONE]',
]);

const START = {
  type: 'message_start',
  message: {
    id: 'chatcmpl-1',
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0 },
  },
};
const blockStart = (index: number, block: JsonObject) => ({ type: 'content_block_start', index, content_block: block });
const text = (index: number, t: string) => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
const json = (index: number, partial: string) => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'input_json_delta', partial_json: partial },
});
const stop = (index: number) => ({ type: 'content_block_stop', index });
const end = (reason: string, usage: JsonObject) => [
  { type: 'message_delta', delta: { stop_reason: reason, stop_sequence: null }, usage },
  { type: 'message_stop' },
];

const EXPECTED = anthropicEvents([
  START,
  blockStart(0, { type: 'text', text: '' }),
  text(0, 'Héllo'),
  text(0, ' ✓ 🎉'),
  stop(0),
  blockStart(1, { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} }),
  json(1, '{"city":'),
  json(1, '"Paris"}'),
  stop(1),
  blockStart(2, { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} }),
  json(2, '{}'),
  stop(2),
  ...end('tool_use', { input_tokens: 10, output_tokens: 12, cache_read_input_tokens: 20 }),
]);

const make = () => openAIToAnthropicStream({ model: MODEL });

describe('openAIToAnthropicStream()', () => {
  it('should write Anthropic events in their exact order: message_start, blocks, message_delta with usage, message_stop', async () => {
    const stream = make();
    expect(await runPieces(stream, [SAMPLE])).toBe(EXPECTED);
    expect(stream.ended).toBe('done');
    expect(stream.usage).toStrictEqual({ inputTokens: 30, outputTokens: 12, cachedInputTokens: 20 });
  });

  it('should put out the same bytes whatever byte the upstream chunks split at', async () => {
    const { splits, bytewise } = await everySplit(SAMPLE, make);
    expect(splits.length).toBe(Buffer.byteLength(SAMPLE) + 1);
    for (const out of [...splits, bytewise]) expect(out).toBe(EXPECTED);
  });

  it('should open a new text block after a tool block, and complete a stream that ends without [DONE]', async () => {
    const upstream = dataEvents([
      chunk({ tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }),
      chunk({ content: 'after' }),
      chunk({}, 'stop'),
    ]);
    expect(await runPieces(make(), [upstream])).toBe(
      anthropicEvents([
        START,
        blockStart(0, { type: 'tool_use', id: 'c', name: 'f', input: {} }),
        json(0, '{}'),
        stop(0),
        blockStart(1, { type: 'text', text: '' }),
        text(1, 'after'),
        stop(1),
        ...end('end_turn', { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0 }),
      ]),
    );
  });

  it('should end with an Anthropic error event on an upstream error mid-stream', async () => {
    const upstream = dataEvents([
      chunk({ content: 'Hel' }),
      { error: { message: 'Rate limited', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } },
      chunk({ content: 'lo' }),
    ]);
    const stream = make();
    expect(await runPieces(stream, [upstream])).toBe(
      anthropicEvents([
        START,
        blockStart(0, { type: 'text', text: '' }),
        text(0, 'Hel'),
        { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limited' } },
      ]),
    );
    expect(stream.ended).toBe('upstream_error');
  });

  it('should end with an error event when the upstream ends before a finish_reason', async () => {
    const stream = make();
    const out = await runPieces(stream, [dataEvents([chunk({ content: 'Hel' })])]);
    expect(
      out.endsWith(
        anthropicEvents([
          { type: 'error', error: { type: 'api_error', message: 'The provider stream ended before the answer was complete.' } },
        ]),
      ),
    ).toBe(true);
    expect(out).not.toContain('message_stop');
    expect(stream.ended).toBe('incomplete');
  });

  it('should be read by the official Anthropic client into the final Message', async () => {
    const baseURL = await serveTranslated(SAMPLE, make);
    const client = new Anthropic({ baseURL, apiKey: 'unused', maxRetries: 0 });
    const final = await client.messages
      .stream({ model: 'smart', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    expect(final).toMatchObject({
      id: 'chatcmpl-1',
      model: MODEL,
      role: 'assistant',
      content: [
        { type: 'text', text: 'Héllo ✓ 🎉' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 10, output_tokens: 12, cache_read_input_tokens: 20 },
    });
  });

  it('should make the official Anthropic client throw on an error mid-stream', async () => {
    const upstream = dataEvents([
      chunk({ content: 'Hel' }),
      { error: { message: 'Overloaded', type: 'server_error', param: null, code: null } },
    ]);
    const baseURL = await serveTranslated(upstream, make);
    const client = new Anthropic({ baseURL, apiKey: 'unused', maxRetries: 0 });
    await expect(
      client.messages.stream({ model: 'smart', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage(),
    ).rejects.toThrow('Overloaded');
  });
});
