import { describe, expect, it } from 'vitest';
import { dispatch } from './dispatch.js';
import { post, startGateway, testPolicy } from '../test/gateway.js';
import { hang, refusingBaseUrl, reset, startTestUpstream } from '../test/upstream.js';

describe('dispatch() when the upstream fails before answering', () => {
  it('should answer 502 upstream_unavailable, naming the provider but not its address, when the connection is refused', async () => {
    const baseUrl = await refusingBaseUrl();
    const gateway = await startGateway({ policy: testPolicy(baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(502);
    const body = await res.text();
    expect(JSON.parse(body)).toStrictEqual({
      error: {
        message: 'Provider "local" refused the connection (ECONNREFUSED).',
        type: 'api_error',
        param: null,
        code: 'upstream_unavailable',
      },
    });
    expect(body).not.toContain(new URL(baseUrl).port);
    expect(res.headers.get('x-switchyard-served-model')).toBeNull();
    expect(res.headers.get('x-switchyard-route')).toBe('exact');
    const record = await gateway.lastRecord();
    expect(record.attempts).toMatchObject([{ provider: 'local', outcome: 'connect_error', errorClass: 'ECONNREFUSED' }]);
    expect(record.attempts[0]!.status).toBeUndefined();
    expect(record.servedModel).toBeUndefined();
    expect(record.error).toStrictEqual({ status: 502, type: 'api_error', code: 'upstream_unavailable' });
  });

  it('should answer 502 when the upstream closes the connection without answering', async () => {
    const upstream = await startTestUpstream(reset);
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl) });

    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({
      error: { code: 'upstream_unavailable', message: 'Provider "local" reset the connection (ECONNRESET).' },
    });
    expect((await gateway.lastRecord()).attempts).toMatchObject([{ outcome: 'connect_error', errorClass: 'ECONNRESET' }]);
  });

  it('should answer 504 upstream_timeout when the upstream does not answer within timeoutMs, and close its connection', async () => {
    const upstream = await startTestUpstream(hang);
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl), timeoutMs: 250 });

    const started = Date.now();
    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });

    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(await res.json()).toStrictEqual({
      error: {
        message: 'Provider "local" did not answer within 250 ms.',
        type: 'api_error',
        param: null,
        code: 'upstream_timeout',
      },
    });
    expect((await gateway.lastRecord()).attempts).toMatchObject([{ outcome: 'timeout', errorClass: 'response_timeout' }]);
    await upstream.requests[0]!.connectionClosed;
  });

  it('should answer 503 gateway_overloaded, not an upstream timeout, when no connection frees up within connectTimeoutMs (issue 10)', async () => {
    const upstream = await startTestUpstream(hang);
    const gateway = await startGateway({ policy: testPolicy(upstream.baseUrl), maxSocketsPerProvider: 1, connectTimeoutMs: 200 });
    const abort = new AbortController();

    // Holds the only connection the pool may open.
    const first = post(
      gateway,
      { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] },
      { signal: abort.signal },
    ).catch(() => undefined);
    await upstream.nextRequest();
    const res = await post(gateway, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
    abort.abort();
    await first;

    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ error: { code: 'gateway_overloaded' } });
    // It never reached the provider: no attempt, and the gateway's own error.
    expect(gateway.exchanges[1]!.record.attempts).toEqual([]);
    expect(gateway.exchanges[1]!.record.error).toMatchObject({ status: 503, code: 'gateway_overloaded' });
    expect(upstream.requests).toHaveLength(1);
  });

  it('should refuse at once, without waiting, when the queue for a provider is full (issue 10)', async () => {
    const upstream = await startTestUpstream(hang);
    const gateway = await startGateway({
      policy: testPolicy(upstream.baseUrl),
      maxSocketsPerProvider: 1,
      connectTimeoutMs: 5000,
    });
    const abort = new AbortController();
    const hi = { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] };
    const first = post(gateway, hi, { signal: abort.signal }).catch(() => undefined);
    await upstream.nextRequest();
    // The one slot is taken and the queue (as long as the pool: one) gets the second call.
    const second = post(gateway, hi, { signal: abort.signal }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const third = await post(gateway, hi);
    expect(Date.now() - started).toBeLessThan(1000);
    abort.abort();
    await Promise.all([first, second]);

    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('gateway_overloaded');
  });
});

describe('dispatch() options', () => {
  const policy = testPolicy('https://api.example.com/v1');

  it.each([
    [{ maxSocketsPerProvider: 0 }, 'dispatch(): maxSocketsPerProvider must be a whole number from 1 to 2147483647, got 0'],
    [{ connectTimeoutMs: 1.5 }, 'dispatch(): connectTimeoutMs must be a whole number from 1 to 2147483647, got 1.5'],
    [{ timeoutMs: 2 ** 31 }, 'dispatch(): timeoutMs must be a whole number from 1 to 2147483647, got 2147483648'],
    [
      { timeout: 5 },
      'dispatch(): unknown option "timeout" (options: policy, maxSocketsPerProvider, connectTimeoutMs, timeoutMs, previous)',
    ],
  ])('should reject %o when built', (extra, message) => {
    expect(() => dispatch({ policy, ...extra })).toThrow(new TypeError(message));
  });

  it('should reject a missing policy when built', () => {
    expect(() => dispatch({} as never)).toThrow(new TypeError('dispatch(): options.policy must be a loaded Policy'));
  });

  it('should reject a provider base URL it could not forward to faithfully', () => {
    const withQuery = testPolicy('https://example.openai.azure.com/openai/v1?api-version=preview');
    expect(() => dispatch({ policy: withQuery })).toThrow(
      new TypeError(
        'dispatch(): provider "local" has a base_url with a query, fragment or user info, which dispatch() cannot forward to',
      ),
    );
  });
});
