// Local hour and weekday in the policy's time zone, from one Intl formatter built per catalog.

export interface LocalClock {
  /** The hour, 0–23, at `instant` in the zone. */
  hour(instant: Date): number;
  /** `monday` … `sunday` at `instant` in the zone. */
  weekday(instant: Date): string;
}

const WEEKDAYS: Readonly<Record<string, string>> = {
  Monday: 'monday',
  Tuesday: 'tuesday',
  Wednesday: 'wednesday',
  Thursday: 'thursday',
  Friday: 'friday',
  Saturday: 'saturday',
  Sunday: 'sunday',
};

/** Throws a RangeError for a zone Intl does not know (core's policy schema has already checked it). */
export function localClock(timeZone: string): LocalClock {
  // hourCycle h23: plain `hour12: false` renders midnight as "24" on some ICU versions.
  const hourFormat = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' });
  const weekdayFormat = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long' });
  return {
    hour: (instant) => Number.parseInt(hourFormat.format(instant), 10) % 24,
    weekday: (instant) => {
      const name = weekdayFormat.format(instant);
      return WEEKDAYS[name] ?? name.toLowerCase();
    },
  };
}
