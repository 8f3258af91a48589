// The Anthropic-compatible front door end to end: the official @anthropic-ai/sdk client on /v1/messages,
// passed through untouched to the mock's Anthropic side (its exact bytes, only model and credential
// changed) and translated to the mock's OpenAI side; every error, the gateway's own included, in
// Anthropic's shape.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { createMockHandler, type MockHandler } from '@switchyard/mock-provider';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_KEY, providerKey, rawPost, startHarness, type Harness, type PolicyContext } from './helpers/gateway.js';

const CLAUDE = 'claude-sonnet-4-6';
const GPT = 'gpt-4o-2024-08-06';
const ANTHROPIC_KEY = providerKey('anthropic');
const NARROW_KEY = 'sk-narrow-client';
const BROKE_KEY = 'sk-broke-client';
const HELLO: Anthropic.MessageParam[] = [{ role: 'user', content: 'Hello!' }];
const WEATHER: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather of a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/** The mock's Anthropic side behind a server that keeps each request body's exact bytes. */
interface CapturingMock {
  readonly origin: string;
  readonly handler: MockHandler;
  readonly bodies: Buffer[];
  close(): Promise<void>;
}

async function startCapturingMock(): Promise<CapturingMock> {
  const handler = createMockHandler({ apiKeys: [ANTHROPIC_KEY] });
  const bodies: Buffer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(body);
      // The mock reads a body that was already consumed from req.body.
      Object.assign(req, { body });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handler,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function policy(ctx: PolicyContext, anthropicOrigin: string): string {
  return `version: 1
providers:
  anthropic: { format: anthropic, base_url: ${anthropicOrigin}, credentials: [{ env: ANTHROPIC_KEY }], forward_headers: [x-mock-*] }
  openai: { format: openai, base_url: ${ctx.url('openai')}, credentials: [{ env: ${ctx.env('openai')} }], forward_headers: [x-mock-*] }
models:
  ${CLAUDE}: { provider: anthropic, max_output_tokens: 8192, capabilities: [tools, json_schema, streaming, vision], price: { input: 3, output: 15, cached_input: 0.3 } }
  ${GPT}: { provider: openai, max_output_tokens: 16384, capabilities: [tools, json_schema, streaming, vision], price: { input: 2.5, output: 10 } }
routes:
  smart:
    default: ${CLAUDE}
    rules:
      - { name: schema, if: has_schema, use: ${GPT} }
keys:
  - { name: app, secret: { env: E2E_CLIENT }, owner: app }
  - { name: narrow, secret: { env: E2E_NARROW }, owner: app, allow: [smart] }
  - { name: broke, secret: { env: E2E_BROKE }, owner: broke }
budgets:
  owners:
    app: { monthly_usd: 1000, hard_stop: false }
    broke: { monthly_usd: 0.000001, hard_stop: true }
`;
}

let h: Harness;
let claude: CapturingMock;
let client: Anthropic;
/** The request bodies the client sent, as it sent them. */
const sent: string[] = [];

function anthropicClient(apiKey: string): Anthropic {
  return new Anthropic({
    baseURL: h.url.replace(/\/v1$/, ''),
    apiKey,
    maxRetries: 0,
    fetch: (url, init) => {
      if (typeof init?.body === 'string') sent.push(init.body);
      return fetch(url, init);
    },
  });
}

beforeAll(async () => {
  claude = await startCapturingMock();
  h = await startHarness({
    mocks: ['openai'],
    policy: (ctx) => policy(ctx, claude.origin),
    bodyLimit: '64kb',
    env: { ANTHROPIC_KEY, E2E_CLIENT: CLIENT_KEY, E2E_NARROW: NARROW_KEY, E2E_BROKE: BROKE_KEY },
  });
  client = anthropicClient(CLIENT_KEY);
});
afterAll(async () => {
  await h?.close();
  await claude?.close();
});
beforeEach(() => {
  h.resetMocks();
  claude.handler.reset();
  claude.bodies.length = 0;
  sent.length = 0;
});

describe('@anthropic-ai/sdk → /v1/messages → the Anthropic mock (passthrough)', () => {
  it("should pass the client's exact bytes, with the provider's key in place of the client's", async () => {
    const { data, response } = await client.messages
      .create({
        model: CLAUDE,
        max_tokens: 64,
        system: 'Be brief.',
        messages: HELLO,
        stop_sequences: ['END'],
        metadata: { user_id: 'u-1' },
      })
      .withResponse();

    expect(data.content).toStrictEqual([{ type: 'text', text: `Mock reply from ${CLAUDE}.` }]);
    expect(data.model).toBe(CLAUDE);
    expect(data.usage).toMatchObject({
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
      cache_read_input_tokens: 0,
    });
    expect(response.headers.get('x-switchyard-served-model')).toBe(CLAUDE);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    // Priced from Anthropic's usage, at the served model's price.
    const { input_tokens, output_tokens } = data.usage;
    expect(Number(response.headers.get('x-switchyard-cost-usd'))).toBeCloseTo((input_tokens * 3 + output_tokens * 15) / 1e6, 12);
    expect(claude.bodies).toHaveLength(1);
    expect(claude.bodies[0]!.toString()).toBe(sent[0]);
    const headers = claude.handler.calls[0]!.headers;
    expect(headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(headers.authorization).toBeUndefined();
    expect(headers['anthropic-version']).toBe('2026-10-21');
    expect(JSON.stringify(headers)).not.toContain(CLIENT_KEY);
  });

  it('should change only the model of a route, and stream the events through as sent', async () => {
    const stream = client.messages.stream({ model: 'smart', max_tokens: 64, messages: HELLO });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();

    expect(texts.length).toBeGreaterThan(1);
    expect(message.content).toMatchObject([{ type: 'text', text: `Mock reply from ${CLAUDE}.` }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(claude.bodies[0]!.toString()).toBe(JSON.stringify({ ...(JSON.parse(sent[0]!) as object), model: CLAUDE }));
  });

  it("should pass the provider's own errors through as Anthropic sent them", async () => {
    const err = (await client.messages
      .create({ model: CLAUDE, max_tokens: 64, messages: HELLO }, { headers: { 'x-mock-status': '529' } })
      .catch((e: unknown) => e)) as APIError;
    expect(err).toBeInstanceOf(APIError);
    expect(err.status).toBe(529);
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });
});

describe('@anthropic-ai/sdk → /v1/messages → the OpenAI mock (translated)', () => {
  it('should answer a Message translated from the chat completion', async () => {
    const { data, response } = await client.messages
      .create({ model: GPT, max_tokens: 64, system: 'Be brief.', messages: HELLO })
      .withResponse();

    expect(data).toMatchObject({ type: 'message', role: 'assistant', model: GPT, stop_reason: 'end_turn', stop_sequence: null });
    expect(data.content).toStrictEqual([{ type: 'text', text: `Mock reply from ${GPT}.` }]);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-served-model')).toBe(GPT);
    expect(Number(response.headers.get('x-switchyard-cost-usd'))).toBeCloseTo(
      (data.usage.input_tokens * 2.5 + data.usage.output_tokens * 10) / 1e6,
      12,
    );
    const call = h.mocks.openai!.calls[0]!;
    expect(call.path).toBe('/v1/chat/completions');
    expect(call.body).toStrictEqual({
      model: GPT,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello!' },
      ],
      max_tokens: 64,
    });
    expect(call.headers.authorization).toBe(`Bearer ${providerKey('openai')}`);
  });

  it("should stream Anthropic's events translated from the chunks", async () => {
    const stream = client.messages.stream({ model: GPT, max_tokens: 64, messages: HELLO });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();

    expect(texts.join('')).toBe(`Mock reply from ${GPT}.`);
    expect(texts.length).toBeGreaterThan(1);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('should run a tool round trip through the translation', async () => {
    const first = await client.messages.create({
      model: GPT,
      max_tokens: 64,
      tools: [WEATHER],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content[0]!;
    if (call.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(call.name).toBe('get_weather');

    const second = await client.messages.create({
      model: GPT,
      max_tokens: 64,
      tools: [WEATHER],
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '4 °C' }] },
      ],
    });
    expect(second.content).toStrictEqual([{ type: 'text', text: `Mock reply from ${GPT}.` }]);
    expect(h.mocks.openai!.calls[1]!.body).toMatchObject({
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', tool_calls: [{ id: call.id, function: { name: 'get_weather' } }] },
        { role: 'tool', tool_call_id: call.id, content: '4 °C' },
      ],
    });
  });

  it('should route a structured-output request by has_schema and answer its JSON as text', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const { data, response } = await client.messages
      .create({ model: 'smart', max_tokens: 64, messages: HELLO, output_config: { format: { type: 'json_schema', schema } } })
      .withResponse();

    expect(response.headers.get('x-switchyard-route')).toBe('smart/schema');
    const text = data.content[0]!;
    if (text.type !== 'text') throw new Error('expected a text block');
    expect(JSON.parse(text.text)).toMatchObject({ city: expect.any(String) });
    expect(h.mocks.openai!.calls[0]!.body).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'output', schema } },
    });
  });

  it("should answer the provider's errors in Anthropic's shape", async () => {
    const err = (await client.messages
      .create({ model: GPT, max_tokens: 64, messages: HELLO }, { headers: { 'x-mock-status': '500' } })
      .catch((e: unknown) => e)) as APIError;
    expect(err.status).toBe(500);
    expect(err.error).toStrictEqual({ type: 'error', error: { type: 'api_error', message: expect.any(String) } });
  });
});

describe("/v1/messages: the gateway's own errors in Anthropic's shape", () => {
  async function refusal(request: Promise<unknown>): Promise<APIError> {
    const err = await request.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(APIError);
    return err as APIError;
  }

  it.each([
    [
      'an unknown key',
      () => anthropicClient('sk-nobody').messages.create({ model: 'smart', max_tokens: 9, messages: HELLO }),
      401,
      'authentication_error',
    ],
    [
      'a model outside the key',
      () => anthropicClient(NARROW_KEY).messages.create({ model: GPT, max_tokens: 9, messages: HELLO }),
      403,
      'permission_error',
    ],
    [
      'a family shortcut',
      () => client.messages.create({ model: 'claude', max_tokens: 9, messages: HELLO }),
      404,
      'not_found_error',
    ],
    ['no messages', () => client.messages.create({ model: 'smart', max_tokens: 9, messages: [] }), 400, 'invalid_request_error'],
    [
      'a body over the limit',
      () => client.messages.create({ model: 'smart', max_tokens: 9, messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }),
      413,
      'request_too_large',
    ],
    [
      'a spent budget',
      () => anthropicClient(BROKE_KEY).messages.create({ model: 'smart', max_tokens: 9, messages: HELLO }),
      429,
      'rate_limit_error',
    ],
  ])('should refuse %s with %i %s', async (_name, call, status, type) => {
    const err = await refusal(call());
    expect(err.status).toBe(status);
    expect(err.error).toStrictEqual({ type: 'error', error: { type, message: expect.any(String) } });
    expect(claude.bodies).toHaveLength(0);
  });

  it("should answer a body that is not JSON in Anthropic's shape", async () => {
    const res = await rawPost(`${h.url}/messages`, '{"model": "smart",');
    expect(res.status).toBe(400);
    expect(res.json).toStrictEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'The request body is not valid JSON.' },
    });
  });

  it("should list the gateway's models in Anthropic's shape to the Anthropic client", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      expect(model.type).toBe('model');
      ids.push(model.id);
    }
    expect(ids).toStrictEqual(['smart', CLAUDE, GPT]);
  });
});
