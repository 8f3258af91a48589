import { describe, expect, it } from 'vitest';
import { localClock } from './clock.js';

describe('localClock', () => {
  it('should give midnight as hour 0, not 24', () => {
    const utc = localClock('UTC');
    expect(utc.hour(new Date('2024-03-04T00:30:00Z'))).toBe(0);
    expect(utc.hour(new Date('2024-03-04T23:59:59Z'))).toBe(23);
    expect(utc.weekday(new Date('2024-03-04T00:30:00Z'))).toBe('monday');
  });

  it('should follow the zone across a date line and daylight saving time', () => {
    const newYork = localClock('America/New_York');
    // 2024-03-10 is the spring-forward day in New York: 06:30Z is 01:30 EST, 07:30Z is 03:30 EDT.
    expect(newYork.hour(new Date('2024-03-10T06:30:00Z'))).toBe(1);
    expect(newYork.hour(new Date('2024-03-10T07:30:00Z'))).toBe(3);
    expect(newYork.weekday(new Date('2024-03-10T03:00:00Z'))).toBe('saturday');
    const tokyo = localClock('Asia/Tokyo');
    expect(tokyo.weekday(new Date('2024-03-10T16:00:00Z'))).toBe('monday');
    expect(tokyo.hour(new Date('2024-03-10T16:00:00Z'))).toBe(1);
  });

  it('should give the time of day as zero-padded HH:MM, midnight as 00:00', () => {
    const utc = localClock('UTC');
    expect(utc.timeOfDay(new Date('2024-03-04T00:05:59Z'))).toBe('00:05');
    expect(utc.timeOfDay(new Date('2024-03-04T09:30:00Z'))).toBe('09:30');
    expect(utc.timeOfDay(new Date('2024-03-04T23:59:59Z'))).toBe('23:59');
    // Half-hour zones and daylight saving time move the minutes and the hour.
    expect(localClock('Asia/Kolkata').timeOfDay(new Date('2024-01-07T20:00:00Z'))).toBe('01:30');
    expect(localClock('America/New_York').timeOfDay(new Date('2024-03-10T07:30:00Z'))).toBe('03:30');
  });

  it('should order times of day as strings the way it orders them in time', () => {
    const utc = localClock('UTC');
    const times = [0, 1, 9, 10, 12, 23].map((h) => utc.timeOfDay(new Date(Date.UTC(2024, 0, 1, h, h))));
    expect([...times].sort()).toEqual(times);
  });
});
