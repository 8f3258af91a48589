// One contract for every BudgetStore, run over the memory store and a real redis-server.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';
import { RedisStore, StoreUnavailableError } from './redis-store.js';
import { startRedis, type TestRedis } from '../test/redis.js';
import type { BudgetStore, BudgetWindow, SpendKey } from './types.js';

const WINDOW: BudgetWindow = { id: '2025-03', startsAt: 0, endsAt: Date.now() + 3_600_000, expiresAt: Date.now() + 7_200_000 };
const HOUR = 3_600_000;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

interface Row {
  readonly name: string;
  make(): BudgetStore;
}
const stores: Row[] = [
  { name: 'memory', make: () => new MemoryStore() },
  { name: 'redis', make: () => new RedisStore({ url: redis.url }) },
];

describe.each(stores)('$name store', ({ make }) => {
  let store: BudgetStore;
  let key: SpendKey;
  beforeAll(() => {
    store = make();
    return () => store.shutdown?.();
  });
  // A fresh owner per test: the stores outlive the tests.
  const fresh = () => (key = { owner: `owner-${randomUUID()}`, window: WINDOW });

  it('should start an unknown owner at zero', async () => {
    fresh();
    expect(await store.get(key)).toEqual({ spendUsd: 0, reservedUsd: 0 });
  });

  it('should hold a reservation until it is settled, then count the real cost only', async () => {
    fresh();
    const r = await store.reserve({ key, id: 'a', amountUsd: 0.5, ttlMs: HOUR });
    expect(r).toEqual({ ok: true, before: { spendUsd: 0, reservedUsd: 0 } });
    expect(await store.get(key)).toEqual({ spendUsd: 0, reservedUsd: 0.5 });
    await store.settle({ key, id: 'a', costUsd: 0.123456789 });
    expect(await store.get(key)).toEqual({ spendUsd: 0.123456789, reservedUsd: 0 });
  });

  it('should refuse a reservation that would pass the limit and reserve nothing', async () => {
    fresh();
    await store.settle({ key, id: 'spent', costUsd: 0.7 });
    await store.reserve({ key, id: 'a', amountUsd: 0.2, limitUsd: 1, ttlMs: HOUR });
    const refused = await store.reserve({ key, id: 'b', amountUsd: 0.2, limitUsd: 1, ttlMs: HOUR });
    expect(refused).toEqual({ ok: false, before: { spendUsd: 0.7, reservedUsd: 0.2 } });
    expect(await store.get(key)).toEqual({ spendUsd: 0.7, reservedUsd: 0.2 });
    // Exactly up to the limit is allowed.
    expect((await store.reserve({ key, id: 'c', amountUsd: 0.1, limitUsd: 1, ttlMs: HOUR })).ok).toBe(true);
  });

  it('should reserve past any figure when no limit is given', async () => {
    fresh();
    expect((await store.reserve({ key, id: 'a', amountUsd: 1e6, ttlMs: HOUR })).ok).toBe(true);
  });

  it('should release a reservation settled at zero, and count a settlement without one', async () => {
    fresh();
    await store.reserve({ key, id: 'a', amountUsd: 2, ttlMs: HOUR });
    await store.settle({ key, id: 'a', costUsd: 0 });
    await store.settle({ key, id: 'never-reserved', costUsd: 0.25 });
    expect(await store.get(key)).toEqual({ spendUsd: 0.25, reservedUsd: 0 });
  });

  it('should drop a reservation that outlives its ttl', async () => {
    fresh();
    await store.reserve({ key, id: 'dead-gateway', amountUsd: 3, ttlMs: 30 });
    await store.reserve({ key, id: 'live', amountUsd: 1, ttlMs: HOUR });
    await new Promise((r) => setTimeout(r, 60));
    expect(await store.get(key)).toEqual({ spendUsd: 0, reservedUsd: 1 });
    // Settling the expired one later still counts its cost.
    await store.settle({ key, id: 'dead-gateway', costUsd: 0.5 });
    expect(await store.get(key)).toEqual({ spendUsd: 0.5, reservedUsd: 1 });
  });

  it('should keep owners and windows apart', async () => {
    fresh();
    const other = { owner: `${key.owner}-b`, window: WINDOW };
    const nextMonth = { owner: key.owner, window: { ...WINDOW, id: '2025-04' } };
    await store.settle({ key, id: 'x', costUsd: 1 });
    expect(await store.get(other)).toEqual({ spendUsd: 0, reservedUsd: 0 });
    expect(await store.get(nextMonth)).toEqual({ spendUsd: 0, reservedUsd: 0 });
  });

  it('should never reserve past the limit under 200 concurrent reservations', async () => {
    fresh();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.reserve({ key, id: `r${i}`, amountUsd: 0.02, limitUsd: 1, ttlMs: HOUR })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    expect(await store.get(key)).toEqual({ spendUsd: 0, reservedUsd: 1 });
  });

  it('should add tiny costs without drift', async () => {
    fresh();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.settle({ key, id: `s${i}`, costUsd: 0.000_000_59 })));
    expect((await store.get(key)).spendUsd).toBeCloseTo(0.00059, 12);
  });
});

describe('RedisStore when Redis is down', () => {
  it('should throw StoreUnavailableError naming the store, never its URL', async () => {
    const down = await startRedis();
    const store = new RedisStore({ url: down.url, name: 'redis (REDIS_URL)' });
    const key = { owner: 'o', window: WINDOW };
    try {
      await store.settle({ key, id: 'a', costUsd: 1 });
      await down.stop();
      await new Promise((r) => setTimeout(r, 50));
      const err = await Promise.resolve(store.get(key)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as Error).message).toMatch(/^redis \(REDIS_URL\) (is unreachable|did not answer)/);
      expect((err as Error).message).not.toContain(down.url);
      await down.start();
      await expect
        .poll(() => Promise.resolve(store.get(key)).catch(() => undefined), { timeout: 5000 })
        .toEqual({
          spendUsd: 0,
          reservedUsd: 0,
        });
    } finally {
      await store.shutdown();
      await down.close();
    }
  });
});
