import type { Histogram } from '@opentelemetry/sdk-metrics';
import { SwitchyardError, type Attempt } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as A from './attributes.js';
import {
  answeredAttempt,
  chatCompletion,
  memoryTelemetry,
  parseLikeSignals,
  points,
  post,
  relay,
  startAuditApp,
  testPolicy,
  type AuditApp,
} from '../test/support.js';

const MINI = 'gpt-4o-mini-2024-07-18';
const LLAMA = 'llama-3.3-70b-versatile';
const telemetry = memoryTelemetry();
let app: AuditApp;

/** `model: "ok"`: one priced answer; `model: "down"`: one refused connection, then 502. */
const stack: RequestHandler = (req, res, next) => {
  const record = parseLikeSignals(req);
  record.selection = { kind: 'route', route: 'smart', rule: 'default', model: MINI };
  if (record.requestedModel === 'down') {
    const at = Date.now() - 250;
    const attempt: Attempt = {
      provider: 'groq',
      model: LLAMA,
      credentialIndex: 0,
      startedAt: at,
      endedAt: at + 250,
      outcome: 'connect_error',
      errorClass: 'ECONNREFUSED',
    };
    record.attempts.push(attempt);
    next(new SwitchyardError({ status: 502, type: 'api_error', code: 'upstream_unavailable', message: 'down' }));
    return;
  }
  answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
  record.usage = { inputTokens: 300, outputTokens: 20 };
  record.costUsd = 0.0005;
  relay(res, 200, 'application/json', [chatCompletion(MINI)]);
};

beforeAll(async () => {
  app = await startAuditApp(
    { policy: testPolicy(), tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider },
    [stack],
  );
});
afterAll(async () => {
  await app.close();
  await telemetry.shutdown();
});

describe('audit() metrics', () => {
  it('should record GenAI token usage and operation duration per the conventions, and the cost', async () => {
    await post(`${app.url}/chat/completions`, { model: 'ok', messages: [{ role: 'user', content: 'Hi' }] });
    await post(`${app.url}/chat/completions`, { model: 'ok', messages: [{ role: 'user', content: 'Hi' }] });
    await post(`${app.url}/chat/completions`, { model: 'down', messages: [{ role: 'user', content: 'Hi' }] });
    await telemetry.finished(6);
    const collected = await telemetry.metrics();

    const served = {
      [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [A.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [A.ATTR_PROVIDER]: 'openai',
      [A.ATTR_GEN_AI_REQUEST_MODEL]: MINI,
      [A.ATTR_GEN_AI_RESPONSE_MODEL]: MINI,
      [A.ATTR_SERVER_ADDRESS]: 'api.openai.example',
      [A.ATTR_SERVER_PORT]: 8443,
    };
    const tokens = points(collected, A.METRIC_GEN_AI_CLIENT_TOKEN_USAGE).map((p) => [
      p.attributes,
      (p.value as Histogram).sum,
      (p.value as Histogram).count,
    ]);
    expect(tokens).toEqual([
      [{ ...served, [A.ATTR_GEN_AI_TOKEN_TYPE]: 'input' }, 600, 2],
      [{ ...served, [A.ATTR_GEN_AI_TOKEN_TYPE]: 'output' }, 40, 2],
    ]);

    const durations = points(collected, A.METRIC_GEN_AI_CLIENT_OPERATION_DURATION);
    expect(durations.map((p) => [p.attributes, (p.value as Histogram).count])).toEqual([
      [served, 2],
      [
        {
          [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
          [A.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
          [A.ATTR_PROVIDER]: 'groq',
          [A.ATTR_GEN_AI_REQUEST_MODEL]: LLAMA,
          [A.ATTR_SERVER_ADDRESS]: '127.0.0.1',
          [A.ATTR_SERVER_PORT]: 4102,
          [A.ATTR_ERROR_TYPE]: 'ECONNREFUSED',
        },
        1,
      ],
    ]);
    expect((durations[1]!.value as Histogram).sum).toBeCloseTo(0.25, 5);
    // Seconds, in the buckets the conventions advise.
    expect((durations[0]!.value as Histogram).buckets.boundaries).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);

    const cost = points(collected, A.METRIC_COST);
    expect(cost.map((p) => [p.attributes, p.value])).toEqual([
      [
        { [A.ATTR_OWNER]: 'default', [A.ATTR_ROUTE]: 'smart', [A.ATTR_GEN_AI_RESPONSE_MODEL]: MINI, [A.ATTR_PROVIDER]: 'openai' },
        0.001,
      ],
    ]);
  });
});
