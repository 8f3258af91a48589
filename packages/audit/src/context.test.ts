// Which server span audit() writes on: the active one (instrumentation-http's), its own (joining the
// caller's trace), once per request, and none at all when no SDK is registered.
import { routing } from '@switchyard/core';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { RequestHandler } from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as A from './attributes.js';
import { audit } from './middleware.js';
import {
  answeredAttempt,
  chatCompletion,
  memoryTelemetry,
  parseLikeSignals,
  post,
  relay,
  startAuditApp,
  StorageContextManager,
  testPolicy,
} from '../test/support.js';

const MINI = 'gpt-4o-mini-2024-07-18';
const telemetry = memoryTelemetry();
const options = { policy: testPolicy(), tracerProvider: telemetry.tracerProvider, metrics: false };

const fakeStack: RequestHandler = (req, res) => {
  const record = parseLikeSignals(req);
  record.selection = { kind: 'route', route: 'smart', rule: 'default', model: MINI };
  record.target = { model: MINI, provider: 'openai', format: 'openai' };
  answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
  // As budget() settles: after the call, before audit() writes the record.
  routing(req, res).onSettle(() => {
    record.costUsd = 0.25;
  });
  relay(res, 200, 'application/json', [chatCompletion(MINI)]);
};

/** What @opentelemetry/instrumentation-http does around each request: a SERVER span, active, ended on close. */
const instrumentation: RequestHandler = (_req, res, next) => {
  const span = telemetry.tracerProvider.getTracer('instrumentation-http').startSpan('POST', { kind: SpanKind.SERVER });
  res.on('close', () => span.end());
  context.with(trace.setSpan(context.active(), span), next);
};

const BODY = { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] };

beforeAll(() => {
  context.setGlobalContextManager(new StorageContextManager());
});
afterEach(() => telemetry.spans.reset());
afterAll(async () => {
  context.disable();
  propagation.disable();
  await telemetry.shutdown();
});

describe('audit() server span', () => {
  it('should write onto the active server span of an instrumentation instead of starting one', async () => {
    const app = await startAuditApp(options, [fakeStack], [instrumentation]);
    try {
      await post(`${app.url}/chat/completions`, BODY);
      const spans = await telemetry.finished(2);
      expect(spans.map((s) => [s.instrumentationScope.name, s.kind])).toEqual([
        ['@switchyard/audit', SpanKind.CLIENT],
        ['instrumentation-http', SpanKind.SERVER],
      ]);
      const [attempt, server] = spans;
      expect(server!.name).toBe('POST');
      // Its creator ends it as the response closes; audit holds that end until the record is complete.
      expect(server!.attributes).toMatchObject({
        [A.ATTR_ROUTE]: 'smart',
        [A.ATTR_RULE]: 'default',
        [A.ATTR_SERVED_MODEL]: MINI,
        [A.ATTR_COST_USD]: 0.25,
      });
      expect(hrMs(server!.endTime)).toBeGreaterThanOrEqual(hrMs(attempt!.endTime));
      // HTTP attributes are the instrumentation's to write.
      expect(server!.attributes).not.toHaveProperty(A.ATTR_HTTP_ROUTE);
      expect(server!.attributes).not.toHaveProperty(A.ATTR_HTTP_RESPONSE_STATUS_CODE);
      expect(attempt!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    } finally {
      await app.close();
    }
  });

  it('should start its own span when told not to use the active one', async () => {
    const app = await startAuditApp({ ...options, useActiveSpan: false }, [fakeStack], [instrumentation]);
    try {
      await post(`${app.url}/chat/completions`, BODY);
      const spans = await telemetry.finished(3);
      const ours = spans.find((s) => s.kind === SpanKind.SERVER && s.instrumentationScope.name === '@switchyard/audit')!;
      const theirs = spans.find((s) => s.instrumentationScope.name === 'instrumentation-http')!;
      expect(ours.attributes[A.ATTR_ROUTE]).toBe('smart');
      expect(theirs.attributes).toEqual({});
      expect(ours.parentSpanContext?.spanId).toBe(theirs.spanContext().spanId);
    } finally {
      await app.close();
    }
  });

  it("should join the caller's trace when the request carries a traceparent", async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const app = await startAuditApp(options, [fakeStack]);
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const parentId = '00f067aa0ba902b7';
      await post(`${app.url}/chat/completions`, BODY, { traceparent: `00-${traceId}-${parentId}-01` });
      const server = (await telemetry.finished(2)).find((s) => s.kind === SpanKind.SERVER)!;
      expect(server.spanContext().traceId).toBe(traceId);
      expect(server.parentSpanContext?.spanId).toBe(parentId);
    } finally {
      propagation.disable();
      await app.close();
    }
  });

  it('should write a request once when audit() is mounted twice', async () => {
    const app = await startAuditApp(options, [fakeStack], [audit(options)]);
    try {
      await post(`${app.url}/chat/completions`, BODY);
      await telemetry.finished(2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(
        telemetry.spans
          .getFinishedSpans()
          .map((s) => s.kind)
          .sort(),
      ).toEqual([SpanKind.SERVER, SpanKind.CLIENT].sort());
    } finally {
      await app.close();
    }
  });

  it('should add no listener to a request when no SDK is registered and no log is asked for', async () => {
    const listeners: RequestHandler = (_req, res) => {
      res.json({ close: res.listenerCount('close'), wrapped: Object.hasOwn(res, 'write') });
    };
    const bare = await startAuditApp(options, [listeners]);
    const noSdk = await startAuditApp({ policy: testPolicy() }, [listeners]);
    try {
      const withoutSdk = await post(`${noSdk.url}/chat/completions`, BODY);
      const withSdk = await post(`${bare.url}/chat/completions`, BODY);
      // One close listener (the call's end, which the record is written after); res itself is never patched.
      expect(JSON.parse(withSdk.text)).toEqual({ close: expect.any(Number), wrapped: false });
      const counts = JSON.parse(withoutSdk.text) as { close: number; wrapped: boolean };
      expect(counts).toEqual({ close: (JSON.parse(withSdk.text) as { close: number }).close - 1, wrapped: false });
    } finally {
      await bare.close();
      await noSdk.close();
    }
  });
});

function hrMs([s, ns]: [number, number]): number {
  return s * 1000 + ns / 1e6;
}
