import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './retry-after.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('retryAfterMs', () => {
  it('should read delay-seconds', () => {
    expect(retryAfterMs({ 'retry-after': '1' }, NOW)).toBe(1000);
    expect(retryAfterMs({ 'retry-after': ' 120 ' }, NOW)).toBe(120_000);
    expect(retryAfterMs({ 'retry-after': '0' }, NOW)).toBe(0);
  });

  it('should read an HTTP date relative to now, and a date in the past as no wait', () => {
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Jun 2025 12:00:03 GMT' }, NOW)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': 'Sunday, 01-Jun-25 12:00:02 GMT' }, NOW)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Jun 2025 11:59:00 GMT' }, NOW)).toBe(0);
  });

  it("should prefer OpenAI's retry-after-ms, rounded up", () => {
    expect(retryAfterMs({ 'retry-after-ms': '250.2', 'retry-after': '1' }, NOW)).toBe(251);
  });

  it('should fall back to Retry-After when retry-after-ms is not a number', () => {
    expect(retryAfterMs({ 'retry-after-ms': 'soon', 'retry-after': '2' }, NOW)).toBe(2000);
  });

  it('should ignore values that are neither form', () => {
    for (const value of ['', '1.5', '-1', 'later', '2025-06-01', 'Sun, 99 Foo 2025']) {
      expect(retryAfterMs({ 'retry-after': value }, NOW), value).toBeUndefined();
    }
    expect(retryAfterMs({}, NOW)).toBeUndefined();
  });

  it('should read the first of repeated headers', () => {
    expect(retryAfterMs({ 'retry-after': ['3', '9'] } as never, NOW)).toBe(3000);
  });
});
