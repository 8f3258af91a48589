// A reasoning model's output cap: `max_completion_tokens` on every wire to an OpenAI-format provider,
// and nothing else about the body changed; other models keep `max_tokens`.
import type { ModelConfig, ParsedRequest, ProviderConfig } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
// Through the package's entry, as its users load it: answers.ts and wires.ts depend on each other's order there.
import { capAsCompletionTokens, requestBody, toChatRequestFromGemini, toOpenAIRequest, wiresFor } from './index.js';
import type { JsonObject } from './json.js';
import { parsedRequest } from '../test/fixtures.js';

const OPENAI: ProviderConfig = {
  name: 'openai',
  format: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  credentials: [],
  forwardHeaders: [],
};
const model = (id: string, reasoning: boolean): ModelConfig => ({
  id,
  provider: 'openai',
  capabilities: new Set(reasoning ? (['tools', 'reasoning'] as const) : (['tools'] as const)),
});
const parsed = (path: string, body: JsonObject): ParsedRequest => parsedRequest(path, body);
const decode = (body: Buffer) => JSON.parse(body.toString('utf8')) as JsonObject;
const MESSAGES = [{ role: 'user', content: 'Hi' }];

describe('capAsCompletionTokens', () => {
  it('should move max_tokens to max_completion_tokens, keep one already there, and leave a body without a cap', () => {
    const request: JsonObject = { model: 'o3', max_tokens: 9 };
    expect(capAsCompletionTokens(request)).toBe(true);
    expect(request).toStrictEqual({ model: 'o3', max_completion_tokens: 9 });
    const both: JsonObject = { max_tokens: 9, max_completion_tokens: 5 };
    capAsCompletionTokens(both);
    expect(both).toStrictEqual({ max_completion_tokens: 5 });
    const none: JsonObject = { model: 'o3' };
    expect(capAsCompletionTokens(none)).toBe(false);
    expect(none).toStrictEqual({ model: 'o3' });
  });
});

describe('the output cap of a reasoning model', () => {
  it('should translate an Anthropic max_tokens to max_completion_tokens only when asked', () => {
    const body = { model: 'smart', max_tokens: 64, messages: MESSAGES };
    expect(toOpenAIRequest(body, { model: 'o3', reasoning: true })).toMatchObject({ max_completion_tokens: 64 });
    expect(toOpenAIRequest(body, { model: 'o3', reasoning: true })).not.toHaveProperty('max_tokens');
    expect(toOpenAIRequest(body, { model: 'gpt-4o' })).toMatchObject({ max_tokens: 64 });
    expect(toOpenAIRequest(body, { model: 'gpt-4o' })).not.toHaveProperty('max_completion_tokens');
  });

  it('should translate a Gemini maxOutputTokens to max_completion_tokens only when asked', () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { maxOutputTokens: 32 } };
    const reasoning = toChatRequestFromGemini(body, { model: 'o3', stream: false, reasoning: true });
    expect(reasoning.max_completion_tokens).toBe(32);
    expect(reasoning).not.toHaveProperty('max_tokens');
    expect(toChatRequestFromGemini(body, { model: 'gpt-4o', stream: false }).max_tokens).toBe(32);
  });

  it("should re-serialise a chat client's body for a reasoning model only when it sets max_tokens", () => {
    const capped = parsed('/chat/completions', { model: 'o3', messages: MESSAGES, max_tokens: 16, stream: true });
    expect(decode(requestBody(capped, 'o3', { reasoning: true }))).toStrictEqual({
      model: 'o3',
      messages: MESSAGES,
      max_completion_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
    const uncapped = parsed('/chat/completions', { model: 'o3', messages: MESSAGES, max_completion_tokens: 16 });
    expect(requestBody(uncapped, 'o3', { reasoning: true })).toBe(uncapped.raw);
    expect(requestBody(capped, 'o3')).not.toContain('max_completion_tokens');
    // Legacy completions keep their `max_tokens`: it is that endpoint's only cap.
    const completion = parsed('/completions', { model: 'o3', prompt: 'Hi', max_tokens: 16 });
    expect(requestBody(completion, 'o3', { reasoning: true })).toBe(completion.raw);
  });

  it.each([
    ['chat', '/chat/completions', { model: 'smart', messages: MESSAGES, max_tokens: 8 }],
    ['messages', '/messages', { model: 'smart', messages: MESSAGES, max_tokens: 8 }],
    [
      'gemini',
      '/models/smart:generateContent',
      { contents: [{ parts: [{ text: 'Hi' }] }], generationConfig: { maxOutputTokens: 8 } },
    ],
  ] as const)('should send the %s wire to an OpenAI reasoning model with max_completion_tokens', (endpoint, path, body) => {
    const wire = wiresFor(endpoint).get('openai')!;
    const reasoning = decode(wire.outgoing(parsed(path, body), model('o3', true), OPENAI).body);
    expect(reasoning).toMatchObject({ model: 'o3', max_completion_tokens: 8 });
    expect(reasoning).not.toHaveProperty('max_tokens');
    const plain = decode(wire.outgoing(parsed(path, body), model('gpt-4o', false), OPENAI).body);
    expect(plain).toMatchObject({ model: 'gpt-4o', max_tokens: 8 });
  });
});
