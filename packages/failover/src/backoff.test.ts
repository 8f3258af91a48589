import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('should double per retry, jittering the upper half', () => {
    expect([1, 2, 3].map((retry) => backoffDelay(retry, 100, 10_000, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((retry) => backoffDelay(retry, 100, 10_000, () => 1))).toEqual([100, 200, 400]);
    expect(backoffDelay(2, 100, 10_000, () => 0.5)).toBe(150);
  });

  it('should never exceed maxMs', () => {
    expect(backoffDelay(20, 250, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(20, 250, 1000, () => 0)).toBe(500);
  });

  it('should be zero for a zero base', () => {
    expect(backoffDelay(3, 0, 1000)).toBe(0);
  });

  it('should stay within its bounds with the real random source', () => {
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(2, 100, 10_000);
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(200);
    }
  });
});
