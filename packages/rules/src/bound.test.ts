import { describe, expect, it } from 'vitest';
import { settledByBound } from './bound.js';

describe('settledByBound', () => {
  it('should settle "> N" when the bound is at most N, and not when it is above', () => {
    expect(settledByBound([{ op: '>', value: 100000 }], 50_000)).toBe(true);
    expect(settledByBound([{ op: '>', value: 100000 }], 100_000)).toBe(true);
    expect(settledByBound([{ op: '>', value: 100000 }], 100_001)).toBe(false);
    expect(settledByBound([{ op: '>', value: 100000 }], 500_000)).toBe(false);
  });

  it('should settle comparisons that hold for every count, such as "> -1" or "< N" with a small bound', () => {
    expect(settledByBound([{ op: '>', value: -1 }], 1_000_000)).toBe(true);
    expect(settledByBound([{ op: '>=', value: 0 }], 1_000_000)).toBe(true);
    expect(settledByBound([{ op: '<', value: 10 }], 9)).toBe(true);
    expect(settledByBound([{ op: '<', value: 10 }], 10)).toBe(false);
    expect(settledByBound([{ op: '<=', value: 10 }], 10)).toBe(true);
  });

  it('should not settle ">= 0.5" on [0, 1] but settle it with a zero bound', () => {
    expect(settledByBound([{ op: '>=', value: 0.5 }], 1)).toBe(false);
    expect(settledByBound([{ op: '>=', value: 0.5 }], 0)).toBe(true);
  });

  it('should settle equality only when no integer in [0, bound] can make it true', () => {
    expect(settledByBound([{ op: '==', value: 50 }], 40)).toBe(true);
    expect(settledByBound([{ op: '==', value: 50 }], 50)).toBe(false);
    expect(settledByBound([{ op: '!=', value: 50 }], 60)).toBe(false);
    expect(settledByBound([{ op: '==', value: 2.5 }], 60)).toBe(true);
    expect(settledByBound([{ op: '!=', value: -3 }], 60)).toBe(true);
    expect(settledByBound([{ op: '==', value: 0 }], 0)).toBe(true);
  });

  it('should need every comparison settled', () => {
    const comparisons = [
      { op: '>', value: 100000 },
      { op: '<', value: 10 },
    ] as const;
    expect(settledByBound(comparisons, 5)).toBe(true);
    expect(settledByBound(comparisons, 10)).toBe(false);
    expect(settledByBound(comparisons, 200_000)).toBe(false);
    expect(
      settledByBound(
        [
          { op: '>', value: 100000 },
          { op: '>', value: 20 },
        ],
        15,
      ),
    ).toBe(true);
  });
});
