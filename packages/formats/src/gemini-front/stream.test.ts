import { ApiError, GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { dataEvents, everySplit, runPieces, serveTranslated } from '../../test/sse.js';
import { openAIToGeminiStream } from './stream.js';

const MODEL = 'gpt-4o-2024-08-06';

const chunk = (delta: JsonObject, finish: string | null = null, usage: unknown = null) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: MODEL,
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  usage,
});
const USAGE = {
  prompt_tokens: 30,
  completion_tokens: 12,
  total_tokens: 42,
  prompt_tokens_details: { cached_tokens: 20 },
  completion_tokens_details: { reasoning_tokens: 2 },
};
const usageChunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: MODEL, choices: [], usage: USAGE };
const METADATA = {
  promptTokenCount: 30,
  candidatesTokenCount: 10,
  totalTokenCount: 42,
  cachedContentTokenCount: 20,
  thoughtsTokenCount: 2,
};

const SAMPLE = dataEvents([
  chunk({ role: 'assistant', content: '', refusal: null }),
  chunk({ content: 'Héllo' }),
  chunk({ content: ' ✓ 🎉' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
  chunk({}, 'tool_calls'),
  usageChunk,
  '[DONE]',
]);

/** Google's events: a whole GenerateContentResponse each, `data:` and a CRLF pair. */
const geminiEvents = (events: readonly unknown[]) => dataEvents(events, '\r\n');
const text = (t: string) => ({
  candidates: [{ content: { parts: [{ text: t }], role: 'model' }, index: 0 }],
  modelVersion: MODEL,
  responseId: 'chatcmpl-1',
});
const last = (parts: unknown[], finishReason: string, usageMetadata?: unknown) => ({
  candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }],
  ...(usageMetadata === undefined ? {} : { usageMetadata }),
  modelVersion: MODEL,
  responseId: 'chatcmpl-1',
});
const googleError = (code: number, status: string, message: string) => ({ error: { code, message, status } });

const EXPECTED = geminiEvents([
  text('Héllo'),
  text(' ✓ 🎉'),
  last(
    [
      { functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } } },
      { functionCall: { id: 'call_2', name: 'get_time', args: {} } },
    ],
    'STOP',
    METADATA,
  ),
]);

const make = () => openAIToGeminiStream({ model: MODEL });

describe('openAIToGeminiStream()', () => {
  it('should write one GenerateContentResponse per text delta, and the calls whole with finish and usage last', async () => {
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

  it('should end at the usage chunk, before [DONE], and ignore what follows', async () => {
    const stream = make();
    const out = await runPieces(stream, [
      dataEvents([chunk({ content: 'Hi' }), chunk({}, 'stop'), usageChunk]),
      dataEvents([chunk({ content: 'late' }), '[DONE]']),
    ]);
    expect(out).toBe(geminiEvents([text('Hi'), last([{ text: '' }], 'STOP', METADATA)]));
  });

  it('should read usage that comes with the finish, and finish reasons length and content_filter', async () => {
    const length = await runPieces(make(), [dataEvents([chunk({ content: 'Hel' }, 'length', USAGE)])]);
    expect(length).toBe(geminiEvents([text('Hel'), last([{ text: '' }], 'MAX_TOKENS', METADATA)]));
    const filtered = await runPieces(make(), [dataEvents([chunk({ refusal: 'No.' }), chunk({}, 'content_filter'), '[DONE]'])]);
    expect(filtered).toBe(geminiEvents([text('No.'), last([{ text: '' }], 'SAFETY')]));
  });

  it('should complete a stream that ends after its finish without usage or [DONE]', async () => {
    const stream = make();
    expect(await runPieces(stream, [dataEvents([chunk({ content: 'Hi' }), chunk({}, 'stop')])])).toBe(
      geminiEvents([text('Hi'), last([{ text: '' }], 'STOP')]),
    );
    expect(stream.ended).toBe('done');
    expect(stream.usage).toBeUndefined();
  });

  it('should assemble calls from servers that send them whole and without an index', async () => {
    const upstream = dataEvents([
      chunk({ tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }),
      chunk({ tool_calls: [{ id: 'c2', type: 'function', function: { name: 'g', arguments: '{"b":' } }] }),
      chunk({ tool_calls: [{ function: { arguments: '2}' } }] }),
      chunk({}, 'tool_calls', USAGE),
    ]);
    expect(await runPieces(make(), [upstream])).toBe(
      geminiEvents([
        last(
          [{ functionCall: { id: 'c1', name: 'f', args: { a: 1 } } }, { functionCall: { id: 'c2', name: 'g', args: { b: 2 } } }],
          'STOP',
          METADATA,
        ),
      ]),
    );
  });

  it("should end with an error in Google's shape on an upstream error mid-stream, and nothing after it", async () => {
    const upstream = dataEvents([
      chunk({ content: 'Hel' }),
      { error: { message: 'Rate limited', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } },
      chunk({ content: 'lo' }, 'stop'),
      '[DONE]',
    ]);
    const stream = make();
    expect(await runPieces(stream, [upstream])).toBe(
      geminiEvents([text('Hel'), googleError(429, 'RESOURCE_EXHAUSTED', 'Rate limited')]),
    );
    expect(stream.ended).toBe('upstream_error');
  });

  it('should end with an error when the upstream ends before a finish_reason, or sends what is not JSON', async () => {
    const incomplete = make();
    expect(await runPieces(incomplete, [dataEvents([chunk({ content: 'Hel' })])])).toBe(
      geminiEvents([text('Hel'), googleError(502, 'UNAVAILABLE', 'The provider stream ended before the answer was complete.')]),
    );
    expect(incomplete.ended).toBe('incomplete');
    const unreadable = make();
    expect(await runPieces(unreadable, ['data: {"id":\n\n'])).toBe(
      geminiEvents([googleError(502, 'UNAVAILABLE', 'The provider stream could not be translated: an event is not JSON.')]),
    );
    expect(unreadable.ended).toBe('unreadable');
  });

  it('should be read by the official Google client: text, function calls, usage, and a chat turn in its history', async () => {
    const baseUrl = await serveTranslated(SAMPLE, make);
    const ai = new GoogleGenAI({ apiKey: 'unused', httpOptions: { baseUrl } });
    const chunks = [];
    for await (const c of await ai.models.generateContentStream({ model: 'smart', contents: 'Hi' })) chunks.push(c);
    // The last chunk's `text` would warn that it holds function calls.
    expect(chunks.slice(0, -1).map((c) => c.text)).toStrictEqual(['Héllo', ' ✓ 🎉']);
    const final = chunks.at(-1)!;
    expect(final.functionCalls).toStrictEqual([
      { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } },
      { id: 'call_2', name: 'get_time', args: {} },
    ]);
    expect(final.candidates?.[0]?.finishReason).toBe('STOP');
    expect(final.usageMetadata).toMatchObject(METADATA);
    expect(final.responseId).toBe('chatcmpl-1');
    expect(final.modelVersion).toBe(MODEL);

    const chat = ai.chats.create({ model: 'smart' });
    for await (const _ of await chat.sendMessageStream({ message: 'Hi' })) {
      // read to the end
    }
    expect(chat.getHistory().map((content) => content.role)).toStrictEqual(['user', 'model', 'model', 'model']);
  });

  it('should make the official Google client throw on an error mid-stream and on an incomplete stream', async () => {
    const read = async (upstream: string) => {
      const ai = new GoogleGenAI({ apiKey: 'unused', httpOptions: { baseUrl: await serveTranslated(upstream, make) } });
      const texts: (string | undefined)[] = [];
      for await (const c of await ai.models.generateContentStream({ model: 'smart', contents: 'Hi' })) texts.push(c.text);
      return texts;
    };
    const failed = dataEvents([
      chunk({ content: 'Hel' }),
      { error: { message: 'Overloaded', type: 'server_error', code: null } },
    ]);
    await expect(read(failed)).rejects.toThrow(expect.objectContaining({ name: 'ApiError', status: 500 }));
    await expect(read(failed)).rejects.toThrow(/Overloaded/);
    await expect(read(dataEvents([chunk({ content: 'Hel' })]))).rejects.toBeInstanceOf(ApiError);
    await expect(read(dataEvents([chunk({ content: 'Hel' })]))).rejects.toThrow(/ended before the answer was complete/);
  });
});
