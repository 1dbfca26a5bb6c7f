/**
 * Wall clocks and calendar days in an IANA time zone, with Intl only (pure, DST-safe: days are
 * found by date, never by adding 24 hours). Shared by the scraper (floating and TZID times), the
 * feed (staleness banner days) and the bot (/planning days).
 */

export type CalendarDate = { readonly year: number; readonly month: number; readonly day: number };

export type WallClock = CalendarDate & {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** What clocks in `timeZone` show at `instant`. */
export function toWallClock(instant: Date | number, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** Offset of `timeZone` from UTC at `instant`, in ms (Europe/Paris in summer: +7_200_000). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const wall = toWallClock(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which clocks in `timeZone` show `wallClock`. In the autumn overlap the first
 * (summer-time) instant is taken; a time skipped in spring is moved forward by the gap, as RFC 5545
 * §3.3.5 asks.
 */
export function wallClockToInstant(wallClock: WallClock, timeZone: string): Date {
  const asUtc = Date.UTC(
    wallClock.year,
    wallClock.month - 1,
    wallClock.day,
    wallClock.hour,
    wallClock.minute,
    wallClock.second,
  );
  const halfDay = 43_200_000;
  const offsetBefore = zoneOffsetMs(asUtc - halfDay, timeZone);
  const offsetAfter = zoneOffsetMs(asUtc + halfDay, timeZone);
  const readsBack = (instant: number) => instant + zoneOffsetMs(instant, timeZone) === asUtc;
  const valid = [asUtc - offsetBefore, asUtc - offsetAfter].filter(readsBack);
  // Overlap: both are valid, keep the earlier. Gap: none is, read with the offset before it.
  return new Date(valid.length > 0 ? Math.min(...valid) : asUtc - offsetBefore);
}

export function toCalendarDate(instant: Date, timeZone: string): CalendarDate {
  const { year, month, day } = toWallClock(instant, timeZone);
  return { year, month, day };
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** The instant a calendar day starts in the zone. */
export function startOfDay(date: CalendarDate, timeZone: string): Date {
  return wallClockToInstant({ ...date, hour: 0, minute: 0, second: 0 }, timeZone);
}

/** The local calendar day of an instant, as YYYY-MM-DD. */
export function toLocalDay(at: Date, timeZone: string): string {
  const { year, month, day } = toCalendarDate(at, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The instant local midnight starts the given YYYY-MM-DD day in the zone. */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const [year = 1970, month = 1, date = 1] = day.split('-').map(Number);
  return startOfDay({ year, month, day: date }, timeZone);
}

/** The instant the local day after `at` starts. */
export function startOfNextLocalDay(at: Date, timeZone: string): Date {
  return startOfDay(addDays(toCalendarDate(at, timeZone), 1), timeZone);
}
