import { describe, expect, it } from 'vitest';
import { monthlyWindows, RETAIN_AFTER_END_MS } from './window.js';

const at = (iso: string) => Date.parse(iso);

describe('monthlyWindows()', () => {
  it('should change month at local midnight in a zone ahead of UTC (Europe/Berlin, summer time)', () => {
    const windows = monthlyWindows('Europe/Berlin');
    // 23:59:59 CEST on 31 March is 21:59:59 UTC; midnight on 1 April is 22:00 UTC.
    expect(windows.at(at('2025-03-31T21:59:59.999Z')).id).toBe('2025-03');
    const april = windows.at(at('2025-03-31T22:00:00.000Z'));
    expect(april).toMatchObject({ id: '2025-04', startsAt: at('2025-03-31T22:00:00Z'), endsAt: at('2025-04-30T22:00:00Z') });
    expect(april.expiresAt).toBe(april.endsAt + RETAIN_AFTER_END_MS);
  });

  it('should span a DST change: March in Berlin starts at UTC+1 and ends at UTC+2', () => {
    const march = monthlyWindows('Europe/Berlin').at(at('2025-03-15T12:00:00Z'));
    expect(march).toMatchObject({ id: '2025-03', startsAt: at('2025-02-28T23:00:00Z'), endsAt: at('2025-03-31T22:00:00Z') });
  });

  it('should change month later than UTC in a zone behind it (America/New_York)', () => {
    const windows = monthlyWindows('America/New_York');
    // 1 January 00:00 UTC is still 31 December 19:00 in New York.
    expect(windows.at(at('2025-01-01T00:00:00Z')).id).toBe('2024-12');
    expect(windows.at(at('2025-01-01T05:00:00Z'))).toMatchObject({ id: '2025-01', startsAt: at('2025-01-01T05:00:00Z') });
  });

  it('should handle zones with odd offsets (Asia/Kathmandu, UTC+5:45) and UTC itself', () => {
    expect(monthlyWindows('Asia/Kathmandu').at(at('2025-06-30T18:15:00Z')).id).toBe('2025-07');
    expect(monthlyWindows('Asia/Kathmandu').at(at('2025-06-30T18:14:59Z')).id).toBe('2025-06');
    expect(monthlyWindows('UTC').at(at('2025-12-31T23:59:59Z'))).toMatchObject({
      id: '2025-12',
      endsAt: at('2026-01-01T00:00:00Z'),
    });
  });

  it('should hand out the same window object for every instant of a month', () => {
    const windows = monthlyWindows('Europe/Berlin');
    const a = windows.at(at('2025-05-02T00:00:00Z'));
    expect(windows.at(at('2025-05-30T00:00:00Z'))).toBe(a);
    expect(windows.at(at('2025-06-02T00:00:00Z'))).not.toBe(a);
  });
});
