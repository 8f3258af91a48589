import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SwitchyardError, type Attempt, type RoutingRecord } from '@switchyard/core';
import type { RequestHandler } from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
  until,
  type AuditApp,
} from '../test/support.js';

const MINI = 'gpt-4o-mini-2024-07-18';
const GPT4O = 'gpt-4o-2024-08-06';
const LLAMA = 'llama-3.3-70b-versatile';

const telemetry = memoryTelemetry();
let app: AuditApp;
/** What the fake stack does for the current test. */
let stack: RequestHandler;

beforeAll(async () => {
  app = await startAuditApp({ policy: testPolicy(), tracerProvider: telemetry.tracerProvider, metrics: false }, [
    (req, res, next) => void stack(req, res, next),
  ]);
});
afterEach(() => telemetry.spans.reset());
afterAll(async () => {
  await app.close();
  await telemetry.shutdown();
});

function split(spans: ReadableSpan[]): { server: ReadableSpan; attempts: ReadableSpan[] } {
  const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
  expect(servers).toHaveLength(1);
  const server = servers[0]!;
  const attempts = spans
    .filter((s) => s.kind === SpanKind.CLIENT)
    .sort((a, b) => (a.attributes[A.ATTR_ATTEMPT_INDEX] as number) - (b.attributes[A.ATTR_ATTEMPT_INDEX] as number));
  for (const attempt of attempts) {
    expect(attempt.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(attempt.spanContext().traceId).toBe(server.spanContext().traceId);
  }
  return { server, attempts };
}

function routeTo(record: RoutingRecord, rule: string, model: string, provider = 'openai'): void {
  record.selection = { kind: 'route', route: 'smart', rule, model };
  record.target = { model, provider, format: 'openai' };
}

const HTTP = {
  [A.ATTR_HTTP_REQUEST_METHOD]: 'POST',
  [A.ATTR_HTTP_ROUTE]: '/v1/chat/completions',
  [A.ATTR_URL_PATH]: '/v1/chat/completions',
};

describe('audit() spans', () => {
  it('should write a default-route call onto a server span and one CLIENT span for its attempt', async () => {
    stack = (req, res) => {
      const record = parseLikeSignals(req);
      routeTo(record, 'default', MINI);
      answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
      record.usage = { inputTokens: 12, outputTokens: 5 };
      relay(res, 200, 'application/json', [chatCompletion(MINI)]);
    };
    const res = await post(`${app.url}/chat/completions`, {
      model: 'smart',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(res.status).toBe(200);

    const { server, attempts } = split(await telemetry.finished(2));
    expect(server.name).toBe('POST /v1/chat/completions');
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    expect(server.attributes).toEqual({
      ...HTTP,
      [A.ATTR_HTTP_RESPONSE_STATUS_CODE]: 200,
      [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [A.ATTR_ENDPOINT]: 'chat',
      [A.ATTR_GEN_AI_REQUEST_MODEL]: 'smart',
      [A.ATTR_REQUESTED_MODEL]: 'smart',
      [A.ATTR_STREAMING]: false,
      [A.ATTR_GEN_AI_REQUEST_STREAM]: false,
      [A.ATTR_OWNER]: 'default',
      [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 64,
      [A.ATTR_SELECTION]: 'route',
      [A.ATTR_SELECTED_MODEL]: MINI,
      [A.ATTR_ROUTE]: 'smart',
      [A.ATTR_RULE]: 'default',
      [A.ATTR_PROVIDER]: 'openai',
      [A.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [A.ATTR_ATTEMPTS]: 1,
      [A.ATTR_SERVED_MODEL]: MINI,
      [A.ATTR_GEN_AI_RESPONSE_MODEL]: MINI,
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 12,
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 5,
      [A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
    });

    expect(attempts).toHaveLength(1);
    const [attempt] = attempts;
    expect(attempt!.name).toBe(`chat ${MINI}`);
    expect(attempt!.status.code).toBe(SpanStatusCode.UNSET);
    expect(attempt!.attributes).toEqual({
      [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [A.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [A.ATTR_PROVIDER]: 'openai',
      [A.ATTR_GEN_AI_REQUEST_MODEL]: MINI,
      [A.ATTR_SERVER_ADDRESS]: 'api.openai.example',
      [A.ATTR_SERVER_PORT]: 8443,
      [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS]: 64,
      [A.ATTR_GEN_AI_REQUEST_STREAM]: false,
      [A.ATTR_ATTEMPT_INDEX]: 0,
      [A.ATTR_ATTEMPT_CREDENTIAL_INDEX]: 0,
      [A.ATTR_HTTP_RESPONSE_STATUS_CODE]: 200,
      [A.ATTR_ATTEMPT_OUTCOME]: 'ok',
      [A.ATTR_GEN_AI_RESPONSE_MODEL]: MINI,
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 12,
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 5,
      [A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
    });
    // The attempt span lies within the server span.
    expect(hrMs(attempt!.startTime)).toBeGreaterThanOrEqual(hrMs(server.startTime));
    expect(hrMs(attempt!.endTime)).toBeLessThanOrEqual(hrMs(server.endTime));
  });

  it('should name the matched rule and every signal the rules read, by kind of reading', async () => {
    stack = (req, res) => {
      const record = parseLikeSignals(req);
      record.signals.input_tokens = { kind: 'at_most', value: 1234 };
      record.signals.priority = { kind: 'absent', reason: 'not present' };
      record.signals.has_schema = { kind: 'value', value: true };
      record.ruleErrors.push({
        route: 'smart',
        rule: 'vip',
        code: 'signal_absent',
        message: 'signal "priority" is absent: not present',
      });
      routeTo(record, 'schema', GPT4O);
      answeredAttempt(record, res, { provider: 'openai', model: GPT4O, status: 200 });
      relay(res, 200, 'application/json', [chatCompletion(GPT4O)]);
    };
    const schema = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } };
    await post(`${app.url}/chat/completions`, {
      model: 'smart',
      messages: [{ role: 'user', content: 'Hi' }],
      response_format: schema,
    });

    const { server, attempts } = split(await telemetry.finished(2));
    expect(server.attributes).toMatchObject({
      [A.ATTR_ROUTE]: 'smart',
      [A.ATTR_RULE]: 'schema',
      [A.ATTR_SELECTED_MODEL]: GPT4O,
      [A.ATTR_SERVED_MODEL]: GPT4O,
      'switchyard.signal.has_schema': true,
      'switchyard.signal.input_tokens.at_most': 1234,
      'switchyard.signal.priority.absent': 'not present',
    });
    expect(server.attributes).not.toHaveProperty('switchyard.signal.input_tokens');
    expect(server.attributes).not.toHaveProperty('switchyard.signal.priority');
    expect(server.attributes).not.toHaveProperty(A.ATTR_GEN_AI_REQUEST_MAX_TOKENS);
    expect(server.events.map((e) => [e.name, e.attributes])).toEqual([
      [
        A.EVENT_RULE_ERROR,
        {
          [A.ATTR_RULE]: 'vip',
          [A.ATTR_RULE_ERROR_CODE]: 'signal_absent',
          [A.ATTR_RULE_ERROR_MESSAGE]: 'signal "priority" is absent: not present',
        },
      ],
    ]);
    expect(attempts.map((s) => s.name)).toEqual([`chat ${GPT4O}`]);
  });

  it('should take usage and the finish reason from a streamed answer, even when a chunk boundary cuts the reason', async () => {
    const chunk = (delta: string, finish: string) =>
      `data: {"id":"c","object":"chat.completion.chunk","model":"${LLAMA}","choices":[{"index":0,"delta":${delta},"finish_reason":${finish}}]}\n\n`;
    const last = chunk('{}', '"length"');
    const cut = last.indexOf('reason":"length') + 3;
    stack = (req, res) => {
      const record = parseLikeSignals(req);
      record.selection = { kind: 'exact', model: LLAMA };
      record.target = { model: LLAMA, provider: 'groq', format: 'openai' };
      answeredAttempt(record, res, { provider: 'groq', model: LLAMA, status: 200, credentialIndex: 1 });
      // dispatch() reads usage from the stream as it passes, before the response finishes.
      res.on('finish', () => (record.usage = { inputTokens: 9, outputTokens: 3, cachedInputTokens: 4 }));
      relay(
        res,
        200,
        'text/event-stream',
        [
          chunk('{"role":"assistant","content":""}', 'null'),
          chunk('{"content":"Hi"}', 'null'),
          last.slice(0, cut),
          last.slice(cut),
          'data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}\n\n',
          'data: [DONE]\n\n',
        ],
        2,
      );
    };
    const res = await post(`${app.url}/chat/completions`, {
      model: LLAMA,
      stream: true,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(res.text).toContain('[DONE]');

    const { server, attempts } = split(await telemetry.finished(2));
    expect(server.attributes).toMatchObject({
      [A.ATTR_STREAMING]: true,
      [A.ATTR_SELECTION]: 'exact',
      [A.ATTR_SELECTED_MODEL]: LLAMA,
      [A.ATTR_GEN_AI_REQUEST_MODEL]: LLAMA,
      [A.ATTR_PROVIDER]: 'groq',
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 9,
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 3,
      [A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 4,
      [A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['length'],
    });
    expect(server.attributes).not.toHaveProperty(A.ATTR_ROUTE);
    expect(server.attributes).not.toHaveProperty(A.ATTR_RULE);
    expect(attempts[0]!.attributes).toMatchObject({
      [A.ATTR_SERVER_ADDRESS]: '127.0.0.1',
      [A.ATTR_SERVER_PORT]: 4102,
      [A.ATTR_ATTEMPT_CREDENTIAL_INDEX]: 1,
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 3,
      [A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['length'],
    });
  });

  it('should mark an upstream error answer as failed on both spans, with its status as the error type', async () => {
    stack = (req, res) => {
      const record = parseLikeSignals(req);
      routeTo(record, 'default', MINI);
      answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 503 });
      relay(res, 503, 'application/json', [
        '{"error":{"message":"overloaded","type":"server_error","code":null,"finish_reason":"x"}}',
      ]);
    };
    const res = await post(`${app.url}/chat/completions`, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(503);

    const { server, attempts } = split(await telemetry.finished(2));
    expect(server.status).toEqual({ code: SpanStatusCode.ERROR, message: 'provider "openai" answered HTTP 503' });
    expect(server.attributes).toMatchObject({
      [A.ATTR_ERROR_TYPE]: 'http_503',
      [A.ATTR_HTTP_RESPONSE_STATUS_CODE]: 503,
      [A.ATTR_SERVED_MODEL]: MINI,
    });
    expect(server.attributes).not.toHaveProperty(A.ATTR_GEN_AI_RESPONSE_FINISH_REASONS);
    expect(server.attributes).not.toHaveProperty(A.ATTR_ERROR_CODE);
    expect(attempts[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'provider "openai" answered HTTP 503' });
    expect(attempts[0]!.attributes).toMatchObject({
      [A.ATTR_ERROR_TYPE]: 'http_503',
      [A.ATTR_HTTP_RESPONSE_STATUS_CODE]: 503,
      [A.ATTR_ATTEMPT_OUTCOME]: 'http_error',
    });
  });

  it('should give an unreachable provider the gateway error on the server span and the connect error on the attempt', async () => {
    stack = (req, _res, next) => {
      const record = parseLikeSignals(req);
      routeTo(record, 'default', LLAMA, 'groq');
      const now = Date.now();
      const attempt: Attempt = {
        provider: 'groq',
        model: LLAMA,
        credentialIndex: 0,
        startedAt: now,
        endedAt: now + 1,
        outcome: 'connect_error',
        errorClass: 'ECONNREFUSED',
      };
      record.attempts.push(attempt);
      next(
        new SwitchyardError({
          status: 502,
          type: 'api_error',
          code: 'upstream_unavailable',
          message: 'Provider "groq" refused the connection (ECONNREFUSED).',
        }),
      );
    };
    const res = await post(`${app.url}/chat/completions`, { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(502);

    const { server, attempts } = split(await telemetry.finished(2));
    expect(server.status).toEqual({ code: SpanStatusCode.ERROR, message: 'upstream_unavailable (HTTP 502)' });
    expect(server.attributes).toMatchObject({
      [A.ATTR_ERROR_TYPE]: 'upstream_unavailable',
      [A.ATTR_ERROR_CODE]: 'upstream_unavailable',
      [A.ATTR_ERROR_KIND]: 'api_error',
      [A.ATTR_PROVIDER]: 'groq',
      [A.ATTR_ATTEMPTS]: 1,
    });
    expect(server.attributes).not.toHaveProperty(A.ATTR_SERVED_MODEL);
    expect(server.attributes).not.toHaveProperty(A.ATTR_GEN_AI_RESPONSE_MODEL);
    expect(attempts[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'provider "groq": ECONNREFUSED' });
    expect(attempts[0]!.attributes).toMatchObject({
      [A.ATTR_ERROR_TYPE]: 'ECONNREFUSED',
      [A.ATTR_ATTEMPT_OUTCOME]: 'connect_error',
    });
    expect(attempts[0]!.attributes).not.toHaveProperty(A.ATTR_HTTP_RESPONSE_STATUS_CODE);
    expect(hrMs(attempts[0]!.endTime) - hrMs(attempts[0]!.startTime)).toBe(1);
  });

  it('should record a request refused before any attempt with no attempt spans', async () => {
    stack = (req, _res, next) => {
      parseLikeSignals(req);
      next(
        new SwitchyardError({ status: 404, type: 'invalid_request_error', code: 'model_not_found', message: 'no such model' }),
      );
    };
    const res = await post(`${app.url}/chat/completions`, { model: 'gpt', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(404);

    const spans = await telemetry.finished(1);
    const { server, attempts } = split(spans);
    expect(attempts).toEqual([]);
    expect(server.status).toEqual({ code: SpanStatusCode.ERROR, message: 'model_not_found (HTTP 404)' });
    expect(server.attributes).toMatchObject({
      [A.ATTR_ERROR_TYPE]: 'model_not_found',
      [A.ATTR_ATTEMPTS]: 0,
      [A.ATTR_REQUESTED_MODEL]: 'gpt',
    });
    expect(server.attributes).not.toHaveProperty(A.ATTR_PROVIDER);
  });

  it('should record a client that goes away mid-stream as aborted, on the attempt it cut short', async () => {
    let closed = false;
    stack = (req, res) => {
      const record = parseLikeSignals(req);
      routeTo(record, 'default', MINI);
      answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
      res.on('close', () => (closed = true));
      relay(
        res,
        200,
        'text/event-stream',
        Array.from({ length: 50 }, () => 'data: {"choices":[]}\n\n'),
        20,
      );
    };
    const abort = new AbortController();
    const response = await fetch(`${app.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
      signal: abort.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    await until(() => closed, 'the server to see the client leave');

    const { server, attempts } = split(await telemetry.finished(2));
    expect(server.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'the client went away while provider "openai" was answering',
    });
    expect(server.attributes[A.ATTR_ERROR_TYPE]).toBe('client_aborted');
    expect(attempts[0]!.attributes).toMatchObject({
      [A.ATTR_ATTEMPT_OUTCOME]: 'client_aborted',
      [A.ATTR_ERROR_TYPE]: 'client_aborted',
    });
  });

  it('should name embeddings spans by their operation', async () => {
    stack = (req, res) => {
      const record = parseLikeSignals(req);
      routeTo(record, 'default', MINI);
      answeredAttempt(record, res, { provider: 'openai', model: MINI, status: 200 });
      relay(res, 200, 'application/json', ['{"object":"list","data":[],"usage":{"prompt_tokens":3,"total_tokens":3}}']);
    };
    await post(`${app.url}/embeddings`, { model: 'smart', input: 'Hi' });
    const { server, attempts } = split(await telemetry.finished(2));
    expect(server.name).toBe('POST /v1/embeddings');
    expect(server.attributes[A.ATTR_GEN_AI_OPERATION_NAME]).toBe('embeddings');
    expect(attempts[0]!.name).toBe(`embeddings ${MINI}`);
  });
});

function hrMs([s, ns]: [number, number]): number {
  return s * 1000 + ns / 1e6;
}
