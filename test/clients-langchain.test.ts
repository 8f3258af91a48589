// LangChain's ChatOpenAI through the gateway, in its default mode (Chat Completions) and with
// `useResponsesApi`, against OpenAI-, Anthropic- and Gemini-format providers: invoke, stream, bindTools with
// a tool result sent back, withStructuredOutput, and the faults a client must see as errors.
import { type AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Harness } from './helpers/gateway.js';
import {
  CLIENT_KEY,
  FORMATS,
  faultModel,
  lastBody,
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

const MODES = [
  { name: 'ChatOpenAI', useResponsesApi: false, path: '/chat/completions' },
  { name: 'ChatOpenAI useResponsesApi', useResponsesApi: true, path: '/responses' },
] as const;

function chat(model: string, useResponsesApi: boolean, options: { maxTokens?: number } = {}): ChatOpenAI {
  return new ChatOpenAI({
    model,
    apiKey: CLIENT_KEY,
    configuration: { baseURL: h.url },
    maxRetries: 0,
    useResponsesApi,
    ...options,
  });
}

const weather = tool(async ({ city }) => JSON.stringify({ city, celsius: 21 }), {
  name: 'weather',
  description: 'The weather in a city.',
  schema: z.object({ city: z.string() }),
});

const Person = z.object({ name: z.string(), age: z.number(), tags: z.array(z.string()) });

const MATRIX = MODES.flatMap((mode) => FORMATS.map((format) => [mode.name, format.format, mode, format] as const));

/** The error an awaited call (or an iterated stream) threw; fails when it threw none. */
async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe.each(MATRIX)('LangChain %s → %s provider', (_mode, _format, mode, format) => {
  const reply = `Mock reply from ${format.model}.`;

  it('should invoke and answer with the served model and usage', async () => {
    const answer = await chat(format.route, mode.useResponsesApi).invoke('Say hello.');
    expect(answer.text).toBe(reply);
    expect(answer.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(answer.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(answer.response_metadata.model_name ?? answer.response_metadata.model).toBe(format.model);
    // The mode's own wire: a Responses object, else a chat completion.
    expect(answer.response_metadata.object === 'response').toBe(mode.useResponsesApi);
    expect(onlyModelCall(h, format.mock)).toBeDefined();
  });

  it('should stream chunks that add up to the answer', async () => {
    const texts: string[] = [];
    for await (const chunk of await chat(format.route, mode.useResponsesApi).stream('Count to three.')) {
      if (chunk.text !== '') texts.push(chunk.text);
    }
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join('')).toBe(reply);
  });

  it('should call a bound tool, then answer from the tool message', async () => {
    const forced = chat(format.route, mode.useResponsesApi).bindTools([weather], { tool_choice: 'weather' });
    const question = new HumanMessage('What is the weather in Paris?');
    const call = await forced.invoke([question]);
    expect(call.tool_calls?.[0]).toMatchObject({ name: 'weather', args: { city: expect.any(String) } });
    const result = await weather.invoke(call.tool_calls![0]!);
    expect(result).toBeInstanceOf(ToolMessage);

    const free = chat(format.route, mode.useResponsesApi).bindTools([weather]);
    const answer = await free.invoke([question, call as AIMessage, result as ToolMessage]);
    expect(answer.text).toBe(reply);
    expect(JSON.stringify(lastBody(h, format.mock))).toContain('celsius');
  });

  it('should stream a tool call', async () => {
    const forced = chat(format.route, mode.useResponsesApi).bindTools([weather], { tool_choice: 'weather' });
    let merged: Awaited<ReturnType<typeof forced.invoke>> | undefined;
    for await (const chunk of await forced.stream('What is the weather in Rome?')) {
      merged = merged === undefined ? chunk : merged.concat(chunk);
    }
    expect(merged?.tool_calls?.[0]).toMatchObject({ name: 'weather', args: { city: expect.any(String) } });
  });

  it('should answer withStructuredOutput with an object that fits the schema', async () => {
    const structured = chat(format.route, mode.useResponsesApi).withStructuredOutput(Person, { name: 'person' });
    const person = await structured.invoke('Invent a person.');
    // LangChain's default method is a JSON schema (response_format or text.format), not a tool call.
    if (format.format === 'openai') expect(JSON.stringify(lastBody(h, 'openai'))).toContain('"json_schema"');
    expect(Person.parse(person)).toStrictEqual(person);
  });

  it('should throw a 429 error for an upstream 429', async () => {
    const err = (await failure(() => chat(faultModel(format, 'rate-limited'), mode.useResponsesApi).invoke('Hi'))) as {
      status?: number;
      message: string;
    };
    expect(err.status).toBe(429);
    expect(err.message.length).toBeGreaterThan(0);
  });

  it.each(['stream-error', 'stream-cut'] as const)('should throw from the stream on a %s', async (fault) => {
    let text = '';
    const err = (await failure(async () => {
      for await (const chunk of await chat(faultModel(format, fault), mode.useResponsesApi).stream('Hi')) text += chunk.text;
    })) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThan(`Mock reply from ${faultModel(format, fault)}.`.length);
  });
});

describe('LangChain ChatOpenAI to an OpenAI reasoning model behind a route name', () => {
  it('should reach a model declared reasoning with max_completion_tokens for its maxTokens', async () => {
    const answer = await chat('reasoning', false, { maxTokens: 50 }).invoke('Hi');
    expect(answer.text).toBe(`Mock reply from ${REASONING}.`);
    const body = lastBody(h, 'openai');
    expect(body.max_completion_tokens).toBe(50);
    expect(body).not.toHaveProperty('max_tokens');
  });

  it("should pass OpenAI's own 400 on when the model is not declared reasoning", async () => {
    const err = (await failure(() => chat('reasoning-unmarked', false, { maxTokens: 50 }).invoke('Hi'))) as {
      status?: number;
      message: string;
    };
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/max_completion_tokens/);
  });
});
