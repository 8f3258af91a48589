// explainRequest() on a workflow's call: its fallbacks (fallback.allowed in place of the route's, blocked
// ones left out), its ceiling and whose it is, its month and its run, and the givens that stand for each.
import { MemoryStore } from '@switchyard/budget';
import { parsePolicy } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { compilePolicy, type CompiledPolicy } from '../compile.js';
import { explainRequest } from './explain.js';
import { ExplainInputError } from './input-error.js';
import type { ExplainInput, Explanation } from './types.js';

const MODEL = 'provider: openai, context_window: 100000, max_output_tokens: 1000, capabilities: [tools, streaming]';

const POLICY = `version: 1
timezone: UTC
providers:
  openai: { format: openai, base_url: "http://127.0.0.1:9/v1", credentials: [{ env: OPENAI_KEY }] }
models:
  m-main: { ${MODEL}, price: { input: 1, output: 2 } }
  m-cheap: { ${MODEL}, price: { input: 0.1, output: 0.2 } }
  m-pricey: { ${MODEL}, price: { input: 10, output: 20 } }
routes:
  strict: { default: m-main }
  chat: { default: m-main, fallbacks: [m-cheap] }
  capped: { default: m-main }
workflows:
  widened: { fallback: { allowed: [m-pricey] } }
  guarded: { fallback: { blocked: [m-cheap] } }
  shut: { fallback: { allowed: [] } }
  metered: { cost: { max_request_usd: 0.05, monthly_usd: 5, hard_stop: true, max_run_usd: 1 } }
budgets:
  owners:
    team-a: { monthly_usd: 10, hard_stop: false, max_request_usd: 0.5 }
    team-b: { monthly_usd: 10, hard_stop: true }
  routes:
    chat: { max_request_usd: 0.2 }
    capped: { max_request_usd: 0.01 }
keys:
  - { name: a-backend, secret: { env: KEY_A }, owner: team-a }
  - { name: b-backend, secret: { env: KEY_B }, owner: team-b }
`;

function compiled(): CompiledPolicy {
  return compilePolicy(parsePolicy(POLICY, 'policy.yaml', { env: {}, secrets: 'defer' }), {
    now: () => new Date('2024-01-01T12:00:00Z'),
    budget: { store: new MemoryStore() },
  });
}

const CHAT = (model: string) => ({ model, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });

function explain(model: string, workflow: string | undefined, input: Partial<ExplainInput> = {}): Promise<Explanation> {
  const headers: Record<string, string> = workflow ? { 'x-switchyard-workflow': workflow } : {};
  return explainRequest(compiled(), {
    body: CHAT(model),
    key: 'a-backend',
    ...input,
    headers: { ...headers, ...input.headers },
  });
}

describe("explain: a workflow's fallbacks", () => {
  it("should not call a strict route strict when the workflow's fallback.allowed lists fallbacks", async () => {
    const e = await explain('strict', 'widened');
    expect(e.fallback_note).toBeNull();
    expect(e.fallbacks).toEqual([{ model: 'm-pricey', provider: 'openai', action: 'try' }]);
    // …and it prices the fallback the workflow allows, as the budget reserves it.
    expect(e.budget?.worst_cases.map((w) => w.model)).toEqual(['m-main', 'm-pricey']);
    const failing = await explain('strict', 'widened', { upstream: { 'm-main': [503, 503] } });
    expect(failing.call).toMatchObject({ served: 'm-pricey', fallback_reason: 'http_503' });
    // Without the workflow, the route is strict.
    expect((await explain('strict', undefined)).fallback_note).toBe('route "strict" lists no fallbacks: it is strict');
  });

  it("should move an exact model ID to the workflow's allowed fallbacks", async () => {
    const e = await explain('m-main', 'widened');
    expect(e).toMatchObject({ route: null, fallback_note: null, fallbacks: [{ model: 'm-pricey', action: 'try' }] });
    expect((await explain('m-main', undefined)).fallback_note).toMatch(/exact model ID/);
  });

  it('should say when the workflow blocks every fallback the route lists, or allows none', async () => {
    const guarded = await explain('chat', 'guarded');
    expect(guarded).toMatchObject({
      fallbacks: [],
      fallback_note: 'workflow "guarded" blocks every fallback route "chat" lists',
    });
    expect(guarded.budget?.worst_cases.map((w) => w.model)).toEqual(['m-main']);
    const shut = await explain('chat', 'shut');
    expect(shut.fallback_note).toMatch(/^workflow "shut" allows no fallbacks/);
    expect((await explain('chat', undefined)).fallbacks).toEqual([{ model: 'm-cheap', provider: 'openai', action: 'try' }]);
  });
});

describe("explain: a workflow's budget", () => {
  it('should show the lowest ceiling of owner, route and workflow, and whose it is', async () => {
    expect((await explain('chat', 'metered')).budget).toMatchObject({
      max_request_usd: 0.05,
      max_request_by: 'workflow "metered"',
    });
    expect((await explain('chat', undefined)).budget).toMatchObject({ max_request_usd: 0.2, max_request_by: 'route "chat"' });
    expect((await explain('strict', undefined)).budget).toMatchObject({ max_request_usd: 0.5, max_request_by: 'owner "team-a"' });
    const capped = await explain('capped', 'metered');
    expect(capped.budget).toMatchObject({ max_request_usd: 0.01, max_request_by: 'route "capped"' });
  });

  it("should show the workflow's month, and the run's figures for a call carrying x-switchyard-run", async () => {
    const e = await explain('chat', 'metered', { headers: { 'x-switchyard-run': 'r1' } });
    expect(e.refusal).toBeNull();
    expect(e.budget?.workflow).toEqual({ name: 'metered', limit_usd: 5, hard_stop: true, spend_usd: 0, reserved_usd: 0 });
    expect(e.budget?.run).toEqual({ name: 'r1', limit_usd: 1, hard_stop: true, spend_usd: 0, reserved_usd: 0 });
    const noRun = await explain('chat', 'metered');
    expect(noRun.budget).toMatchObject({ run: null, workflow: { name: 'metered' } });
    expect((await explain('chat', undefined)).budget).toMatchObject({ workflow: null, run: null });
  });

  it("should take monthly_spend_pct as the owner's figures only, never the workflow's or the run's", async () => {
    // The owner's $9 of $10 (soft) would be past the workflow's $5 hard stop if it stood for the workflow too.
    const e = await explain('chat', 'metered', { headers: { 'x-switchyard-run': 'r1' }, given: { monthly_spend_pct: 0.9 } });
    expect(e.refusal).toBeNull();
    expect(e.budget).toMatchObject({ spend_usd: 9, workflow: { spend_usd: 0 }, run: { spend_usd: 0 } });
  });

  it("should take workflow_spend_pct as the workflow's figures, and report the refusal the trace shows", async () => {
    const e = await explain('chat', 'metered', { given: { workflow_spend_pct: 1 } });
    expect(e.refusal).toMatchObject({ status: 429, code: 'workflow_budget_exceeded', by: 'budget' });
    expect(e.budget).toMatchObject({ spend_usd: 0, workflow: { spend_usd: 5, reserved_usd: 0, limit_usd: 5 } });
    const room = await explain('chat', 'metered', { given: { workflow_spend_pct: 0.5 } });
    expect(room.refusal).toBeNull();
    expect(room.budget?.workflow?.spend_usd).toBe(2.5);
  });

  it("should take run_spend_usd as the run's spend, for a call carrying a run only", async () => {
    const run = { 'x-switchyard-run': 'r1' };
    const e = await explain('chat', 'metered', { headers: run, given: { run_spend_usd: 0.99999 } });
    expect(e.refusal).toMatchObject({ status: 429, code: 'run_budget_exceeded', by: 'budget' });
    expect(e.budget).toMatchObject({ run: { name: 'r1', spend_usd: 0.99999 }, workflow: { spend_usd: 0 } });
    const noRun = await explain('chat', 'metered', { given: { run_spend_usd: 0.99999 } });
    expect(noRun).toMatchObject({ refusal: null, budget: { run: null } });
  });

  it('should refuse an unknown given naming the budget-only ones too, and a run_spend_usd that is no number', async () => {
    await expect(explain('chat', 'metered', { given: { run_spend: 1 } })).rejects.toThrow(ExplainInputError);
    await expect(explain('chat', 'metered', { given: { run_spend: 1 } })).rejects.toThrow(
      /given run_spend: no such signal; rules can read .*workflow_spend_pct.*; the budget check also takes run_spend_usd/,
    );
    await expect(explain('chat', 'metered', { given: { run_spend_usd: 'lots' } })).rejects.toThrow(/run_spend_usd is a double/);
  });
});
