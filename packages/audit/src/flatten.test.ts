import { describe, expect, it } from 'vitest';
import { attributeName, flattenInto } from './flatten.js';

describe('flattenInto', () => {
  it('should snake_case keys under the prefix and keep attribute-typed values', () => {
    const attrs = {};
    flattenInto(attrs, 'switchyard.budget.', {
      owner: 'team',
      spendPct: 0.5,
      hardStop: true,
      windows: ['day', 'month'],
      limits: { monthlyUsd: 500, perRequestUsd: 2, deeper: { no: 1 } },
      mixed: [1, 'a'],
      empty: [],
      nothing: null,
      missing: undefined,
      nan: Number.NaN,
      fn: () => 1,
    });
    expect(attrs).toEqual({
      'switchyard.budget.owner': 'team',
      'switchyard.budget.spend_pct': 0.5,
      'switchyard.budget.hard_stop': true,
      'switchyard.budget.windows': ['day', 'month'],
      'switchyard.budget.limits.monthly_usd': 500,
      'switchyard.budget.limits.per_request_usd': 2,
    });
  });

  it('should leave out the keys it is told to skip', () => {
    const attrs = {};
    flattenInto(attrs, 'switchyard.', { known: 1, cacheHit: false }, new Set(['known']));
    expect(attrs).toEqual({ 'switchyard.cache_hit': false });
    expect(attributeName('switchyard.attempt.', 'retryAfterMs')).toBe('switchyard.attempt.retry_after_ms');
  });
});
