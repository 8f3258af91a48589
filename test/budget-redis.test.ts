// One budget across gateway instances, on a real redis-server: a burst never overspends, spend survives a
// restart, the downgrade rule sees the other instance's spend, and a Redis outage does what the policy says.
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chat, startBudgetGateway, type BudgetGateway } from './helpers/budget-gateway.js';
import { startRedis, type TestRedis } from '../packages/budget/test/redis.js';

const PROVIDER_KEY = 'sk-provider-alpha';
/** USD per 1M tokens: 1e-5 USD a token either way. */
const PRICE = { input: 10, output: 10 };

let mock: MockProvider;
let redis: TestRedis;
beforeAll(async () => {
  [mock, redis] = await Promise.all([startMockProvider({ port: 0, apiKeys: [PROVIDER_KEY] }), startRedis({ persist: true })]);
});
afterAll(async () => {
  await Promise.all([mock?.close(), redis?.close()]);
});

const gateways: BudgetGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

let owners = 0;
interface Setup {
  readonly limit: number;
  readonly hardStop?: boolean;
  readonly onStoreError?: 'fail_closed' | 'fail_open';
}

/** A fresh owner (so tests sharing the Redis never share spend) and a policy for it. */
function setup({ limit, hardStop = true, onStoreError = 'fail_closed' }: Setup): { owner: string; yaml: string } {
  const owner = `team-${++owners}-${Date.now()}`;
  const yaml = `version: 1
timezone: Europe/Berlin
providers:
  alpha: { format: openai, base_url: ${mock.url}, credentials: [{ env: ALPHA_KEY }] }
models:
  big-model: { provider: alpha, max_output_tokens: 1000, price: { input: ${PRICE.input}, output: ${PRICE.output} } }
  small-model: { provider: alpha, max_output_tokens: 1000, price: { input: 0.1, output: 0.1 } }
routes:
  smart:
    default: big-model
    rules:
      - { name: burn-rate, if: "monthly_spend_pct > 0.8", use: small-model }
budgets:
  store: { redis: { url: { env: REDIS_URL } }, on_store_error: ${onStoreError} }
  owners:
    ${owner}: { monthly_usd: ${limit}, hard_stop: ${hardStop} }
keys:
  - { name: k, secret: { env: CLIENT_KEY }, owner: ${owner} }
`;
  return { owner, yaml };
}

const CLIENT_KEY = 'sk-client-redis-e2e';

async function start(yaml: string): Promise<BudgetGateway> {
  const g = await startBudgetGateway({
    yaml,
    env: { ALPHA_KEY: PROVIDER_KEY, REDIS_URL: redis.url, CLIENT_KEY },
    budget: { logger: { warn() {} } },
  });
  gateways.push(g);
  return g;
}

const CALL = { model: 'big-model', max_tokens: 8 };
/**
 * The unit the limits below are written in: 20 tokens at 1e-5 USD. A call reserves its body's 84 bytes as input
 * tokens plus 8 output tokens (0.00092 USD) and costs about 0.00012 USD.
 */
const RESERVATION = 0.0002;

describe('a budget shared through Redis', () => {
  it('should serve a 200-call burst across two instances without spending past the limit', async () => {
    const { owner, yaml } = setup({ limit: 50 * RESERVATION });
    const [a, b] = await Promise.all([start(yaml), start(yaml)]);

    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => chat((i % 2 ? a : b).url, CALL, CLIENT_KEY)));
    await Promise.all([a.settled(), b.settled()]);

    const served = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(served.length).toBeGreaterThanOrEqual(50);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.status === 429 && r.json.error.code === 'budget_exceeded')).toBe(true);

    const costs = served.map((r) => Number(r.headers.get('x-switchyard-cost-usd')));
    const { spendUsd, reservedUsd } = await a.compiled.budget.spend(owner);
    expect(spendUsd).toBeCloseTo(
      costs.reduce((x, y) => x + y, 0),
      8,
    );
    expect(spendUsd).toBeLessThanOrEqual(50 * RESERVATION);
    expect(reservedUsd).toBe(0);
    // Both instances served part of the burst: they shared one budget, not one each.
    const servedBy = (instance: number) => results.filter((r, i) => r.status === 200 && i % 2 === instance).length;
    expect(servedBy(0)).toBeGreaterThan(0);
    expect(servedBy(1)).toBeGreaterThan(0);
    if (process.env.BUDGET_BURST_REPORT) console.log(`served ${served.length}/200, spend ${spendUsd} of ${50 * RESERVATION}`);
  });

  it('should keep the spend when a gateway restarts', async () => {
    const { owner, yaml } = setup({ limit: 1 });
    const first = await start(yaml);
    for (let i = 0; i < 3; i++) expect((await chat(first.url, CALL, CLIENT_KEY)).status).toBe(200);
    await first.settled();
    const before = await first.compiled.budget.spend(owner);
    expect(before.spendUsd).toBeGreaterThan(0);
    await first.close();
    gateways.splice(gateways.indexOf(first), 1);

    const second = await start(yaml);
    expect(await second.compiled.budget.spend(owner)).toEqual(before);
  });

  it('should switch one instance to the cheaper model once spend through the other passes 80%', async () => {
    const { yaml } = setup({ limit: 10 * RESERVATION, hardStop: false });
    const [a, b] = await Promise.all([start(yaml), start(yaml)]);
    expect((await chat(b.url, { model: 'smart', max_tokens: 8 }, CLIENT_KEY)).headers.get('x-switchyard-route')).toBe(
      'smart/default',
    );
    for (let i = 0; i < 20; i++) await chat(a.url, CALL, CLIENT_KEY);
    await a.settled();
    const r = await chat(b.url, { model: 'smart', max_tokens: 8 }, CLIENT_KEY);
    expect(r.headers.get('x-switchyard-route')).toBe('smart/burn-rate');
    expect(r.headers.get('x-switchyard-served-model')).toBe('small-model');
  });
});

describe('when Redis stops mid-run', () => {
  it('should refuse calls with 503 under fail_closed, saying why, and lose nothing settled', async () => {
    const { owner, yaml } = setup({ limit: 1, onStoreError: 'fail_closed' });
    const g = await start(yaml);
    for (let i = 0; i < 3; i++) expect((await chat(g.url, CALL, CLIENT_KEY)).status).toBe(200);
    await g.settled();
    const before = await g.compiled.budget.spend(owner);

    await redis.stop();
    const r = await chat(g.url, CALL, CLIENT_KEY);
    expect(r.status).toBe(503);
    expect(r.json.error).toMatchObject({ type: 'api_error', code: 'budget_store_unavailable', param: null });
    expect(r.json.error.message).toMatch(
      /^The budget store failed: redis \(REDIS_URL\) is unreachable \(.+\)\. The policy says on_store_error: fail_closed, so calls are refused until it is back\.$/,
    );
    expect(r.json.error.message).not.toContain(redis.url);

    await redis.start();
    await expect.poll(async () => (await chat(g.url, CALL, CLIENT_KEY)).status, { timeout: 5000, interval: 100 }).toBe(200);
    await g.settled();
    const after = await g.compiled.budget.spend(owner);
    expect(after.spendUsd).toBeGreaterThan(before.spendUsd);
    expect(after.spendUsd - before.spendUsd).toBeLessThan(2 * RESERVATION);
  });

  it('should serve calls under fail_open and settle them once Redis is back', async () => {
    const { owner, yaml } = setup({ limit: 1, onStoreError: 'fail_open' });
    const g = await start(yaml);
    expect((await chat(g.url, CALL, CLIENT_KEY)).status).toBe(200);
    await g.settled();
    const before = await g.compiled.budget.spend(owner);

    await redis.stop();
    const during = [];
    for (let i = 0; i < 3; i++) during.push(await chat(g.url, CALL, CLIENT_KEY));
    expect(during.map((r) => r.status)).toEqual([200, 200, 200]);
    await g.settled();
    const record = await g.lastRecord();
    expect(record.events.map((e) => e.name)).toContain('switchyard.budget.store_error');
    expect(g.compiled.budget.pendingSettlements).toBe(3);

    await redis.start();
    await expect.poll(() => g.compiled.budget.pendingSettlements, { timeout: 5000, interval: 100 }).toBe(0);
    const costs = during.map((r) => Number(r.headers.get('x-switchyard-cost-usd')));
    const after = await g.compiled.budget.spend(owner);
    expect(after.spendUsd).toBeCloseTo(before.spendUsd + costs.reduce((x, y) => x + y, 0), 8);
  });
});
