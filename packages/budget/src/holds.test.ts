// Several budgets per call, reserved one after another: over any interleaving of concurrent calls, no budget's
// reservations pass its limit, and a refused call holds nothing anywhere.
import { parsePolicy } from '@switchyard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HoldSpec, reserveAll } from './holds.js';
import { BudgetLedger } from './ledger.js';
import { MemoryStore } from './memory-store.js';
import type { BudgetStore, SpendKey } from './types.js';
import { toNano } from './units.js';

const policy = parsePolicy('version: 1\nproviders: {}\nmodels: {}\n', 'policy.yaml');

/** A store whose every call waits for the scheduler before it runs: the interleaving is fast-check's to choose. */
function scheduled(inner: MemoryStore, s: fc.Scheduler): BudgetStore {
  return {
    reserve: (r) => s.schedule(Promise.resolve()).then(() => inner.reserve(r)),
    settle: (r) => s.schedule(Promise.resolve()).then(() => inner.settle(r)),
    get: (k) => inner.get(k),
  };
}

const BUDGETS = ['owner', 'workflow', 'run'] as const;

describe('reserveAll', () => {
  it('should never let reservations pass a limit, and leave nothing held by a refused call', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.tuple(...BUDGETS.map(() => fc.integer({ min: 0, max: 10 }))),
        fc.array(fc.record({ amount: fc.integer({ min: 1, max: 4 }), budgets: fc.subarray([0, 1, 2], { minLength: 1 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (s, limits, calls) => {
          const memory = new MemoryStore();
          const ledger = new BudgetLedger(policy, { store: scheduled(memory, s) });
          const key = (i: number): SpendKey => ledger.key(`budget-${i}`);
          const holds = (budgets: number[]): HoldSpec[] =>
            budgets.map((i) => ({ kind: BUDGETS[i]!, name: `b${i}`, key: key(i), limitUsd: limits[i]!, hardStop: true }));
          const running = calls.map((c, id) => reserveAll(ledger, holds(c.budgets), `call-${id}`, c.amount));
          const outcomes = await s.waitFor(Promise.all(running));
          await ledger.idle();
          for (const [i, limit] of limits.entries()) {
            const { reservedUsd, spendUsd } = memory.get(key(i));
            expect(spendUsd).toBe(0);
            expect(toNano(reservedUsd)).toBeLessThanOrEqual(toNano(limit));
            const held = calls.reduce((sum, c, id) => sum + (outcomes[id]!.ok && c.budgets.includes(i) ? c.amount : 0), 0);
            expect(reservedUsd).toBe(held);
          }
          memory.shutdown();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('should give back what it reserved when a later store call throws, and rethrow', async () => {
    const memory = new MemoryStore();
    let calls = 0;
    const store: BudgetStore = {
      reserve: (r) => {
        if (++calls === 2) throw new Error('store down');
        return memory.reserve(r);
      },
      settle: (r) => memory.settle(r),
      get: (k) => memory.get(k),
    };
    const ledger = new BudgetLedger(policy, { store });
    const holds: HoldSpec[] = [0, 1].map((i) => ({
      kind: 'owner',
      name: `b${i}`,
      key: ledger.key(`b${i}`),
      limitUsd: 5,
      hardStop: true,
    }));
    await expect(reserveAll(ledger, holds, 'x', 1)).rejects.toThrow('store down');
    await ledger.idle();
    expect(memory.get(holds[0]!.key)).toEqual({ spendUsd: 0, reservedUsd: 0 });
    memory.shutdown();
  });
});

describe('a run key', () => {
  it('should be forgotten 24 hours after its last call, and kept while calls keep coming', async () => {
    let now = Date.UTC(2026, 0, 1);
    const memory = new MemoryStore({ now: () => now });
    const ledger = new BudgetLedger(policy, { store: memory, now: () => now });
    const settle = () => memory.settle({ key: ledger.runKey('team', 'wf', 'job'), id: String(now), costUsd: 1 });
    settle();
    now += 20 * 3600 * 1000;
    settle();
    now += 20 * 3600 * 1000;
    expect(memory.get(ledger.runKey('team', 'wf', 'job')).spendUsd).toBe(2);
    now += 24 * 3600 * 1000 + 1;
    expect(memory.get(ledger.runKey('team', 'wf', 'job')).spendUsd).toBe(0);
    memory.shutdown();
  });
});
