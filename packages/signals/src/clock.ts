// Local hour, time of day and weekday in the policy's time zone, from Intl formatters built once per catalog.

export interface LocalClock {
  /** The hour, 0–23, at `instant` in the zone. */
  hour(instant: Date): number;
  /** `HH:MM` (24-hour, zero-padded, so that strings compare in time order) at `instant` in the zone. */
  timeOfDay(instant: Date): string;
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
  const timeFormat = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return {
    hour: (instant) => Number.parseInt(hourFormat.format(instant), 10) % 24,
    timeOfDay: (instant) => {
      let hour = '00';
      let minute = '00';
      for (const part of timeFormat.formatToParts(instant)) {
        if (part.type === 'hour') hour = part.value.padStart(2, '0').replace(/^24$/, '00');
        else if (part.type === 'minute') minute = part.value.padStart(2, '0');
      }
      return `${hour}:${minute}`;
    },
    weekday: (instant) => {
      const name = weekdayFormat.format(instant);
      return WEEKDAYS[name] ?? name.toLowerCase();
    },
  };
}
