import { parsePolicy } from '@switchyard/core';
import { describe, expect, it, vi } from 'vitest';
import { BudgetLedger, pct } from './ledger.js';
import { MemoryStore } from './memory-store.js';
import type { BudgetStore, SettleRequest } from './types.js';

const policy = parsePolicy(
  `version: 1
timezone: Asia/Tokyo
providers: { p: { format: openai, base_url: "http://127.0.0.1:9/v1" } }
models: { m: { provider: p, max_output_tokens: 10, price: { input: 1, output: 1 } } }
budgets: { owners: { a: { monthly_usd: 2, hard_stop: true } } }
`,
  'policy.yaml',
  { env: {} },
);

/** A MemoryStore whose settle() fails while `down` is set. */
class FlakyStore extends MemoryStore {
  down = false;
  override settle(request: SettleRequest): void {
    if (this.down) throw new Error('store is down');
    super.settle(request);
  }
}

describe('BudgetLedger', () => {
  it('should keep settlements the store refused and land them, in order, once it answers again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const store = new FlakyStore();
      const warnings: string[] = [];
      const ledger = new BudgetLedger(policy, { store, logger: { warn: (m) => warnings.push(m) } });
      const key = ledger.key('a');
      store.down = true;
      await ledger.settle({ key, id: '1', costUsd: 0.5 });
      await ledger.settle({ key, id: '2', costUsd: 0.25 });
      expect(ledger.pendingSettlements).toBe(2);
      expect(warnings).toEqual(['budget: FlakyStore failed to settle a call; retrying every 1000 ms']);
      await vi.advanceTimersByTimeAsync(1000);
      expect(ledger.pendingSettlements).toBe(2);
      store.down = false;
      await vi.advanceTimersByTimeAsync(1000);
      expect(ledger.pendingSettlements).toBe(0);
      expect((await ledger.spend('a')).spendUsd).toBe(0.75);
      await ledger.shutdown();
    } finally {
      vi.useRealTimers();
    }
  });

  it("should report spend with its limit and share, in the policy's month", async () => {
    const now = Date.parse('2025-01-31T15:00:00Z'); // 1 February, 00:00 in Tokyo
    const ledger = new BudgetLedger(policy, { now: () => now });
    await ledger.settle({ key: ledger.key('a'), id: 'x', costUsd: 0.5 });
    expect(await ledger.spend('a')).toEqual({
      owner: 'a',
      window: '2025-02',
      spendUsd: 0.5,
      reservedUsd: 0,
      limitUsd: 2,
      hardStop: true,
      spendPct: 0.25,
    });
    expect(await ledger.spend('nobody')).toMatchObject({
      owner: 'nobody',
      limitUsd: undefined,
      spendPct: undefined,
      hardStop: false,
    });
    await ledger.shutdown();
  });

  it('should refuse a store without the Store methods, naming the missing one', () => {
    expect(() => new BudgetLedger(policy, { store: { reserve() {}, get() {} } as unknown as BudgetStore })).toThrow(
      'budget: the store has no settle() method; a BudgetStore needs reserve, settle, get',
    );
  });

  it('should create no store until one is used', () => {
    const ledger = new BudgetLedger(policy);
    expect(ledger.storeName).toBe('memory');
    return ledger.shutdown();
  });

  it('should count a zero limit as fully spent', () => {
    expect(pct(0, 0)).toBe(1);
    expect(pct(1, 4)).toBe(0.25);
    expect(pct(1, undefined)).toBeUndefined();
  });
});
