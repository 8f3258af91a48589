import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMockProvider } from './index.js';
import { geminiBody, geminiSse, postGemini } from '../test/native.js';
import { jsonOf, readUntilEnd } from '../test/utils.js';
import type { MockProvider } from './types.js';

const MODEL = 'gemini-2.5-pro';
const SSE = { method: 'streamGenerateContent', query: '?alt=sse' };

describe('gemini streamGenerateContent', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should stream SSE chunks framed with CRLF, finishReason and full usage in the last', async () => {
    const res = await postGemini(mock, geminiBody(), SSE);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    expect(text.startsWith('data: {"candidates":')).toBe(true);
    const chunks = geminiSse(text);
    expect(chunks).toHaveLength(4);
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts[0].text).join('')).toBe(`Mock reply from ${MODEL}.`);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.candidates[0]).not.toHaveProperty('finishReason');
      expect(chunk.usageMetadata).toEqual({
        promptTokenCount: 6,
        totalTokenCount: 6,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 6 }],
      });
    }
    const last = chunks.at(-1);
    expect(last.candidates[0]).toMatchObject({ content: { role: 'model' }, finishReason: 'STOP' });
    expect(last.usageMetadata).toMatchObject({ promptTokenCount: 6, candidatesTokenCount: 8, totalTokenCount: 14 });
    expect(new Set(chunks.map((chunk) => chunk.responseId)).size).toBe(1);
    expect(chunks.every((chunk) => chunk.modelVersion === MODEL)).toBe(true);
    expect(mock.calls[0]).toMatchObject({ model: MODEL, stream: true, outcome: 'completed' });
  });

  it('should stream a function call whole in one chunk', async () => {
    const res = await postGemini(
      mock,
      geminiBody({
        tools: [
          {
            functionDeclarations: [
              { name: 'lookup', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING' } }, required: ['q'] } },
            ],
          },
        ],
        toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      }),
      SSE,
    );
    const chunks = geminiSse(await res.text());
    expect(chunks).toHaveLength(1);
    expect(chunks[0].candidates[0]).toMatchObject({
      content: { parts: [{ functionCall: { name: 'lookup', args: { q: 'mock' } } }], role: 'model' },
      finishReason: 'STOP',
    });
    expect(chunks[0].usageMetadata.candidatesTokenCount).toBeGreaterThan(0);
  });

  it('should stream a JSON array without alt=sse', async () => {
    const res = await postGemini(mock, geminiBody(), { method: 'streamGenerateContent' });
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const text = await res.text();
    expect(text.startsWith('[{')).toBe(true);
    const chunks = JSON.parse(text);
    expect(chunks).toHaveLength(4);
    expect(chunks.at(-1).candidates[0].finishReason).toBe('STOP');
  });

  it('should send fewer chunks than asked rather than empty text', async () => {
    const res = await postGemini(mock, geminiBody({ generationConfig: { maxOutputTokens: 1 } }), {
      ...SSE,
      headers: { 'x-mock-chunks': '9' },
    });
    const chunks = geminiSse(await res.text());
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts[0].text)).toEqual(['M', 'o', 'c', 'k']);
    expect(chunks.at(-1).candidates[0].finishReason).toBe('MAX_TOKENS');
  });

  it('should send an error chunk after the scripted chunks on a streamError', async () => {
    mock.script(MODEL, { streamError: 503, dropAfterChunks: 2 });
    const res = await postGemini(mock, geminiBody(), SSE);
    const chunks = geminiSse(await res.text());
    expect(chunks).toHaveLength(3);
    expect(chunks[2]).toEqual({
      error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
    });
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('error'));
  });

  it('should close the JSON array after a mid-stream error element', async () => {
    const res = await postGemini(mock, geminiBody(), {
      method: 'streamGenerateContent',
      headers: { 'x-mock-stream-error': '500' },
    });
    const chunks = JSON.parse(await res.text());
    expect(chunks).toHaveLength(2);
    expect(chunks[1].error).toMatchObject({ code: 500, status: 'INTERNAL' });
  });

  it('should drop the connection after n chunks without a finishReason', async () => {
    mock.script(MODEL, { dropAfterChunks: 2 });
    const { text, broke } = await readUntilEnd(await postGemini(mock, geminiBody(), SSE));
    expect(broke).toBe(true);
    const chunks = geminiSse(text);
    expect(chunks).toHaveLength(2);
    expect(chunks.some((chunk) => chunk.candidates[0].finishReason)).toBe(false);
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('error'));
  });

  it('should send one corrupt chunk when malformed', async () => {
    const res = await postGemini(mock, geminiBody(), { ...SSE, headers: { 'x-mock-fault': 'malformed' } });
    const events = (await res.text()).split('\r\n\r\n').filter(Boolean);
    expect(events).toHaveLength(5);
    expect(() => JSON.parse(events[1]!.slice('data: '.length))).toThrow();
    expect(geminiSse(`${events.filter((_, i) => i !== 1).join('\r\n\r\n')}\r\n\r\n`)).toHaveLength(4);
  });

  it('should space chunks by chunkIntervalMs', async () => {
    mock.script(MODEL, { chunks: 3, chunkIntervalMs: 60 });
    const started = performance.now();
    const chunks = geminiSse(await (await postGemini(mock, geminiBody(), SSE)).text());
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(chunks).toHaveLength(3);
  });

  it('should wait latencyMs before answering and play a sequence one step per call', async () => {
    mock.script(MODEL, [{ latencyMs: 150 }, { status: 503 }, {}]);
    const started = performance.now();
    expect((await postGemini(mock, geminiBody(), SSE)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect((await postGemini(mock, geminiBody())).status).toBe(503);
    expect((await postGemini(mock, geminiBody())).status).toBe(200);
  });

  it('should answer a scripted 429 as Google JSON with RetryInfo before streaming', async () => {
    mock.script(MODEL, { status: 429, retryAfter: '7' });
    const res = await postGemini(mock, geminiBody(), SSE);
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(res.headers.get('retry-after')).toBe('7');
    expect((await jsonOf(res)).error).toEqual({
      code: 429,
      message: expect.any(String),
      status: 'RESOURCE_EXHAUSTED',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }],
    });
  });
});
