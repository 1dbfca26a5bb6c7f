/** Calendar days in a time zone (pure; DST-safe: days are found by date, not by adding 24 h). */

export type CalendarDate = { readonly year: number; readonly month: number; readonly day: number };

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function zonedParts(instant: Date, timeZone: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return parts;
}

/** Offset of the zone from UTC at an instant, in ms (Paris in summer: +7 200 000). */
function offsetMs(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(
    p.year ?? 1970,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

export function toCalendarDate(instant: Date, timeZone: string): CalendarDate {
  const p = zonedParts(instant, timeZone);
  return { year: p.year ?? 1970, month: p.month ?? 1, day: p.day ?? 1 };
}

/** The instant a calendar day starts in the zone. */
export function startOfDay(date: CalendarDate, timeZone: string): Date {
  const guess = Date.UTC(date.year, date.month - 1, date.day);
  const first = guess - offsetMs(new Date(guess), timeZone);
  const second = guess - offsetMs(new Date(first), timeZone);
  return new Date(second);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

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
