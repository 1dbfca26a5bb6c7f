/** Calendar days in a time zone (pure; DST-safe: days are found by date, not by adding 24 h). */

import { addDays, startOfDay, type CalendarDate } from '../core/index.ts';

/** [start, end) of a calendar day in the zone (23 or 25 hours long on DST days). */
export function dayRange(date: CalendarDate, timeZone: string): { from: Date; to: Date } {
  return { from: startOfDay(date, timeZone), to: startOfDay(addDays(date, 1), timeZone) };
}

function weekday(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

function isValidDate(date: CalendarDate): boolean {
  const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
  return (
    check.getUTCFullYear() === date.year &&
    check.getUTCMonth() === date.month - 1 &&
    check.getUTCDate() === date.day
  );
}

/**
 * A day typed by a user, relative to today: a word for today/tomorrow, a weekday name (the next
 * one, today included), `YYYY-MM-DD`, or `DD/MM[/YYYY]` (the next such date when no year is given).
 * Words are compared without accents and case. Returns undefined when it is none of those.
 */
export function parseDay(
  input: string,
  today: CalendarDate,
  words: {
    today: readonly string[];
    tomorrow: readonly string[];
    weekdays: readonly string[];
  },
): CalendarDate | undefined {
  const text = normalize(input);
  if (words.today.some((word) => normalize(word) === text)) return today;
  if (words.tomorrow.some((word) => normalize(word) === text)) return addDays(today, 1);
  const weekdayIndex = words.weekdays.findIndex((word) => normalize(word) === text);
  if (weekdayIndex >= 0) return addDays(today, (weekdayIndex - weekday(today) + 7) % 7);

  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (iso !== null) {
    const date = { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) };
    return isValidDate(date) ? date : undefined;
  }
  const short = /^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$/.exec(text);
  if (short !== null) {
    const day = Number(short[1]);
    const month = Number(short[2]);
    if (short[3] !== undefined) {
      const year = short[3].length === 2 ? 2000 + Number(short[3]) : Number(short[3]);
      const date = { year, month, day };
      return isValidDate(date) ? date : undefined;
    }
    const thisYear = { year: today.year, month, day };
    if (!isValidDate(thisYear)) {
      const nextYear = { year: today.year + 1, month, day };
      return isValidDate(nextYear) ? nextYear : undefined;
    }
    return compareDates(thisYear, today) < 0 ? { ...thisYear, year: today.year + 1 } : thisYear;
  }
  return undefined;
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’']/g, '')
    .trim()
    .toLowerCase();
}

/** "lundi 14 septembre 2026" / "Monday 14 September 2026". */
const dayFormatters = {
  fr: new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'UTC',
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }),
  en: new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }),
};

export function formatCalendarDate(date: CalendarDate, locale: 'fr' | 'en'): string {
  return dayFormatters[locale].format(new Date(Date.UTC(date.year, date.month - 1, date.day)));
}

/** Discord timestamp markup, rendered in each reader's locale and zone. */
export function discordTime(at: Date, style: 't' | 'T' | 'd' | 'D' | 'f' | 'F' | 'R'): string {
  return `<t:${Math.floor(at.getTime() / 1000)}:${style}>`;
}
