// Google's own client (@google/genai) on the gateway's Gemini front door, in its default mode, against
// OpenAI-, Anthropic- and Gemini-format providers: generateContent, streams, function calling with the
// response sent back, responseSchema and responseJsonSchema, countTokens, chats (plain, streamed, with
// tools), and the faults a client must see as errors.
import { ApiError, FunctionCallingConfigMode, GoogleGenAI, type Part, Type } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from './helpers/gateway.js';
import {
  CLIENT_KEY,
  FORMATS,
  faultModel,
  lastBody,
  modelCalls,
  onlyModelCall,
  REASONING,
  startThreeFormats,
} from './helpers/three-formats.js';

let h: Harness;
beforeAll(async () => {
  h = await startThreeFormats();
});
afterAll(() => h.close());
beforeEach(() => h.resetMocks());

/** The SDK calls `{baseUrl}/v1beta/models/{model}:{method}`; the gateway serves that at its own root. */
function google(): GoogleGenAI {
  return new GoogleGenAI({ apiKey: CLIENT_KEY, httpOptions: { baseUrl: new URL(h.url).origin } });
}

const WEATHER = {
  name: 'weather',
  description: 'The weather in a city.',
  parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] },
};
const TOOLS = [{ functionDeclarations: [WEATHER] }];
const mode = (m: FunctionCallingConfigMode) => ({ functionCallingConfig: { mode: m } });

interface Person {
  name: string;
  age: number;
  tags: string[];
}
function isPerson(value: unknown): value is Person {
  const p = value as Person;
  return (
    typeof p?.name === 'string' &&
    typeof p.age === 'number' &&
    Array.isArray(p.tags) &&
    p.tags.every((t) => typeof t === 'string')
  );
}

async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe.each(FORMATS.map((format) => [format.format, format] as const))('@google/genai → %s provider', (_name, format) => {
  const reply = `Mock reply from ${format.model}.`;

  it('should generateContent with the served model and usage', async () => {
    const answer = await google().models.generateContent({ model: format.route, contents: 'Say hello.' });
    expect(answer.text).toBe(reply);
    expect(answer.modelVersion).toBe(format.model);
    expect(answer.candidates?.[0]?.finishReason).toBe('STOP');
    expect(answer.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(answer.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
    expect(onlyModelCall(h, format.mock)).toBeDefined();
  });

  it('should stream chunks that add up to the answer, usage on the last', async () => {
    const texts: string[] = [];
    let last: Awaited<ReturnType<GoogleGenAI['models']['generateContent']>> | undefined;
    for await (const chunk of await google().models.generateContentStream({ model: format.route, contents: 'Count.' })) {
      if (chunk.text) texts.push(chunk.text);
      last = chunk;
    }
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join('')).toBe(reply);
    expect(last?.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
  });

  it('should call a function, then answer from its functionResponse', async () => {
    const question = { role: 'user', parts: [{ text: 'What is the weather in Paris?' }] };
    const call = await google().models.generateContent({
      model: format.route,
      contents: [question],
      config: { tools: TOOLS, toolConfig: mode(FunctionCallingConfigMode.ANY) },
    });
    const fn = call.functionCalls?.[0];
    expect(fn).toMatchObject({ name: 'weather', args: { city: expect.any(String) } });
    const answer = await google().models.generateContent({
      model: format.route,
      contents: [
        question,
        call.candidates![0]!.content!,
        { role: 'user', parts: [{ functionResponse: { id: fn!.id, name: 'weather', response: { celsius: 21 } } }] },
      ],
      config: { tools: TOOLS, toolConfig: mode(FunctionCallingConfigMode.AUTO) },
    });
    expect(answer.text).toBe(reply);
    expect(JSON.stringify(lastBody(h, format.mock))).toContain('celsius');
  });

  it('should stream a function call', async () => {
    const calls: unknown[] = [];
    const stream = await google().models.generateContentStream({
      model: format.route,
      contents: 'What is the weather in Rome?',
      config: { tools: TOOLS, toolConfig: mode(FunctionCallingConfigMode.ANY) },
    });
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: 'weather', args: { city: expect.any(String) } });
  });

  it('should answer JSON that fits a responseSchema', async () => {
    const answer = await google().models.generateContent({
      model: format.route,
      contents: 'Invent a person.',
      config: {
        responseMimeType: 'application/json',
        responseSchema: {
          type: Type.OBJECT,
          properties: {
            name: { type: Type.STRING },
            age: { type: Type.NUMBER },
            tags: { type: Type.ARRAY, items: { type: Type.STRING } },
          },
          required: ['name', 'age', 'tags'],
        },
      },
    });
    expect(isPerson(JSON.parse(answer.text!))).toBe(true);
  });

  it('should answer JSON that fits a responseJsonSchema', async () => {
    const answer = await google().models.generateContent({
      model: format.route,
      contents: 'Invent a person.',
      config: {
        responseMimeType: 'application/json',
        responseJsonSchema: {
          type: 'object',
          properties: { name: { type: 'string' }, age: { type: 'number' }, tags: { type: 'array', items: { type: 'string' } } },
          required: ['name', 'age', 'tags'],
          additionalProperties: false,
        },
      },
    });
    expect(isPerson(JSON.parse(answer.text!))).toBe(true);
  });

  it('should count tokens, more for a longer prompt', async () => {
    const short = await google().models.countTokens({ model: format.route, contents: 'Hi' });
    const long = await google().models.countTokens({ model: format.route, contents: 'Hi there, '.repeat(50) });
    expect(short.totalTokens).toBeGreaterThan(0);
    expect(long.totalTokens).toBeGreaterThan(short.totalTokens!);
  });

  it('should carry a chat: the second message is sent with the first exchange', async () => {
    const chat = google().chats.create({ model: format.route });
    expect((await chat.sendMessage({ message: 'Hi' })).text).toBe(reply);
    expect((await chat.sendMessage({ message: 'And then?' })).text).toBe(reply);
    expect(chat.getHistory()).toHaveLength(4);
    expect(JSON.stringify(lastBody(h, format.mock))).toContain(reply);
  });

  it('should send a streamed chat answer, which the SDK keeps as one turn per chunk, back as one turn', async () => {
    const chat = google().chats.create({ model: format.route });
    for await (const _chunk of await chat.sendMessageStream({ message: 'Hi' })) {
      // drained: the chat keeps what the stream said
    }
    expect((await chat.sendMessage({ message: 'And then?' })).text).toBe(reply);
    const body = lastBody(h, format.mock);
    if (format.format === 'gemini') return; // passed through as the SDK sent it
    const assistant = (body.messages as { role: string; content: unknown }[]).filter((m) => m.role === 'assistant');
    expect(assistant).toHaveLength(1);
    expect(JSON.stringify(assistant[0]!.content)).toContain(reply);
  });

  it('should carry a streamed chat through a function call and its response', async () => {
    const chat = google().chats.create({ model: format.route });
    const calls: { id?: string; name?: string }[] = [];
    const first = await chat.sendMessageStream({
      message: 'What is the weather in Paris?',
      config: { tools: TOOLS, toolConfig: mode(FunctionCallingConfigMode.ANY) },
    });
    for await (const chunk of first) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toHaveLength(1);
    const response: Part = { functionResponse: { id: calls[0]!.id, name: 'weather', response: { celsius: 21 } } };
    let text = '';
    const second = await chat.sendMessageStream({
      message: [response],
      config: { tools: TOOLS, toolConfig: mode(FunctionCallingConfigMode.AUTO) },
    });
    for await (const chunk of second) text += chunk.text ?? '';
    expect(text).toBe(reply);
    expect(modelCalls(h, format.mock)).toHaveLength(2);
    expect(JSON.stringify(lastBody(h, format.mock))).toContain('celsius');
  });

  it('should throw an ApiError with status 429 for an upstream 429', async () => {
    const err = await thrown(() =>
      google().models.generateContent({ model: faultModel(format, 'rate-limited'), contents: 'Hi' }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
  });

  it.each(['stream-error', 'stream-cut'] as const)('should throw from the stream on a %s', async (fault) => {
    let text = '';
    const err = await thrown(async () => {
      const stream = await google().models.generateContentStream({ model: faultModel(format, fault), contents: 'Hi' });
      for await (const chunk of stream) text += chunk.text ?? '';
    });
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThan(`Mock reply from ${faultModel(format, fault)}.`.length);
  });
});

describe('@google/genai to an OpenAI reasoning model', () => {
  it('should reach a model declared reasoning with max_completion_tokens for maxOutputTokens', async () => {
    const answer = await google().models.generateContent({ model: 'reasoning', contents: 'Hi', config: { maxOutputTokens: 50 } });
    expect(answer.text).toBe(`Mock reply from ${REASONING}.`);
    const body = lastBody(h, 'openai');
    expect(body.max_completion_tokens).toBe(50);
    expect(body).not.toHaveProperty('max_tokens');
  });

  it("should pass OpenAI's own 400 on, in Google's shape, when the model is not declared reasoning", async () => {
    const err = await thrown(() =>
      google().models.generateContent({ model: 'reasoning-unmarked', contents: 'Hi', config: { maxOutputTokens: 50 } }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toMatch(/max_completion_tokens/);
  });
});
