// Budgets and keys through the whole stack, in-memory store: who may call, what each call cost, the
// per-call ceiling, the hard stop, the downgrade rule, releases and partial settlements, the admin report.
import { request as httpRequest } from 'node:http';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chat, startBudgetGateway, type BudgetGateway } from './helpers/budget-gateway.js';

const PROVIDER_KEY = 'sk-provider-alpha';
const KEYS = { search: 'sk-client-search-1f2e', lab: 'sk-client-lab-9a8b', admin: 'sk-admin-77c1' };
const ENV = { ALPHA_KEY: PROVIDER_KEY, KEY_SEARCH: KEYS.search, KEY_LAB: KEYS.lab, ADMIN_KEY: KEYS.admin };
/** USD per 1M tokens. */
const BIG = { input: 10, output: 30 };
const SMALL = { input: 1, output: 2 };

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ port: 0, apiKeys: [PROVIDER_KEY] });
});
afterAll(() => mock?.close());

const gateways: BudgetGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
  mock.reset();
});

function policy(sections: string): string {
  return `version: 1
timezone: Europe/Berlin
providers:
  alpha: { format: openai, base_url: ${mock.url}, credentials: [{ env: ALPHA_KEY }], forward_headers: [x-mock-*] }
models:
  big-model: { provider: alpha, max_output_tokens: 1000, capabilities: [streaming], price: { input: ${BIG.input}, output: ${BIG.output} } }
  small-model: { provider: alpha, max_output_tokens: 1000, capabilities: [streaming], price: { input: ${SMALL.input}, output: ${SMALL.output} } }
routes:
  smart:
    default: big-model
    rules:
      - { name: burn-rate, if: "monthly_spend_pct > 0.8", use: small-model }
  cheap: { default: small-model }
${sections}`;
}

const KEYED = `budgets:
  owners:
    search-team: { monthly_usd: 1, hard_stop: true }
    lab: {}
  admin_key: { env: ADMIN_KEY }
keys:
  - { name: search-backend, secret: { env: KEY_SEARCH }, owner: search-team, allow: [smart] }
  - { name: lab, secret: { env: KEY_LAB }, owner: lab }
`;

async function start(sections: string): Promise<BudgetGateway> {
  const g = await startBudgetGateway({ yaml: policy(sections), env: ENV });
  gateways.push(g);
  return g;
}

function priced(usage: { prompt_tokens: number; completion_tokens: number }, price: { input: number; output: number }): number {
  return (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1e6;
}

describe('keys', () => {
  it('should refuse a call without a key, or with an unknown one, with 401 in the OpenAI error shape', async () => {
    const g = await start(KEYED);
    const missing = await chat(g.url, { model: 'smart' });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({
      error: {
        message: expect.stringContaining('Authorization: Bearer'),
        type: 'authentication_error',
        param: null,
        code: 'missing_api_key',
      },
    });
    const wrong = await chat(g.url, { model: 'smart' }, 'sk-not-a-key');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_api_key');
    expect(JSON.stringify(wrong.json)).not.toContain('sk-not-a-key');
    const models = await fetch(`${g.url}/models`);
    expect(models.status).toBe(401);
    expect(mock.calls).toHaveLength(0);
  });

  it("should bill the key's owner, accept x-api-key too, and never forward the client key", async () => {
    const g = await start(KEYED);
    const r = await chat(g.url, { model: 'smart' }, undefined, { 'x-api-key': KEYS.lab });
    expect(r.status).toBe(200);
    expect((await g.lastRecord()).owner).toBe('lab');
    const call = mock.calls.at(-1)!;
    expect(JSON.stringify(call.headers)).not.toContain(KEYS.lab);
  });

  it("should answer 403 for a route or model outside the key's allow list, and list only what it may use", async () => {
    const g = await start(KEYED);
    const route = await chat(g.url, { model: 'cheap' }, KEYS.search);
    expect(route.status).toBe(403);
    expect(route.json.error).toMatchObject({ type: 'permission_error', code: 'model_not_allowed', param: 'model' });
    expect(route.json.error.message).toContain('Use one of: smart.');
    expect((await chat(g.url, { model: 'small-model' }, KEYS.search)).status).toBe(403);
    const list = (await (await fetch(`${g.url}/models`, { headers: { authorization: `Bearer ${KEYS.search}` } })).json()) as {
      data: { id: string }[];
    };
    expect(list.data.map((m) => m.id)).toEqual(['smart']);
    expect(mock.calls).toHaveLength(0);
    expect((await chat(g.url, { model: 'smart', max_tokens: 5 }, KEYS.search)).status).toBe(200);
  });

  it('should leave a gateway without keys: open, every call billed to owner "default"', async () => {
    const g = await start('');
    const r = await chat(g.url, { model: 'cheap' });
    expect(r.status).toBe(200);
    expect((await g.lastRecord()).owner).toBe('default');
    expect((await g.compiled.budget.spend('default')).spendUsd).toBeCloseTo(priced(r.json.usage, SMALL), 9);
  });
});

describe('cost', () => {
  it('should price a JSON answer from its usage: header, record and store agree', async () => {
    const g = await start('');
    const r = await chat(g.url, { model: 'smart' });
    const cost = priced(r.json.usage, BIG);
    expect(cost).toBeGreaterThan(0);
    expect(Number(r.headers.get('x-switchyard-cost-usd'))).toBeCloseTo(cost, 9);
    const record = await g.lastRecord();
    expect(record.costUsd).toBeCloseTo(cost, 12);
    expect(record.usage).toEqual({
      inputTokens: r.json.usage.prompt_tokens,
      outputTokens: r.json.usage.completion_tokens,
      cachedInputTokens: 0,
    });
    expect((await g.compiled.budget.spend('default')).spendUsd).toBeCloseTo(cost, 9);
  });

  it('should price a stream from the usage it asked for, hide that chunk, and send the cost as a trailer', async () => {
    const g = await start('');
    const { text, trailers } = await streamed(g.url, {
      model: 'smart',
      stream: true,
      messages: [{ role: 'user', content: 'Hello!' }],
    });
    expect(text).toContain('data: [DONE]');
    expect(text).not.toContain('"usage":{');
    expect(JSON.parse(JSON.stringify(mock.calls.at(-1)!.body)).stream_options).toEqual({ include_usage: true });
    const record = await g.lastRecord();
    expect(record.usage?.outputTokens).toBeGreaterThan(0);
    const cost = (record.usage!.inputTokens * BIG.input + record.usage!.outputTokens * BIG.output) / 1e6;
    expect(record.costUsd).toBeCloseTo(cost, 12);
    expect(Number(trailers['x-switchyard-cost-usd'])).toBeCloseTo(cost, 9);
  });

  it('should pass the usage chunk to a client that asked for it', async () => {
    const g = await start('');
    const { text } = await streamed(g.url, {
      model: 'smart',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(text).toMatch(/"choices":\[\],"usage":\{"prompt_tokens"/);
  });

  it('should release the reservation of a call the upstream failed, and count nothing', async () => {
    const g = await start('budgets: { owners: { default: { monthly_usd: 1, hard_stop: true } } }\n');
    const r = await chat(g.url, { model: 'smart' }, undefined, { 'x-mock-status': '500' });
    expect(r.status).toBe(500);
    const record = await g.lastRecord();
    expect(record.budget?.estimateUsd).toBeGreaterThan(0);
    expect(record.costUsd).toBe(0);
    expect(await g.compiled.budget.spend('default')).toMatchObject({ spendUsd: 0, reservedUsd: 0 });
  });

  it('should settle a stream the client left: its input bound and one output token per event it got', async () => {
    const g = await start('budgets: { owners: { default: { monthly_usd: 1, hard_stop: true } } }\n');
    const content = 'Hello!';
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        `${g.url}/chat/completions`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-mock-chunks': '20', 'x-mock-chunk-interval-ms': '30' },
        },
        (res) => {
          let events = 0;
          res.on('data', (chunk: Buffer) => {
            events += chunk.toString().split('data:').length - 1;
            if (events >= 3) res.destroy();
          });
          res.on('close', resolve);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'smart', stream: true, messages: [{ role: 'user', content }] }));
    });
    const record = await g.lastRecord();
    const settled = record.events.find((e) => e.name === 'switchyard.budget.settled')!;
    expect(settled.attributes.basis).toBe('partial_estimate');
    // Input bound: the body's bytes.
    const inputBound = Buffer.byteLength(JSON.stringify({ model: 'smart', stream: true, messages: [{ role: 'user', content }] }));
    const events = Math.round((record.costUsd! * 1e6 - inputBound * BIG.input) / BIG.output);
    expect(events).toBeGreaterThanOrEqual(3);
    expect(events).toBeLessThan(20);
    expect(await g.compiled.budget.spend('default')).toMatchObject({ spendUsd: record.costUsd, reservedUsd: 0 });
  });
});

describe('limits', () => {
  it("should refuse a call whose worst case passes the route's ceiling with 400, before any upstream call", async () => {
    const g = await start('budgets: { routes: { smart: { max_request_usd: 0.001 } } }\n');
    const big = await chat(g.url, { model: 'smart', max_tokens: 500 });
    expect(big.status).toBe(400);
    expect(big.json.error).toMatchObject({ type: 'invalid_request_error', code: 'request_cost_exceeded', param: 'max_tokens' });
    // The body's 80 bytes as input tokens and 500 output tokens, at big-model prices.
    expect(big.json.error.message).toMatch(/could cost up to \$0\.0158; route "smart" allows at most \$0\.001 per call/);
    expect(mock.calls).toHaveLength(0);
    expect((await chat(g.url, { model: 'smart', max_tokens: 5 })).status).toBe(200);
  });

  it('should stop an owner at its hard limit with 429 budget_exceeded, never spending past it', async () => {
    // Each call reserves (85 body bytes as input tokens + 20 output tokens) at big-model prices: 0.00145; it costs
    // about half that, so the limit fits three.
    const g = await start('budgets: { owners: { default: { monthly_usd: 0.0035, hard_stop: true } } }\n');
    const statuses: number[] = [];
    let refused: any;
    for (let i = 0; i < 10; i++) {
      const r = await chat(g.url, { model: 'big-model', max_tokens: 20 });
      statuses.push(r.status);
      if (r.status === 429) refused ??= r.json;
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(refused.error).toMatchObject({ type: 'rate_limit_error', code: 'budget_exceeded', param: null });
    expect(refused.error.message).toMatch(
      /^Owner "default" has spent \$0\.00\d+ of its \$0\.0035 budget for \d{4}-\d\d \(Europe\/Berlin\); this call could cost up to \$0\.00145, which would pass the limit\. The budget resets at /,
    );
    const { spendUsd, reservedUsd } = await g.compiled.budget.spend('default');
    expect(spendUsd).toBeLessThanOrEqual(0.0035);
    expect(reservedUsd).toBe(0);
    expect(mock.calls.length).toBe(statuses.filter((s) => s === 200).length);
  });

  it('should switch the route to its cheaper model once monthly_spend_pct passes 0.8, and record why', async () => {
    const g = await start('budgets: { owners: { default: { monthly_usd: 0.002, hard_stop: false } } }\n');
    const served: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await chat(g.url, { model: 'smart', max_tokens: 10 });
      expect(r.status).toBe(200);
      served.push(r.headers.get('x-switchyard-route')!);
    }
    expect(served[0]).toBe('smart/default');
    const switchedAt = served.indexOf('smart/burn-rate');
    expect(switchedAt).toBeGreaterThan(0);
    expect(served.slice(switchedAt).every((r) => r === 'smart/burn-rate')).toBe(true);
    const record = await g.lastRecord();
    expect(record.signals.monthly_spend_pct).toMatchObject({ kind: 'value' });
    expect((record.signals.monthly_spend_pct as { value: number }).value).toBeGreaterThan(0.8);
    // A soft budget never refuses: spend may pass it.
    expect(mock.calls).toHaveLength(12);
  });
});

describe('admin report', () => {
  it("should show each owner's spend, reservations and limit to the admin key only", async () => {
    const g = await start(KEYED);
    await chat(g.url, { model: 'smart', max_tokens: 5 }, KEYS.search);
    await g.settled();
    const url = `${g.url}/switchyard/budget`;
    expect((await fetch(url)).status).toBe(401);
    const asClient = await fetch(url, { headers: { authorization: `Bearer ${KEYS.search}` } });
    expect(asClient.status).toBe(403);
    expect(((await asClient.json()) as any).error.code).toBe('admin_key_required');
    const report = (await (await fetch(url, { headers: { authorization: `Bearer ${KEYS.admin}` } })).json()) as any;
    expect(report).toMatchObject({
      object: 'budget.report',
      timezone: 'Europe/Berlin',
      store: 'memory',
      window: expect.stringMatching(/^\d{4}-\d\d$/),
    });
    expect(report.owners).toEqual([
      { owner: 'lab', spend_usd: 0, reserved_usd: 0, limit_usd: null, hard_stop: false, spend_pct: null },
      {
        owner: 'search-team',
        spend_usd: expect.any(Number),
        reserved_usd: 0,
        limit_usd: 1,
        hard_stop: true,
        spend_pct: expect.any(Number),
      },
    ]);
    expect(report.owners[1].spend_usd).toBeGreaterThan(0);
  });
});

/** A streamed chat completion read with node:http, which exposes trailers. */
function streamed(url: string, body: object): Promise<{ text: string; trailers: NodeJS.Dict<string> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/chat/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ text, trailers: res.trailers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
