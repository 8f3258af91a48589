// Issue 14 item 8 through the whole stack: the evidence every call carries — workflow, who pays and who is
// charged back, requested and served model, endpoint family, status and error class, usage, cost, fallback
// reason, transition taken, run ID — in the record, the spans and the audit log line alike.
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import express from 'express';
import { compilePolicy, parsePolicy, switchyard } from 'switchyard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTelemetry } from '../packages/audit/test/support.js';

const CLIENT_KEY = 'sk-client-evidence';
let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ port: 0 });
});
afterAll(() => mock?.close());

/** The stack on `yaml`, its spans, metrics and audit log lines kept in memory. */
async function start(yaml: string) {
  const telemetry = memoryTelemetry();
  const lines: string[] = [];
  const compiled = compilePolicy(parsePolicy(yaml, 'policy.yaml', { env: { CLIENT_KEY } }));
  const app = express().use(
    '/v1',
    switchyard(compiled, {
      audit: { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider, log: (l) => lines.push(l) },
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { telemetry, lines, compiled, server, url };
}

describe('evidence of a workflow call', () => {
  it('should be the same in the audit log line, on the spans and in the metrics', async () => {
    const yaml = `version: 1
providers: { alpha: { format: openai, base_url: "${mock.url}" } }
models:
  primary: { provider: alpha, max_output_tokens: 100, capabilities: [streaming], price: { input: 1, output: 2 } }
  backup: { provider: alpha, max_output_tokens: 100, capabilities: [streaming], price: { input: 1, output: 2 } }
routes:
  support: { default: primary, fallbacks: [backup] }
workflows:
  support_chat:
    owner: support_platform
    on: { http_5xx: fallback, refusal: stop_and_escalate }
    risk: "medium: customer content"
keys:
  - { name: app, secret: { env: CLIENT_KEY }, owner: team-a }
`;
    const { telemetry, lines, compiled, server, url } = await start(yaml);
    try {
      mock.script('primary', { status: 503 });
      mock.script('backup', { finishReason: 'content_filter' });
      const res = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${CLIENT_KEY}`,
          'x-switchyard-workflow': 'support_chat',
          'x-switchyard-run': 'conversation-42',
        },
        body: JSON.stringify({ model: 'support', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
      const spans = await telemetry.finished(3);
      await expect.poll(() => lines.length).toBe(1);

      const line = JSON.parse(lines[0]!);
      expect(line).toMatchObject({
        workflow: 'support_chat',
        owner: 'team-a',
        workflow_owner: 'support_platform',
        run_id: 'conversation-42',
        endpoint: 'chat',
        requested_model: 'support',
        served_model: 'backup',
        status: 200,
        error_class: null,
        fallback_reason: 'http_503',
        transition_outcome: 'refusal',
        transition_action: 'stop_and_escalate',
        escalate: true,
        attempts: 2,
      });
      expect(line.input_tokens).toBeGreaterThan(0);
      expect(line.cost_usd).toBeGreaterThan(0);

      const call = spans.find((s) => s.kind === SpanKind.SERVER)!;
      expect(call.attributes).toMatchObject({
        'switchyard.workflow': 'support_chat',
        'switchyard.owner': 'team-a',
        'switchyard.workflow_owner': 'support_platform',
        'switchyard.run_id': 'conversation-42',
        'switchyard.workflow_risk': 'medium: customer content',
        'switchyard.transition.outcome': 'refusal',
        'switchyard.transition.action': 'stop_and_escalate',
        'switchyard.escalate': true,
        'switchyard.fallback.reason': 'http_503',
        'switchyard.cost.usd': line.cost_usd,
      });
      expect(call.attributes['switchyard.first_token_ms']).toEqual(expect.any(Number));
      const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT);
      const served = attempts.find((s) => s.attributes['gen_ai.response.model'] === 'backup')!;
      expect(served.attributes['gen_ai.response.time_to_first_chunk']).toEqual(expect.any(Number));
      expect(attempts.find((s) => s !== served)!.attributes['gen_ai.response.time_to_first_chunk']).toBeUndefined();

      const metrics = (await telemetry.metrics()).scopeMetrics.flatMap((s) => s.metrics);
      const firstChunk = metrics.find((m) => m.descriptor.name === 'gen_ai.client.operation.time_to_first_chunk');
      expect(firstChunk?.dataPoints.map((p) => p.attributes['gen_ai.request.model'])).toEqual(['backup']);
      expect(firstChunk?.dataPoints.map((p) => p.attributes['gen_ai.workflow.name'])).toEqual(['support_chat']);
    } finally {
      server.closeAllConnections();
      server.close();
      await telemetry.shutdown();
      await compiled.budget.shutdown();
    }
  });
});

describe('the workflow as a metric label', () => {
  it("should be left off for a policy without workflows, where it is the client's free label: spans and the log keep it", async () => {
    const yaml = `version: 1
providers: { alpha: { format: openai, base_url: "${mock.url}" } }
models:
  plain: { provider: alpha, max_output_tokens: 100, capabilities: [streaming] }
`;
    const { telemetry, lines, compiled, server, url } = await start(yaml);
    try {
      // Each a new label: were they metric attributes, every one would be a new series kept for good.
      for (const label of ['label-1', 'label-2', 'label-3']) {
        const res = await fetch(`${url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-switchyard-workflow': label },
          body: JSON.stringify({ model: 'plain', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }),
        });
        expect(res.status).toBe(200);
        await res.text();
      }
      const spans = await telemetry.finished(6);
      await expect.poll(() => lines.length).toBe(3);
      expect(lines.map((l) => JSON.parse(l).workflow)).toEqual(['label-1', 'label-2', 'label-3']);
      const calls = spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(calls.map((s) => s.attributes['switchyard.workflow']).sort()).toEqual(['label-1', 'label-2', 'label-3']);
      const metrics = (await telemetry.metrics()).scopeMetrics.flatMap((s) => s.metrics);
      const firstChunk = metrics.find((m) => m.descriptor.name === 'gen_ai.client.operation.time_to_first_chunk');
      expect(firstChunk?.dataPoints).toHaveLength(1);
      expect(firstChunk?.dataPoints[0]?.attributes).not.toHaveProperty('gen_ai.workflow.name');
    } finally {
      server.closeAllConnections();
      server.close();
      await telemetry.shutdown();
      await compiled.budget.shutdown();
    }
  });
});
