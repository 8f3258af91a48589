// Budget windows: calendar months in the policy's time zone, worked out once per month, not per request.
import type { BudgetWindow } from './types.js';

/** How long a past month's spend is kept after it ends, so `switchyard budget` can still show it. */
export const RETAIN_AFTER_END_MS = 35 * 24 * 3600 * 1000;

/** The month an instant falls in, in one time zone. */
export interface MonthlyWindows {
  readonly timeZone: string;
  /** The window holding `now` (epoch ms); the same object for every instant of a month. */
  at(now: number): BudgetWindow;
}

/** Throws a RangeError for a zone Intl does not know (the policy schema has already checked it). */
export function monthlyWindows(timeZone: string): MonthlyWindows {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  /** Local wall-clock time at `t`, read as if it were UTC, minus `t`: the zone's offset then. */
  const offsetAt = (t: number): number => {
    const f: Record<string, number> = {};
    for (const p of parts.formatToParts(t)) if (p.type !== 'literal') f[p.type] = Number(p.value);
    const wall = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
    return wall - Math.floor(t / 1000) * 1000;
  };
  /** The instant local midnight starts the 1st of `month` (0-based, may be 12) of `year`. */
  const monthStart = (year: number, month: number): number => {
    const wall = Date.UTC(year, month, 1);
    // Twice: the offset at the first guess may differ from the one at the answer across a DST change.
    const guess = wall - offsetAt(wall);
    return wall - offsetAt(guess);
  };

  let current: BudgetWindow | undefined;
  return {
    timeZone,
    at(now) {
      if (current && now >= current.startsAt && now < current.endsAt) return current;
      const local = new Date(now + offsetAt(now));
      const year = local.getUTCFullYear();
      const month = local.getUTCMonth();
      const endsAt = monthStart(year, month + 1);
      current = Object.freeze({
        id: `${year}-${String(month + 1).padStart(2, '0')}`,
        startsAt: monthStart(year, month),
        endsAt,
        expiresAt: endsAt + RETAIN_AFTER_END_MS,
      });
      return current;
    },
  };
}
