// The store a reloading gateway keeps: the same one while the store config stays, a new one when it changes,
// closed once no version uses it.
import { parsePolicy, type Policy } from '@switchyard/core';
import { BudgetLedger, MemoryStore } from '@switchyard/budget';
import { describe, expect, it, vi } from 'vitest';
import { StoreKeeper } from './store-keeper.js';

function policy(store = ''): Policy {
  const text = `version: 1
providers: { p: { format: openai, base_url: "http://127.0.0.1:9/v1" } }
models: { m: { provider: p } }
routes: { r: { default: m } }
budgets:
  owners: { default: { monthly_usd: 10, hard_stop: false } }
${store}`;
  return parsePolicy(text, 'policy.yaml', { env: { REDIS_A: 'redis://127.0.0.1:1/0', REDIS_B: 'redis://127.0.0.1:2/0' } });
}

const REDIS_A = '  store: { redis: { url: { env: REDIS_A } } }';
const REDIS_B = '  store: { redis: { url: { env: REDIS_B } } }';

describe('StoreKeeper', () => {
  it('should hand the next version the store of the same config, and keep its name', () => {
    const keeper = new StoreKeeper();
    const first = keeper.handleFor(policy());
    keeper.adopt(first);
    expect(keeper.handleFor(policy('# another version'))).toBe(first);
    expect(new BudgetLedger(policy(), { store: first }).storeName).toBe('memory');

    const redis = keeper.handleFor(policy(REDIS_A));
    expect(redis).not.toBe(first);
    expect(new BudgetLedger(policy(REDIS_A), { store: redis }).storeName).toBe('redis (REDIS_A)');
    keeper.adopt(redis);
    expect(keeper.handleFor(policy(REDIS_A))).toBe(redis);
    expect(keeper.handleFor(policy(REDIS_B))).not.toBe(redis);
  });

  it('should keep spend in one store across versions', async () => {
    const keeper = new StoreKeeper();
    const handle = keeper.handleFor(policy());
    keeper.adopt(handle);
    const one = new BudgetLedger(policy(), { store: handle });
    await one.settle({ key: one.key('default'), id: 'a', costUsd: 1.5 });
    const next = keeper.handleFor(policy('# v2'));
    keeper.adopt(next);
    const two = new BudgetLedger(policy('# v2'), { store: next });
    expect((await two.spend('default')).spendUsd).toBe(1.5);
    // A ledger's shutdown leaves the kept store open: the keeper closes it.
    await one.shutdown();
    expect((await two.spend('default')).spendUsd).toBe(1.5);
  });

  it('should close a store once no version uses it and it is no longer current', async () => {
    const keeper = new StoreKeeper();
    const old = keeper.handleFor(policy());
    keeper.adopt(old);
    keeper.adopt(old); // a second version on the same store
    const close = vi.spyOn(old, 'close');
    const next = keeper.handleFor(policy(REDIS_A));
    keeper.adopt(next);
    await keeper.release(old);
    expect(close).not.toHaveBeenCalled();
    await keeper.release(old);
    expect(close).toHaveBeenCalledOnce();
    const current = vi.spyOn(next, 'close');
    await keeper.release(next);
    expect(current).not.toHaveBeenCalled();
    await keeper.close();
    expect(current).toHaveBeenCalledOnce();
  });

  it('should never close a store the application passed in', async () => {
    const given = new MemoryStore();
    const shutdown = vi.spyOn(given, 'shutdown');
    const keeper = new StoreKeeper(given);
    const handle = keeper.handleFor(policy(REDIS_A));
    keeper.adopt(handle);
    await handle.settle({ key: new BudgetLedger(policy()).key('default'), id: 'x', costUsd: 2 });
    await keeper.close();
    expect(shutdown).not.toHaveBeenCalled();
    given.shutdown();
  });

  it('should open nothing for a policy that is never adopted', () => {
    const keeper = new StoreKeeper();
    const open = vi.spyOn(BudgetLedger.prototype, 'store', 'get');
    keeper.handleFor(policy(REDIS_A));
    expect(open).not.toHaveBeenCalled();
    open.mockRestore();
  });
});
