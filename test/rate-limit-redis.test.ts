// Rate limits shared by two gateway instances through one real redis-server: a burst split across them is
// limited as one, every answer of a limited key carries OpenAI's x-ratelimit headers, and the refused calls
// say when to retry.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import express from 'express';
import {
  budget,
  compilePolicy,
  dispatch,
  errorHandler,
  keyAllowList,
  keys,
  parsePolicy,
  pin,
  RateLimiter,
  rateLimits,
  ROUTED_PATHS,
  rules,
  signals,
} from 'switchyard';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../packages/budget/test/redis.js';

const PROVIDER_KEY = 'sk-provider-rate';
const KEYS = { a: 'sk-client-rate-a', b: 'sk-client-rate-b' };

let mock: MockProvider;
let redis: TestRedis;
beforeAll(async () => {
  // Every upstream call takes 300 ms, so that a burst's calls are all in flight together.
  [mock, redis] = await Promise.all([
    startMockProvider({ port: 0, apiKeys: [PROVIDER_KEY], script: { '*': { latencyMs: 300 } } }),
    startRedis(),
  ]);
});
afterAll(async () => {
  await Promise.all([mock?.close(), redis?.close()]);
});

interface Gateway {
  readonly url: string;
  close(): Promise<void>;
}
const gateways: Gateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

let owners = 0;
/** A policy whose owner (fresh per test, so tests sharing the Redis never share counters) has `limits`. */
function policy(limits: string, upstream = mock.url): string {
  const owner = `team-${++owners}-${Date.now()}`;
  return `version: 1
providers:
  alpha: { format: openai, base_url: ${upstream}, credentials: [{ env: ALPHA_KEY }] }
models:
  gpt-4o-mini: { provider: alpha, max_output_tokens: 1000 }
routes:
  smart: { default: gpt-4o-mini }
budgets:
  store: { redis: { url: { env: REDIS_URL } } }
  owners:
    ${owner}: { limits: ${limits} }
keys:
  - { name: a, secret: { env: KEY_A }, owner: ${owner} }
  - { name: b, secret: { env: KEY_B }, owner: ${owner} }
`;
}

/**
 * The umbrella's stack with rateLimits() between pin() and budget(), where it belongs; `switchyard()` does not
 * mount it yet (see HANDOFF.md).
 */
async function start(yaml: string): Promise<Gateway> {
  const compiled = compilePolicy(
    parsePolicy(yaml, 'rate-policy.yaml', {
      env: { ALPHA_KEY: PROVIDER_KEY, REDIS_URL: redis.url, KEY_A: KEYS.a, KEY_B: KEYS.b },
    }),
  );
  const { policy } = compiled;
  const limiter = new RateLimiter(policy);
  const router = express.Router();
  router.post(
    [...ROUTED_PATHS],
    keys({ policy }),
    signals({ catalog: compiled.catalog }),
    rules({ compiled: compiled.rules }),
    pin({ policy, allowedModels: keyAllowList }),
    rateLimits({ limiter }),
    budget({ ledger: compiled.budget }),
    dispatch({ policy }),
  );
  router.use(errorHandler({ onInternalError: () => {} }));
  const app = express();
  app.use('/v1', router);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const gateway = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await Promise.all([limiter.shutdown(), compiled.budget.shutdown()]);
    },
  };
  gateways.push(gateway);
  return gateway;
}

async function post(url: string, path: string, key: string, body: Record<string, unknown>) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'Hello!' }], ...body }),
  });
  return { status: res.status, json: (await res.json()) as any, headers: res.headers };
}

describe('rate limits shared through Redis by two gateway instances', () => {
  it('should serve exactly rpm calls of a burst split across both instances and keys, and refuse the rest with 429', async () => {
    const yaml = policy('{ rpm: 10 }');
    const [one, two] = await Promise.all([start(yaml), start(yaml)]);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post(i % 2 ? one.url : two.url, '/chat/completions', i % 3 ? KEYS.a : KEYS.b, {})),
    );
    const served = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(served).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.json.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
      expect(r.json.error.message).toMatch(
        /^Rate limit reached for owner "team-\S+" on requests per min \(RPM\): limit 10, used 10/,
      );
      // One request comes back every 6 s.
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(5);
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(6);
      expect(r.headers.get('x-ratelimit-limit-requests')).toBe('10');
      expect(r.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(r.headers.get('x-ratelimit-reset-requests')).toMatch(/^(5\d(\.\d+)?s|1m0s)$/);
    }
    // The served answers came through dispatch with the headers set before it.
    expect(served.map((r) => Number(r.headers.get('x-ratelimit-remaining-requests'))).sort((x, y) => x - y)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    for (const r of served) expect(r.headers.get('x-switchyard-served-model')).toBe('gpt-4o-mini');
  });

  it("should hold the owner's tpm across both instances, counting each call's prompt bound plus max_tokens", async () => {
    // "Hello!" is bounded at 12 tokens; with max_tokens 100 a call counts 112: 8 fit in 1000.
    const yaml = policy('{ tpm: 1000 }');
    const [one, two] = await Promise.all([start(yaml), start(yaml)]);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => post(i % 2 ? one.url : two.url, '/chat/completions', KEYS.a, { max_tokens: 100 })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(8);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(429);
      expect(r.json.error.message).toMatch(/on tokens per min \(TPM\): limit 1000, used 896, requested 112\./);
      expect(r.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
      expect(r.headers.get('x-ratelimit-remaining-tokens')).toBe('104');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });

  it("should refuse in Anthropic's error shape on /messages", async () => {
    const yaml = policy('{ rpm: 1 }');
    const [one, two] = await Promise.all([start(yaml), start(yaml)]);
    expect((await post(one.url, '/messages', KEYS.a, { max_tokens: 10 })).status).toBe(200);
    const refused = await post(two.url, '/messages', KEYS.b, { max_tokens: 10 });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(refused.headers.get('retry-after')).toBe('60');
  });

  // The upstream's own x-ratelimit-* headers (OpenAI always sends its organisation's) must not override the
  // key's: dispatch() passes on no header the gateway set already.
  it("should answer with the key's x-ratelimit headers, not the upstream's", async () => {
    const upstream = createServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-ratelimit-limit-requests': '10000',
        'x-ratelimit-remaining-requests': '9999',
      });
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 0,
          model: 'gpt-4o-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    try {
      const g = await start(policy('{ rpm: 5 }', `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`));
      const r = await post(g.url, '/chat/completions', KEYS.a, {});
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(r.headers.get('x-ratelimit-remaining-requests')).toBe('4');
    } finally {
      upstream.close();
    }
  });
});
