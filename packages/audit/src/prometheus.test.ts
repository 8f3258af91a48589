// prometheusMetrics(): a meter provider of its own that audit() records into, served in the Prometheus
// text format by a handler mounted like any other.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { prometheusMetrics } from './metrics-endpoint.js';
import type { PrometheusMetrics } from './types.js';
import { answeredAttempt, chatCompletion, parseLikeSignals, post, relay, startAuditApp, testPolicy } from '../test/support.js';

const MINI = 'gpt-4o-mini-2024-07-18';
let metrics: PrometheusMetrics | undefined;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await metrics?.shutdown();
  metrics = undefined;
  vi.unstubAllEnvs();
});

/** An app with audit() on /v1 recording into `metrics`, and `metrics.handler` mounted at `path` with `use` or `get`. */
async function gateway(m: PrometheusMetrics, mount: 'get' | 'use' = 'get'): Promise<string> {
  const audited = await startAuditApp({ policy: testPolicy(), meterProvider: m.meterProvider, useActiveSpan: false }, [
    (req, res) => {
      const record = parseLikeSignals(req);
      record.selection = { kind: 'route', route: 'smart', rule: 'default', model: MINI };
      answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
      record.usage = { inputTokens: 30, outputTokens: 4 };
      relay(res, 200, 'application/json', [chatCompletion(MINI)]);
    },
  ]);
  closers.push(audited.close);
  const scraper = express();
  scraper[mount]('/internal/metrics', m.handler);
  const server = await new Promise<Server>((resolve) => {
    const s = scraper.listen(0, '127.0.0.1', () => resolve(s));
  });
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  await post(`${audited.url}/chat/completions`, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/metrics`;
}

async function scrapeUntil(url: string, text: string): Promise<string> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const body = await (await fetch(url)).text();
    if (body.includes(text) || Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('prometheusMetrics()', () => {
  it('should serve what audit() recorded, under the names Prometheus gives them, wherever it is mounted', async () => {
    metrics = await prometheusMetrics();
    const url = await gateway(metrics);
    const body = await scrapeUntil(url, 'gen_ai_server_request_duration_count');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    // Dots become underscores, counters get `_total`, histograms `_bucket`/`_sum`/`_count`.
    expect(body).toMatch(/^gen_ai_server_request_duration_count\{[^}]*gen_ai_request_model="smart"[^}]*\} 1$/m);
    expect(body).toMatch(/^gen_ai_client_operation_duration_bucket\{[^}]*le="0\.01"[^}]*\} \d+$/m);
    expect(body).toMatch(/^gen_ai_client_token_usage_sum\{[^}]*gen_ai_token_type="input"[^}]*\} 30$/m);
    expect(body).toMatch(/^switchyard_attempts_total\{[^}]*switchyard_attempt_outcome="ok"[^}]*\} 1$/m);
    expect(body).toMatch(/^# TYPE switchyard_attempts_total counter$/m);
    expect(body).toMatch(/^target_info\{service_name="switchyard"\} 1$/m);
  });

  it('should answer HEAD without a body, and other methods 405 when mounted with use()', async () => {
    metrics = await prometheusMetrics();
    const url = await gateway(metrics, 'use');
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const posted = await fetch(url, { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
  });

  it('should answer 503 once shut down', async () => {
    metrics = await prometheusMetrics();
    const url = await gateway(metrics);
    await metrics.shutdown();
    const res = await fetch(url);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/^metrics unavailable: /);
  });

  it('should name the service as asked, OTEL_SERVICE_NAME first', async () => {
    metrics = await prometheusMetrics({ serviceName: 'edge-gateway' });
    const own = await scrapeUntil(await gateway(metrics), 'target_info');
    expect(own).toMatch(/^target_info\{service_name="edge-gateway"\} 1$/m);
    await metrics.shutdown();

    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    metrics = await prometheusMetrics({ serviceName: 'edge-gateway' });
    expect(await scrapeUntil(await gateway(metrics), 'target_info')).toMatch(/^target_info\{service_name="from-env"\} 1$/m);
  });

  it('should reject options it does not know, and a blank service name', async () => {
    await expect(prometheusMetrics({ port: 9464 } as never)).rejects.toThrow('prometheusMetrics(): unknown option "port"');
    await expect(prometheusMetrics({ serviceName: ' ' })).rejects.toThrow(TypeError);
    await expect(prometheusMetrics(null as never)).rejects.toThrow('options must be an object');
  });
});
