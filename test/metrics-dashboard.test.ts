// The Grafana dashboard of examples/grafana queries only what a gateway emits: a switchyard() gateway with
// mock providers takes a few calls (a plain one, a stream, one that retries and falls back, two refusals),
// its real GET /metrics is scraped and parsed as Prometheus would, and every metric and label name the
// dashboard's PromQL uses must be in the scrape, under Prometheus' names for it (dots to underscores,
// `_total` on counters, `_bucket`/`_sum`/`_count` of histograms; this exporter adds no unit suffix).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { serve, type RunningGateway } from '@switchyard/cli';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import OpenAI from 'openai';
import { compilePolicy, parsePolicy, prometheusMetrics, type PrometheusMetrics } from 'switchyard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, promqlNames, type Sample } from './metrics-text.js';

const DASHBOARD = fileURLToPath(new URL('../examples/grafana/switchyard.json', import.meta.url));
const MINI = 'gpt-4o-mini-2024-07-18';
const FLAKY = 'flaky-large-2025-01-01'; // alpha answers 503 for it
const LITE = 'beta-lite-2025-01-01'; // no tools: skipped as a fallback for a call with tools
const LLAMA = 'llama-3.3-70b-versatile';
const SEARCH_KEY = 'sk-client-dashboard-search';
const INTERN_KEY = 'sk-client-dashboard-intern'; // its owner's budget is 0
const ALPHA_KEY = 'sk-provider-dashboard-alpha';
const BETA_KEY = 'sk-provider-dashboard-beta';

/**
 * Queried by the dashboard, not emitted yet, and why. When a test below says one is emitted now, take it
 * out of this list: from then on its presence is checked like the others'.
 */
const PENDING: Readonly<Record<string, string>> = {
  switchyard_ratelimit_refusals_total:
    "needs client keys' rate limits (a switchyard.ratelimit.refused event or rate_limit_exceeded)",
};

function policy(alpha: string, beta: string): string {
  const model = 'context_window: 128000, price: { input: 1, output: 2 }';
  return `version: 1
providers:
  alpha: { format: openai, base_url: ${alpha}, credentials: [{ env: ALPHA_KEY }] }
  beta: { format: openai, base_url: ${beta}, credentials: [{ env: BETA_KEY }] }
models:
  ${MINI}: { provider: alpha, ${model}, capabilities: [tools, streaming] }
  ${FLAKY}: { provider: alpha, ${model}, capabilities: [tools, streaming] }
  ${LITE}: { provider: beta, ${model}, capabilities: [streaming] }
  ${LLAMA}: { provider: beta, ${model}, capabilities: [tools, streaming] }
routes:
  smart: { default: ${MINI} }
  resilient: { default: ${FLAKY}, fallbacks: [${LITE}, ${LLAMA}] }
failover:
  retry: { attempts: 2, backoff_ms: 5 }
  cooldown: { failures: 2, duration_ms: 60000 }
budgets:
  owners:
    search-team: { monthly_usd: 100, hard_stop: true }
    intern: { monthly_usd: 0, hard_stop: true }
keys:
  - { name: search-backend, secret: { env: SEARCH_KEY }, owner: search-team }
  - { name: intern-laptop, secret: { env: INTERN_KEY }, owner: intern }
`;
}

interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets?: readonly { readonly expr: string }[];
}

let mocks: MockProvider[] = [];
let metrics: PrometheusMetrics | undefined;
let gateway: RunningGateway | undefined;
let origin: string;
let samples: Sample[];
let panels: Panel[];

beforeAll(async () => {
  const [alpha, beta] = await Promise.all([
    startMockProvider({ port: 0, apiKeys: [ALPHA_KEY], script: { [FLAKY]: { status: 503 } } }),
    startMockProvider({ port: 0, apiKeys: [BETA_KEY] }),
  ]);
  mocks = [alpha!, beta!];
  const env = { ALPHA_KEY, BETA_KEY, SEARCH_KEY, INTERN_KEY };
  const compiled = compilePolicy(parsePolicy(policy(alpha!.url, beta!.url), 'dashboard-policy.yaml', { env }));
  metrics = await prometheusMetrics();
  gateway = await serve(compiled, {
    port: 0,
    metrics: metrics.handler,
    audit: { meterProvider: metrics.meterProvider },
  });
  origin = new URL(gateway.url).origin;

  const client = new OpenAI({ baseURL: gateway.url, apiKey: SEARCH_KEY, maxRetries: 0 });
  const messages = [{ role: 'user' as const, content: 'Hello!' }];
  await client.chat.completions.create({ model: 'smart', messages });
  const stream = await client.chat.completions.create({ model: 'smart', messages, stream: true });
  for await (const chunk of stream) void chunk;
  const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
  await client.chat.completions.create({ model: 'resilient', messages, tools });
  await expect(client.chat.completions.create({ model: 'gpt', messages })).rejects.toMatchObject({ status: 404 });
  const intern = new OpenAI({ baseURL: gateway.url, apiKey: INTERN_KEY, maxRetries: 0 });
  await expect(intern.chat.completions.create({ model: 'smart', messages })).rejects.toMatchObject({ status: 429 });

  // Each call is recorded once it has settled, a moment after its response: scrape until all five are.
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await fetch(`${origin}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    samples = parsePrometheusText(await res.text());
    const calls = samples.filter((s) => s.name === 'gen_ai_server_request_duration_count').reduce((n, s) => n + s.value, 0);
    if (calls >= 5) break;
    if (Date.now() > deadline) throw new Error(`only ${calls} of 5 calls in the metrics`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  panels = (JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Panel[] }).panels;
});

afterAll(async () => {
  await gateway?.close(200);
  await metrics?.shutdown();
  await Promise.all(mocks.map((m) => m.close()));
});

const queries = () => panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
const emitted = () => new Set(samples.map((s) => s.name));

describe('the Grafana dashboard over a real scrape', () => {
  it('should have queries, each naming at least one metric', () => {
    expect(queries().length).toBeGreaterThanOrEqual(15);
    for (const { panel, expr } of queries()) expect(promqlNames(expr).metrics.size, `${panel}: ${expr}`).toBeGreaterThan(0);
  });

  it('should query only metrics the gateway emits', () => {
    const missing: string[] = [];
    for (const { panel, expr } of queries()) {
      for (const name of promqlNames(expr).metrics) {
        if (!emitted().has(name) && !(name in PENDING)) missing.push(`${panel}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('should still wait for what PENDING names, and for nothing else', () => {
    const used = new Set(queries().flatMap(({ expr }) => [...promqlNames(expr).metrics]));
    for (const [name, why] of Object.entries(PENDING)) {
      expect(used.has(name), `${name} is not on the dashboard: take it out of PENDING`).toBe(true);
      expect(emitted().has(name), `${name} is emitted now: take it out of PENDING (it ${why})`).toBe(false);
    }
  });

  it('should group and filter only by labels the metrics it queries carry', () => {
    const wrong: string[] = [];
    for (const { panel, expr } of queries()) {
      const { metrics: names, labels } = promqlNames(expr);
      const present = samples.filter((s) => names.has(s.name));
      if (present.length === 0) continue; // all pending
      const carried = new Set(present.flatMap((s) => Object.keys(s.labels)));
      for (const label of labels) if (!carried.has(label)) wrong.push(`${panel}: ${label}`);
    }
    expect(wrong).toEqual([]);
  });

  it('should see the calls it made, by the names the panels use', () => {
    const sum = (name: string, where: (l: Sample['labels']) => boolean = () => true) =>
      samples.filter((s) => s.name === name && where(s.labels)).reduce((n, s) => n + s.value, 0);
    // Two 503s of flaky, then llama; one each for the smart calls.
    expect(sum('switchyard_attempts_total')).toBe(5);
    expect(sum('switchyard_retries_total', (l) => l.switchyard_retry_reason === 'http_503')).toBe(1);
    expect(sum('switchyard_cooldowns_total', (l) => l.gen_ai_request_model === FLAKY)).toBe(1);
    expect(sum('switchyard_skips_total', (l) => l.switchyard_skip_reason === 'missing_capability')).toBe(1);
    expect(sum('switchyard_fallbacks_total', (l) => l.switchyard_route === 'resilient')).toBe(1);
    expect(sum('switchyard_refusals_total', (l) => l.switchyard_error_code === 'model_not_found')).toBe(1);
    expect(
      sum('switchyard_refusals_total', (l) => l.switchyard_error_code === 'budget_exceeded' && l.switchyard_owner === 'intern'),
    ).toBe(1);
    expect(sum('switchyard_cost_total', (l) => l.switchyard_owner === 'search-team')).toBeGreaterThan(0);
    expect(sum('gen_ai_server_request_duration_count', (l) => l.error_type === 'model_not_found')).toBe(1);
    // A made-up model name is no label value.
    expect(samples.some((s) => Object.values(s.labels).includes('gpt'))).toBe(false);
  });

  it('should serve the metrics outside /v1, with no client key, and not under /v1', async () => {
    const res = await fetch(`${origin}/metrics`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    const underV1 = await fetch(`${gateway!.url}/metrics`);
    expect(underV1.status).toBe(401);
    expect(await underV1.text()).not.toContain('gen_ai_');
  });
});
