import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { dataEvents, everySplit, responsesEvents, runPieces, serveTranslated } from '../../test/sse.js';
import { chatToResponsesStream } from './stream.js';

const MODEL = 'claude-sonnet-4-5';
const ID = 'resp_abc';
const CREATED = 1_700_000_000;

const chunk = (delta: JsonObject, finish: string | null = null) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: CREATED,
  model: MODEL,
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  usage: null,
});
const usageChunk = (usage: JsonObject) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: CREATED,
  model: MODEL,
  choices: [],
  usage,
});
const CHAT_USAGE = {
  prompt_tokens: 30,
  completion_tokens: 12,
  total_tokens: 42,
  prompt_tokens_details: { cached_tokens: 20 },
  completion_tokens_details: { reasoning_tokens: 3 },
};
const USAGE = {
  input_tokens: 30,
  input_tokens_details: { cached_tokens: 20 },
  output_tokens: 12,
  output_tokens_details: { reasoning_tokens: 3 },
  total_tokens: 42,
};
const ZERO_USAGE = {
  input_tokens: 0,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 0,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 0,
};

const SAMPLE = dataEvents([
  chunk({ role: 'assistant', content: '', refusal: null }),
  chunk({ content: 'Héllo' }),
  chunk({ content: ' ✓ 🎉' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
  chunk({}, 'tool_calls'),
  usageChunk(CHAT_USAGE),
  '[DONE]',
]);

// The events' own objects, in the field order the translator writes them.
const response = (status: string, output: unknown[], rest: JsonObject = {}) => ({
  id: ID,
  object: 'response',
  created_at: CREATED,
  status,
  error: null,
  incomplete_details: null,
  model: MODEL,
  output,
  usage: null,
  ...rest,
});
const START = [
  { type: 'response.created', response: response('in_progress', []) },
  { type: 'response.in_progress', response: response('in_progress', []) },
];
const message = (index: number, status: string, content: unknown[]) => ({
  id: `msg_abc_${index}`,
  type: 'message',
  status,
  content,
  role: 'assistant',
});
const text = (t: string) => ({ type: 'output_text', text: t, annotations: [], logprobs: [] });
const call = (index: number, status: string, callId: string, name: string, args: string) => ({
  id: `fc_abc_${index}`,
  type: 'function_call',
  status,
  arguments: args,
  call_id: callId,
  name,
});
const added = (index: number, item: JsonObject) => ({ type: 'response.output_item.added', item, output_index: index });
const itemDone = (index: number, item: JsonObject) => ({ type: 'response.output_item.done', item, output_index: index });
const at = (index: number, content = 0) => ({ content_index: content, item_id: `msg_abc_${index}`, output_index: index });

/** The events of one text part of message `index`, written in `deltas`. */
function textPart(index: number, deltas: string[], content = 0): JsonObject[] {
  const whole = deltas.join('');
  return [
    { type: 'response.content_part.added', ...at(index, content), part: text('') },
    ...deltas.map((delta) => ({ type: 'response.output_text.delta', ...at(index, content), delta, logprobs: [] })),
    { type: 'response.output_text.done', ...at(index, content), logprobs: [], text: whole },
    { type: 'response.content_part.done', ...at(index, content), part: text(whole) },
  ];
}

/** The events of function call item `index`, its arguments written in `deltas`. */
function callItem(index: number, callId: string, name: string, deltas: string[]): JsonObject[] {
  const args = deltas.join('');
  const where = { item_id: `fc_abc_${index}`, output_index: index };
  return [
    added(index, call(index, 'in_progress', callId, name, '')),
    ...deltas.map((delta) => ({ type: 'response.function_call_arguments.delta', delta, ...where })),
    { type: 'response.function_call_arguments.done', arguments: args, ...where },
    itemDone(index, call(index, 'completed', callId, name, args)),
  ];
}

const FINAL_OUTPUT = [
  message(0, 'completed', [text('Héllo ✓ 🎉')]),
  call(1, 'completed', 'call_1', 'get_weather', '{"city":"Paris"}'),
  call(2, 'completed', 'call_2', 'get_time', '{}'),
];

const EXPECTED = responsesEvents([
  ...START,
  added(0, message(0, 'in_progress', [])),
  ...textPart(0, ['Héllo', ' ✓ 🎉']),
  itemDone(0, message(0, 'completed', [text('Héllo ✓ 🎉')])),
  ...callItem(1, 'call_1', 'get_weather', ['{"city":', '"Paris"}']),
  ...callItem(2, 'call_2', 'get_time', ['{}']),
  { type: 'response.completed', response: response('completed', FINAL_OUTPUT, { usage: USAGE }) },
]);

/** The two events a failed stream ends with: `error` (its fields at the top and nested), then response.failed. */
function failure(error: JsonObject, output: unknown[]): JsonObject[] {
  const { type: _type, ...top } = error;
  return [
    { type: 'error', ...top, error },
    { type: 'response.failed', response: response('failed', output, { error: { code: error.code, message: error.message } }) },
  ];
}

/** The events of a stream that wrote 'Hel' and then failed with `error`. */
function failedAfterHel(error: JsonObject): string {
  return responsesEvents([
    ...START,
    added(0, message(0, 'in_progress', [])),
    ...textPart(0, ['Hel']).slice(0, 2),
    ...failure(error, [message(0, 'incomplete', [text('Hel')])]),
  ]);
}

const make = () => chatToResponsesStream({ model: MODEL, id: ID });

describe('chatToResponsesStream()', () => {
  it('should write the Responses events in their exact order, numbered, and end with the whole response and its usage', async () => {
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

  it('should hold back nothing but the one incomplete event', async () => {
    const stream = make();
    const out: string[] = [];
    stream.on('data', (c: Buffer) => out.push(c.toString('utf8')));
    const events = SAMPLE.split(/(?<=\n\n)/);
    // Everything up to the first text delta has gone out once its event is complete, before the rest arrives.
    stream.write(events.slice(0, 2).join('') + events[2]!.slice(0, 10));
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.join('')).toBe(
      responsesEvents([...START, added(0, message(0, 'in_progress', [])), ...textPart(0, ['Héllo']).slice(0, 2)]),
    );
  });

  it('should open a new message after a function call, and complete a stream that ends without [DONE]', async () => {
    const upstream = dataEvents([
      chunk({ tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }),
      chunk({ content: 'after' }),
      chunk({}, 'stop'),
    ]);
    const stream = make();
    expect(await runPieces(stream, [upstream])).toBe(
      responsesEvents([
        ...START,
        ...callItem(0, 'c', 'f', ['{}']),
        added(1, message(1, 'in_progress', [])),
        ...textPart(1, ['after']),
        itemDone(1, message(1, 'completed', [text('after')])),
        {
          type: 'response.completed',
          response: response('completed', [call(0, 'completed', 'c', 'f', '{}'), message(1, 'completed', [text('after')])], {
            usage: ZERO_USAGE,
          }),
        },
      ]),
    );
    expect(stream.ended).toBe('done');
    expect(stream.usage).toBeUndefined();
  });

  it('should end with response.incomplete, the message incomplete, when the output cap cut the answer', async () => {
    const upstream = dataEvents([chunk({ content: 'Hel' }), chunk({}, 'length'), usageChunk(CHAT_USAGE), '[DONE]']);
    expect(await runPieces(make(), [upstream])).toBe(
      responsesEvents([
        ...START,
        added(0, message(0, 'in_progress', [])),
        ...textPart(0, ['Hel']),
        itemDone(0, message(0, 'incomplete', [text('Hel')])),
        {
          type: 'response.incomplete',
          response: response('incomplete', [message(0, 'incomplete', [text('Hel')])], {
            incomplete_details: { reason: 'max_output_tokens' },
            usage: USAGE,
          }),
        },
      ]),
    );
  });

  it('should write a refusal as a refusal part after the text part, and content_filter as incomplete', async () => {
    const upstream = dataEvents([chunk({ content: 'I' }), chunk({ refusal: 'No.' }), chunk({}, 'content_filter'), '[DONE]']);
    const refusalAt = at(0, 1);
    const refusal = { type: 'refusal', refusal: 'No.' };
    const content = [text('I'), refusal];
    expect(await runPieces(make(), [upstream])).toBe(
      responsesEvents([
        ...START,
        added(0, message(0, 'in_progress', [])),
        ...textPart(0, ['I']),
        { type: 'response.content_part.added', ...refusalAt, part: { type: 'refusal', refusal: '' } },
        { type: 'response.refusal.delta', ...refusalAt, delta: 'No.' },
        { type: 'response.refusal.done', ...refusalAt, refusal: 'No.' },
        { type: 'response.content_part.done', ...refusalAt, part: refusal },
        itemDone(0, message(0, 'incomplete', content)),
        {
          type: 'response.incomplete',
          response: response('incomplete', [message(0, 'incomplete', content)], {
            incomplete_details: { reason: 'content_filter' },
            usage: ZERO_USAGE,
          }),
        },
      ]),
    );
  });

  it('should end with an error event and response.failed, never response.completed, on an upstream error mid-stream', async () => {
    const upstream = dataEvents([
      chunk({ content: 'Hel' }),
      { error: { message: 'Overloaded', type: 'api_error', param: null, code: 'overloaded_error' } },
      chunk({ content: 'lo' }),
    ]);
    const stream = make();
    const error = { type: 'api_error', code: 'overloaded_error', message: 'Overloaded', param: null };
    expect(await runPieces(stream, [upstream])).toBe(failedAfterHel(error));
    expect(stream.ended).toBe('upstream_error');
  });

  it.each([
    ['the upstream ends before a finish_reason', dataEvents([chunk({ content: 'Hel' })])],
    ['[DONE] comes before a finish_reason', dataEvents([chunk({ content: 'Hel' }), '[DONE]'])],
  ])('should end with an upstream_stream_incomplete error event when %s', async (_name, upstream) => {
    const stream = make();
    const error = {
      type: 'api_error',
      code: 'upstream_stream_incomplete',
      message: 'The provider stream ended before the answer was complete.',
      param: null,
    };
    expect(await runPieces(stream, [upstream])).toBe(failedAfterHel(error));
    expect(stream.ended).toBe('incomplete');
  });

  it('should announce the response before an error that comes first, and fail an event that is not JSON', async () => {
    const stream = make();
    const out = await runPieces(stream, ['data: {not json\n\n']);
    const events = out
      .trim()
      .split('\n\n')
      .map((e) => JSON.parse(e.split('\n')[1]!.slice('data: '.length)) as JsonObject);
    expect(events.map((e) => e.type)).toStrictEqual(['response.created', 'response.in_progress', 'error', 'response.failed']);
    expect(events[2]).toStrictEqual({
      type: 'error',
      code: 'upstream_bad_response',
      message: 'The provider stream could not be translated: an event is not JSON.',
      param: null,
      error: {
        type: 'api_error',
        code: 'upstream_bad_response',
        message: 'The provider stream could not be translated: an event is not JSON.',
        param: null,
      },
      sequence_number: 2,
    });
    expect(events[3]).toMatchObject({ response: { id: ID, status: 'failed', output: [], usage: null }, sequence_number: 3 });
    expect(stream.ended).toBe('unreadable');
  });

  it('should fail, not reorder, a tool call whose arguments go on after the next item began', async () => {
    const upstream = dataEvents([
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const stream = make();
    const out = await runPieces(stream, [upstream]);
    expect(out).toContain('tool call 0 went on after the next output item began');
    expect(out).not.toContain('response.completed');
    expect(stream.ended).toBe('unreadable');
  });

  it('should be read by the official OpenAI client into the final response', async () => {
    const baseURL = await serveTranslated(SAMPLE, make);
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
    const final = await client.responses.stream({ model: 'smart', input: 'Hi' }).finalResponse();
    expect(final).toMatchObject({ id: ID, model: MODEL, status: 'completed', output: FINAL_OUTPUT, usage: USAGE });
    expect(final.output_text).toBe('Héllo ✓ 🎉');
  });

  it('should make the official OpenAI client throw on an error mid-stream, in both its stream APIs', async () => {
    const upstream = dataEvents([
      chunk({ content: 'Hel' }),
      { error: { message: 'Rate limited', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } },
    ]);
    const baseURL = await serveTranslated(upstream, make);
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
    await expect(client.responses.stream({ model: 'smart', input: 'Hi' }).finalResponse()).rejects.toThrow('Rate limited');
    const events: string[] = [];
    await expect(
      (async () => {
        for await (const event of await client.responses.create({ model: 'smart', input: 'Hi', stream: true }))
          events.push(event.type);
      })(),
    ).rejects.toThrow('Rate limited');
    expect(events).not.toContain('response.completed');
  });
});
