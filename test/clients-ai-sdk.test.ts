// The Vercel AI SDK through the gateway, in its default modes: `openai(id)` (the Responses API),
// `openai.chat(id)` (Chat Completions) and `@ai-sdk/anthropic` (Messages), each against OpenAI-, Anthropic-
// and Gemini-format providers: plain, streamed, tool and structured calls, and the faults a client must
// see as errors (an upstream 429, an error event mid-stream, a connection cut mid-stream).
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import {
  APICallError,
  generateObject,
  generateText,
  type LanguageModel,
  type StreamTextResult,
  stepCountIs,
  streamText,
  type ToolSet,
  tool,
} from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Harness } from './helpers/gateway.js';
import {
  CLIENT_KEY,
  FORMATS,
  type Format,
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

/** The client modes under test: how each builds a model for a route, and which gateway path it calls. */
const CLIENTS = [
  { name: 'openai(id)', model: (id: string) => createOpenAI({ baseURL: h.url, apiKey: CLIENT_KEY })(id), path: '/responses' },
  {
    name: 'openai.chat(id)',
    model: (id: string) => createOpenAI({ baseURL: h.url, apiKey: CLIENT_KEY }).chat(id),
    path: '/chat/completions',
  },
  {
    name: '@ai-sdk/anthropic',
    model: (id: string) => createAnthropic({ baseURL: h.url, apiKey: CLIENT_KEY })(id),
    path: '/messages',
  },
] as const satisfies readonly { name: string; model: (id: string) => LanguageModel; path: string }[];

const MATRIX = CLIENTS.flatMap((client) => FORMATS.map((format) => [client.name, format.format, client, format] as const));

/**
 * openai(id) keeps earlier output items at OpenAI (`store: true`) and sends references to them; a provider
 * of another format cannot resolve those, so multi-turn calls there keep the items in the request.
 */
function providerOptions(client: (typeof CLIENTS)[number], format: Format) {
  return client.name === 'openai(id)' && format.format !== 'openai' ? { openai: { store: false } } : undefined;
}

const weather = tool({
  description: 'The weather in a city.',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

const Person = z.object({ name: z.string(), age: z.number(), tags: z.array(z.string()) });

/** What a stream delivered: its text, its error parts and how it finished. */
async function drain<TOOLS extends ToolSet>(result: StreamTextResult<TOOLS, never>) {
  let text = '';
  const errors: unknown[] = [];
  let finishReason: string | undefined;
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta') text += part.text;
    else if (part.type === 'error') errors.push(part.error);
    else if (part.type === 'finish') finishReason = part.finishReason;
  }
  return { text, errors, finishReason };
}

describe.each(MATRIX)('AI SDK %s → %s provider', (_client, _format, client, format) => {
  it('should answer generateText with the served model and usage', async () => {
    const result = await generateText({ model: client.model(format.route), prompt: 'Say hello.', maxRetries: 0 });
    expect(result.text).toBe(`Mock reply from ${format.model}.`);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.response.headers?.['x-switchyard-served-model']).toBe(format.model);
    expect(onlyModelCall(h, format.mock).model ?? format.model).toBe(format.model);
  });

  it('should stream streamText in pieces that add up to the answer, with usage at the end', async () => {
    const result = streamText({ model: client.model(format.route), prompt: 'Count to three.', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(`Mock reply from ${format.model}.`);
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
    expect(lastBody(h, format.mock).stream ?? true).toBe(true);
  });

  it('should call a tool, send its result back and answer with text (two steps)', async () => {
    const result = await generateText({
      model: client.model(format.route),
      prompt: 'What is the weather in Paris?',
      tools: { weather },
      stopWhen: stepCountIs(2),
      prepareStep: ({ stepNumber }) => ({ toolChoice: stepNumber === 0 ? 'required' : 'auto' }),
      providerOptions: providerOptions(client, format),
      maxRetries: 0,
    });
    expect(result.steps).toHaveLength(2);
    const [call] = result.steps[0]!.toolCalls;
    expect(call).toMatchObject({ toolName: 'weather', input: { city: expect.any(String) } });
    expect(result.steps[0]!.toolResults[0]).toMatchObject({ toolName: 'weather', output: { celsius: 21 } });
    expect(result.text).toBe(`Mock reply from ${format.model}.`);
    const calls = modelCalls(h, format.mock);
    expect(calls).toHaveLength(2);
    // The second upstream call carries the tool's result, in the provider's own format.
    expect(JSON.stringify(calls[1]!.body)).toContain('celsius');
  });

  it('should stream a tool call', async () => {
    const result = streamText({
      model: client.model(format.route),
      prompt: 'What is the weather in Rome?',
      tools: { weather },
      toolChoice: 'required',
      maxRetries: 0,
    });
    const { errors, finishReason } = await drain(result);
    expect(errors).toStrictEqual([]);
    expect(finishReason).toBe('tool-calls');
    expect((await result.toolCalls)[0]).toMatchObject({ toolName: 'weather', input: { city: expect.any(String) } });
    expect((await result.toolResults)[0]).toMatchObject({ output: { celsius: 21 } });
  });

  it('should answer generateObject with an object that fits the schema', async () => {
    const { object } = await generateObject({
      model: client.model(format.route),
      schema: Person,
      prompt: 'Invent a person.',
      maxRetries: 0,
    });
    expect(Person.parse(object)).toStrictEqual(object);
  });

  it('should throw a 429 APICallError for an upstream 429', async () => {
    const err = await generateText({
      model: client.model(faultModel(format, 'rate-limited')),
      prompt: 'Hi',
      maxRetries: 0,
    }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as APICallError).statusCode).toBe(429);
    expect((err as APICallError).message.length).toBeGreaterThan(0);
  });

  it.each(['stream-error', 'stream-cut'] as const)('should end a stream with an error part on a %s', async (fault) => {
    const result = streamText({ model: client.model(faultModel(format, fault)), prompt: 'Hi', maxRetries: 0 });
    const { text, errors, finishReason } = await drain(result);
    expect(errors.length).toBeGreaterThan(0);
    expect(finishReason).not.toBe('stop');
    // What came before the failure is only a part of the answer.
    expect(text.length).toBeLessThan(`Mock reply from ${faultModel(format, fault)}.`.length);
  });
});

describe('AI SDK openai(id) conversations on a provider that cannot hold state', () => {
  const openai = () => createOpenAI({ baseURL: h.url, apiKey: CLIENT_KEY });

  /** A second turn that sends the first turn's answer back, as a chat UI does. */
  async function twoTurns(route: string, store?: boolean) {
    const providerOptions = store === undefined ? undefined : { openai: { store } };
    const prompt = [{ role: 'user' as const, content: 'Hi' }];
    const first = await generateText({ model: openai()(route), messages: prompt, providerOptions, maxRetries: 0 });
    return generateText({
      model: openai()(route),
      messages: [...prompt, ...first.response.messages, { role: 'user', content: 'And then?' }],
      providerOptions,
      maxRetries: 0,
    });
  }

  it('should carry a conversation with store: false', async () => {
    const second = await twoTurns('to-anthropic', false);
    expect(second.text).toBe(`Mock reply from ${FORMATS[1]!.model}.`);
    expect(JSON.stringify(lastBody(h, 'anthropic').messages)).toContain(`Mock reply from ${FORMATS[1]!.model}.`);
  });

  it('should carry a conversation by reference at an OpenAI-format provider, which holds the items', async () => {
    const second = await twoTurns('to-openai');
    expect(second.text).toBe(`Mock reply from ${FORMATS[0]!.model}.`);
  });

  it('should get a clear 400 for the item references of the default store: true, not a wrong answer', async () => {
    const err = await twoTurns('to-anthropic').catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as APICallError).statusCode).toBe(400);
    expect((err as APICallError).message).toMatch(/item_reference|store/);
  });
});

describe('@ai-sdk/anthropic to an OpenAI reasoning model', () => {
  it('should reach a model declared reasoning with max_completion_tokens', async () => {
    const result = await generateText({
      model: CLIENTS[2].model('reasoning'),
      prompt: 'Hi',
      maxOutputTokens: 50,
      maxRetries: 0,
    });
    expect(result.text).toBe(`Mock reply from ${REASONING}.`);
    const body = lastBody(h, 'openai');
    expect(body.max_completion_tokens).toBe(50);
    expect(body).not.toHaveProperty('max_tokens');
  });

  it("should pass OpenAI's own 400 on when the model is not declared reasoning", async () => {
    const err = await generateText({
      model: CLIENTS[2].model('reasoning-unmarked'),
      prompt: 'Hi',
      maxOutputTokens: 50,
      maxRetries: 0,
    }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as APICallError).statusCode).toBe(400);
    expect((err as APICallError).message).toMatch(/max_completion_tokens/);
  });
});
