// Issue 14 item 4 on a real redis-server with two gateway instances: a workflow's monthly budget and one
// run's ceiling under 100 concurrent calls never overspend, spend equals what the served calls cost, nothing
// stays reserved, and the calls refused get the 429 of the budget that refused them.
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workflowsReport } from 'switchyard';
import { startRedis, type TestRedis } from '../packages/budget/test/redis.js';
import { chat, startBudgetGateway, type BudgetGateway } from './helpers/budget-gateway.js';

const PROVIDER_KEY = 'sk-provider-alpha';
const CLIENT_A = 'sk-client-wf-a';
const CLIENT_B = 'sk-client-wf-b';
/** A call reserves about 0.00092 USD (84 bytes of input, 8 output tokens at 1e-5 USD a token). */
const RESERVATION = 0.0002;

let mock: MockProvider;
let redis: TestRedis;
beforeAll(async () => {
  [mock, redis] = await Promise.all([startMockProvider({ port: 0, apiKeys: [PROVIDER_KEY] }), startRedis({ persist: false })]);
});
afterAll(async () => {
  await Promise.all([mock?.close(), redis?.close()]);
});
const gateways: BudgetGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

let n = 0;
/** A policy with a fresh workflow name (tests share the Redis) and two teams' keys. */
function policy(cost: string): { workflow: string; yaml: string } {
  const workflow = `extraction-${++n}-${Date.now()}`;
  const yaml = `version: 1
providers:
  alpha: { format: openai, base_url: ${mock.url}, credentials: [{ env: ALPHA_KEY }] }
models:
  big-model: { provider: alpha, max_output_tokens: 1000, capabilities: [streaming], price: { input: 10, output: 10 } }
workflows:
  ${workflow}:
    owner: data-platform
    cost: ${cost}
budgets:
  store: { redis: { url: { env: REDIS_URL } }, on_store_error: fail_closed }
  owners:
    team-a: {}
    team-b: {}
    data-platform: {}
keys:
  - { name: a, secret: { env: CLIENT_A }, owner: team-a }
  - { name: b, secret: { env: CLIENT_B }, owner: team-b }
`;
  return { workflow, yaml };
}

async function start(yaml: string): Promise<BudgetGateway> {
  const g = await startBudgetGateway({
    yaml,
    env: { ALPHA_KEY: PROVIDER_KEY, REDIS_URL: redis.url, CLIENT_A, CLIENT_B },
    budget: { logger: { warn() {} } },
  });
  gateways.push(g);
  return g;
}

const CALL = { model: 'big-model', max_tokens: 8 };

/** PTTL of one key, asked in RESP over a plain socket (the e2e package has no Redis client of its own). */
function pttl(port: number, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`*2\r\n$4\r\nPTTL\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n`));
    socket.once('data', (reply) => {
      socket.end();
      const match = /^:(-?\d+)\r\n/.exec(reply.toString());
      if (match) resolve(Number(match[1]));
      else reject(new Error(`unexpected reply ${JSON.stringify(reply.toString())}`));
    });
    socket.once('error', reject);
  });
}
const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);

describe('a workflow budget shared through Redis', () => {
  it('should serve 100 concurrent calls of two owners across two instances without passing monthly_usd', async () => {
    const { workflow, yaml } = policy(`{ monthly_usd: ${25 * RESERVATION}, hard_stop: true }`);
    const [a, b] = await Promise.all([start(yaml), start(yaml)]);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        chat((i % 2 ? a : b).url, CALL, i % 3 ? CLIENT_A : CLIENT_B, { 'x-switchyard-workflow': workflow }),
      ),
    );
    await Promise.all([a.settled(), b.settled()]);
    const served = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(served.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.json.error.code).toBe('workflow_budget_exceeded');
      expect(r.json.error.message).toContain(`Workflow "${workflow}"`);
    }
    const figures = await a.compiled.budget.workflowSpend(workflow);
    expect(figures.spendUsd).toBeLessThanOrEqual(25 * RESERVATION);
    expect(figures.spendUsd).toBeCloseTo(sum(served.map((r) => Number(r.headers.get('x-switchyard-cost-usd')))), 8);
    expect(figures.reservedUsd).toBe(0);
    // Each key's owner paid for its own calls: the workflow's owner is chargeback, not the payer.
    const paid = await Promise.all(['team-a', 'team-b', 'data-platform'].map((o) => a.compiled.budget.spend(o)));
    expect(paid[0]!.spendUsd + paid[1]!.spendUsd).toBeCloseTo(figures.spendUsd, 8);
    expect(paid[2]!.spendUsd).toBe(0);
    const record = a.exchanges.find((e) => e.record.servedModel)!.record;
    expect(record.workflowOwner).toBe('data-platform');
    expect(record.workflowBudget).toMatchObject({ owner: workflow, limitUsd: 25 * RESERVATION });
    // The admin report shows the workflow's month as the store has it.
    const report = (await workflowsReport(b.compiled)).find((w) => w.workflow === workflow)!;
    expect(report).toMatchObject({
      owner: 'data-platform',
      cost: { monthly_usd: 25 * RESERVATION, hard_stop: true, reserved_usd: 0 },
    });
    expect(report.cost.spend_usd).toBeCloseTo(figures.spendUsd, 8);
  });

  it('should hold one run to max_run_usd under 100 concurrent calls while other runs go on', async () => {
    const { workflow, yaml } = policy(`{ max_run_usd: ${10 * RESERVATION} }`);
    const [a, b] = await Promise.all([start(yaml), start(yaml)]);
    const headers = { 'x-switchyard-workflow': workflow, 'x-switchyard-run': 'job-42' };
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => chat((i % 2 ? a : b).url, CALL, CLIENT_A, headers)));
    await Promise.all([a.settled(), b.settled()]);
    const served = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(served.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.status === 429 && r.json.error.code === 'run_budget_exceeded')).toBe(true);
    const { store } = a.compiled.budget;
    const run = await store.get(a.compiled.budget.runKey('team-a', workflow, 'job-42'));
    expect(run.spendUsd).toBeLessThanOrEqual(10 * RESERVATION);
    expect(run.spendUsd).toBeCloseTo(sum(served.map((r) => Number(r.headers.get('x-switchyard-cost-usd')))), 8);
    expect(run.reservedUsd).toBe(0);
    // Another run, and the same run ID under another owner, start from nothing.
    expect((await chat(a.url, CALL, CLIENT_A, { ...headers, 'x-switchyard-run': 'job-43' })).status).toBe(200);
    expect((await chat(b.url, CALL, CLIENT_B, headers)).status).toBe(200);
    // The run's keys expire 24 hours after its last call.
    const ttl = await pttl(redis.port, `switchyard:budget:{~run/team-a/${workflow}/job-42|run}:state`);
    expect(ttl).toBeGreaterThan(23 * 3600 * 1000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600 * 1000);
  });

  it("should refuse a call past the workflow's max_request_usd with 400 naming the workflow", async () => {
    const { workflow, yaml } = policy('{ max_request_usd: 0.0001 }');
    const g = await start(yaml);
    const r = await chat(g.url, CALL, CLIENT_A, { 'x-switchyard-workflow': workflow });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('request_cost_exceeded');
    expect(r.json.error.message).toContain(`workflow "${workflow}"`);
  });
});

describe('workflow_spend_pct', () => {
  const yaml = (cost: string) => `version: 1
providers: { alpha: { format: openai, base_url: "${mock.url}", credentials: [{ env: ALPHA_KEY }] } }
models:
  big: { provider: alpha, max_output_tokens: 4000, price: { input: 10, output: 30 } }
  small: { provider: alpha, max_output_tokens: 4000, price: { input: 0.1, output: 0.2 } }
routes:
  smart:
    default: big
    rules:
      - { name: burn, if: "workflow_spend_pct >= 0.5", use: small }
workflows:
  summaries: { cost: ${cost} }
`;

  it("should be the workflow's spend and reservations over its monthly_usd, so a rule can move it to a cheaper model", async () => {
    const g = await start(yaml('{ monthly_usd: 1, hard_stop: false }'));
    const ledger = g.compiled.budget;
    await ledger.reserve({ key: ledger.workflowKey('summaries'), id: 'in-flight', amountUsd: 0.3, ttlMs: 60_000 });
    await ledger.settle({ key: ledger.workflowKey('summaries'), id: 'done', costUsd: 0.2 });
    const r = await chat(g.url, { model: 'smart', max_tokens: 5 }, undefined, { 'x-switchyard-workflow': 'summaries' });
    expect(r.headers.get('x-switchyard-route')).toBe('smart/burn');
    expect((await g.lastRecord()).signals.workflow_spend_pct).toEqual({ kind: 'value', value: 0.5 });
    await ledger.settle({ key: ledger.workflowKey('summaries'), id: 'in-flight', costUsd: 0 });
  });

  it('should be absent, with the reason, for a workflow without monthly_usd', async () => {
    const g = await start(yaml('{ max_request_usd: 1 }'));
    const r = await chat(g.url, { model: 'smart', max_tokens: 5 }, undefined, { 'x-switchyard-workflow': 'summaries' });
    expect(r.headers.get('x-switchyard-route')).toBe('smart/default');
    expect((await g.lastRecord()).signals.workflow_spend_pct).toEqual({
      kind: 'absent',
      reason: 'plugin threw: workflow "summaries" has no cost.monthly_usd',
    });
  });
});

describe('a key granted some workflows', () => {
  it("should refuse a call as another workflow with 403 before anything is reserved or sent, so it cannot spend that workflow's budget", async () => {
    const workflow = `finance-${++n}-${Date.now()}`;
    const yaml = `version: 1
providers:
  alpha: { format: openai, base_url: ${mock.url}, credentials: [{ env: ALPHA_KEY }] }
models:
  big-model: { provider: alpha, max_output_tokens: 1000, price: { input: 10, output: 10 } }
workflows:
  ${workflow}: { owner: finance, cost: { monthly_usd: 1, hard_stop: true } }
  default: {}
budgets:
  store: { redis: { url: { env: REDIS_URL } }, on_store_error: fail_closed }
  owners: { team-a: {}, team-b: {} }
keys:
  - { name: a, secret: { env: CLIENT_A }, owner: team-a, workflows: [${workflow}] }
  - { name: b, secret: { env: CLIENT_B }, owner: team-b, workflows: [default] }
`;
    const g = await start(yaml);
    const calls = mock.calls.length;
    const intruder = await chat(g.url, CALL, CLIENT_B, { 'x-switchyard-workflow': workflow });
    expect(intruder.status).toBe(403);
    expect(intruder.json.error).toMatchObject({ type: 'permission_error', code: 'workflow_not_allowed' });
    expect(intruder.json.error.message).toContain(`may not run calls as workflow "${workflow}"`);
    expect(intruder.json.error.message).toContain('it may run as: default');
    // A name the policy does not define runs as default, which key a is not granted.
    const unnamed = await chat(g.url, CALL, CLIENT_A, { 'x-switchyard-workflow': 'typo' });
    expect(unnamed.status).toBe(403);
    expect(unnamed.json.error.message).toContain('workflow "default" (it names "typo", which is not defined)');
    expect(mock.calls.length).toBe(calls);
    const figures = await g.compiled.budget.workflowSpend(workflow);
    expect(figures).toMatchObject({ spendUsd: 0, reservedUsd: 0 });
    expect((await g.lastRecord()).error).toMatchObject({ status: 403, code: 'workflow_not_allowed' });

    expect((await chat(g.url, CALL, CLIENT_A, { 'x-switchyard-workflow': workflow })).status).toBe(200);
    expect((await chat(g.url, CALL, CLIENT_B)).status).toBe(200);
    await g.settled();
    expect((await g.compiled.budget.workflowSpend(workflow)).spendUsd).toBeGreaterThan(0);
  });
});

describe("a workflow's allowed fallbacks", () => {
  it('should be priced in the worst case, as failover may serve them', async () => {
    const yaml = `version: 1
providers:
  alpha: { format: openai, base_url: ${mock.url}, credentials: [{ env: ALPHA_KEY }] }
models:
  cheap: { provider: alpha, max_output_tokens: 1000, price: { input: 1, output: 1 } }
  pricey: { provider: alpha, max_output_tokens: 1000, price: { input: 100, output: 100 } }
routes:
  strict: { default: cheap }
workflows:
  narrow: {}
  wide: { fallback: { allowed: [pricey] } }
budgets:
  owners: { team-a: { max_request_usd: 0.001 } }
keys:
  - { name: a, secret: { env: CLIENT_A }, owner: team-a }
`;
    const g = await start(yaml);
    const call = { model: 'strict', max_tokens: 8 };
    // The route alone: cheap's worst case is far under the ceiling.
    expect((await chat(g.url, call, CLIENT_A, { 'x-switchyard-workflow': 'narrow' })).status).toBe(200);
    // The same call as "wide" may be served by pricey, whose worst case passes it.
    const wide = await chat(g.url, call, CLIENT_A, { 'x-switchyard-workflow': 'wide' });
    expect(wide.status).toBe(400);
    expect(wide.json.error.code).toBe('request_cost_exceeded');
    expect(wide.json.error.message).toMatch(/^This call could cost up to \$0\.0089;/);
  });
});
