// setupTracing({ prometheus: true }) with OTLP metrics export on: one meter provider, two readers. The
// gateway's calls are scraped from GET /metrics and pushed over OTLP/HTTP (JSON) to a receiver on loopback;
// both must carry the same instruments with the same counts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type RunningGateway } from '@switchyard/cli';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import OpenAI from 'openai';
import { compilePolicy, parsePolicy, setupTracing, type Tracing } from 'switchyard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, type Sample } from './metrics-text.js';

const MINI = 'gpt-4o-mini-2024-07-18';
const FLAKY = 'flaky-large-2025-01-01';
const KEY = 'sk-provider-metrics-otlp';

interface OtlpDataPoint {
  readonly count?: number | string;
  readonly asInt?: number | string;
  readonly asDouble?: number;
}
interface OtlpMetric {
  readonly name: string;
  readonly histogram?: { readonly dataPoints: OtlpDataPoint[] };
  readonly sum?: { readonly dataPoints: OtlpDataPoint[]; readonly isMonotonic?: boolean };
}

let receiver: Server;
const bodies: { path: string; body: string }[] = [];
let mock: MockProvider;
let tracing: Tracing | undefined;
let gateway: RunningGateway | undefined;
let scraped: Sample[];
let pushed: OtlpMetric[];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  mock = await startMockProvider({ port: 0, apiKeys: [KEY], script: { [FLAKY]: { status: 503 } } });

  const saved = { ...process.env };
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_METRICS_EXPORTER: 'otlp',
  });
  try {
    tracing = await setupTracing({ prometheus: true });
    const compiled = compilePolicy(
      parsePolicy(
        `version: 1
providers:
  alpha: { format: openai, base_url: ${mock.url}, credentials: [{ env: KEY }] }
models:
  ${MINI}: { provider: alpha, price: { input: 1, output: 2 } }
  ${FLAKY}: { provider: alpha }
routes:
  smart: { default: ${MINI} }
  resilient: { default: ${FLAKY}, fallbacks: [${MINI}] }
failover:
  retry: { attempts: 1 }
`,
        'metrics-otlp.yaml',
        { env: { KEY } },
      ),
    );
    gateway = await serve(compiled, { port: 0, metrics: tracing.metricsHandler });
    const client = new OpenAI({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'Hello!' }];
    await client.chat.completions.create({ model: 'smart', messages });
    await client.chat.completions.create({ model: 'resilient', messages });
    await expect(client.chat.completions.create({ model: 'gpt', messages })).rejects.toMatchObject({ status: 404 });

    const origin = new URL(gateway.url).origin;
    const deadline = Date.now() + 5000;
    for (;;) {
      scraped = parsePrometheusText(await (await fetch(`${origin}/metrics`)).text());
      if (total(scraped, 'gen_ai_server_request_duration_count') >= 3) break;
      if (Date.now() > deadline) throw new Error('the three calls never reached the scrape');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await gateway.close(200);
    gateway = undefined;
    await tracing.shutdown(); // flushes the OTLP metric reader
    tracing = undefined;
  } finally {
    process.env = saved;
  }
  pushed = bodies
    .filter((b) => b.path === '/v1/metrics')
    .flatMap((b) =>
      (JSON.parse(b.body) as { resourceMetrics: { scopeMetrics: { metrics: OtlpMetric[] }[] }[] }).resourceMetrics.flatMap((r) =>
        r.scopeMetrics.flatMap((s) => s.metrics),
      ),
    );
});

afterAll(async () => {
  await gateway?.close(200);
  await tracing?.shutdown();
  await mock?.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

function total(samples: Sample[], name: string): number {
  return samples.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);
}

/** The Prometheus series name that counts an OTLP metric's observations. */
function countedAs(metric: OtlpMetric): string {
  const base = metric.name.replaceAll('.', '_');
  return metric.histogram ? `${base}_count` : metric.sum?.isMonotonic ? `${base}_total` : base;
}

function otlpCount(metric: OtlpMetric): number {
  const points = metric.histogram?.dataPoints ?? metric.sum?.dataPoints ?? [];
  return points.reduce((n, p) => n + Number(p.count ?? p.asInt ?? p.asDouble ?? 0), 0);
}

describe('Prometheus beside OTLP metrics', () => {
  it('should push over OTLP every instrument the scrape shows, with the same counts', () => {
    expect(pushed.length).toBeGreaterThan(0);
    const fromOtlp = new Map(pushed.map((m) => [countedAs(m), otlpCount(m)]));
    const fromScrape = new Map<string, number>();
    for (const s of scraped) {
      if (s.name === 'target_info' || s.name.endsWith('_bucket') || s.name.endsWith('_sum')) continue;
      fromScrape.set(s.name, (fromScrape.get(s.name) ?? 0) + s.value);
    }
    expect([...fromOtlp.keys()].sort()).toEqual([...fromScrape.keys()].sort());
    for (const [name, count] of fromScrape) expect(fromOtlp.get(name), name).toBeCloseTo(count, 10);
    expect(fromScrape.get('gen_ai_server_request_duration_count')).toBe(3);
    expect(fromScrape.get('switchyard_fallbacks_total')).toBe(1);
  });
});
