import { routing } from '@switchyard/core';
// With the real @opentelemetry/instrumentation-http, audit() writes onto the server span it starts, and that
// span ends only once audit() has written it.
import { createRequire } from 'node:module';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as A from './attributes.js';
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
let instrumentation: HttpInstrumentation;

beforeAll(() => {
  context.setGlobalContextManager(new StorageContextManager());
  trace.setGlobalTracerProvider(telemetry.tracerProvider);
  instrumentation = new HttpInstrumentation();
  instrumentation.enable();
  // The instrumentation patches `http` when it is next required; Express required it long ago.
  createRequire(import.meta.url)('http');
});
afterAll(async () => {
  instrumentation.disable();
  trace.disable();
  context.disable();
  await telemetry.shutdown();
});

describe('audit() under @opentelemetry/instrumentation-http', () => {
  it("should write the record onto the instrumentation's server span, with the instrumentation's HTTP attributes", async () => {
    const app = await startAuditApp({ policy: testPolicy(), metrics: false }, [
      (req, res) => {
        const record = parseLikeSignals(req);
        record.selection = { kind: 'route', route: 'smart', rule: 'default', model: MINI };
        answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
        // As budget() settles: after the call, before audit() writes the record.
        routing(req, res).onSettle(() => {
          record.costUsd = 0.5;
        });
        relay(res, 200, 'application/json', [chatCompletion(MINI)]);
      },
    ]);
    try {
      await post(`${app.url}/chat/completions`, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });
      const spans = await telemetry.finished(2);
      const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(servers.map((s) => s.instrumentationScope.name)).toEqual(['@opentelemetry/instrumentation-http']);
      const server = servers[0]!;
      expect(server.attributes).toMatchObject({
        [A.ATTR_HTTP_REQUEST_METHOD]: 'POST',
        [A.ATTR_HTTP_RESPONSE_STATUS_CODE]: 200,
        [A.ATTR_ROUTE]: 'smart',
        [A.ATTR_SERVED_MODEL]: MINI,
        [A.ATTR_COST_USD]: 0.5,
      });
      const attempt = spans.find((s) => s.kind === SpanKind.CLIENT && s.instrumentationScope.name === '@switchyard/audit')!;
      expect(attempt.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    } finally {
      await app.close();
    }
  });
});
