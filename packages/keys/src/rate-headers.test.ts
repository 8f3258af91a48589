import { describe, expect, it } from 'vitest';
import { bindingCounter, durationText, type CheckedCounter } from './rate-headers.js';

describe('durationText()', () => {
  it("should write durations as OpenAI's reset headers do", () => {
    expect([0, 0.2, 250, 999, 1000, 1320, 20_000, 59_999, 60_000, 72_500, 360_000].map(durationText)).toEqual([
      '0ms',
      '1ms',
      '250ms',
      '999ms',
      '1s',
      '1.32s',
      '20s',
      '59.999s',
      '1m0s',
      '1m12.5s',
      '6m0s',
    ]);
  });
});

describe('bindingCounter()', () => {
  const checked = (scope: 'key' | 'owner', kind: 'requests' | 'tokens', remaining: number, resetMs: number): CheckedCounter => ({
    applied: { scope, kind, name: scope, counter: { id: `${scope}:${kind}`, limit: 100, periodMs: 60_000 } },
    reading: { remaining, resetMs },
  });

  it('should pick the counter of the kind with the least room, then the slower to refill', () => {
    const all = [checked('key', 'requests', 5, 100), checked('owner', 'requests', 3, 50), checked('key', 'tokens', 7, 10)];
    expect(bindingCounter(all, 'requests')?.applied.scope).toBe('owner');
    expect(bindingCounter(all, 'tokens')?.applied.scope).toBe('key');
    const tie = [checked('key', 'requests', 3, 100), checked('owner', 'requests', 3, 900)];
    expect(bindingCounter(tie, 'requests')?.applied.scope).toBe('owner');
    expect(bindingCounter([], 'requests')).toBeUndefined();
  });
});
