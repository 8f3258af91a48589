// One contract for every RateLimitStore, run over the memory store and a real redis-server.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../budget/test/redis.js';
import { MemoryRateStore } from './rate-memory-store.js';
import { RateStoreUnavailableError, RedisRateStore } from './rate-redis-store.js';
import type { RateCounter, RateLimitStore } from './rate-types.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

interface Row {
  readonly name: string;
  make(): RateLimitStore;
}
const stores: Row[] = [
  { name: 'memory', make: () => new MemoryRateStore() },
  { name: 'redis', make: () => new RedisRateStore({ url: redis.url }) },
];

const MINUTE = 60_000;
const counter = (id: string, limit: number, periodMs = MINUTE): RateCounter => ({ id, limit, periodMs });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(stores)('$name rate store', ({ make }) => {
  let store: RateLimitStore;
  let group: string;
  beforeAll(() => {
    store = make();
    return () => store.shutdown?.();
  });
  // A fresh group per test: the stores outlive the tests.
  const fresh = () => (group = `owner-${randomUUID()}`);

  it('should let a full counter take up to its limit, then refuse with the wait until one unit is back', async () => {
    fresh();
    const rpm = counter('key:a:requests', 3);
    const take = () => store.consume({ group, charges: [{ counter: rpm, cost: 1 }] });
    expect(await take()).toEqual({ ok: true, counters: [{ remaining: 2, resetMs: 20_000 }] });
    expect((await take()).counters[0]!.remaining).toBe(1);
    const third = await take();
    expect(third.ok).toBe(true);
    expect(third.counters[0]!.remaining).toBe(0);
    expect(third.counters[0]!.resetMs).toBeGreaterThan(59_000);
    const refused = await take();
    expect(refused.ok).toBe(false);
    expect(refused.counters[0]!.remaining).toBe(0);
    // One unit comes back every 20 s.
    expect(refused.counters[0]!.retryAfterMs).toBeGreaterThan(19_000);
    expect(refused.counters[0]!.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it('should take from every counter or from none', async () => {
    fresh();
    const requests = counter('key:a:requests', 10);
    const tokens = counter('key:a:tokens', 1000);
    const ownerTokens = counter('owner:tokens', 2000);
    const call = (cost: number) =>
      store.consume({
        group,
        charges: [
          { counter: requests, cost: 1 },
          { counter: tokens, cost },
          { counter: ownerTokens, cost },
        ],
      });
    expect((await call(800)).ok).toBe(true);
    const refused = await call(800);
    expect(refused.ok).toBe(false);
    expect(refused.counters.map((c) => c.remaining)).toEqual([9, 200, 1200]);
    expect(refused.counters[0]!.retryAfterMs).toBeUndefined();
    expect(refused.counters[1]!.retryAfterMs).toBeGreaterThan(0);
    expect(refused.counters[2]!.retryAfterMs).toBeUndefined();
    // Nothing was taken by the refused call: 200 tokens still fit.
    const fits = await call(200);
    expect(fits.ok).toBe(true);
    expect(fits.counters.map((c) => c.remaining)).toEqual([8, 0, 1000]);
  });

  it('should say no wait helps when the cost is more than the whole limit', async () => {
    fresh();
    const result = await store.consume({ group, charges: [{ counter: counter('key:a:tokens', 100), cost: 101 }] });
    expect(result).toEqual({ ok: false, counters: [{ remaining: 100, resetMs: 0, retryAfterMs: Number.POSITIVE_INFINITY }] });
  });

  it('should refill continuously and never bank past the limit', async () => {
    fresh();
    const fast = counter('key:a:requests', 4, 200);
    const take = () => store.consume({ group, charges: [{ counter: fast, cost: 1 }] });
    for (let i = 0; i < 4; i++) expect((await take()).ok).toBe(true);
    expect((await take()).ok).toBe(false);
    await sleep(70);
    expect((await take()).ok).toBe(true);
    await sleep(450);
    const full = await store.consume({ group, charges: [{ counter: fast, cost: 0 }] });
    expect(full.counters[0]).toEqual({ remaining: 4, resetMs: 0 });
  });

  it('should give units back on a negative adjust, never past a full counter, and take more on a positive one', async () => {
    fresh();
    const tokens = counter('key:a:tokens', 1000);
    await store.consume({ group, charges: [{ counter: tokens, cost: 900 }] });
    await store.adjust({ group, charges: [{ counter: tokens, cost: -600 }] });
    expect((await store.consume({ group, charges: [{ counter: tokens, cost: 0 }] })).counters[0]!.remaining).toBe(700);
    await store.adjust({ group, charges: [{ counter: tokens, cost: -5000 }] });
    expect((await store.consume({ group, charges: [{ counter: tokens, cost: 0 }] })).counters[0]).toEqual({
      remaining: 1000,
      resetMs: 0,
    });
    await store.adjust({ group, charges: [{ counter: tokens, cost: 1200 }] });
    const over = await store.consume({ group, charges: [{ counter: tokens, cost: 1 }] });
    expect(over.ok).toBe(false);
    expect(over.counters[0]!.remaining).toBe(0);
    expect(over.counters[0]!.resetMs).toBeGreaterThan(71_000);
  });

  it('should keep groups and counters apart', async () => {
    fresh();
    const rpm = counter('key:a:requests', 1);
    expect((await store.consume({ group, charges: [{ counter: rpm, cost: 1 }] })).ok).toBe(true);
    expect((await store.consume({ group: `${group}-b`, charges: [{ counter: rpm, cost: 1 }] })).ok).toBe(true);
    expect((await store.consume({ group, charges: [{ counter: counter('key:b:requests', 1), cost: 1 }] })).ok).toBe(true);
    expect((await store.consume({ group, charges: [{ counter: rpm, cost: 1 }] })).ok).toBe(false);
  });

  it('should never let more than the limit through under 300 concurrent calls', async () => {
    fresh();
    const rpm = counter('owner:requests', 120);
    const results = await Promise.all(
      Array.from({ length: 300 }, () => store.consume({ group, charges: [{ counter: rpm, cost: 1 }] })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(120);
  });
});

describe('RedisRateStore when Redis is down', () => {
  it('should throw RateStoreUnavailableError naming the store, never its URL, and recover by itself', async () => {
    const down = await startRedis();
    const store = new RedisRateStore({ url: down.url, name: 'redis (REDIS_URL)' });
    const charges = [{ counter: counter('key:a:requests', 5), cost: 1 }];
    try {
      expect((await store.consume({ group: 'g', charges })).ok).toBe(true);
      await down.stop();
      await sleep(50);
      const err = await Promise.resolve(store.consume({ group: 'g', charges })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateStoreUnavailableError);
      expect((err as Error).message).toMatch(/^redis \(REDIS_URL\) (is unreachable|did not answer)/);
      expect((err as Error).message).not.toContain(down.url);
      await down.start();
      await expect
        .poll(
          () =>
            Promise.resolve(store.consume({ group: 'g', charges })).then(
              (r) => r.ok,
              () => undefined,
            ),
          { timeout: 5000 },
        )
        .toBe(true);
    } finally {
      await store.shutdown();
      await down.close();
    }
  });
});
