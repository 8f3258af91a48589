import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metrics, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { otlpEndpointConfigured, setupTracing } from './setup-tracing.js';
import { post, startAuditApp, until } from '../test/support.js';
import type { MetricsHandler, Tracing } from './types.js';

let tracing: Tracing | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Records one call through audit() (global providers), then scrapes `handler` until it has the call. */
async function scrapeAfterOneCall(handler: MetricsHandler): Promise<string> {
  const app = await startAuditApp({}, [(_req, res) => void res.json({ ok: true })]);
  const server = await new Promise<Server>((resolve) => {
    const s = createServer(handler).listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    await post(`${app.url}/chat/completions`, { model: 'smart', messages: [] });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    // audit() records a call a moment after its response.
    const deadline = Date.now() + 2000;
    for (;;) {
      const body = await (await fetch(url)).text();
      if (body.includes('gen_ai_server_request_duration_count') || Date.now() > deadline) return body;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await app.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('setupTracing', () => {
  it('should register global providers, print spans in console mode, and unregister on shutdown', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    tracing = await setupTracing({ exporter: 'console' });
    const span = trace.getTracer('t').startSpan('hello');
    expect(span.isRecording()).toBe(true);
    span.setAttribute('switchyard.route', 'smart');
    span.end();
    // The SDK exports once the resource's asynchronous attributes (host id) are known.
    await until(() => out.mock.calls.length > 0, 'the span line');
    expect(out.mock.calls.map(([chunk]) => String(chunk)).join('')).toMatch(
      /^\[span\] hello {2}\d+\.\d ms {2}trace=[0-9a-f]{32}\n {7}switchyard\.route=smart\n$/,
    );
    // Console mode exports no metrics.
    expect(metrics.getMeterProvider().getMeter('t').constructor.name).toBe('NoopMeter');

    await tracing.shutdown();
    tracing = undefined;
    expect(trace.getTracer('t').startSpan('after').isRecording()).toBe(false);
  });

  it('should refuse a second set-up until the first is shut down, then allow it', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    tracing = await setupTracing({ exporter: 'console' });
    await expect(setupTracing({ exporter: 'console' })).rejects.toThrow('setupTracing(): tracing is already set up');
    await tracing.shutdown();
    await tracing.shutdown(); // twice is harmless
    tracing = await setupTracing({ exporter: 'console' });
    expect(trace.getTracer('t').startSpan('again').isRecording()).toBe(true);
  });

  it('should write the calls that closed just before shutdown() and send them', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    tracing = await setupTracing({ exporter: 'console' });
    const app = await startAuditApp({ metrics: false }, [(_req, res) => void res.json({ ok: true })]);
    try {
      await post(`${app.url}/chat/completions`, { model: 'smart', messages: [] });
    } finally {
      await app.close();
    }
    await tracing.shutdown(); // at once: audit() writes a record a turn after its response closes
    tracing = undefined;
    expect(out.mock.calls.map(([chunk]) => String(chunk)).join('')).toContain('[span] POST /v1/chat/completions');
  });

  it('should serve the metrics for Prometheus from the meter provider it registers, when asked to', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    tracing = await setupTracing({ exporter: 'console' });
    expect(tracing.metricsHandler).toBeUndefined();
    await tracing.shutdown();

    // Console mode pushes no metrics; Prometheus reads them all the same.
    tracing = await setupTracing({ exporter: 'console', prometheus: true });
    expect(tracing.metricsHandler).toBeTypeOf('function');
    const body = await scrapeAfterOneCall(tracing.metricsHandler!);
    expect(body).toMatch(/^gen_ai_server_request_duration_count\{[^}]*\} 1$/m);
    expect(body).toMatch(/^target_info\{[^}]*service_name="switchyard"/m);
  });

  it('should keep the Prometheus reader when OTEL_METRICS_EXPORTER turns the pushing ones off', async () => {
    vi.stubEnv('OTEL_METRICS_EXPORTER', 'none');
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
    tracing = await setupTracing({ prometheus: true });
    expect(await scrapeAfterOneCall(tracing.metricsHandler!)).toMatch(/^gen_ai_server_request_duration_count\{[^}]*\} 1$/m);
  });

  it('should reject unknown options before starting anything', async () => {
    await expect(setupTracing({ exporter: 'zipkin' } as never)).rejects.toThrow(TypeError);
    await expect(setupTracing({ endpoint: 'http://x' } as never)).rejects.toThrow('setupTracing(): unknown option "endpoint"');
    expect(trace.getTracer('t').startSpan('none').isRecording()).toBe(false);
  });
});

describe('otlpEndpointConfigured', () => {
  it('should see either endpoint variable, and ignore blank ones', () => {
    expect(otlpEndpointConfigured({})).toBe(false);
    expect(otlpEndpointConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
    expect(otlpEndpointConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' })).toBe(true);
    expect(otlpEndpointConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://localhost:4318/v1/traces' })).toBe(true);
  });
});
