// Issue 14 item 5 through the whole stack against a mock whose latency is scripted per model: the rolling p95
// time to first token moves a workflow off a slow model (a rule on p95_first_token_ms), the objective's
// breach is an event and shows in GET /v1/switchyard/workflows, and first_token_ms is a per-attempt
// deadline that follows the workflow's on_timeout.
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBudgetGateway, type BudgetGateway } from './helpers/budget-gateway.js';

const ADMIN_KEY = 'sk-admin-latency';
let mock: MockProvider;
let g: BudgetGateway | undefined;
beforeAll(async () => {
  mock = await startMockProvider({ port: 0 });
});
afterAll(() => mock?.close());
afterEach(async () => {
  await g?.close();
  g = undefined;
  mock.reset();
});

const POLICY = () => `version: 1
providers:
  alpha: { format: openai, base_url: ${mock.url} }
models:
  slow-model: { provider: alpha, capabilities: [streaming] }
  fast-model: { provider: alpha, capabilities: [streaming] }
routes:
  chat:
    default: slow-model
    fallbacks: [fast-model]
    rules:
      - { name: slow-p95, if: "p95_first_token_ms > 300", use: fast-model }
workflows:
  support: { latency: { p95_first_token_ms: 300 } }
  deadline: { latency: { first_token_ms: 150, on_timeout: fallback } }
  strict: { latency: { first_token_ms: 150, on_timeout: stop } }
  bounded: { latency: { timeout_ms: 150 } }
budgets: { admin_key: { env: ADMIN_KEY } }
`;

/** A streamed chat call of `workflow`; the answer's text read to its end. */
async function stream(workflow: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${g!.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-switchyard-workflow': workflow },
    body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('the rolling p95 time to first token', () => {
  it('should move a workflow off a model that misses its objective once 10 samples say so', async () => {
    g = await startBudgetGateway({ yaml: POLICY(), env: { ADMIN_KEY } });
    mock.script('slow-model', { firstByteDelayMs: 400 });
    // Nine samples: no p95 yet, the default serves.
    for (const r of await Promise.all(Array.from({ length: 9 }, () => stream('support'))))
      expect(r.headers.get('x-switchyard-route')).toBe('chat/default');
    await g.settled();
    expect((await g.lastRecord()).events.some((e) => e.name === 'switchyard.workflow.latency_objective_breached')).toBe(false);
    expect((await stream('support')).headers.get('x-switchyard-route')).toBe('chat/default');
    // The tenth sample makes the p95 (over 400 ms, objective 300): the call that made it says so.
    const tenth = await g.lastRecord();
    const breach = tenth.events.find((e) => e.name === 'switchyard.workflow.latency_objective_breached');
    expect(breach?.attributes).toMatchObject({ workflow: 'support', model: 'slow-model', objective_ms: 300 });
    expect(Number(breach?.attributes.p95_first_token_ms)).toBeGreaterThanOrEqual(400);
    expect(tenth.attempts[0]!.firstTokenAt! - tenth.attempts[0]!.startedAt).toBeGreaterThanOrEqual(390);

    const moved = await stream('support');
    expect(moved.headers.get('x-switchyard-route')).toBe('chat/slow-p95');
    expect(moved.headers.get('x-switchyard-served-model')).toBe('fast-model');
    expect((await g.lastRecord()).signals.p95_first_token_ms).toEqual({ kind: 'value', value: expect.any(Number) });
    // Other workflows have figures of their own: the default workflow still goes to the default.
    expect((await stream('default')).headers.get('x-switchyard-route')).toBe('chat/default');

    const report = await fetch(`${g.url}/switchyard/workflows`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(report.status).toBe(200);
    const support = ((await report.json()) as any).workflows.find((w: any) => w.workflow === 'support');
    expect(support.latency).toMatchObject({ p95_first_token_ms: 300, breached: true });
    const slow = support.latency.models.find((m: any) => m.model === 'slow-model');
    expect(slow.samples).toBe(10);
    expect(slow.p95_ms).toBeGreaterThanOrEqual(400);
    expect(support.latency.models.find((m: any) => m.model === 'fast-model')).toMatchObject({ samples: 1, p95_ms: null });
    // Admin only.
    expect((await fetch(`${g.url}/switchyard/workflows`)).status).toBe(401);
  });
});

describe('first_token_ms', () => {
  it("should give up an attempt whose first token is late and follow the workflow's on_timeout", async () => {
    g = await startBudgetGateway({ yaml: POLICY(), env: { ADMIN_KEY } });
    mock.script('slow-model', { firstByteDelayMs: 1000 });
    const started = Date.now();
    const r = await stream('deadline');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-switchyard-served-model')).toBe('fast-model');
    expect(Date.now() - started).toBeLessThan(900);
    const record = await g.lastRecord();
    expect(record.attempts[0]).toMatchObject({ model: 'slow-model', outcome: 'timeout', errorClass: 'first_token_timeout' });
    expect(record.transition).toMatchObject({ outcome: 'timeout', action: 'fallback', from: 'workflow' });
  });

  it('should answer 504 naming first_token_ms when on_timeout stops', async () => {
    g = await startBudgetGateway({ yaml: POLICY(), env: { ADMIN_KEY } });
    mock.script('slow-model', { firstByteDelayMs: 1000 });
    const r = await stream('strict');
    expect(r.status).toBe(504);
    const error = JSON.parse(r.text).error;
    expect(error.code).toBe('upstream_timeout');
    expect(error.message).toBe(`Provider "alpha" did not send a first token within 150 ms (the workflow's first_token_ms).`);
    expect((await g.lastRecord()).attempts).toHaveLength(1);
  });

  it('should leave a call of another workflow without the deadline', async () => {
    g = await startBudgetGateway({ yaml: POLICY(), env: { ADMIN_KEY } });
    mock.script('slow-model', { firstByteDelayMs: 300 });
    const r = await stream('support');
    expect(r.headers.get('x-switchyard-served-model')).toBe('slow-model');
  });

  it("should bound the whole call by the workflow's timeout_ms, naming it", async () => {
    g = await startBudgetGateway({ yaml: POLICY(), env: { ADMIN_KEY } });
    mock.script('slow-model', { latencyMs: 1000 });
    mock.script('fast-model', { latencyMs: 1000 });
    const started = Date.now();
    const r = await stream('bounded');
    expect(Date.now() - started).toBeLessThan(900);
    expect(r.status).toBe(504);
    expect(JSON.parse(r.text).error.message).toBe(
      `Provider "alpha" did not answer within the call's time limit of 150 ms (the workflow's timeout_ms).`,
    );
  });
});

describe('the first-token figures', () => {
  it("should file a call under a workflow the policy defines, never under a client's own label", async () => {
    g = await startBudgetGateway({
      yaml: `version: 1
providers: { alpha: { format: openai, base_url: ${mock.url} } }
models: { slow-model: { provider: alpha, capabilities: [streaming] } }
routes: { chat: { default: slow-model } }
`,
    });
    await Promise.all(Array.from({ length: 12 }, (_, i) => stream(`label-${i}`)));
    await g.settled();
    expect(g.compiled.firstToken.figures('label-0')).toEqual([]);
    expect(g.compiled.firstToken.figures('default')).toEqual([{ model: 'slow-model', samples: 12, p95_ms: expect.any(Number) }]);
  });
});
