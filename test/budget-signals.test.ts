// The budget's signals as rules read them, through the whole stack.
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chat, startBudgetGateway, type BudgetGateway } from './helpers/budget-gateway.js';

let mock: MockProvider;
let g: BudgetGateway | undefined;
beforeAll(async () => {
  mock = await startMockProvider({ port: 0 });
});
afterAll(() => mock?.close());
afterEach(() => g?.close());

const policy = (owners: string) => `version: 1
providers: { alpha: { format: openai, base_url: "${mock.url}" } }
models:
  big: { provider: alpha, max_output_tokens: 4000, price: { input: 10, output: 30 } }
  small: { provider: alpha, max_output_tokens: 4000, price: { input: 0.1, output: 0.2 } }
routes:
  smart:
    default: big
    rules:
      - { name: costly, if: "estimated_cost_usd > 0.01", use: small }
      - { name: burn, if: "monthly_spend_pct >= 0.5", use: small }
budgets: { owners: ${owners} }
`;

describe('estimated_cost_usd', () => {
  it("should be the worst case on the route's default model, so a rule can send costly calls elsewhere", async () => {
    g = await startBudgetGateway({ yaml: policy('{}') });
    // The body's bytes as input tokens and 100 output tokens at big's prices; with 1000 output tokens, over 0.03.
    const cheap = await chat(g.url, { model: 'smart', max_tokens: 100 });
    expect(cheap.headers.get('x-switchyard-route')).toBe('smart/default');
    const bodyBytes = JSON.stringify({ messages: [{ role: 'user', content: 'Hello!' }], model: 'smart', max_tokens: 100 }).length;
    expect((await g.lastRecord()).signals.estimated_cost_usd).toEqual({
      kind: 'value',
      value: expect.closeTo((bodyBytes * 10 + 100 * 30) / 1e6, 12),
    });
    const costly = await chat(g.url, { model: 'smart', max_tokens: 1000 });
    expect(costly.headers.get('x-switchyard-route')).toBe('smart/costly');
  });
});

describe('monthly_spend_pct', () => {
  it('should be absent, with the reason, for an owner without monthly_usd; the rule then does not match', async () => {
    g = await startBudgetGateway({ yaml: policy('{}') });
    expect((await chat(g.url, { model: 'smart', max_tokens: 5 })).headers.get('x-switchyard-route')).toBe('smart/default');
    expect((await g.lastRecord()).signals.monthly_spend_pct).toEqual({
      kind: 'absent',
      reason: 'plugin threw: owner "default" has no monthly_usd',
    });
  });

  it('should count open reservations as well as spend', async () => {
    g = await startBudgetGateway({ yaml: policy('{ default: { monthly_usd: 1, hard_stop: false } }') });
    await g.compiled.budget.reserve({ key: g.compiled.budget.key('default'), id: 'in-flight', amountUsd: 0.3, ttlMs: 60_000 });
    await g.compiled.budget.settle({ key: g.compiled.budget.key('default'), id: 'done', costUsd: 0.2 });
    expect((await chat(g.url, { model: 'smart', max_tokens: 5 })).headers.get('x-switchyard-route')).toBe('smart/burn');
    expect((await g.lastRecord()).signals.monthly_spend_pct).toEqual({ kind: 'value', value: 0.5 });
  });

  it('should not be read at all when no rule about to run needs it', async () => {
    g = await startBudgetGateway({ yaml: policy('{ default: { monthly_usd: 1, hard_stop: false } }') });
    await chat(g.url, { model: 'smart', max_tokens: 1000 });
    expect((await g.lastRecord()).signals).not.toHaveProperty('monthly_spend_pct');
  });
});
