import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import { geminiBody, postGemini } from '../test/native.js';
import { jsonOf } from '../test/utils.js';
import type { MockProvider } from './types.js';

const MODEL = 'gemini-2.5-pro';
const KEY = 'AIza-mock-key';
const WEATHER = {
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' }, days: { type: 'INTEGER' } }, required: ['city', 'days'] },
};
const TIME = {
  name: 'get_time',
  parametersJsonSchema: { type: 'object', properties: { zone: { enum: ['UTC'] } }, required: ['zone'] },
};

describe('gemini generateContent', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should answer a GenerateContentResponse in Google shape', async () => {
    const res = await postGemini(mock, geminiBody());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(await jsonOf(res)).toEqual({
      candidates: [
        { content: { parts: [{ text: `Mock reply from ${MODEL}.` }], role: 'model' }, finishReason: 'STOP', index: 0 },
      ],
      usageMetadata: {
        promptTokenCount: 6, // "Say hello." = 10 chars → 3 tokens, plus 3 for the turn
        candidatesTokenCount: 8,
        totalTokenCount: 14,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 6 }],
      },
      modelVersion: MODEL,
      responseId: expect.any(String),
    });
  });

  it('should record the call with the model from the path', async () => {
    await (await postGemini(mock, geminiBody(), { model: 'gemini-2.5-flash', query: '?foo=1' })).text();
    expect(mock.calls[0]).toMatchObject({
      model: 'gemini-2.5-flash',
      path: '/v1beta/models/gemini-2.5-flash:generateContent',
      stream: false,
      status: 200,
      outcome: 'completed',
      body: geminiBody(),
    });
  });

  it('should answer the same under /v1/models/… (the stable API version)', async () => {
    const res = await fetch(`${mock.url}/models/${MODEL}:generateContent`, {
      method: 'POST',
      body: JSON.stringify(geminiBody()),
    });
    expect(res.status).toBe(200);
    expect((await jsonOf(res)).candidates[0].content.role).toBe('model');
  });

  it('should call the first function when functionCallingConfig.mode is ANY, with finishReason STOP', async () => {
    const body = await jsonOf(
      postGemini(
        mock,
        geminiBody({
          tools: [{ functionDeclarations: [WEATHER, TIME] }],
          toolConfig: { functionCallingConfig: { mode: 'ANY' } },
        }),
      ),
    );
    expect(body.candidates[0]).toEqual({
      content: { parts: [{ functionCall: { name: 'get_weather', args: { city: 'mock', days: 0 } } }], role: 'model' },
      finishReason: 'STOP',
      index: 0,
    });
    expect(body.usageMetadata.candidatesTokenCount).toBeGreaterThan(0);
  });

  it('should call the first allowed function, reading parametersJsonSchema and snake_case fields', async () => {
    const body = await jsonOf(
      postGemini(mock, {
        contents: [{ role: 'user', parts: [{ text: 'Time?' }] }],
        tools: [{ function_declarations: [WEATHER, TIME] }],
        tool_config: { function_calling_config: { mode: 'ANY', allowed_function_names: ['get_time'] } },
      }),
    );
    expect(body.candidates[0].content.parts).toEqual([{ functionCall: { name: 'get_time', args: { zone: 'UTC' } } }]);
  });

  it('should answer text when functions are only offered (AUTO)', async () => {
    const body = await jsonOf(postGemini(mock, geminiBody({ tools: [{ functionDeclarations: [WEATHER] }] })));
    expect(body.candidates[0].content.parts[0].text).toBeTypeOf('string');
  });

  it('should answer JSON from responseSchema in JSON mode', async () => {
    const schema = {
      type: 'OBJECT',
      properties: { answer: { type: 'STRING' }, tags: { type: 'ARRAY', items: { type: 'STRING' } } },
      required: ['answer', 'tags'],
    };
    const body = await jsonOf(
      postGemini(mock, geminiBody({ generationConfig: { responseMimeType: 'application/json', responseSchema: schema } })),
    );
    expect(JSON.parse(body.candidates[0].content.parts[0].text)).toEqual({ answer: 'mock', tags: [] });
    const free = await jsonOf(postGemini(mock, geminiBody({ generationConfig: { responseMimeType: 'application/json' } })));
    expect(JSON.parse(free.candidates[0].content.parts[0].text)).toEqual({ reply: `Mock reply from ${MODEL}.` });
  });

  it('should stop at maxOutputTokens with MAX_TOKENS', async () => {
    const body = await jsonOf(postGemini(mock, geminiBody({ generationConfig: { maxOutputTokens: 2 } })));
    expect(body.candidates[0]).toMatchObject({ content: { parts: [{ text: 'Mock rep' }] }, finishReason: 'MAX_TOKENS' });
    expect(body.usageMetadata.candidatesTokenCount).toBe(2);
  });

  it('should end at a stop sequence with STOP', async () => {
    const body = await jsonOf(postGemini(mock, geminiBody({ generationConfig: { stopSequences: ['from'] } })));
    expect(body.candidates[0]).toMatchObject({ content: { parts: [{ text: 'Mock reply ' }] }, finishReason: 'STOP' });
  });

  it('should count the system instruction and function turns in promptTokenCount', async () => {
    const base = (await jsonOf(postGemini(mock, geminiBody()))).usageMetadata.promptTokenCount;
    const withSystem = await jsonOf(postGemini(mock, geminiBody({ systemInstruction: { parts: [{ text: 'x'.repeat(40) }] } })));
    expect(withSystem.usageMetadata.promptTokenCount).toBe(base + 10);
  });

  it('should report scripted cachedTokens as cachedContentTokenCount within promptTokenCount', async () => {
    const body = await jsonOf(postGemini(mock, geminiBody(), { headers: { 'x-mock-cached-tokens': '4' } }));
    expect(body.usageMetadata).toMatchObject({
      promptTokenCount: 6,
      cachedContentTokenCount: 4,
      cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 4 }],
      totalTokenCount: 14,
    });
  });

  it('should report a scripted finishReason verbatim', async () => {
    mock.script(MODEL, { finishReason: 'SAFETY' });
    expect((await jsonOf(postGemini(mock, geminiBody()))).candidates[0].finishReason).toBe('SAFETY');
  });

  it('should use the geminiReply option for the text', async () => {
    const custom = await startMockProvider({ geminiReply: (request, model) => `${model}: ${request.contents.length} turn(s)` });
    try {
      expect((await jsonOf(postGemini(custom, geminiBody()))).candidates[0].content.parts[0].text).toBe(`${MODEL}: 1 turn(s)`);
    } finally {
      await custom.close();
    }
  });
});

describe('gemini auth', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [KEY] });
  });
  afterAll(() => mock.close());

  it('should accept the key in x-goog-api-key or in ?key=', async () => {
    expect((await postGemini(mock, geminiBody(), { key: KEY })).status).toBe(200);
    expect((await postGemini(mock, geminiBody(), { query: `?key=${KEY}` })).status).toBe(200);
  });

  it('should refuse a request without a key with 403 PERMISSION_DENIED', async () => {
    const res = await postGemini(mock, geminiBody(), { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(403);
    expect((await jsonOf(res)).error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
  });

  it('should refuse a wrong key with 400 INVALID_ARGUMENT API_KEY_INVALID, without echoing it', async () => {
    const res = await postGemini(mock, geminiBody(), { key: 'AIza-wrong-secret' });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).error).toMatchObject({
      code: 400,
      message: 'API key not valid. Please pass a valid API key.',
      status: 'INVALID_ARGUMENT',
      details: [expect.objectContaining({ reason: 'API_KEY_INVALID' })],
    });
    expect(text).not.toContain('AIza-wrong-secret');
  });

  it('should check the key before the body', async () => {
    expect((await postGemini(mock, 'not json')).status).toBe(403);
  });
});
