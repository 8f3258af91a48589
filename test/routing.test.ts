// Routing by every built-in signal, by policy-declared JSONPath and header signals, and by plugin signals.
// Each route defaults to a model on mock `alpha`; its rule picks the model on mock `beta`. A request proves
// a rule matched by the gateway's headers, by the body's `model`, and by which mock saw which model.
import { setTimeout as delay } from 'node:timers/promises';
import type { MockProvider } from '@switchyard/mock-provider';
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import { defineSignal } from 'switchyard';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chat, chatCalls, MODELS, onlyCall, startHarness, type Harness, type PolicyContext } from './helpers/gateway.js';

const DEFAULT = MODELS.mini; // on alpha
const PICKED = MODELS.llama; // on beta

// A clock the tests move: hour_local and weekday read it through the `now` option.
const clock = { current: new Date('2025-01-15T20:30:00Z') };

// Plugin signals: sync, async, one that throws, one slower than its timeout.
const language = defineSignal({
  name: 'language',
  type: 'string',
  extract(req) {
    const messages = (req as { body?: { messages?: { role: string; content: unknown }[] } }).body?.messages ?? [];
    const last = [...messages].reverse().find((m) => m.role === 'user');
    return typeof last?.content === 'string' && /\b(bonjour|merci)\b/i.test(last.content) ? 'fr' : 'en';
  },
});
const vip = defineSignal({
  name: 'vip',
  type: 'bool',
  timeoutMs: 1_000,
  async extract(req) {
    await delay(5);
    return req.headers['x-vip'] === 'yes';
  },
});
let boomCalls = 0;
const boom = defineSignal({
  name: 'boom',
  type: 'bool',
  extract() {
    boomCalls += 1;
    throw new Error('plugin exploded on purpose');
  },
});
const slow = defineSignal({
  name: 'slow',
  type: 'bool',
  timeoutMs: 50,
  async extract() {
    await delay(3_000);
    return true;
  },
});

function rule(route: string, name: string, condition: string): string {
  return `  ${route}:
    default: ${DEFAULT}
    rules:
      - name: ${name}
        if: ${JSON.stringify(condition)}
        use: ${PICKED}
`;
}

function signalsPolicy(ctx: PolicyContext): string {
  return `version: 1
timezone: America/New_York
providers:
  alpha: { format: openai, base_url: "${ctx.url('alpha')}", credentials: [{ env: ${ctx.env('alpha')} }] }
  beta: { format: openai, base_url: "${ctx.url('beta')}", credentials: [{ env: ${ctx.env('beta')} }] }
models:
  ${MODELS.mini}: { provider: alpha, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
  ${MODELS.gpt4o}: { provider: alpha, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
  ${MODELS.llama}: { provider: beta, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
signals:
  priority: { from: "$.metadata.priority", type: string }
  score: { from: "$.extra.score", type: int }
  user_tier: { from: "header:x-user-tier", type: string }
routes:
${rule('by-input-tokens', 'long-context', 'input_tokens > 1000')}\
${rule('by-max-tokens', 'big-output', 'max_tokens > 1000')}\
${rule('by-schema', 'schema', 'has_schema')}\
${rule('by-tools', 'tools', 'has_tools')}\
${rule('by-images', 'images', 'has_images')}\
${rule('by-streaming', 'stream', 'streaming')}\
${rule('by-messages', 'long-thread', 'messages_count >= 4')}\
  by-model:
    default: ${DEFAULT}
    rules:
      - name: other-name
        if: model == "smart"
        use: ${MODELS.gpt4o}
      - name: own-name
        if: model == "by-model"
        use: ${PICKED}
  by-endpoint:
    default: ${DEFAULT}
    rules:
      - name: embeddings
        if: endpoint == "embeddings"
        use: ${MODELS.gpt4o}
      - name: chat
        if: endpoint == "chat"
        use: ${PICKED}
${rule('by-workflow', 'nightly', 'workflow == "nightly-batch"')}\
  by-owner:
    default: ${DEFAULT}
    rules:
      - name: someone-else
        if: owner == "search-team"
        use: ${MODELS.gpt4o}
      - name: anonymous
        if: owner == "default"
        use: ${PICKED}
${rule('by-hour', 'office-hours', 'hour_local >= 9 && hour_local < 17')}\
${rule('by-weekday', 'midweek', 'weekday == "wednesday"')}\
${rule('by-priority', 'high-priority', 'priority == "high"')}\
${rule('by-score', 'high-score', 'score >= 5')}\
${rule('by-tier', 'enterprise', 'user_tier == "enterprise"')}\
${rule('by-language', 'french', 'language == "fr"')}\
${rule('by-vip', 'vip', 'vip')}\
${rule('plugin-throws', 'boom', 'boom')}\
${rule('plugin-slow', 'slow', 'slow == true')}\
  ordered:
    default: ${DEFAULT}
    rules:
      - name: schema-first
        if: has_schema
        use: ${MODELS.gpt4o}
      - name: tools-second
        if: has_tools
        use: ${PICKED}
`;
}

let h: Harness;
let alpha: MockProvider;
let beta: MockProvider;

beforeAll(async () => {
  h = await startHarness({
    mocks: ['alpha', 'beta'],
    policy: signalsPolicy,
    plugins: [language, vip, boom, slow],
    now: () => clock.current,
  });
  alpha = h.mocks.alpha!;
  beta = h.mocks.beta!;
});
afterAll(() => h?.close());
beforeEach(() => h.resetMocks());

/** The rule of `route` matched: the picked model served it, on beta only. */
async function expectPicked(
  route: string,
  ruleName: string,
  params: Parameters<typeof chat>[1],
  headers?: Record<string, string>,
) {
  const r = await chat(h.client, params, { headers });
  expect(r.status).toBe(200);
  expect(r.route).toBe(`${route}/${ruleName}`);
  expect(r.servedModel).toBe(PICKED);
  expect(r.completion.model).toBe(PICKED);
  expect(onlyCall(beta).model).toBe(PICKED);
  expect(chatCalls(alpha)).toHaveLength(0);
  return r;
}

/** No rule of `route` matched: its default served it, on alpha only. */
async function expectDefault(route: string, params: Parameters<typeof chat>[1], headers?: Record<string, string>) {
  const r = await chat(h.client, params, { headers });
  expect(r.status).toBe(200);
  expect(r.route).toBe(`${route}/default`);
  expect(r.servedModel).toBe(DEFAULT);
  expect(r.completion.model).toBe(DEFAULT);
  expect(onlyCall(alpha).model).toBe(DEFAULT);
  expect(chatCalls(beta)).toHaveLength(0);
  return r;
}

const user = (content: string) => [{ role: 'user' as const, content }];

describe('built-in signals', () => {
  it('input_tokens: a long prompt goes to the long-context model', async () => {
    const long = 'The quick brown fox jumps over the lazy dog near the riverbank at dawn. '.repeat(400); // ~6k tokens
    await expectPicked('by-input-tokens', 'long-context', { model: 'by-input-tokens', messages: user(long) });
  });

  it('input_tokens: a short prompt stays on the default', async () => {
    await expectDefault('by-input-tokens', { model: 'by-input-tokens', messages: user('Hi there') });
  });

  it('input_tokens counts tokens, not bytes: 2,400 bytes of one-token words stay under 1000', async () => {
    const text = ' hello'.repeat(400); // 2400 bytes, ~400 tokens
    expect(Buffer.byteLength(text)).toBeGreaterThan(1000);
    await expectDefault('by-input-tokens', { model: 'by-input-tokens', messages: user(text) });
  });

  it('max_tokens', async () => {
    await expectPicked('by-max-tokens', 'big-output', { model: 'by-max-tokens', max_tokens: 4000 });
    h.resetMocks();
    await expectDefault('by-max-tokens', { model: 'by-max-tokens', max_tokens: 100 });
    h.resetMocks();
    await expectDefault('by-max-tokens', { model: 'by-max-tokens' });
  });

  it('has_schema', async () => {
    const r = await expectPicked('by-schema', 'schema', {
      model: 'by-schema',
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'answer',
          strict: true,
          schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false },
        },
      },
    });
    expect(JSON.parse(r.completion.choices[0]!.message.content!)).toHaveProperty('ok');
    h.resetMocks();
    await expectDefault('by-schema', { model: 'by-schema' });
  });

  it('has_tools', async () => {
    await expectPicked('by-tools', 'tools', {
      model: 'by-tools',
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        },
      ],
    });
    h.resetMocks();
    await expectDefault('by-tools', { model: 'by-tools' });
  });

  it('has_images', async () => {
    const parts: ChatCompletionContentPart[] = [
      { type: 'text', text: 'What is in this picture?' },
      {
        type: 'image_url',
        image_url: {
          url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
        },
      },
    ];
    await expectPicked('by-images', 'images', { model: 'by-images', messages: [{ role: 'user', content: parts }] });
    h.resetMocks();
    await expectDefault('by-images', {
      model: 'by-images',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'no picture' }] }],
    });
  });

  it('streaming: a stream request takes the streaming rule; a plain one does not', async () => {
    const { data, response } = await h.client.chat.completions
      .create({ model: 'by-streaming', messages: user('Hello!'), stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
    expect(response.headers.get('x-switchyard-route')).toBe('by-streaming/stream');
    expect(response.headers.get('x-switchyard-served-model')).toBe(PICKED);
    expect(text).toBe(`Mock reply from ${PICKED}.`);
    expect(onlyCall(beta).stream).toBe(true);
    expect(chatCalls(alpha)).toHaveLength(0);
    h.resetMocks();
    await expectDefault('by-streaming', { model: 'by-streaming' });
  });

  it('messages_count', async () => {
    await expectPicked('by-messages', 'long-thread', {
      model: 'by-messages',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'And now?' },
      ],
    });
    h.resetMocks();
    await expectDefault('by-messages', {
      model: 'by-messages',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
  });

  it('model: the name the client requested', async () => {
    await expectPicked('by-model', 'own-name', { model: 'by-model' });
  });

  it('endpoint: chat completions read as "chat"', async () => {
    await expectPicked('by-endpoint', 'chat', { model: 'by-endpoint' });
  });

  it('workflow: from the x-switchyard-workflow header', async () => {
    await expectPicked('by-workflow', 'nightly', { model: 'by-workflow' }, { 'x-switchyard-workflow': 'nightly-batch' });
  });

  it('workflow: from metadata.workflow in the body', async () => {
    await expectPicked('by-workflow', 'nightly', { model: 'by-workflow', metadata: { workflow: 'nightly-batch' } });
  });

  it('workflow: another workflow, or none, stays on the default', async () => {
    await expectDefault('by-workflow', { model: 'by-workflow' }, { 'x-switchyard-workflow': 'chat-ui' });
    h.resetMocks();
    await expectDefault('by-workflow', { model: 'by-workflow' });
  });

  it('owner: "default" while the policy has no client keys', async () => {
    await expectPicked('by-owner', 'anonymous', { model: 'by-owner' });
  });

  it('hour_local: in the policy time zone (15:30 in New York is 20:30 UTC)', async () => {
    clock.current = new Date('2025-01-15T20:30:00Z'); // 15:30 EST: inside 9-17, UTC hour 20 is not
    await expectPicked('by-hour', 'office-hours', { model: 'by-hour' });
    h.resetMocks();
    clock.current = new Date('2025-01-15T13:00:00Z'); // 08:00 EST: outside, UTC hour 13 would be inside
    await expectDefault('by-hour', { model: 'by-hour' });
  });

  it('weekday: lowercase English day in the policy time zone', async () => {
    clock.current = new Date('2025-01-16T03:00:00Z'); // Wednesday 22:00 in New York, Thursday in UTC
    await expectPicked('by-weekday', 'midweek', { model: 'by-weekday' });
    h.resetMocks();
    clock.current = new Date('2025-01-15T03:00:00Z'); // Tuesday 22:00 in New York, Wednesday in UTC
    await expectDefault('by-weekday', { model: 'by-weekday' });
  });

  it('first matching rule wins', async () => {
    const r = await chat(h.client, {
      model: 'ordered',
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: {} } } },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
    });
    expect(r.route).toBe('ordered/schema-first');
    expect(r.servedModel).toBe(MODELS.gpt4o);
    expect(onlyCall(alpha).model).toBe(MODELS.gpt4o);
  });
});

describe('signals declared in the policy', () => {
  it('JSONPath $.metadata.priority, sent as the SDK metadata', async () => {
    await expectPicked('by-priority', 'high-priority', { model: 'by-priority', metadata: { priority: 'high' } });
    h.resetMocks();
    await expectDefault('by-priority', { model: 'by-priority', metadata: { priority: 'low' } });
    h.resetMocks();
    await expectDefault('by-priority', { model: 'by-priority' });
  });

  it('JSONPath $.extra.score (int), sent as an extra body field', async () => {
    await expectPicked('by-score', 'high-score', { model: 'by-score', extra: { score: 7 } });
    h.resetMocks();
    await expectDefault('by-score', { model: 'by-score', extra: { score: 2 } });
  });

  it('header:x-user-tier, per request', async () => {
    await expectPicked('by-tier', 'enterprise', { model: 'by-tier' }, { 'x-user-tier': 'enterprise' });
    h.resetMocks();
    await expectDefault('by-tier', { model: 'by-tier' }, { 'x-user-tier': 'free' });
  });

  it('header:x-user-tier, from the client defaultHeaders', async () => {
    const client = h.newClient({ defaultHeaders: { 'X-User-Tier': 'enterprise' } });
    const r = await chat(client, { model: 'by-tier' });
    expect(r.route).toBe('by-tier/enterprise');
    expect(r.servedModel).toBe(PICKED);
    expect(onlyCall(beta).model).toBe(PICKED);
  });
});

describe('plugin signals (defineSignal)', () => {
  it('a sync plugin routes', async () => {
    await expectPicked('by-language', 'french', { model: 'by-language', messages: user('Bonjour, ça va ?') });
    h.resetMocks();
    await expectDefault('by-language', { model: 'by-language', messages: user('Good morning') });
  });

  it('an async plugin routes', async () => {
    await expectPicked('by-vip', 'vip', { model: 'by-vip' }, { 'x-vip': 'yes' });
    h.resetMocks();
    await expectDefault('by-vip', { model: 'by-vip' });
  });

  it('a plugin that throws: its signal is absent, the request succeeds on the default (not a 500)', async () => {
    const before = boomCalls;
    await expectDefault('plugin-throws', { model: 'plugin-throws' });
    expect(boomCalls).toBeGreaterThan(before); // it really ran and threw
  });

  it('a plugin slower than its timeoutMs: absent, the default answers without waiting for it', async () => {
    const started = Date.now();
    await expectDefault('plugin-slow', { model: 'plugin-slow' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('plugins are lazy: a route whose rules do not read them never runs them', async () => {
    const before = boomCalls;
    await expectDefault('by-max-tokens', { model: 'by-max-tokens' });
    expect(boomCalls).toBe(before);
  });
});
