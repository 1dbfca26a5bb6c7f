export type WallClock = {
  readonly year: number;
  readonly month: number;
  readonly day: number;
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

/** Offset of `timeZone` from UTC at `instant`, in ms (Europe/Paris in summer: +7_200_000). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
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
