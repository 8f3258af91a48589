// The metrics of whole calls (the GenAI server metrics) and the counters of the decisions in them, through
// audit() in front of a fake stack that writes the record as the real one does.
import type { DataPoint, Histogram, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { SwitchyardError, type AnswerShape, type RoutingRecord } from '@switchyard/core';
import { EVENT_COOLDOWN, EVENT_FALLBACK, EVENT_FALLBACK_SKIPPED, EVENT_RETRY, EVENT_RETRY_SKIPPED } from '@switchyard/failover';
import type { RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import * as A from './attributes.js';
import { DURATION_BUCKETS, FIRST_TOKEN_BUCKETS, PER_TOKEN_BUCKETS } from './instruments.js';
import * as E from './record-events.js';
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
} from '../test/support.js';

const MINI = 'gpt-4o-mini-2024-07-18';
const LLAMA = 'llama-3.3-70b-versatile';

/** Sends `calls` through audit() and `stack` with a fresh meter provider; the metrics once all are recorded. */
async function measure(stack: RequestHandler, calls: readonly Record<string, unknown>[]): Promise<ResourceMetrics> {
  const telemetry = memoryTelemetry();
  const app = await startAuditApp({ policy: testPolicy(), meterProvider: telemetry.meterProvider, useActiveSpan: false }, [
    stack,
  ]);
  try {
    for (const body of calls) await post(`${app.url}/chat/completions`, { messages: [{ role: 'user', content: 'Hi' }], ...body });
    // Records are written once each call has settled, a moment after its response.
    const deadline = Date.now() + 2000;
    for (;;) {
      const collected = await telemetry.metrics();
      if (histogramCount(collected, A.METRIC_GEN_AI_SERVER_REQUEST_DURATION) >= calls.length) return collected;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${calls.length} recorded calls`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await app.close();
    await telemetry.shutdown();
  }
}

function histogramCount(collected: ResourceMetrics, name: string): number {
  return points(collected, name).reduce((sum, p) => sum + (p.value as Histogram).count, 0);
}

function histograms(collected: ResourceMetrics, name: string) {
  return points(collected, name).map((p) => ({ attributes: p.attributes, ...(p.value as Histogram) }));
}

function sums(collected: ResourceMetrics, name: string): [DataPoint<number>['attributes'], number][] {
  return points(collected, name).map((p) => [p.attributes, p.value as number]);
}

function descriptor(collected: ResourceMetrics, name: string) {
  return collected.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)?.descriptor;
}

/** What dispatch() sets on the relayed answer, timing included. */
function answered(
  record: RoutingRecord,
  timing: Pick<AnswerShape, 'firstTokenAt' | 'endedAt'>,
  kind: AnswerShape['kind'] = 'stream',
): void {
  const answer: AnswerShape = { kind, complete: true, events: 3, ...timing };
  record.answer = answer;
}

const SERVED = {
  [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
  [A.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
  [A.ATTR_PROVIDER]: 'openai',
  [A.ATTR_GEN_AI_REQUEST_MODEL]: 'smart',
  [A.ATTR_ROUTE]: 'smart',
  [A.ATTR_GEN_AI_RESPONSE_MODEL]: MINI,
};

describe('GenAI server metrics', () => {
  it('should record duration, time to first token and time per output token of a successful call', async () => {
    const collected = await measure(
      (req, res) => {
        const record = parseLikeSignals(req);
        record.selection = { kind: 'route', route: 'smart', rule: 'default', model: MINI };
        answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
        record.usage = { inputTokens: 40, outputTokens: 11 };
        answered(record, { firstTokenAt: record.startedAt + 120, endedAt: record.startedAt + 620 });
        relay(res, 200, 'text/event-stream', ['data: {}\n\n', 'data: [DONE]\n\n']);
      },
      [{ model: 'smart', stream: true }],
    );

    const [duration] = histograms(collected, A.METRIC_GEN_AI_SERVER_REQUEST_DURATION);
    expect(duration).toMatchObject({ attributes: SERVED, count: 1, sum: 0.62 });
    expect(duration!.buckets.boundaries).toEqual(DURATION_BUCKETS);
    const [first] = histograms(collected, A.METRIC_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN);
    expect(first).toMatchObject({ attributes: SERVED, count: 1, sum: 0.12 });
    expect(first!.buckets.boundaries).toEqual(FIRST_TOKEN_BUCKETS);
    // (620 - 120) ms over the 10 tokens after the first.
    const [perToken] = histograms(collected, A.METRIC_GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN);
    expect(perToken).toMatchObject({ attributes: SERVED, count: 1 });
    expect(perToken!.sum).toBeCloseTo(0.05, 10);
    expect(perToken!.buckets.boundaries).toEqual(PER_TOKEN_BUCKETS);
    for (const name of [
      A.METRIC_GEN_AI_SERVER_REQUEST_DURATION,
      A.METRIC_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN,
      A.METRIC_GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN,
    ]) {
      expect(descriptor(collected, name)?.unit).toBe('s');
    }
  });

  it('should record no first-token metrics without the answer timing, and measure to the call settling', async () => {
    const collected = await measure(
      (req, res) => {
        const record = parseLikeSignals(req);
        record.selection = { kind: 'route', route: 'smart', rule: 'default', model: MINI };
        answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
        record.usage = { inputTokens: 40, outputTokens: 11 };
        relay(res, 200, 'application/json', [chatCompletion(MINI)], 30);
      },
      [{ model: 'smart' }],
    );
    const [duration] = histograms(collected, A.METRIC_GEN_AI_SERVER_REQUEST_DURATION);
    expect(duration).toMatchObject({ attributes: SERVED, count: 1 });
    expect(duration!.sum).toBeGreaterThanOrEqual(0.03);
    expect(points(collected, A.METRIC_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN)).toEqual([]);
    expect(points(collected, A.METRIC_GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN)).toEqual([]);
  });

  it('should give a failed call error.type and no first-token metrics, and name only models the policy knows', async () => {
    const collected = await measure(
      (req, res, next) => {
        const record = parseLikeSignals(req);
        if (record.requestedModel === 'smart') {
          // A stream the upstream cut: an answer was relayed, then the gateway ended it with its own error.
          record.selection = { kind: 'route', route: 'smart', rule: 'default', model: MINI };
          answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
          answered(record, { firstTokenAt: record.startedAt + 5, endedAt: record.startedAt + 50 });
          record.error = { status: 200, type: 'api_error', code: 'stream_cut' };
          relay(res, 200, 'text/event-stream', ['data: {}\n\n']);
          return;
        }
        next(new SwitchyardError({ status: 404, type: 'invalid_request_error', code: 'model_not_found', message: 'no' }));
      },
      [{ model: 'smart', stream: true }, { model: 'gpt-made-up-by-a-client' }],
    );
    const durations = histograms(collected, A.METRIC_GEN_AI_SERVER_REQUEST_DURATION).map((h) => [h.attributes, h.count]);
    expect(durations).toEqual([
      [{ ...SERVED, [A.ATTR_ERROR_TYPE]: 'stream_cut' }, 1],
      // The model a client made up is no metric attribute: every new name would be a new series.
      [{ [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat', [A.ATTR_ERROR_TYPE]: 'model_not_found' }, 1],
    ]);
    expect(points(collected, A.METRIC_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN)).toEqual([]);
    // Only the call refused before any answer is a refusal.
    expect(sums(collected, A.METRIC_REFUSALS)).toEqual([
      [{ [A.ATTR_OWNER]: 'default', [A.ATTR_ERROR_CODE]: 'model_not_found', [A.ATTR_HTTP_RESPONSE_STATUS_CODE]: 404 }, 1],
    ]);
  });
});

describe('decision counters', () => {
  it('should count attempts by outcome, and retries, fallbacks, skips and cooldowns from the record events', async () => {
    // Failover's own constants: the names audit counts must be the ones failover writes.
    expect([E.EVENT_RETRY, E.EVENT_RETRY_SKIPPED, E.EVENT_FALLBACK, E.EVENT_FALLBACK_SKIPPED, E.EVENT_COOLDOWN]).toEqual([
      EVENT_RETRY,
      EVENT_RETRY_SKIPPED,
      EVENT_FALLBACK,
      EVENT_FALLBACK_SKIPPED,
      EVENT_COOLDOWN,
    ]);
    const collected = await measure(
      (req, res) => {
        const record = parseLikeSignals(req);
        record.selection = { kind: 'route', route: 'smart', rule: 'default', model: LLAMA };
        const at = Date.now();
        const failed = (credentialIndex: number) =>
          record.attempts.push({
            provider: 'groq',
            model: LLAMA,
            credentialIndex,
            startedAt: at,
            endedAt: at + 10,
            status: 503,
            outcome: 'http_error',
            errorClass: 'http_503',
          });
        // What failover writes for: 503, retry on the other credential, 503 again, cooldown, a retry it
        // cannot wait for, a fallback candidate lacking a capability, then the fallback that serves.
        failed(0);
        const event = (name: string, attributes: Record<string, string | number>) =>
          record.events.push({ name, at, attempt: record.attempts.length - 1, attributes });
        event(EVENT_RETRY, { model: LLAMA, provider: 'groq', reason: 'http_503', delay_ms: 0, credential: 1 });
        failed(1);
        event(EVENT_COOLDOWN, { model: LLAMA, provider: 'groq', failures: 2, duration_ms: 30000 });
        event(EVENT_RETRY_SKIPPED, { model: LLAMA, provider: 'groq', reason: 'http_503', why: 'deadline', delay_ms: 250 });
        event(EVENT_FALLBACK_SKIPPED, { model: 'claude-sonnet-4-5-20250929', provider: 'claude', reason: 'missing_capability' });
        event(EVENT_FALLBACK, {
          reason: 'http_503',
          from_model: LLAMA,
          from_provider: 'groq',
          to_model: MINI,
          to_provider: 'openai',
        });
        record.fallbackReason = 'http_503';
        answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
        relay(res, 200, 'application/json', [chatCompletion(MINI)]);
      },
      [{ model: 'smart' }],
    );

    expect(sums(collected, A.METRIC_ATTEMPTS)).toEqual([
      [{ [A.ATTR_PROVIDER]: 'groq', [A.ATTR_GEN_AI_REQUEST_MODEL]: LLAMA, [A.ATTR_ATTEMPT_OUTCOME]: 'http_error' }, 2],
      [{ [A.ATTR_PROVIDER]: 'openai', [A.ATTR_GEN_AI_REQUEST_MODEL]: MINI, [A.ATTR_ATTEMPT_OUTCOME]: 'ok' }, 1],
    ]);
    const groqLlama = { [A.ATTR_PROVIDER]: 'groq', [A.ATTR_GEN_AI_REQUEST_MODEL]: LLAMA };
    expect(sums(collected, A.METRIC_RETRIES)).toEqual([[{ ...groqLlama, [A.ATTR_RETRY_REASON]: 'http_503' }, 1]]);
    expect(sums(collected, A.METRIC_COOLDOWNS)).toEqual([[groqLlama, 1]]);
    expect(sums(collected, A.METRIC_SKIPS)).toEqual([
      [{ ...groqLlama, [A.ATTR_SKIP_STEP]: 'retry', [A.ATTR_SKIP_REASON]: 'deadline' }, 1],
      [
        {
          [A.ATTR_PROVIDER]: 'claude',
          [A.ATTR_GEN_AI_REQUEST_MODEL]: 'claude-sonnet-4-5-20250929',
          [A.ATTR_SKIP_STEP]: 'fallback',
          [A.ATTR_SKIP_REASON]: 'missing_capability',
        },
        1,
      ],
    ]);
    expect(sums(collected, A.METRIC_FALLBACKS)).toEqual([[{ [A.ATTR_FALLBACK_REASON]: 'http_503', [A.ATTR_ROUTE]: 'smart' }, 1]]);
    expect(sums(collected, A.METRIC_REFUSALS)).toEqual([]);
    // Each attempt's duration too: three attempts, one call.
    expect(histogramCount(collected, A.METRIC_GEN_AI_CLIENT_OPERATION_DURATION)).toBe(3);
    expect(histogramCount(collected, A.METRIC_GEN_AI_SERVER_REQUEST_DURATION)).toBe(1);
  });

  it('should count a rate-limit refusal once, whether the record says so by event, by error code or both', async () => {
    const collected = await measure(
      (req, _res, next) => {
        const record = parseLikeSignals(req);
        record.owner = 'search-team';
        const how = record.requestedModel;
        if (how === 'event' || how === 'both') {
          record.events.push({ name: E.EVENT_RATE_LIMIT_REFUSED, at: Date.now(), attributes: { limit: 'rpm' } });
        }
        const code = how === 'event' ? 'too_many_requests' : E.RATE_LIMIT_ERROR_CODE;
        next(new SwitchyardError({ status: 429, type: 'rate_limit_error', code, message: 'slow down' }));
      },
      [{ model: 'event' }, { model: 'code' }, { model: 'both' }],
    );
    expect(sums(collected, A.METRIC_RATE_LIMIT_REFUSALS)).toEqual([[{ [A.ATTR_OWNER]: 'search-team' }, 3]]);
    const refusals = Object.fromEntries(sums(collected, A.METRIC_REFUSALS).map(([a, v]) => [a[A.ATTR_ERROR_CODE], v]));
    expect(refusals).toEqual({ too_many_requests: 1, rate_limit_exceeded: 2 });
  });
});
