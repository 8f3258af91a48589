import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { embeddingBase64, embeddingVector } from './embedding-vectors.js';
import { startMockProvider } from './index.js';
import { jsonOf, postJson, sseData } from '../test/utils.js';
import type { MockProvider } from './types.js';

const MODEL = 'gpt-3.5-turbo-instruct';

describe('POST /v1/completions', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: ['sk-test'] });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());
  const headers = { authorization: 'Bearer sk-test' };

  it('should answer a text_completion with usage', async () => {
    const body = await jsonOf(postJson(mock, '/completions', { model: MODEL, prompt: 'Say hi' }, { headers }));
    expect(body).toMatchObject({
      object: 'text_completion',
      model: MODEL,
      choices: [{ text: `Mock reply from ${MODEL}.`, index: 0, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2, completion_tokens: 10, total_tokens: 12 },
    });
    expect(body.id).toMatch(/^cmpl-/);
  });

  it('should answer one choice per prompt and n, echo the prompt and cut at max_tokens', async () => {
    const body = await jsonOf(
      postJson(mock, '/completions', { model: MODEL, prompt: ['a', 'b'], n: 2, echo: true, max_tokens: 2 }, { headers }),
    );
    expect(body.choices.map((choice: { index: number; text: string }) => [choice.index, choice.text])).toEqual([
      [0, 'aMock rep'],
      [1, 'aMock rep'],
      [2, 'bMock rep'],
      [3, 'bMock rep'],
    ]);
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(8);
  });

  it('should stream text_completion chunks, the usage chunk and [DONE]', async () => {
    const res = await postJson(
      mock,
      '/completions',
      { model: MODEL, prompt: 'x', stream: true, stream_options: { include_usage: true } },
      { headers },
    );
    const data = sseData(await res.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((line) => JSON.parse(line));
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 10 } });
    const texts = chunks.slice(0, -1).map((chunk) => chunk.choices[0].text);
    expect(texts.join('')).toBe(`Mock reply from ${MODEL}.`);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks[0].choices[0].finish_reason).toBeNull();
  });

  it('should end a stream with an error data event and no [DONE] on a streamError', async () => {
    mock.script(MODEL, { streamError: 429 });
    const data = sseData(
      await (await postJson(mock, '/completions', { model: MODEL, prompt: 'x', stream: true }, { headers })).text(),
    );
    expect(data).toHaveLength(2);
    expect(JSON.parse(data[1]!).error.code).toBe('rate_limit_exceeded');
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('error'));
  });

  it.each([
    [{ prompt: 'x' }, 'you must provide a model parameter'],
    [{ model: MODEL }, "Missing required parameter: 'prompt'."],
    [{ model: MODEL, prompt: 'x', messages: [] }, 'Unrecognized request argument supplied: messages'],
    [
      { model: MODEL, prompt: 'x', stop: ['a', 'b', 'c', 'd', 'e'] },
      "Invalid 'stop': array too long. Expected an array with maximum length 4.",
    ],
    [
      { model: MODEL, prompt: [] },
      "Invalid type for 'prompt': expected a string or an array of strings or tokens, but got an array instead.",
    ],
  ])('should refuse %j', async (body, message) => {
    const res = await postJson(mock, '/completions', body, { headers });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.message).toBe(message);
  });

  it('should work with the openai client', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
    const completion = await client.completions.create({ model: MODEL, prompt: 'hi' });
    expect(completion.choices[0]?.text).toBe(`Mock reply from ${MODEL}.`);
  });
});

describe('POST /v1/embeddings', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider();
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());
  const embed = (body: unknown): Promise<Response> => postJson(mock, '/embeddings', body);

  it('should answer one deterministic vector per input with usage', async () => {
    const body = await jsonOf(embed({ model: 'text-embedding-3-small', input: ['hello world', 'bye'] }));
    expect(body).toMatchObject({ object: 'list', model: 'text-embedding-3-small', usage: { prompt_tokens: 4, total_tokens: 4 } });
    expect(body.data.map((item: { object: string; index: number }) => [item.object, item.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    expect(body.data[0].embedding).toHaveLength(8);
    const again = await jsonOf(embed({ model: 'text-embedding-3-small', input: 'hello world' }));
    expect(again.data[0].embedding).toEqual(body.data[0].embedding);
    expect(body.data[1].embedding).not.toEqual(body.data[0].embedding);
  });

  it('should honour dimensions and base64 encoding', async () => {
    const floats = await jsonOf(embed({ model: 'text-embedding-3-large', input: 'x', dimensions: 40 }));
    expect(floats.data[0].embedding).toHaveLength(40);
    const encoded = await jsonOf(
      embed({ model: 'text-embedding-3-large', input: 'x', dimensions: 40, encoding_format: 'base64' }),
    );
    const bytes = Buffer.from(encoded.data[0].embedding, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toEqual(floats.data[0].embedding);
  });

  it('should give the openai client (which asks for base64) the same floats', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
    expect(result.data[0]?.embedding).toEqual(embeddingVector('text-embedding-3-small', 'hello world', 8));
  });

  it.each([
    [
      { model: 'm', input: '' },
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
    ],
    [
      { model: 'm', input: [] },
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
    ],
    [{ model: 'm' }, "Missing required parameter: 'input'."],
    [{ model: 'm', input: 'x', encoding_format: 'hex' }, "Invalid value: 'hex'. Supported values are: 'float' and 'base64'."],
    [{ model: 'text-embedding-ada-002', input: 'x', dimensions: 8 }, 'This model does not support specifying dimensions.'],
    [
      { model: 'm', input: 'x', dimensions: 0 },
      "Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    ],
    [{ model: 'm', input: 'x', messages: 'x' }, 'Unrecognized request argument supplied: messages'],
  ])('should refuse %j', async (body, message) => {
    const res = await embed(body);
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.message).toBe(message);
  });

  it('should play scripted faults', async () => {
    mock.script('m', { status: 503 });
    expect((await embed({ model: 'm', input: 'x' })).status).toBe(503);
  });
});

describe('embeddingVector', () => {
  it('should be a deterministic unit vector whose base64 form decodes to the same floats', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 300 }), (model, text, dimensions) => {
        const vector = embeddingVector(model, text, dimensions);
        expect(vector).toHaveLength(dimensions);
        expect(embeddingVector(model, text, dimensions)).toEqual(vector);
        expect(Math.abs(Math.hypot(...vector) - 1)).toBeLessThan(1e-5);
        const bytes = Buffer.from(embeddingBase64(vector), 'base64');
        expect(Array.from({ length: dimensions }, (_, i) => bytes.readFloatLE(i * 4))).toEqual(vector);
      }),
    );
  });
});
