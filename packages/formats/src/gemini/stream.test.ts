import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { dataEvents, everySplit, runPieces, serveTranslated } from '../../test/sse.js';
import { geminiToOpenAIStream } from './stream.js';

const MODEL = 'gemini-2.5-pro';
const CREATED = 1_700_000_000;

const part = (
  parts: unknown[],
  extra: JsonObject = {},
  usageMetadata: JsonObject = { promptTokenCount: 10, totalTokenCount: 10 },
) => ({
  candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }],
  usageMetadata,
  modelVersion: MODEL,
  responseId: 'resp1',
});
const FINAL_USAGE = {
  promptTokenCount: 10,
  candidatesTokenCount: 8,
  thoughtsTokenCount: 2,
  cachedContentTokenCount: 4,
  totalTokenCount: 20,
};

/** Gemini separates events with CRLF pairs. */
const SAMPLE = dataEvents(
  [
    part([{ text: 'Héllo' }]),
    part([{ text: 'thinking…', thought: true }, { text: ' ✓ 🎉' }]),
    part(
      [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_time', args: {} } }],
      { finishReason: 'STOP' },
      FINAL_USAGE,
    ),
  ],
  '\r\n',
);

function chunk(delta: JsonObject, finish: string | null = null, usage?: null): string {
  const body: JsonObject = {
    id: 'resp1',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
  if (usage === null) body.usage = null;
  return `data: ${JSON.stringify(body)}\n\n`;
}

const USAGE = {
  prompt_tokens: 10,
  completion_tokens: 10,
  total_tokens: 20,
  prompt_tokens_details: { cached_tokens: 4 },
  completion_tokens_details: { reasoning_tokens: 2 },
};

function expected(includeUsage: boolean): string {
  const u = includeUsage ? null : undefined;
  const usageChunk = `data: ${JSON.stringify({ id: 'resp1', object: 'chat.completion.chunk', created: CREATED, model: MODEL, choices: [], usage: USAGE })}\n\n`;
  return [
    chunk({ role: 'assistant', content: '' }, null, u),
    chunk({ content: 'Héllo' }, null, u),
    chunk({ content: ' ✓ 🎉' }, null, u),
    chunk(
      {
        tool_calls: [
          { index: 0, id: 'call_resp1_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      null,
      u,
    ),
    chunk(
      { tool_calls: [{ index: 1, id: 'call_resp1_1', type: 'function', function: { name: 'get_time', arguments: '{}' } }] },
      null,
      u,
    ),
    chunk({}, 'tool_calls', u),
    includeUsage ? usageChunk : '',
    'data: [DONE]\n\n',
  ].join('');
}

const make = (includeUsage = false) => geminiToOpenAIStream({ model: MODEL, includeUsage, created: CREATED });

describe('geminiToOpenAIStream()', () => {
  it('should translate the chunk sequence exactly: text, whole function calls, the finish, [DONE]', async () => {
    const stream = make();
    expect(await runPieces(stream, [SAMPLE])).toBe(expected(false));
    expect(stream.ended).toBe('done');
    expect(stream.usage).toStrictEqual({ inputTokens: 10, outputTokens: 10, cachedInputTokens: 4 });
  });

  it('should add the usage chunk only when the client asked', async () => {
    expect(await runPieces(make(true), [SAMPLE])).toBe(expected(true));
    expect(await runPieces(make(false), [SAMPLE])).not.toContain('"usage"');
  });

  it('should put out the same bytes whatever byte the upstream chunks split at', async () => {
    const { splits, bytewise } = await everySplit(SAMPLE, () => make(true));
    expect(splits.length).toBe(Buffer.byteLength(SAMPLE) + 1);
    for (const out of [...splits, bytewise]) expect(out).toBe(expected(true));
  });

  it('should send the finish chunk at once and [DONE] when the upstream ends, taking usage from any later event', async () => {
    const stream = make(true);
    stream.write(dataEvents([part([{ text: 'Hi' }], { finishReason: 'STOP' })]));
    expect(String(stream.read())).toBe(
      chunk({ role: 'assistant', content: '' }, null, null) + chunk({ content: 'Hi' }, null, null) + chunk({}, 'stop', null),
    );
    const out = await runPieces(stream, [
      dataEvents([{ usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 }, responseId: 'resp1' }]),
    ]);
    expect(out).toContain('"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4');
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it.each([
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['STOP', 'stop'],
  ])('should finish a %s stream with finish_reason %s', async (reason, finish) => {
    expect(await runPieces(make(), [dataEvents([part([{ text: 'x' }], { finishReason: reason })])])).toContain(chunk({}, finish));
  });

  it('should end with an OpenAI error event and no [DONE] on an error event mid-stream', async () => {
    const events = dataEvents([
      part([{ text: 'Hel' }]),
      { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } },
      part([{ text: 'lo' }]),
    ]);
    const stream = make();
    expect(await runPieces(stream, [events])).toBe(
      chunk({ role: 'assistant', content: '' }) +
        chunk({ content: 'Hel' }) +
        'data: {"error":{"message":"The model is overloaded.","type":"api_error","param":null,"code":"unavailable"}}\n\n',
    );
    expect(stream.ended).toBe('upstream_error');
  });

  it('should end with an error event when the upstream ends before a finishReason', async () => {
    const stream = make();
    const out = await runPieces(stream, [dataEvents([part([{ text: 'Hel' }])])]);
    expect(
      out.endsWith(
        'data: {"error":{"message":"The Gemini stream ended before the answer was complete.","type":"api_error","param":null,"code":"upstream_stream_incomplete"}}\n\n',
      ),
    ).toBe(true);
    expect(stream.ended).toBe('incomplete');
  });

  it('should end with an error event when an event is not JSON', async () => {
    const stream = make();
    expect(await runPieces(stream, ['data: {"candidates":\r\n\r\n'])).toContain('"code":"upstream_bad_response"');
    expect(stream.ended).toBe('unreadable');
  });

  it('should be read by the official openai client', async () => {
    const baseURL = await serveTranslated(SAMPLE, () => make(true));
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const completion = await collect(stream);
    expect(completion).toStrictEqual({
      content: 'Héllo ✓ 🎉',
      calls: [
        ['call_resp1_0', 'get_weather', '{"city":"Paris"}'],
        ['call_resp1_1', 'get_time', '{}'],
      ],
      finish: 'tool_calls',
      usage: USAGE,
    });
  });
});

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<unknown> {
  let content = '';
  const calls: [string, string, string][] = [];
  let finish: string | null = null;
  let usage: unknown;
  for await (const part of stream) {
    if (part.usage) usage = part.usage;
    const choice = part.choices[0];
    if (!choice) continue;
    content += choice.delta.content ?? '';
    for (const call of choice.delta.tool_calls ?? []) {
      const seen = (calls[call.index] ??= ['', '', '']);
      seen[0] += call.id ?? '';
      seen[1] += call.function?.name ?? '';
      seen[2] += call.function?.arguments ?? '';
    }
    finish = choice.finish_reason ?? finish;
  }
  return { content, calls, finish, usage };
}
