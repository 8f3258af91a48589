// The front doors every client meets, across provider formats: the Responses API (the official openai
// client's responses.create) and Google's own client (@google/genai) on the Gemini front door, each served by
// OpenAI-, Anthropic- and Gemini-format providers; and token counting, exact or estimated.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './helpers/gateway.js';
import { CLIENT_KEY, FORMATS, startThreeFormats } from './helpers/three-formats.js';

let h: Harness;
beforeAll(async () => {
  h = await startThreeFormats();
});
afterAll(() => h.close());

/** [route, mock, model] of each provider format. */
const ROUTES = FORMATS.map((f) => [f.route, f.mock, f.model] as const);

describe('the Responses API through every provider format', () => {
  it.each(ROUTES)('should answer responses.create on %s, served by the %s mock', async (route, mock, model) => {
    h.resetMocks();
    const { data, response } = await h.client.responses.create({ model: route, input: 'Say hello.' }).withResponse();
    expect(response.headers.get('x-switchyard-served-model')).toBe(model);
    expect(data.output_text.length).toBeGreaterThan(0);
    expect(data.usage?.input_tokens).toBeGreaterThan(0);
    expect(h.mocks[mock]!.calls).toHaveLength(1);
  });

  it.each(ROUTES)('should stream responses on %s, ending in response.completed', async (route) => {
    const stream = await h.client.responses.create({ model: route, input: 'Count to three.', stream: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(text.length).toBeGreaterThan(0);
  });

  it('should refuse previous_response_id on a route whose provider cannot hold state, with a clear 400', async () => {
    const err = await h.client.responses
      .create({ model: 'to-anthropic', input: 'Hi', previous_response_id: 'resp_123' })
      .catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/previous_response_id/);
  });
});

function google(apiKey = CLIENT_KEY): GoogleGenAI {
  // The SDK calls {baseUrl}/v1beta/models/{model}:{method}: the gateway serves that at its own root.
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: new URL(h.url).origin } });
}

describe('@google/genai on the Gemini front door', () => {
  it.each(ROUTES)('should generate content on %s, served by the %s mock', async (route, mock) => {
    h.resetMocks();
    const answer = await google().models.generateContent({ model: route, contents: 'Say hello.' });
    expect(answer.text?.length).toBeGreaterThan(0);
    expect(answer.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(h.mocks[mock]!.calls).toHaveLength(1);
  });

  it.each(ROUTES)('should stream content on %s', async (route) => {
    let text = '';
    for await (const chunk of await google().models.generateContentStream({ model: route, contents: 'Count to three.' })) {
      text += chunk.text ?? '';
    }
    expect(text.length).toBeGreaterThan(0);
  });

  it('should answer a tool call in Gemini shape from an OpenAI-format provider', async () => {
    const answer = await google().models.generateContent({
      model: 'to-openai',
      contents: 'What is the weather in Paris?',
      config: {
        tools: [
          {
            functionDeclarations: [
              { name: 'weather', parameters: { type: 'OBJECT' as never, properties: { city: { type: 'STRING' as never } } } },
            ],
          },
        ],
        toolConfig: { functionCallingConfig: { mode: 'ANY' as never } },
      },
    });
    expect(answer.functionCalls?.[0]?.name).toBe('weather');
  });

  it('should refuse a wrong key in Google error shape, whether sent as header or ?key=', async () => {
    const err = await google('sk-wrong')
      .models.generateContent({ model: 'to-gemini', contents: 'Hi' })
      .catch((e) => e);
    expect(err.status).toBe(401);
    expect(String(err.message)).toMatch(/UNAUTHENTICATED|not valid/);
    const res = await fetch(`${new URL(h.url).origin}/v1beta/models/to-gemini:generateContent?key=${CLIENT_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
    });
    expect(res.status).toBe(200);
    // The client's key never reaches the provider, in a header or in the query.
    const call = h.mocks.google!.calls.at(-1)!;
    expect(JSON.stringify(call.headers)).not.toContain(CLIENT_KEY);
    expect(call.path).not.toContain(CLIENT_KEY);
  });

  it('should answer an unknown model in Google error shape', async () => {
    const res = await fetch(`${new URL(h.url).origin}/v1beta/models/gemini:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });
});

describe('token counting', () => {
  it('should pass countTokens to a Gemini provider, and count for the others, labelled as an estimate', async () => {
    const exact = await fetch(`${new URL(h.url).origin}/v1beta/models/to-gemini:countTokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hello there, general.' }] }] }),
    });
    expect(exact.status).toBe(200);
    expect(exact.headers.get('x-switchyard-token-count')).toBeNull();
    expect(((await exact.json()) as { totalTokens: number }).totalTokens).toBeGreaterThan(0);

    const counted = await google().models.countTokens({ model: 'to-openai', contents: 'Hello there, general.' });
    expect(counted.totalTokens).toBeGreaterThan(0);
  });

  it("should count Anthropic's way: exact from an Anthropic provider, estimated elsewhere", async () => {
    const anthropic = new Anthropic({ baseURL: new URL(h.url).origin, apiKey: CLIENT_KEY, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'Hello there, general.' }];
    const exact = await anthropic.messages.countTokens({ model: 'to-anthropic', messages }).withResponse();
    expect(exact.data.input_tokens).toBeGreaterThan(0);
    expect(exact.response.headers.get('x-switchyard-token-count')).toBeNull();

    const estimated = await anthropic.messages.countTokens({ model: 'to-openai', messages }).withResponse();
    expect(estimated.data.input_tokens).toBeGreaterThan(0);
    expect(estimated.response.headers.get('x-switchyard-token-count')).toBe('estimate; tokenizer=o200k_base');
  });
});
