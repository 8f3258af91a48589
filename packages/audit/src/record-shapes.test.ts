// Failover and budget write more into the record than the spine does: retries and fallbacks (more
// attempts, events, a fallback reason), budget state and cost. audit() must show all of it without
// knowing their code, including fields they add later.
import { routing } from '@switchyard/core';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attempt, RoutingRecord } from '@switchyard/core';
import type { RequestHandler } from 'express';
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
  testPolicy,
  type AuditApp,
} from '../test/support.js';

const GPT4O = 'gpt-4o-2024-08-06';
const LLAMA = 'llama-3.3-70b-versatile';
const telemetry = memoryTelemetry();
let app: AuditApp;
const T0 = Date.now() - 1000;

/** A request that failed on groq (twice: two credentials), fell back to openai, and was priced. */
const failoverAndBudget: RequestHandler = (req, res) => {
  const record = parseLikeSignals(req);
  record.owner = 'search-team';
  record.selection = { kind: 'route', route: 'smart', rule: 'default', model: LLAMA };
  record.target = { model: LLAMA, provider: 'groq', format: 'openai' };
  record.budget = { owner: 'search-team', limitUsd: 500, spendUsd: 400, reservedUsd: 1, estimateUsd: 0.002, spendPct: 0.802 };
  const failed = (credentialIndex: number, at: number): Attempt =>
    Object.assign(
      {
        provider: 'groq',
        model: LLAMA,
        credentialIndex,
        startedAt: at,
        endedAt: at + 50,
        status: 503,
        outcome: 'http_error',
        errorClass: 'http_503',
      } as Attempt,
      { retryAfterMs: 100 }, // a field failover may add: written as switchyard.attempt.retry_after_ms
    );
  record.attempts.push(failed(0, T0), failed(1, T0 + 200));
  record.events.push(
    { name: 'switchyard.budget.reserved', at: T0 - 10, attributes: { 'switchyard.budget.estimate_usd': 0.002 } },
    {
      name: 'switchyard.retry',
      at: T0 + 60,
      attempt: 0,
      attributes: { 'switchyard.retry.reason': 'http_503', 'switchyard.retry.delay_ms': 100 },
    },
    { name: 'switchyard.fallback', at: T0 + 260, attempt: 1, attributes: { 'switchyard.fallback.to': GPT4O } },
  );
  record.fallbackReason = 'http_503';
  Object.assign(record as RoutingRecord & Record<string, unknown>, {
    cacheHit: false,
    key: { name: 'search-backend', allow: ['smart', 'cheap'] },
  });
  answeredAttempt(record, res, { provider: 'openai', model: GPT4O, status: 200 });
  record.usage = { inputTokens: 100, outputTokens: 20 };
  // As budget() does: the cost is settled once the call is over, before audit() writes the record.
  routing(req, res).onSettle(async () => {
    await new Promise((resolve) => setImmediate(resolve));
    record.costUsd = 0.0012;
    record.events.push({
      name: 'switchyard.budget.settled',
      at: Date.now(),
      attempt: 7,
      attributes: { 'switchyard.cost.usd': 0.0012 },
    });
  });
  relay(res, 200, 'application/json', [chatCompletion(GPT4O)]);
};

beforeAll(async () => {
  app = await startAuditApp({ policy: testPolicy(), tracerProvider: telemetry.tracerProvider, metrics: false }, [
    failoverAndBudget,
  ]);
});
afterAll(async () => {
  await app.close();
  await telemetry.shutdown();
});

describe('audit() with failover and budget records', () => {
  it('should write every attempt, event, the fallback reason, budget state, cost and unknown fields', async () => {
    const res = await post(`${app.url}/chat/completions`, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(200);
    const spans = await telemetry.finished(4);
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    const attempts = spans
      .filter((s) => s.kind === SpanKind.CLIENT)
      .sort((a, b) => (a.attributes[A.ATTR_ATTEMPT_INDEX] as number) - (b.attributes[A.ATTR_ATTEMPT_INDEX] as number));

    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    expect(server.attributes).toMatchObject({
      [A.ATTR_ATTEMPTS]: 3,
      [A.ATTR_SELECTED_MODEL]: LLAMA,
      [A.ATTR_SERVED_MODEL]: GPT4O,
      [A.ATTR_PROVIDER]: 'openai',
      [A.ATTR_FALLBACK_REASON]: 'http_503',
      [A.ATTR_OWNER]: 'search-team',
      [A.ATTR_BUDGET_OWNER]: 'search-team',
      [A.ATTR_BUDGET_SPEND_PCT]: 0.802,
      'switchyard.budget.limit_usd': 500,
      'switchyard.budget.spend_usd': 400,
      'switchyard.budget.reserved_usd': 1,
      'switchyard.budget.estimate_usd': 0.002,
      [A.ATTR_COST_USD]: 0.0012,
      'switchyard.cache_hit': false,
      'switchyard.key.name': 'search-backend',
      'switchyard.key.allow': ['smart', 'cheap'],
    });
    expect(server.attributes).not.toHaveProperty(A.ATTR_ERROR_TYPE);

    expect(
      attempts.map((s) => [
        s.name,
        s.status.code,
        s.attributes[A.ATTR_ATTEMPT_CREDENTIAL_INDEX],
        s.attributes[A.ATTR_ERROR_TYPE],
      ]),
    ).toEqual([
      [`chat ${LLAMA}`, SpanStatusCode.ERROR, 0, 'http_503'],
      [`chat ${LLAMA}`, SpanStatusCode.ERROR, 1, 'http_503'],
      [`chat ${GPT4O}`, SpanStatusCode.UNSET, 0, undefined],
    ]);
    expect(attempts[0]!.attributes['switchyard.attempt.retry_after_ms']).toBe(100);
    expect(attempts[0]!.attributes).not.toHaveProperty(A.ATTR_GEN_AI_RESPONSE_MODEL);
    expect(attempts[2]!.attributes).toMatchObject({
      [A.ATTR_GEN_AI_RESPONSE_MODEL]: GPT4O,
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 100,
    });
    expect(attempts[0]!.attributes).not.toHaveProperty(A.ATTR_GEN_AI_USAGE_INPUT_TOKENS);

    // Each event on its attempt's span, at its own time; others (and an index past the attempts) on the server span.
    const events = (span: (typeof spans)[number]) => span.events.map((e) => [e.name, e.attributes, hrMs(e.time)]);
    expect(events(attempts[0]!)).toEqual([
      ['switchyard.retry', { 'switchyard.retry.reason': 'http_503', 'switchyard.retry.delay_ms': 100 }, T0 + 60],
    ]);
    expect(events(attempts[1]!)).toEqual([['switchyard.fallback', { 'switchyard.fallback.to': GPT4O }, T0 + 260]]);
    expect(events(attempts[2]!)).toEqual([]);
    expect(events(server).map(([name]) => name)).toEqual(['switchyard.budget.reserved', 'switchyard.budget.settled']);
    expect(hrMs(attempts[1]!.startTime)).toBe(T0 + 200);
    expect(hrMs(attempts[1]!.endTime)).toBe(T0 + 250);
  });
});

function hrMs([s, ns]: [number, number]): number {
  return Math.round(s * 1000 + ns / 1e6);
}
