// The examples as libraries: an existing Express app that mounts the stack on /v1, and the custom-signal
// plugin routing a code question to its rule. Each example's policy names a fixed mock port (4201, 4301).
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type RunningGateway } from '@switchyard/cli';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import OpenAI from 'openai';
import { loadPolicy } from 'switchyard';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript example without type declarations
import { createApp } from '../examples/existing-app/app.js';
// @ts-expect-error -- plain JavaScript example without type declarations
import { createApp as createPiecewiseApp } from '../examples/piecewise/app.js';
// @ts-expect-error -- plain JavaScript example without type declarations
import { taskSignal } from '../examples/custom-signal/task-signal.js';
import { chat as budgetChat, startBudgetGateway, type BudgetGateway } from './helpers/budget-gateway.js';
import { chat, chatCalls, onlyCall } from './helpers/gateway.js';

const example = (path: string) => fileURLToPath(new URL(`../examples/${path}`, import.meta.url));

describe('examples/existing-app', () => {
  const key = 'sk-existing-app-e2e';
  let mock: MockProvider;
  let server: Server;
  let base: string;
  let previousKey: string | undefined;

  beforeAll(async () => {
    previousKey = process.env.EXISTING_APP_OPENAI_KEY;
    process.env.EXISTING_APP_OPENAI_KEY = key; // app.js loads its policy with process.env
    mock = await startMockProvider({ port: 4201, apiKeys: [key] });
    const app = (await createApp(example('existing-app/policy.yaml'))) as import('express').Express;
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await mock?.close();
    if (previousKey === undefined) delete process.env.EXISTING_APP_OPENAI_KEY;
    else process.env.EXISTING_APP_OPENAI_KEY = previousKey;
  });
  beforeEach(() => mock.reset());

  it("the app's own routes still work, with their own body parser", async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const note = await fetch(`${base}/api/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'buy milk', model: 'not-a-model' }),
    });
    expect(note.status).toBe(201);
    expect(await note.json()).toEqual({ saved: { text: 'buy milk', model: 'not-a-model' } });
    expect(mock.calls).toHaveLength(0);
  });

  it('/v1 routes the OpenAI client by the policy', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-app-client', maxRetries: 0 });
    const plain = await chat(client, { model: 'assistant' });
    expect(plain.route).toBe('assistant/default');
    expect(plain.servedModel).toBe('gpt-4o-mini-2024-07-18');
    expect(onlyCall(mock).headers.authorization).toBe(`Bearer ${key}`);

    mock.reset();
    const withTools = await chat(client, {
      model: 'assistant',
      tools: [{ type: 'function', function: { name: 'search_notes', parameters: { type: 'object', properties: {} } } }],
    });
    expect(withTools.route).toBe('assistant/tools');
    expect(withTools.servedModel).toBe('gpt-4o-2024-08-06');
    expect(onlyCall(mock).model).toBe('gpt-4o-2024-08-06');

    const models = [];
    for await (const m of client.models.list()) models.push(m.id);
    expect(models).toEqual(expect.arrayContaining(['assistant', 'gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06']));
  });
});

describe('examples/piecewise', () => {
  const key = 'sk-piecewise-e2e';
  let mock: MockProvider;
  let server: Server;
  let client: OpenAI;

  beforeAll(async () => {
    process.env.PIECEWISE_OPENAI_KEY = key;
    mock = await startMockProvider({ port: 4401, apiKeys: [key] });
    const app = (await createPiecewiseApp(example('piecewise/policy.yaml'))) as import('express').Express;
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    client = new OpenAI({
      apiKey: 'unused',
      baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      maxRetries: 0,
    });
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await mock?.close();
    delete process.env.PIECEWISE_OPENAI_KEY;
  });
  beforeEach(() => mock.reset());

  it("should let the team's own handler call the model the rules chose", async () => {
    const plain = await client.chat.completions
      .create({ model: 'assistant', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(plain.data.choices[0]?.message.content).toBeTruthy();
    expect(plain.response.headers.get('x-chosen-model')).toBe('gpt-4o-mini-2024-07-18');

    const tools = [
      { type: 'function' as const, function: { name: 'search_notes', parameters: { type: 'object', properties: {} } } },
    ];
    const withTools = await client.chat.completions
      .create({ model: 'assistant', messages: [{ role: 'user', content: 'Find my notes about milk.' }], tools })
      .withResponse();
    expect(withTools.response.headers.get('x-chosen-model')).toBe('gpt-4o-2024-08-06');
    expect(mock.calls.map((c) => (c.body as { model: string }).model)).toEqual(['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06']);
  });

  it("should answer an unknown model with a 404 in OpenAI's shape, before the handler runs", async () => {
    const err = await client.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(mock.calls).toHaveLength(0);
  });
});

describe('examples/custom-signal', () => {
  const key = 'sk-custom-signal-e2e';
  let mock: MockProvider;
  let gateway: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    mock = await startMockProvider({ port: 4301, apiKeys: [key] });
    const compiled = await loadPolicy(example('custom-signal/policy.yaml'), {
      plugins: [taskSignal],
      env: { CUSTOM_SIGNAL_OPENAI_KEY: key },
    });
    gateway = await serve(compiled, { port: 0 });
    client = new OpenAI({ baseURL: gateway.url, apiKey: 'sk-client', maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway?.close(200);
    await mock?.close();
  });
  beforeEach(() => mock.reset());

  const ask = (content: string) => chat(client, { model: 'auto', messages: [{ role: 'user', content }] });

  it('a code question goes to the `code` rule', async () => {
    const r = await ask('Fix this bug: const x = ;');
    expect(r.route).toBe('auto/code');
    expect(r.servedModel).toBe('o3-mini-2025-01-31');
    expect(onlyCall(mock).model).toBe('o3-mini-2025-01-31');
  });

  it('an extraction task goes to the `extract` rule', async () => {
    const r = await ask('Extract the fields of this invoice: total 12 EUR, due 1 March.');
    expect(r.route).toBe('auto/extract');
    expect(r.servedModel).toBe('gpt-4o-2024-08-06');
  });

  it('small talk takes the default', async () => {
    const r = await ask('How are you today?');
    expect(r.route).toBe('auto/default');
    expect(r.servedModel).toBe('gpt-4o-mini-2024-07-18');
    expect(chatCalls(mock)).toHaveLength(1);
  });
});

describe('examples/workflows', () => {
  // The policy names fixed mock ports 4601-4604 (anthropic, openai, azure, labs).
  const KEYS = {
    WF_ANTHROPIC_KEY: 'sk-ant-wf',
    WF_OPENAI_KEY: 'sk-openai-wf',
    WF_AZURE_KEY: 'azure-wf',
    WF_LABS_KEY: 'labs-wf',
    WF_SUPPORT_APP_KEY: 'sk-support-app',
    WF_DATA_JOBS_KEY: 'sk-data-jobs',
    WF_FINANCE_APP_KEY: 'sk-finance-app',
  };
  let mocks: MockProvider[];
  let g: BudgetGateway;
  const [anthropic, openai, , labs] = [0, 1, 2, 3];

  beforeAll(async () => {
    const keys = [KEYS.WF_ANTHROPIC_KEY, KEYS.WF_OPENAI_KEY, KEYS.WF_AZURE_KEY, KEYS.WF_LABS_KEY];
    mocks = await Promise.all(keys.map((key, i) => startMockProvider({ port: 4601 + i, apiKeys: [key] })));
    g = await startBudgetGateway({ yaml: await readFile(example('workflows/policy.yaml'), 'utf8'), env: KEYS });
  });
  afterAll(async () => {
    await g?.close();
    await Promise.all((mocks ?? []).map((m) => m.close()));
  });
  beforeEach(() => {
    for (const m of mocks) m.reset();
  });

  const call = (workflow: string, key: string, headers: Record<string, string> = {}, body: Record<string, unknown> = {}) =>
    budgetChat(g.url, { model: 'auto', max_tokens: 1024, ...body }, key, { 'x-switchyard-workflow': workflow, ...headers });

  it('should never call the blocked experimental model, although the support route lists it', async () => {
    mocks[anthropic]!.script('claude-sonnet-4-6', { status: 503 });
    const r = await call('support_chat', KEYS.WF_SUPPORT_APP_KEY);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-switchyard-served-model')).toBe('gpt-5-mini@openai');
    expect(mocks[labs]!.calls).toHaveLength(0);
    // The upstream got its own model ID, not the policy's entry name.
    expect(mocks[openai]!.calls.at(-1)?.body).toMatchObject({ model: 'gpt-5-mini' });
  });

  it('should return a finance failure once, escalated, without any fallback', async () => {
    mocks[openai]!.script('gpt-5', { status: 503 });
    const r = await call('finance_review', KEYS.WF_FINANCE_APP_KEY);
    expect(r.status).toBe(503);
    const record = await g.lastRecord();
    expect(record.attempts).toHaveLength(1);
    expect(record.escalate).toBe(true);
    expect(record.workflowOwner).toBe('finance_ops');
  });

  it('should hold one support conversation to max_run_usd under concurrent calls', async () => {
    // Each call holds its reservation for 200 ms: the 40 overlap, and their worst cases pass the ceiling.
    mocks[anthropic]!.script('claude-sonnet-4-6', { latencyMs: 200 });
    const run = { 'x-switchyard-run': `conversation-${Date.now()}` };
    const results = await Promise.all(Array.from({ length: 40 }, () => call('support_chat', KEYS.WF_SUPPORT_APP_KEY, run)));
    await g.settled();
    const refused = results.filter((r) => r.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.status === 429 && r.json.error.code === 'run_budget_exceeded')).toBe(true);
    const figures = await g.compiled.budget.store.get(
      g.compiled.budget.runKey('support_platform', 'support_chat', run['x-switchyard-run']),
    );
    expect(figures.spendUsd).toBeLessThanOrEqual(0.25);
    expect(figures.reservedUsd).toBe(0);
  });

  it('should refuse a call that names no workflow', async () => {
    const r = await budgetChat(g.url, { model: 'support', max_tokens: 10 }, KEYS.WF_SUPPORT_APP_KEY);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('unknown_workflow');
  });
});
