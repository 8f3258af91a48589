// "Done when" of the wire-formats issue: seed 004's policy (examples/smart-routing/policy.yaml, loaded as
// written) behind one `openai` client that always asks for model "smart". Anthropic serves by default,
// Gemini long inputs, OpenAI schema requests, Groq past 80 % of the month's spend, Together off-hours;
// every answer has the same shape, whatever format served it. Its mocks use the policy's fixed ports
// 4501–4505: the only test that may start them.
import { fileURLToPath } from 'node:url';
import { serve, type RunningGateway } from '@switchyard/cli';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import OpenAI from 'openai';
import { loadPolicy, type CompiledPolicy } from 'switchyard';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chat, type Routed } from './helpers/gateway.js';

const POLICY = fileURLToPath(new URL('../examples/smart-routing/policy.yaml', import.meta.url));
const PROVIDERS = ['anthropic', 'google', 'openai', 'groq', 'together'] as const;
const KEYS: Record<(typeof PROVIDERS)[number], [env: string, key: string]> = {
  anthropic: ['SMART_ANTHROPIC_KEY', 'sk-ant-e2e'],
  google: ['SMART_GEMINI_KEY', 'gemini-e2e'],
  openai: ['SMART_OPENAI_KEY', 'sk-openai-e2e'],
  groq: ['SMART_GROQ_KEY', 'gsk-e2e'],
  together: ['SMART_TOGETHER_KEY', 'together-e2e'],
};
const NOON = new Date('2026-03-04T12:00:00Z');
const NIGHT = new Date('2026-03-04T23:30:00Z');

let clock = NOON;
let compiled: CompiledPolicy;
let gateway: RunningGateway;
let client: OpenAI;
const mocks = {} as Record<(typeof PROVIDERS)[number], MockProvider>;

beforeAll(async () => {
  const env = Object.fromEntries(Object.values(KEYS));
  const started = await Promise.all(PROVIDERS.map((name, i) => startMockProvider({ port: 4501 + i, apiKeys: [KEYS[name][1]] })));
  for (const [i, name] of PROVIDERS.entries()) mocks[name] = started[i]!;
  compiled = await loadPolicy(POLICY, { env, now: () => clock });
  gateway = await serve(compiled, { port: 0 });
  client = new OpenAI({ baseURL: gateway.url, apiKey: 'sk-smart-client', maxRetries: 0, timeout: 10_000 });
});
afterAll(async () => {
  await gateway?.close(200);
  await compiled?.budget.shutdown();
  await Promise.all(Object.values(mocks).map((m) => m.close()));
});
beforeEach(() => {
  clock = NOON;
  resetMocks();
});

function resetMocks(): void {
  for (const mock of Object.values(mocks)) mock.reset();
}

/** The one provider that was called, and the answer looks like every other answer. */
function servedBy(routed: Routed, provider: (typeof PROVIDERS)[number], model: string, route: string): void {
  expect(routed.route).toBe(`smart/${route}`);
  expect(routed.servedModel).toBe(model);
  const { completion } = routed;
  expect(completion).toMatchObject({
    object: 'chat.completion',
    model,
    choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
  });
  expect(completion.choices[0]!.message.content).toEqual(expect.any(String));
  expect(completion.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  // No Anthropic or Google header reaches an OpenAI client.
  expect([...routed.headers.keys()].filter((name) => /^(anthropic-|x-goog-|request-id$)/.test(name))).toStrictEqual([]);
  for (const name of PROVIDERS) expect(mocks[name].calls.length, name).toBe(name === provider ? 1 : 0);
  expect(mocks[provider].calls[0]!.headers).not.toHaveProperty('authorization', 'Bearer sk-smart-client');
}

describe('seed 004: one client, model "smart", five providers in three wire formats', () => {
  it('should be served by Anthropic by default, in the Messages format', async () => {
    const routed = await chat(client, { model: 'smart' });

    servedBy(routed, 'anthropic', 'claude-sonnet-4-6', 'default');
    expect(routed.completion.choices[0]!.message.content).toBe('Mock reply from claude-sonnet-4-6.');
    expect(mocks.anthropic.calls[0]!.path).toBe('/v1/messages');
    expect(mocks.anthropic.calls[0]!.body).toMatchObject({ model: 'claude-sonnet-4-6', max_tokens: 64000 });
  });

  it('should stream the default from Anthropic as OpenAI chunks', async () => {
    const text = await client.chat.completions
      .stream({ model: 'smart', messages: [{ role: 'user', content: 'Hello!' }] })
      .finalContent();
    expect(text).toBe('Mock reply from claude-sonnet-4-6.');
    expect(mocks.anthropic.calls[0]!.stream).toBe(true);
  });

  it('should send a long input (over 100 000 tokens) to Gemini', async () => {
    const long = 'lorem ipsum '.repeat(60_000);
    const routed = await chat(client, { model: 'smart', messages: [{ role: 'user', content: long }] });

    servedBy(routed, 'google', 'gemini-2.5-pro', 'long-context');
    expect(mocks.google.calls[0]!.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent');
  });

  it('should send a schema request to OpenAI and hand back JSON that follows the schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const routed = await chat(client, {
      model: 'smart',
      response_format: { type: 'json_schema', json_schema: { name: 'place', schema, strict: true } },
    });

    servedBy(routed, 'openai', 'gpt-4o-2024-08-06', 'schema');
    expect(JSON.parse(routed.completion.choices[0]!.message.content!)).toMatchObject({ city: expect.any(String) });
  });

  it('should send night-time calls to Together (off-hours)', async () => {
    clock = NIGHT;
    servedBy(await chat(client, { model: 'smart' }), 'together', 'deepseek-ai/DeepSeek-R1', 'off-hours');
  });

  it('should move to Groq once the month has spent more than 80 % of its budget', async () => {
    const before = await compiled.budget.spend('default');
    expect(before.spendPct).toBeLessThan(0.8);
    servedBy(await chat(client, { model: 'smart' }), 'anthropic', 'claude-sonnet-4-6', 'default');

    await compiled.budget.settle({ key: compiled.budget.key('default'), id: 'e2e-spend', costUsd: 85 - before.spendUsd });
    resetMocks();
    const routed = await chat(client, { model: 'smart' });

    servedBy(routed, 'groq', 'llama-3.3-70b-versatile', 'burn-rate');
    // Rules before it still win: a schema request stays on OpenAI.
    resetMocks();
    const schema = await chat(client, {
      model: 'smart',
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
    });
    expect(schema.route).toBe('smart/schema');
  });
});
