const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dayFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter;
}

function localParts(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    dayFormatter(timeZone)
      .formatToParts(at)
      .map((part) => [part.type, Number(part.value)]),
  );
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The local calendar day of an instant, as YYYY-MM-DD. */
export function toLocalDay(at: Date, timeZone: string): string {
  const { year, month, day } = localParts(at, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function offsetMs(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant local midnight starts the given YYYY-MM-DD day in the zone. */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const guess = Date.parse(`${day}T00:00:00Z`);
  let result = guess - offsetMs(new Date(guess), timeZone);
  // A second pass settles days whose offset differs from the guess's (DST changes).
  result = guess - offsetMs(new Date(result), timeZone);
  return new Date(result);
}

/** The instant the local day after `at` starts. */
export function startOfNextLocalDay(at: Date, timeZone: string): Date {
  const today = Date.parse(`${toLocalDay(at, timeZone)}T00:00:00Z`);
  const tomorrow = new Date(today + 86_400_000).toISOString().slice(0, 10);
  return startOfLocalDay(tomorrow, timeZone);
}
