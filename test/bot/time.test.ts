import { describe, expect, it } from 'vitest';
import { messages, toLocale } from '../../src/bot/messages.ts';
import { addDays, startOfDay, toCalendarDate } from '../../src/core/index.ts';
import { dayRange, formatCalendarDate, parseDay } from '../../src/bot/time.ts';

const PARIS = 'Europe/Paris';
const frWords = { ...messages.fr.dayWords, weekdays: messages.fr.weekdays };
const enWords = { ...messages.en.dayWords, weekdays: messages.en.weekdays };
const monday = { year: 2026, month: 9, day: 14 };

describe('calendar days in a time zone', () => {
  it('finds the local day of an instant', () => {
    expect(toCalendarDate(new Date('2026-09-14T22:30:00Z'), PARIS)).toEqual({
      year: 2026,
      month: 9,
      day: 15,
    });
    expect(toCalendarDate(new Date('2026-09-14T22:30:00Z'), 'UTC')).toEqual(monday);
  });

  it('starts days at local midnight, across DST changes', () => {
    expect(startOfDay(monday, PARIS).toISOString()).toBe('2026-09-13T22:00:00.000Z');
    const autumn = dayRange({ year: 2026, month: 10, day: 25 }, PARIS);
    expect(autumn.from.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(autumn.to.toISOString()).toBe('2026-10-25T23:00:00.000Z');
    const spring = dayRange({ year: 2026, month: 3, day: 29 }, PARIS);
    expect(spring.to.getTime() - spring.from.getTime()).toBe(23 * 3_600_000);
  });

  it('adds days across months and years', () => {
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({
      year: 2027,
      month: 1,
      day: 1,
    });
  });

  it('reads the days users type, in French and English', () => {
    expect(parseDay("Aujourd'hui", monday, frWords)).toEqual(monday);
    expect(parseDay('demain', monday, frWords)).toEqual({ year: 2026, month: 9, day: 15 });
    expect(parseDay('Mercredi', monday, frWords)).toEqual({ year: 2026, month: 9, day: 16 });
    expect(parseDay('lundi', monday, frWords)).toEqual(monday);
    expect(parseDay('sunday', monday, enWords)).toEqual({ year: 2026, month: 9, day: 20 });
    expect(parseDay('2026-10-01', monday, frWords)).toEqual({ year: 2026, month: 10, day: 1 });
    expect(parseDay('16/09', monday, frWords)).toEqual({ year: 2026, month: 9, day: 16 });
    expect(parseDay('01/09', monday, frWords)).toEqual({ year: 2027, month: 9, day: 1 });
    expect(parseDay('3/1/27', monday, frWords)).toEqual({ year: 2027, month: 1, day: 3 });
    expect(parseDay('31/02', monday, frWords)).toBeUndefined();
    expect(parseDay('2026-02-30', monday, frWords)).toBeUndefined();
    expect(parseDay('plus tard', monday, frWords)).toBeUndefined();
  });

  it('formats days in the reader’s language', () => {
    expect(formatCalendarDate(monday, 'fr')).toBe('lundi 14 septembre 2026');
    expect(formatCalendarDate(monday, 'en')).toBe('Monday, 14 September 2026');
  });

  it('maps Discord locales to French or English', () => {
    expect(toLocale('en-US')).toBe('en');
    expect(toLocale('en-GB')).toBe('en');
    expect(toLocale('fr')).toBe('fr');
    expect(toLocale('de')).toBe('fr');
    expect(toLocale(undefined)).toBe('fr');
  });
});
