// Failover end to end: the official openai client through the gateway to mock providers with scripted
// faults. Every test asserts the exact sequence of upstream attempts and that the call stayed within total_ms.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routing, type RoutingRecord } from '@switchyard/core';
import type { Behaviour, MockProvider } from '@switchyard/mock-provider';
import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chat, chatCalls, providerKey, rawPost, startHarness, type Harness, type PolicyContext } from './helpers/gateway.js';

const A = 'alpha-large-2025-01-01'; // on alpha, which has two credentials
const B = 'beta-large-2025-01-01';
const LITE = 'beta-lite-2025-01-01'; // no tools
const SMALL = 'beta-small-2025-01-01'; // a 64-token context window
const DOWN = 'down-large-2025-01-01'; // on a port nobody listens on
const ALPHA_BACKUP_KEY = 'sk-provider-alpha-backup-secret';
const TOTAL_MS = 3000;

function policy(ctx: PolicyContext): string {
  return `version: 1
providers:
  alpha:
    format: openai
    base_url: ${ctx.url('alpha')}
    credentials: [{ env: ${ctx.env('alpha')} }, { env: ALPHA_BACKUP_KEY }]
  beta: { format: openai, base_url: ${ctx.url('beta')}, credentials: [{ env: ${ctx.env('beta')} }] }
  down: { format: openai, base_url: ${ctx.deadUrl}, credentials: [{ env: ${ctx.env('beta')} }] }
models:
  ${A}: { provider: alpha, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
  ${B}: { provider: beta, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
  ${LITE}: { provider: beta, context_window: 128000, capabilities: [json_schema, streaming] }
  ${SMALL}: { provider: beta, context_window: 64, capabilities: [tools, json_schema, streaming, vision] }
  ${DOWN}: { provider: down, context_window: 128000, capabilities: [tools, json_schema, streaming, vision] }
routes:
  smart: { default: ${A}, fallbacks: [${B}] }
  solo: { default: ${B} }
  tooly: { default: ${A}, fallbacks: [${LITE}, ${B}] }
  roomy: { default: ${A}, fallbacks: [${SMALL}, ${B}] }
  remote: { default: ${DOWN}, fallbacks: [${B}] }
  patient: { default: ${A}, fallbacks: [${B}] }
  hurried: { default: ${A}, fallbacks: [${B}] }
  picky: { default: ${A}, fallbacks: [${B}] }
failover:
  retry: { attempts: 2, backoff_ms: 20, max_delay_ms: 2000 }
  timeouts: { first_byte_ms: 200, total_ms: ${TOTAL_MS} }
  cooldown: { failures: 0 }
  routes:
    patient: { retry: { attempts: 3, backoff_ms: 600 } }
    hurried: { retry: { attempts: 3 }, timeouts: { first_byte_ms: 400, total_ms: 700 } }
    picky: { on_schema_error: fallback }
`;
}

/** Replies `{"nom": …}` (schema-invalid) to the next `invalidReplies` schema requests, then valid JSON. */
let invalidReplies = 0;
const reply = (request: { model: string; response_format?: unknown }) => {
  if ((request.response_format as { type?: string } | undefined)?.type !== 'json_schema')
    return `Mock reply from ${request.model}.`;
  return invalidReplies-- > 0 ? '{"nom":"Ada"}' : '{"name":"Ada"}';
};

interface Exchange {
  readonly record: RoutingRecord;
  readonly closed: Promise<void>;
}

let h: Harness;
let alpha: MockProvider;
let beta: MockProvider;
const exchanges: Exchange[] = [];

beforeAll(async () => {
  h = await startHarness({
    mocks: ['alpha', 'beta'],
    policy,
    env: { ALPHA_BACKUP_KEY },
    mockOptions: { alpha: { apiKeys: [providerKey('alpha'), ALPHA_BACKUP_KEY], reply }, beta: { reply } },
  });
  alpha = h.mocks.alpha!;
  beta = h.mocks.beta!;
  h.gateway.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    exchanges.push({ record: routing(req).record, closed: new Promise((resolve) => res.once('close', () => resolve())) });
  });
});
afterAll(() => h?.close());
beforeEach(() => {
  h.resetMocks();
  exchanges.length = 0;
  invalidReplies = 0;
});

/** The last request's routing record, once the gateway has closed its response. */
async function lastRecord(): Promise<RoutingRecord> {
  const last = exchanges.at(-1);
  if (!last) throw new Error('no request reached the gateway');
  await last.closed;
  return last.record;
}

/** Each attempt as `provider/model/credential index outcome`. */
function attempts(record: RoutingRecord): string[] {
  return record.attempts.map((a) => `${a.provider}/${a.model}/${a.credentialIndex} ${a.errorClass ?? a.outcome}`);
}

const FAILOVER_EVENTS = new Set([
  'switchyard.retry',
  'switchyard.retry.skipped',
  'switchyard.fallback',
  'switchyard.fallback.skipped',
  'switchyard.cooldown',
  'switchyard.schema_invalid',
]);

/** The record's failover events (other middlewares write theirs too). */
function failoverEvents(record: RoutingRecord): RoutingRecord['events'] {
  return record.events.filter((e) => FAILOVER_EVENTS.has(e.name));
}

/** Each failover event as `name reason`. */
function events(record: RoutingRecord): string[] {
  return failoverEvents(record).map((e) => `${e.name} ${String(e.attributes.reason ?? '')}`.trim());
}

/** Each call a mock received, as `model key` (the key's owner, never its value). */
function calls(mock: MockProvider): string[] {
  const owner = (auth: unknown) =>
    auth === `Bearer ${providerKey('alpha')}`
      ? 'alpha-key'
      : auth === `Bearer ${ALPHA_BACKUP_KEY}`
        ? 'backup-key'
        : auth === `Bearer ${providerKey('beta')}`
          ? 'beta-key'
          : 'other';
  return chatCalls(mock).map((c) => `${c.model} ${owner(c.headers.authorization)}`);
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await run();
  return { value, ms: Date.now() - started };
}

async function sdkError(run: () => Promise<unknown>): Promise<APIError> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

function until(check: () => boolean, ms = 2000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() - started > ms) return reject(new Error('condition not met in time'));
      setTimeout(poll, 5);
    };
    poll();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('retry: the same model again', () => {
  it('should retry a 500 once after a short backoff and serve the second answer', async () => {
    beta.script(B, [{ status: 500 }, {}]);

    const { value: r, ms } = await timed(() => chat(h.client, { model: 'solo' }));

    expect(r.status).toBe(200);
    expect(r.servedModel).toBe(B);
    expect(r.headers.get('x-switchyard-attempts')).toBe('2');
    expect(r.headers.get('x-switchyard-fallback-reason')).toBeNull();
    expect(calls(beta)).toEqual([`${B} beta-key`, `${B} beta-key`]);
    const record = await lastRecord();
    expect(attempts(record)).toEqual([`beta/${B}/0 http_500`, `beta/${B}/0 ok`]);
    expect(failoverEvents(record)).toMatchObject([
      { name: 'switchyard.retry', attempt: 0, attributes: { reason: 'http_500', model: B, credential: 0 } },
    ]);
    const delay = failoverEvents(record)[0]!.attributes.delay_ms as number;
    expect(delay).toBeGreaterThanOrEqual(10);
    expect(delay).toBeLessThanOrEqual(20);
    expect(chatCalls(beta)[1]!.startedAt - chatCalls(beta)[0]!.endedAt!).toBeGreaterThanOrEqual(delay - 2);
    expect(record.servedModel).toBe(B);
    expect(record.fallbackReason).toBeUndefined();
    expect(ms).toBeLessThan(TOTAL_MS);
  });

  it("should wait the upstream's Retry-After: 1 (about a second, not less) before retrying a 429", async () => {
    beta.script(B, [{ status: 429, retryAfter: '1' }, {}]);

    const { value: r, ms } = await timed(() => chat(h.client, { model: B }));

    expect(r.status).toBe(200);
    expect(r.headers.get('x-switchyard-attempts')).toBe('2');
    const [first, second] = chatCalls(beta);
    expect(second!.startedAt - first!.endedAt!).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThan(1600);
    const record = await lastRecord();
    expect(attempts(record)).toEqual([`beta/${B}/0 http_429`, `beta/${B}/0 ok`]);
    expect(failoverEvents(record)).toMatchObject([
      { name: 'switchyard.retry', attributes: { reason: 'http_429', delay_ms: 1000 } },
    ]);
  });

  it('should not wait a Retry-After longer than max_delay_ms: the client gets the 429 with it at once', async () => {
    beta.script(B, { status: 429, retryAfter: '30' });

    const { value: err, ms } = await timed(() => sdkError(() => chat(h.client, { model: B })));

    expect(err.status).toBe(429);
    expect(err.headers?.get('retry-after')).toBe('30');
    expect(err.headers?.get('x-switchyard-attempts')).toBe('1');
    expect(ms).toBeLessThan(500);
    expect(events(await lastRecord())).toEqual(['switchyard.retry.skipped http_429']);
  });

  it('should give up a hanging attempt after first_byte_ms and retry it', async () => {
    alpha.script(A, [{ hang: true }, {}]);

    const { value: r, ms } = await timed(() => chat(h.client, { model: A }));

    expect(r.status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(200);
    expect(ms).toBeLessThan(TOTAL_MS);
    const record = await lastRecord();
    expect(attempts(record)).toEqual([`alpha/${A}/0 first_byte_timeout`, `alpha/${A}/0 ok`]);
    expect(record.attempts[0]!.outcome).toBe('timeout');
    await until(() => chatCalls(alpha)[0]!.outcome === 'aborted');
  });
});

describe('credential failover', () => {
  it('should try every credential of the provider on 503, each round, before falling back', async () => {
    alpha.script(A, { status: 503 });

    const { value: r, ms } = await timed(() => chat(h.client, { model: 'smart' }));

    expect(r.status).toBe(200);
    expect(r.servedModel).toBe(B);
    expect(r.completion.model).toBe(B);
    expect(r.headers.get('x-switchyard-attempts')).toBe('5');
    expect(r.headers.get('x-switchyard-fallback-reason')).toBe('http_503');
    expect(calls(alpha)).toEqual([`${A} alpha-key`, `${A} backup-key`, `${A} alpha-key`, `${A} backup-key`]);
    expect(calls(beta)).toEqual([`${B} beta-key`]);
    const record = await lastRecord();
    expect(attempts(record)).toEqual([
      `alpha/${A}/0 http_503`,
      `alpha/${A}/1 http_503`,
      `alpha/${A}/0 http_503`,
      `alpha/${A}/1 http_503`,
      `beta/${B}/0 ok`,
    ]);
    expect(failoverEvents(record).map((e) => [e.name, e.attempt, e.attributes.credential ?? e.attributes.to_model])).toEqual([
      ['switchyard.retry', 0, 1],
      ['switchyard.retry', 1, 0],
      ['switchyard.retry', 2, 1],
      ['switchyard.fallback', 3, B],
    ]);
    expect(failoverEvents(record)[0]!.attributes.delay_ms).toBe(0);
    expect(failoverEvents(record)[3]!.attributes).toStrictEqual({
      reason: 'http_503',
      from_model: A,
      from_provider: 'alpha',
      to_model: B,
      to_provider: 'beta',
    });
    expect(record.fallbackReason).toBe('http_503');
    expect(record.servedModel).toBe(B);
    // The body sent to the fallback is the client's, with only the model changed.
    expect(chatCalls(beta)[0]!.body).toStrictEqual({ ...(chatCalls(alpha)[0]!.body as object), model: B });
    expect(ms).toBeLessThan(TOTAL_MS);
  });

  it('should move to the next credential on 401 without a backoff, and never try the refused one again', async () => {
    alpha.script(A, [{ status: 401 }, { status: 500 }, {}]);

    const r = await chat(h.client, { model: A });

    expect(r.status).toBe(200);
    expect(calls(alpha)).toEqual([`${A} alpha-key`, `${A} backup-key`, `${A} backup-key`]);
    expect(attempts(await lastRecord())).toEqual([`alpha/${A}/0 http_401`, `alpha/${A}/1 http_500`, `alpha/${A}/1 ok`]);
  });
});

describe('fallback', () => {
  it('should retry a refused connection, then fall back to the next model', async () => {
    const { value: r, ms } = await timed(() => chat(h.client, { model: 'remote' }));

    expect(r.status).toBe(200);
    expect(r.servedModel).toBe(B);
    expect(r.headers.get('x-switchyard-fallback-reason')).toBe('connect_error');
    const record = await lastRecord();
    expect(attempts(record)).toEqual([`down/${DOWN}/0 ECONNREFUSED`, `down/${DOWN}/0 ECONNREFUSED`, `beta/${B}/0 ok`]);
    expect(events(record)).toEqual(['switchyard.retry connect_error', 'switchyard.fallback connect_error']);
    expect(ms).toBeLessThan(TOTAL_MS);
  });

  it('should fall back from a stream whose first byte does not come within first_byte_ms', async () => {
    alpha.script(A, { firstByteDelayMs: 1000 });

    const { value: text, ms } = await timed(async () => {
      const stream = await h.client.chat.completions.create({
        model: 'smart',
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      });
      let out = '';
      for await (const chunk of stream) out += chunk.choices[0]?.delta.content ?? '';
      return out;
    });

    expect(text).toBe(`Mock reply from ${B}.`);
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(1000);
    const record = await lastRecord();
    expect(attempts(record)).toEqual([`alpha/${A}/0 first_byte_timeout`, `alpha/${A}/0 first_byte_timeout`, `beta/${B}/0 ok`]);
    expect(record.fallbackReason).toBe('timeout');
  });

  it('should skip a fallback that lacks tools the request needs, and record why', async () => {
    alpha.script(A, { status: 503 });

    const r = await chat(h.client, {
      model: 'tooly',
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
    });

    expect(r.servedModel).toBe(B);
    expect(calls(beta)).toEqual([`${B} beta-key`]);
    const record = await lastRecord();
    expect(attempts(record).at(-1)).toBe(`beta/${B}/0 ok`);
    const skipped = failoverEvents(record).filter((e) => e.name === 'switchyard.fallback.skipped');
    expect(skipped).toMatchObject([
      { attempt: 3, attributes: { model: LITE, provider: 'beta', reason: 'missing_capability', capability: 'tools' } },
    ]);
    expect(failoverEvents(record).at(-1)).toMatchObject({
      name: 'switchyard.fallback',
      attributes: { from_model: A, to_model: B },
    });
  });

  it('should skip a fallback whose context window is smaller than input_tokens plus max_tokens', async () => {
    alpha.script(A, { status: 503 });

    const r = await chat(h.client, {
      model: 'roomy',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Tell me about Ada Lovelace.' }],
    });

    expect(r.servedModel).toBe(B);
    const record = await lastRecord();
    const skipped = failoverEvents(record).find((e) => e.name === 'switchyard.fallback.skipped');
    expect(skipped?.attributes).toMatchObject({ model: SMALL, reason: 'context_window', context_window: 64 });
    expect(skipped!.attributes.needed_tokens as number).toBeGreaterThan(64);
    expect(calls(beta)).toEqual([`${B} beta-key`]);
  });

  it('should pass a 4xx other than 408/429 straight back, without retry or fallback', async () => {
    alpha.script(A, { status: 400 });

    const err = await sdkError(() => chat(h.client, { model: 'smart' }));

    expect(err.status).toBe(400);
    expect(err.headers?.get('x-switchyard-attempts')).toBe('1');
    expect(calls(alpha)).toHaveLength(1);
    expect(calls(beta)).toEqual([]);
  });
});

describe('strict: an exact model ID, or a route without fallbacks, never moves', () => {
  it("should return the upstream's own 503 for an exact ID, and never call another provider", async () => {
    alpha.script(A, { status: 503 });

    const { value: err, ms } = await timed(() => sdkError(() => chat(h.client, { model: A })));

    expect(err.status).toBe(503);
    expect(err.error).toStrictEqual({
      message: 'The engine is currently overloaded, please try again later.',
      type: 'server_error',
      param: null,
      code: null,
    });
    expect(err.headers?.get('x-switchyard-served-model')).toBeNull();
    expect(err.headers?.get('x-switchyard-error-model')).toBe(A);
    expect(err.headers?.get('x-switchyard-attempts')).toBe('4');
    expect(err.headers?.get('x-switchyard-fallback-reason')).toBeNull();
    expect(chatCalls(beta)).toHaveLength(0);
    expect(calls(alpha)).toEqual([`${A} alpha-key`, `${A} backup-key`, `${A} alpha-key`, `${A} backup-key`]);
    const record = await lastRecord();
    expect(events(record).some((e) => e.startsWith('switchyard.fallback'))).toBe(false);
    expect(record.fallbackReason).toBeUndefined();
    expect(ms).toBeLessThan(TOTAL_MS);
  });

  it("should return a refused exact ID's 502 after its retries, and never call another provider", async () => {
    const err = await sdkError(() => chat(h.client, { model: DOWN }));

    expect(err.status).toBe(502);
    expect(err.code).toBe('upstream_unavailable');
    expect(err.headers?.get('x-switchyard-attempts')).toBe('2');
    expect(chatCalls(alpha)).toHaveLength(0);
    expect(chatCalls(beta)).toHaveLength(0);
  });

  it("should return the upstream's own error for a route without fallbacks", async () => {
    beta.script(B, { status: 502 });

    const err = await sdkError(() => chat(h.client, { model: 'solo' }));

    expect(err.status).toBe(502);
    expect(err.error).toMatchObject({ type: 'server_error', message: 'Bad gateway.' });
    expect(chatCalls(alpha)).toHaveLength(0);
    expect(calls(beta)).toEqual([`${B} beta-key`, `${B} beta-key`]);
  });
});

describe('streams cut after the first byte', () => {
  it('should end the stream with an error event the openai client throws on, with no fallback', async () => {
    alpha.script(A, { dropAfterChunks: 2, chunkIntervalMs: 10 });

    const stream = await h.client.chat.completions.create({
      model: 'smart',
      stream: true,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const received: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).error).toMatchObject({ type: 'api_error', code: 'stream_cut' });
    expect(received.length).toBeGreaterThan(0);
    expect(chatCalls(beta)).toHaveLength(0);
    const record = await lastRecord();
    expect(attempts(record)).toEqual([`alpha/${A}/0 upstream_dropped`]);
    expect(record.attempts[0]!.outcome).toBe('stream_cut');
    expect(record.error).toStrictEqual({ status: 200, type: 'api_error', code: 'stream_cut' });
  });

  it('should send the error event as the last event, and no [DONE]', async () => {
    alpha.script(A, { dropAfterChunks: 1 });

    const res = await rawPost(
      `${h.url}/chat/completions`,
      JSON.stringify({ model: 'smart', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    );

    expect(res.status).toBe(200);
    expect(res.text).not.toContain('[DONE]');
    expect(
      res.text.endsWith(
        '\ndata: {"error":{"message":"The upstream closed the connection before the answer was complete.","type":"api_error","code":"stream_cut"}}\n\n',
      ),
    ).toBe(true);
  });
});

describe('structured output', () => {
  const schemaRequest = (model: string) => ({
    model,
    response_format: {
      type: 'json_schema' as const,
      json_schema: {
        name: 'person',
        strict: true,
        schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
      },
    },
  });

  it('should retry an answer that does not match the JSON schema once, and serve the valid one', async () => {
    invalidReplies = 1;

    const r = await chat(h.client, schemaRequest('smart'));

    expect(r.completion.choices[0]!.message.content).toBe('{"name":"Ada"}');
    expect(r.headers.get('x-switchyard-attempts')).toBe('2');
    expect(calls(alpha)).toEqual([`${A} alpha-key`, `${A} alpha-key`]);
    const record = await lastRecord();
    expect(attempts(record)).toEqual([`alpha/${A}/0 schema_invalid`, `alpha/${A}/0 ok`]);
    expect(failoverEvents(record)).toMatchObject([
      { name: 'switchyard.schema_invalid', attempt: 0, attributes: { path: '', keyword: 'required' } },
      { name: 'switchyard.retry', attempt: 0, attributes: { reason: 'schema_invalid', delay_ms: 0 } },
    ]);
    expect(record.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('should retry an answer read whole for its check that the upstream drops halfway', async () => {
    alpha.script(A, [{ dropAfterChunks: 1 }, {}]);

    const r = await chat(h.client, schemaRequest('smart'));

    expect(r.completion.choices[0]!.message.content).toBe('{"name":"Ada"}');
    expect(attempts(await lastRecord())).toEqual([`alpha/${A}/0 upstream_dropped`, `alpha/${A}/0 ok`]);
  });

  it('should return the second invalid answer as it is, after its one retry', async () => {
    invalidReplies = 5;

    const r = await chat(h.client, schemaRequest('smart'));

    expect(r.completion.choices[0]!.message.content).toBe('{"nom":"Ada"}');
    expect(calls(alpha)).toHaveLength(2);
    expect(chatCalls(beta)).toHaveLength(0);
  });

  it('should fall back on an invalid answer when the route says on_schema_error: fallback', async () => {
    invalidReplies = 1;

    const r = await chat(h.client, schemaRequest('picky'));

    expect(r.servedModel).toBe(B);
    expect(r.completion.choices[0]!.message.content).toBe('{"name":"Ada"}');
    expect(r.headers.get('x-switchyard-fallback-reason')).toBe('schema_invalid');
    expect(attempts(await lastRecord())).toEqual([`alpha/${A}/0 schema_invalid`, `beta/${B}/0 ok`]);
  });
});

describe('deadlines and client aborts', () => {
  it('should stop within total_ms, cutting the last attempt short, and answer 504', async () => {
    alpha.script(A, { hang: true });
    beta.script(B, { hang: true });

    const { value: err, ms } = await timed(() => sdkError(() => chat(h.client, { model: 'hurried' })));

    expect(err.status).toBe(504);
    expect(err.code).toBe('upstream_timeout');
    expect(ms).toBeGreaterThanOrEqual(650);
    expect(ms).toBeLessThan(700 + 250);
    const record = await lastRecord();
    expect(attempts(record)).toEqual([`alpha/${A}/0 first_byte_timeout`, `alpha/${A}/0 total_timeout`]);
    // Measured inside the gateway, from the request's start: the last attempt ended at total_ms.
    expect(record.attempts[1]!.endedAt! - record.startedAt).toBeGreaterThanOrEqual(700);
    expect(record.attempts[1]!.endedAt! - record.startedAt).toBeLessThan(700 + 50);
    expect(chatCalls(beta)).toHaveLength(0);
  });

  it('should cancel the planned retries when the client goes away during a backoff', async () => {
    alpha.script(A, { status: 503 });
    const abort = new AbortController();

    const request = h.client.chat.completions.create(
      { model: 'patient', messages: [{ role: 'user', content: 'Hi' }] },
      { signal: abort.signal },
    );
    const settled = request.then(
      () => 'answered',
      () => 'aborted',
    );
    // Both credentials refused: the gateway now waits 300-600 ms before its next round.
    await until(() => chatCalls(alpha).length === 2);
    abort.abort();

    expect(await settled).toBe('aborted');
    await sleep(800);
    expect(calls(alpha)).toEqual([`${A} alpha-key`, `${A} backup-key`]);
    expect(chatCalls(beta)).toHaveLength(0);
    const record = await lastRecord();
    expect(attempts(record)).toEqual([`alpha/${A}/0 http_503`, `alpha/${A}/1 http_503`]);
    expect(events(record)).toEqual(['switchyard.retry http_503', 'switchyard.retry http_503']);
  });

  it('should cancel the attempt in flight, and every later one, when the client goes away', async () => {
    alpha.script(A, { hang: true });
    const abort = new AbortController();

    const request = h.client.chat.completions.create(
      { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] },
      { signal: abort.signal },
    );
    const settled = request.then(
      () => 'answered',
      () => 'aborted',
    );
    await until(() => chatCalls(alpha).length === 1);
    abort.abort();

    expect(await settled).toBe('aborted');
    await until(() => chatCalls(alpha)[0]!.outcome === 'aborted');
    await sleep(400); // longer than first_byte_ms plus the backoff: a retry would have started by now
    expect(chatCalls(alpha)).toHaveLength(1);
    expect(chatCalls(beta)).toHaveLength(0);
    expect(attempts(await lastRecord())).toEqual([`alpha/${A}/0 client_aborted`]);
  });
});

describe('under load', () => {
  it('should give each of fifty concurrent requests to a flapping upstream an answer or a clean error', async () => {
    // Deterministic flapping: 503, 200, 500, 429, 200, 502, …
    const faults: Behaviour[] = [{ status: 503 }, {}, { status: 500 }, { status: 429 }, {}, { status: 502 }];
    alpha.script(
      A,
      Array.from({ length: 400 }, (_, i) => faults[i % faults.length]!),
    );
    beta.script(
      B,
      Array.from({ length: 400 }, (_, i) => faults[(i + 3) % faults.length]!),
    );

    const { value: outcomes, ms } = await timed(() =>
      Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          chat(h.client, { model: i % 2 === 0 ? 'smart' : A }).then(
            (r) => ({ status: r.status, model: r.completion.model }),
            (e: unknown) => ({
              status: e instanceof APIError ? (e.status ?? -1) : -1,
              model: e instanceof APIError ? e.type : String(e),
            }),
          ),
        ),
      ),
    );

    for (const outcome of outcomes) {
      if (outcome.status === 200) expect([A, B]).toContain(outcome.model);
      else expect([429, 500, 502, 503]).toContain(outcome.status);
    }
    expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThan(25);
    expect(ms).toBeLessThan(TOTAL_MS);
    await until(() => exchanges.length === 50);
    await Promise.all(exchanges.map((e) => e.closed));
    for (const { record } of exchanges) {
      expect(record.attempts.length).toBeGreaterThan(0);
      // Two rounds over alpha's two credentials, then two tries of the fallback.
      expect(record.attempts.length).toBeLessThanOrEqual(6);
      if (record.requestedModel === A) expect(record.attempts.every((a) => a.model === A)).toBe(true);
    }
  });
});

describe('cooldown', () => {
  it('should skip a model that failed N times in a row for the cooldown, then probe it again', async () => {
    const c = await startHarness({
      mocks: ['alpha', 'beta'],
      env: { ALPHA_BACKUP_KEY },
      mockOptions: { alpha: { apiKeys: [providerKey('alpha'), ALPHA_BACKUP_KEY] } },
      policy: (ctx) => policy(ctx).replace('cooldown: { failures: 0 }', 'cooldown: { failures: 2, duration_ms: 300 }'),
    });
    const seen: RoutingRecord[] = [];
    c.gateway.server.on('request', (req: IncomingMessage) => seen.push(routing(req).record));
    try {
      c.mocks.alpha!.script(A, [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, {}]);

      const first = await chat(c.client, { model: 'smart' });
      expect(first.servedModel).toBe(B);
      expect(failoverEvents(seen[0]!).filter((e) => e.name === 'switchyard.cooldown')).toMatchObject([
        { attempt: 1, attributes: { model: A, provider: 'alpha', failures: 2, duration_ms: 300 } },
      ]);

      const second = await chat(c.client, { model: 'smart' });
      expect(second.servedModel).toBe(B);
      expect(second.headers.get('x-switchyard-fallback-reason')).toBe('cooldown');
      expect(second.headers.get('x-switchyard-attempts')).toBe('1');
      expect(events(seen[1]!)).toEqual(['switchyard.fallback.skipped cooldown', 'switchyard.fallback cooldown']);
      expect(chatCalls(c.mocks.alpha!)).toHaveLength(4);

      // An exact ID is never moved, cooldown or not.
      const exact = await chat(c.client, { model: A });
      expect(exact.servedModel).toBe(A);

      await sleep(350);
      c.mocks.alpha!.script(A, {});
      const probed = await chat(c.client, { model: 'smart' });
      expect(probed.servedModel).toBe(A);
      expect(probed.headers.get('x-switchyard-fallback-reason')).toBeNull();
    } finally {
      await c.close();
    }
  });
});
