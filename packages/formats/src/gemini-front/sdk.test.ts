// The official Google client (@google/genai) against the front door's translations, over real HTTP: the
// requests it sends translate into the expected chat requests, and what it reads back is what it expects.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type } from '@google/genai';
import type { SwitchyardError } from '@switchyard/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { countTokensAnswer, toChatRequestFromCountTokens } from './count-tokens.js';
import { googleError } from './errors.js';
import { readGeminiPath } from './path.js';
import { toChatRequestFromGemini } from './request.js';
import { toGeminiResponse } from './response.js';

const MODEL = 'gpt-4o-2024-08-06';

/** A stand-in gateway: translates each request, records it, and answers with the next completion. */
async function gateway(completions: JsonObject[]) {
  const seen: { path: string; chat: JsonObject }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const target = readGeminiPath(req.url ?? '')!;
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      try {
        const body = JSON.parse(raw);
        if (target.method === 'countTokens') {
          seen.push({ path: req.url!, chat: toChatRequestFromCountTokens(body, { model: MODEL }) });
          return answer(200, countTokensAnswer(11));
        }
        seen.push({ path: req.url!, chat: toChatRequestFromGemini(body, { model: MODEL, stream: target.stream }) });
        answer(200, toGeminiResponse(completions.shift(), { model: MODEL }));
      } catch (err) {
        const { status, body } = googleError(err as SwitchyardError);
        answer(status, body);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { ai: new GoogleGenAI({ apiKey: 'gateway-key', httpOptions: { baseUrl } }), seen };
}

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const completion = (message: JsonObject, finish_reason: string): JsonObject => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason }],
  usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25, prompt_tokens_details: { cached_tokens: 8 } },
});
const WEATHER = {
  name: 'get_weather',
  description: 'Weather in a city',
  parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] },
};
const WEATHER_CHAT = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('the official Google client through the front door', () => {
  it('should have its generateContent config translated, and read text and usage back', async () => {
    const { ai, seen } = await gateway([completion({ content: '{"n":1}' }, 'stop')]);
    const response = await ai.models.generateContent({
      model: 'smart',
      contents: 'Count to one',
      config: {
        systemInstruction: 'Answer in JSON.',
        temperature: 0.2,
        topK: 5,
        maxOutputTokens: 50,
        responseMimeType: 'application/json',
        responseSchema: { type: Type.OBJECT, properties: { n: { type: Type.INTEGER, nullable: true } } },
        thinkingConfig: { thinkingBudget: 0 },
        safetySettings: [],
      },
    });
    expect(seen).toStrictEqual([
      {
        path: '/v1beta/models/smart:generateContent',
        chat: {
          model: MODEL,
          messages: [
            { role: 'system', content: 'Answer in JSON.' },
            { role: 'user', content: 'Count to one' },
          ],
          temperature: 0.2,
          max_tokens: 50,
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'response', schema: { type: 'object', properties: { n: { type: ['integer', 'null'] } } } },
          },
        },
      },
    ]);
    expect(response.text).toBe('{"n":1}');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata).toMatchObject({
      promptTokenCount: 20,
      candidatesTokenCount: 5,
      totalTokenCount: 25,
      cachedContentTokenCount: 8,
    });
    expect(response.modelVersion).toBe(MODEL);
  });

  it('should round-trip a function call in a chat session: the call id comes back with its response', async () => {
    const { ai, seen } = await gateway([
      completion(
        {
          content: null,
          tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        'tool_calls',
      ),
      completion({ content: 'It is 18°C.' }, 'stop'),
    ]);
    const chat = ai.chats.create({
      model: 'smart',
      config: {
        tools: [{ functionDeclarations: [WEATHER] }],
        toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ['get_weather'] } },
      },
    });
    const first = await chat.sendMessage({ message: 'Weather in Paris?' });
    expect(first.functionCalls).toStrictEqual([{ id: 'call_9', name: 'get_weather', args: { city: 'Paris' } }]);
    const call = first.functionCalls![0]!;
    const second = await chat.sendMessage({
      message: [{ functionResponse: { id: call.id, name: call.name, response: { temp: 18 } } }],
    });
    expect(second.text).toBe('It is 18°C.');
    expect(seen[1]!.chat).toStrictEqual({
      model: MODEL,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_9', content: '{"temp":18}' },
      ],
      tools: [WEATHER_CHAT],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
  });

  it('should count tokens, and throw an ApiError with the status and message of a refusal', async () => {
    const { ai, seen } = await gateway([]);
    expect((await ai.models.countTokens({ model: 'smart', contents: 'Hello' })).totalTokens).toBe(11);
    expect(seen[0]!.chat).toStrictEqual({ model: MODEL, messages: [{ role: 'user', content: 'Hello' }] });
    const refused = ai.models.generateContent({ model: 'smart', contents: 'Hi', config: { tools: [{ googleSearch: {} }] } });
    const err = await refused.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400 });
    expect(JSON.parse((err as ApiError).message)).toStrictEqual({
      error: {
        code: 400,
        message: 'The built-in tool `googleSearch` is not available from this model; functionDeclarations are.',
        status: 'INVALID_ARGUMENT',
      },
    });
  });
});
