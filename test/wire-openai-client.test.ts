// Wire formats end to end for OpenAI clients: the official `openai` client through the gateway to the
// mock's Anthropic Messages and Gemini sides, streaming and not, tool calls included, errors in OpenAI's
// shape, and a fallback from an OpenAI-format provider to an Anthropic one.
import type { MockProvider } from '@switchyard/mock-provider';
import type OpenAI from 'openai';
import { APIError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_KEY, chat, providerKey, startHarness, type Harness, type PolicyContext } from './helpers/gateway.js';

const CLAUDE = 'claude-sonnet-4-6';
const GEMINI = 'gemini-2.5-pro';
const GPT = 'gpt-4o-2024-08-06';

function policy(ctx: PolicyContext): string {
  const origin = (name: string) => ctx.url(name).replace(/\/v1$/, '');
  const all = 'capabilities: [tools, json_schema, streaming, vision]';
  return `version: 1
providers:
  openai: { format: openai, base_url: ${ctx.url('openai')}, credentials: [{ env: ${ctx.env('openai')} }], forward_headers: [x-mock-*] }
  anthropic: { format: anthropic, base_url: ${origin('anthropic')}, credentials: [{ env: ${ctx.env('anthropic')} }], forward_headers: [x-mock-*] }
  google: { format: gemini, base_url: ${origin('google')}/v1beta, credentials: [{ env: ${ctx.env('google')} }], forward_headers: [x-mock-*] }
models:
  ${GPT}: { provider: openai, ${all} }
  ${CLAUDE}: { provider: anthropic, max_output_tokens: 2048, ${all} }
  ${GEMINI}: { provider: google, ${all} }
routes:
  smart: { default: ${GPT}, fallbacks: [${CLAUDE}] }
`;
}

const WEATHER: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const ASK: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Oslo?' }];

let h: Harness;
let anthropic: MockProvider;
let google: MockProvider;
let openai: MockProvider;

beforeAll(async () => {
  h = await startHarness({
    mocks: ['openai', 'anthropic', 'google'],
    policy,
    mockOptions: { openai: { script: { [GPT]: { status: 503 } } } },
  });
  anthropic = h.mocks.anthropic!;
  google = h.mocks.google!;
  openai = h.mocks.openai!;
});
afterAll(() => h.close());
beforeEach(() => h.resetMocks());

describe.each([
  { name: 'Anthropic', model: CLAUDE, mock: () => anthropic, path: '/v1/messages' },
  { name: 'Gemini', model: GEMINI, mock: () => google, path: `/v1beta/models/${GEMINI}:` },
])('the openai client → gateway → the $name mock', ({ model, mock, path }) => {
  it('should answer a chat completion with the exact model that served and its usage', async () => {
    const { completion, servedModel, route } = await chat(h.client, {
      model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello!' },
      ],
    });

    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(model);
    expect(servedModel).toBe(model);
    expect(route).toBe('exact');
    expect(completion.choices[0]!.message.content).toBe(`Mock reply from ${model}.`);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    const call = mock().calls[0]!;
    expect(call.path.startsWith(path)).toBe(true);
    expect(JSON.stringify(call.headers)).not.toContain(CLIENT_KEY);
    expect(call.outcome).toBe('completed');
  });

  it('should stream text chunk by chunk to [DONE], with the usage chunk when asked', async () => {
    const stream = await h.client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Hello!' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const texts: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.model).toBe(model);
      const choice = chunk.choices[0];
      if (choice?.delta.content) texts.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(texts.join('')).toBe(`Mock reply from ${model}.`);
    expect(texts.length).toBeGreaterThan(1);
    expect(finish).toBe('stop');
    expect(usage!.prompt_tokens).toBeGreaterThan(0);
    expect(mock().calls[0]!.stream).toBe(true);
  });

  it('should run a tool call round trip, the call streamed and then answered', async () => {
    const first = await h.client.chat.completions
      .stream({ model, messages: ASK, tools: [WEATHER], tool_choice: 'required' })
      .finalChatCompletion();
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const call = first.choices[0]!.message.tool_calls![0]!;
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toMatchObject({ city: expect.any(String) });

    const second = await h.client.chat.completions.create({
      model,
      tools: [WEATHER],
      messages: [
        ...ASK,
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"temp_c": 4}' },
      ],
    });
    expect(second.choices[0]!.message.content).toBe(`Mock reply from ${model}.`);
    expect(second.choices[0]!.finish_reason).toBe('stop');
  });

  it("should answer the provider's errors in OpenAI's shape, with the status class kept", async () => {
    const err = await h.client.chat.completions
      .create(
        { model, messages: [{ role: 'user', content: 'Hello!' }] },
        { headers: { 'x-mock-status': '429', 'x-mock-retry-after': '3' } },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    const api = err as APIError;
    expect(api.status).toBe(429);
    expect(api.headers?.get('retry-after')).toBe('3');
    expect(api.error).toMatchObject({ type: 'rate_limit_error', message: expect.any(String), code: expect.any(String) });
  });

  it('should end a stream the provider failed mid-way so that the client throws', async () => {
    const stream = await h.client.chat.completions.create(
      { model, messages: [{ role: 'user', content: 'Hello!' }], stream: true },
      { headers: { 'x-mock-stream-error': '500' } },
    );
    const read = (async () => {
      for await (const _chunk of stream) {
        // read to the end
      }
    })();
    await expect(read).rejects.toBeInstanceOf(APIError);
  });
});

describe('failover across formats, end to end', () => {
  it('should fall back from the OpenAI-format provider (503) to the Anthropic one and serve the same client', async () => {
    const { completion, servedModel, headers } = await chat(h.client, { model: 'smart', tools: [WEATHER], messages: ASK });

    expect(servedModel).toBe(CLAUDE);
    expect(headers.get('x-switchyard-fallback-reason')).toBe('http_503');
    expect(headers.get('x-switchyard-attempts')).toBe('2');
    expect(completion.model).toBe(CLAUDE);
    expect(completion.choices[0]!.message.content).toBe(`Mock reply from ${CLAUDE}.`);
    expect(openai.calls.map((c) => c.status)).toStrictEqual([503]);
    expect(anthropic.calls).toHaveLength(1);
    expect(anthropic.calls[0]!.headers['x-api-key']).toBe(providerKey('anthropic'));
    expect(anthropic.calls[0]!.body).toMatchObject({ model: CLAUDE, max_tokens: 2048, tools: [{ name: 'get_weather' }] });
  });

  it('should fall back on a stream too, before its first byte', async () => {
    const text = await h.client.chat.completions.stream({ model: 'smart', messages: ASK }).finalContent();
    expect(text).toBe(`Mock reply from ${CLAUDE}.`);
    expect(anthropic.calls[0]!.stream).toBe(true);
  });
});

describe('who a provider bills', () => {
  it("should never forward the official client's organization and project, nor its key", async () => {
    const client = h.newClient({ organization: 'org-chosen-by-client', project: 'proj-chosen-by-client' });
    // Passed through to an OpenAI-format provider (its script's 503 lifted for this call), and translated.
    await client.chat.completions.create({ model: GPT, messages: ASK }, { headers: { 'x-mock-status': '200' } });
    await client.chat.completions.create({ model: CLAUDE, messages: ASK });
    await client.chat.completions.create({ model: GEMINI, messages: ASK });
    const sent = [...openai.calls, ...anthropic.calls, ...google.calls].map((c) => c.headers);
    expect(sent).toHaveLength(3);
    for (const headers of sent) {
      expect(headers['openai-organization']).toBeUndefined();
      expect(headers['openai-project']).toBeUndefined();
      expect(JSON.stringify(headers)).not.toContain(CLIENT_KEY);
      expect(JSON.stringify(headers)).not.toContain('chosen-by-client');
    }
  });
});
