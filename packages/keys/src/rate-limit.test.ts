// rateLimits() between pin() and a stand-in for dispatch(): headers, refusals, the shared owner limit, the
// correction from usage, store failures.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorHandler, parsePolicy, routing, type RoutingRecord } from '@switchyard/core';
import { pin } from '@switchyard/pinning';
import { signals } from '@switchyard/signals';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from './keys.js';
import type { RateLimitState } from '@switchyard/core';
import { rateLimits, type RateLimitsOptions } from './rate-limit.js';
import type { RateLimitStore } from './rate-types.js';

const ENV = { K1: 'sk-one', K2: 'sk-two', K3: 'sk-three', REDIS_URL: 'redis://127.0.0.1:9' };

/** "Hello!" is bounded at 6 bytes + 3 framing + 3 priming = 12 tokens. */
const PROMPT_TOKENS = 12;

function policyText(extra = '') {
  return `version: 1
providers: { p: { format: openai, base_url: "http://127.0.0.1:9/v1" } }
models:
  m: { provider: p, max_output_tokens: 100 }
  open-ended: { provider: p }
  wide: { provider: p, max_output_tokens: 5000 }
routes: { smart: { default: m } }
budgets:
  owners:
    team: { limits: { tpm: 1000 } }
    solo: {}
${extra}keys:
  - { name: one, secret: { env: K1 }, owner: team, limits: { rpm: 3 } }
  - { name: two, secret: { env: K2 }, owner: team }
  - { name: free, secret: { env: K3 }, owner: solo }
`;
}

interface Exchange {
  readonly record: RoutingRecord & { rateLimit?: RateLimitState };
  readonly settled: Promise<unknown>;
}

interface App {
  readonly url: string;
  readonly exchanges: Exchange[];
  close(): Promise<void>;
}

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/**
 * The stack from keys() to rateLimits(), then a stand-in for dispatch(): it answers with the status in
 * `x-test-status` (default 200) and reports the usage in `x-test-usage` (`input,output`), if any.
 */
async function start(options: Partial<RateLimitsOptions> & { extra?: string } = {}): Promise<App> {
  const { extra, ...rest } = options;
  const policy = parsePolicy(policyText(extra), 'policy.yaml', { env: ENV });
  const exchanges: Exchange[] = [];
  const app = express();
  app.use((req, res, next) => {
    const ctx = routing(req, res);
    exchanges.push({ record: ctx.record, settled: ctx.settled });
    next();
  });
  // The workflow as workflows() would resolve it (x-test-workflow), without the rules package.
  const workflow: express.RequestHandler = (req, _res, next) => {
    const name = req.headers['x-test-workflow'];
    if (typeof name === 'string') routing(req).record.workflow = name;
    next();
  };
  app.use(keys({ policy }), signals({ policy }), workflow, pin({ policy }), rateLimits({ policy, ...rest } as RateLimitsOptions));
  app.use((req, res) => {
    const { record } = routing(req, res);
    const status = Number(req.headers['x-test-status'] ?? 200);
    record.attempts.push({ provider: 'p', model: record.target!.model, credentialIndex: 0, startedAt: Date.now(), status });
    const usage = req.headers['x-test-usage'];
    if (typeof usage === 'string') {
      const [inputTokens, outputTokens] = usage.split(',').map(Number) as [number, number];
      record.usage = { inputTokens, outputTokens };
    }
    res.status(status).json({ ok: status < 300 });
  });
  app.use(errorHandler({ onInternalError: () => {} }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const started: App = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  apps.push(started);
  return started;
}

async function call(app: App, key: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hello!' }], ...body }),
  });
  const json = (await res.json()) as any;
  const exchange = app.exchanges.at(-1)!;
  await exchange.settled;
  return { status: res.status, json, headers: res.headers, record: exchange.record };
}

const limitHeaders = (headers: Headers) =>
  Object.fromEntries([...headers].filter(([name]) => name.startsWith('x-ratelimit-') || name.startsWith('retry-after')));

describe('rateLimits()', () => {
  it("should count a key's requests, say so in OpenAI's headers, and refuse the one past the limit with 429 and Retry-After", async () => {
    const app = await start();
    const first = await call(app, ENV.K1, { max_tokens: 10 });
    expect(first.status).toBe(200);
    expect(limitHeaders(first.headers)).toEqual({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '2',
      'x-ratelimit-reset-requests': '20s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': String(1000 - PROMPT_TOKENS - 10),
      'x-ratelimit-reset-tokens': '1.32s',
    });
    expect(first.record.rateLimit).toMatchObject({
      owner: 'team',
      key: 'one',
      requestsScope: 'key',
      requestsLimit: 3,
      requestsRemaining: 2,
      tokensScope: 'owner',
      tokensReserved: PROMPT_TOKENS + 10,
      tokensUsed: PROMPT_TOKENS + 10,
    });
    await call(app, ENV.K1, { max_tokens: 10 });
    await call(app, ENV.K1, { max_tokens: 10 });
    const refused = await call(app, ENV.K1, { max_tokens: 10 });
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null });
    expect(refused.json.error.message).toMatch(
      /^Rate limit reached for key "one" on requests per min \(RPM\): limit 3, used 3, requested 1\. Please try again in (19\.\d+|20)s\.$/,
    );
    expect(Number(refused.headers.get('retry-after'))).toBe(20);
    expect(Number(refused.headers.get('retry-after-ms'))).toBeGreaterThan(19_000);
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refused.record.rateLimit?.refused).toBe('requests');
    expect(refused.record.events.find((e) => e.name === 'switchyard.ratelimit.refused')?.attributes).toMatchObject({
      scope: 'key',
      name: 'one',
      limit: 'requests',
    });
    // The other key of the same owner has no rpm of its own.
    expect((await call(app, ENV.K2, { max_tokens: 10 })).status).toBe(200);
  });

  it("should share the owner's tpm between its keys, counting the prompt's bound plus max_tokens times n", async () => {
    const app = await start();
    const big = await call(app, ENV.K2, { max_tokens: 100, n: 4 });
    expect(big.record.rateLimit?.tokensReserved).toBe(PROMPT_TOKENS + 400);
    expect(big.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1000 - PROMPT_TOKENS - 400));
    expect(big.headers.get('x-ratelimit-limit-requests')).toBeNull();
    await call(app, ENV.K1, { max_tokens: 100, n: 4 });
    const refused = await call(app, ENV.K2, { max_tokens: 100, n: 4 });
    expect(refused.status).toBe(429);
    expect(refused.json.error.message).toMatch(
      /^Rate limit reached for owner "team" on tokens per min \(TPM\): limit 1000, used 82\d/,
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(14);
    // Without max_tokens, the model's cap counts.
    expect((await call(app, ENV.K2, {})).record.rateLimit?.tokensReserved).toBe(PROMPT_TOKENS + 100);
  });

  it('should give back what the usage shows unused, and everything when no 2xx answer came', async () => {
    const app = await start();
    const used = await call(app, ENV.K2, { max_tokens: 100 }, { 'x-test-usage': '5,7' });
    expect(used.record.rateLimit).toMatchObject({ tokensReserved: PROMPT_TOKENS + 100, tokensUsed: 12 });
    const after = await call(app, ENV.K2, { max_tokens: 0 }, { 'x-test-status': '502' });
    expect(after.status).toBe(502);
    expect(after.record.rateLimit?.tokensUsed).toBe(0);
    // 12 used, the rest (and the failed call's bound) given back: only 12 tokens are counted now.
    const probe = await call(app, ENV.K2, { max_tokens: 0 });
    expect(probe.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1000 - 12 - PROMPT_TOKENS));
  });

  it('should answer 400 without Retry-After to a call whose bound alone passes the tpm', async () => {
    const app = await start();
    const r = await call(app, ENV.K2, { max_tokens: 100, n: 20 });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'request_too_large_for_rate_limit', param: 'max_tokens' });
    expect(r.json.error.message).toBe(
      `Request too large for owner "team" on tokens per min (TPM): limit 1000, requested ${PROMPT_TOKENS + 2000}. Lower max_tokens (or n) or shorten the prompt.`,
    );
    expect(r.headers.get('retry-after')).toBeNull();
    expect(r.headers.get('x-ratelimit-remaining-tokens')).toBe('1000');
  });

  it("should bound the output by every model the call's workflow may fall back to", async () => {
    const app = await start({ extra: 'workflows:\n  wide-open: { fallback: { allowed: [wide] } }\n  plain: {}\n' });
    expect((await call(app, ENV.K2, {}, { 'x-test-workflow': 'plain' })).record.rateLimit?.tokensReserved).toBe(
      PROMPT_TOKENS + 100,
    );
    const r = await call(app, ENV.K2, {}, { 'x-test-workflow': 'wide-open' });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain(`requested ${PROMPT_TOKENS + 5000}`);
  });

  it('should leave calls that no limit applies to untouched', async () => {
    const app = await start();
    const r = await call(app, ENV.K3);
    expect(r.status).toBe(200);
    expect(limitHeaders(r.headers)).toEqual({});
    expect(r.record.rateLimit).toBeUndefined();
  });

  it('should refuse with 503 when the store fails under fail_closed, and let calls through under fail_open', async () => {
    const broken: RateLimitStore = {
      consume: () => Promise.reject(new Error('store down')),
      adjust: () => Promise.reject(new Error('store down')),
    };
    const closed = await start({ store: broken });
    const refused = await call(closed, ENV.K1);
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatchObject({ type: 'api_error', code: 'rate_limit_store_unavailable' });
    expect(refused.json.error.message).toBe(
      'The rate limit store failed: store down. The policy says on_store_error: fail_closed, so calls are refused until it is back.',
    );

    const open = await start({
      store: broken,
      extra: '  store: { redis: { url: { env: REDIS_URL } }, on_store_error: fail_open }\n',
    });
    const served = await call(open, ENV.K1);
    expect(served.status).toBe(200);
    expect(served.record.events.map((e) => e.name)).toContain('switchyard.ratelimit.store_error');
    expect(limitHeaders(served.headers)).toEqual({});
  });

  it('should refuse options that name neither a policy nor a limiter', () => {
    expect(() => rateLimits({} as never)).toThrow(TypeError);
    expect(() => rateLimits({ limiter: {} } as never)).toThrow(TypeError);
  });
});
