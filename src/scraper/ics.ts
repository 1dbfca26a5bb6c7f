import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import {
  AppError,
  eventFingerprint,
  type EventStatus,
  type ParseIssue,
  type ParseResult,
  type TimetableEvent,
  toWallClock,
  wallClockToInstant,
} from '../core/index.ts';
import type { ParseContext } from './sources/source.ts';

/** ical.js types this return value through an import its d.ts cannot resolve. */
type OccurrenceDetails = {
  recurrenceId: ICAL.Time;
  item: ICAL.Event;
  startDate: ICAL.Time;
  endDate: ICAL.Time;
};

/** One recurring series never yields more than this many instances (a safety bound). */
const MAX_OCCURRENCES_PER_EVENT = 2_000;
/** A series is stepped through at most this many times (kept or not). */
const MAX_ITERATIONS_PER_EVENT = 20_000;
/** A whole calendar never yields more events than this: beyond it the nearest in time are kept. */
export const MAX_EVENTS_PER_CALENDAR = 20_000;
/**
 * A calendar generates at most this many events before the nearest are chosen (a recurrence bomb
 * stops here): enough to look past as much far history listed first as the cap itself, while a
 * bomb costs at most twice what it did when the first 20,000 in file order were kept.
 */
const MAX_GENERATED_PER_CALENDAR = 2 * MAX_EVENTS_PER_CALENDAR;
/** The issue a calendar over MAX_EVENTS_PER_CALENDAR yields (its farthest events left out). */
export const CALENDAR_CAPPED = 'ics.calendar_capped';

/** Was this parse cut at the calendar-wide cap? (The run and the section are marked truncated.) */
export function isTruncatedParse(result: Pick<ParseResult, 'issues'>): boolean {
  return result.issues.some((issue) => issue.code === CALENDAR_CAPPED);
}

/** Instances of a series that ended longer ago than this are not kept (old series stay cheap). */
const SERIES_HISTORY_MS = 400 * 86_400_000;

/**
 * Bytes → text: UTF-8 (with or without BOM) when the bytes are mostly UTF-8, Latin-1 otherwise
 * (the IMT Mines Alès export is Latin-1). See `decideCalendarEncoding`.
 */
export function decodeCalendarBytes(bytes: Buffer): string {
  // Unfold on bytes first (RFC 5545 §3.1): exporters that fold at 75 octets may cut a UTF-8
  // character in two, which would otherwise make the whole file look like Latin-1.
  const unfolded = unfoldBytes(bytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(unfolded);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(unfolded);
    text =
      decideCalendarEncoding(lenient) === 'utf-8'
        ? lenient
        : new TextDecoder('latin1').decode(unfolded);
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/**
 * The encoding of bytes that are not valid UTF-8, from their lenient UTF-8 decoding: one invalid
 * byte (a hand edit, a cut copy) in an otherwise UTF-8 export must not turn every accent of the
 * file into mojibake, since every accented title would then be announced as renamed, twice. Text
 * in Latin-1 almost never contains a valid UTF-8 multi-byte sequence (it needs "Ã" or "Â" followed
 * by a C1 control or a symbol), so the file is UTF-8 when it holds more valid multi-byte characters
 * than invalid bytes: the bad byte then becomes U+FFFD in its own event only.
 */
export function decideCalendarEncoding(lenientText: string): 'utf-8' | 'latin1' {
  let invalid = 0;
  let validMultiByte = 0;
  for (let index = 0; index < lenientText.length; index += 1) {
    const code = lenientText.charCodeAt(index);
    if (code < 0x80) continue;
    if (code === 0xfffd) invalid += 1;
    // A surrogate pair (a 4-byte character) counts once, on its high half.
    else if (code < 0xdc00 || code > 0xdfff) validMultiByte += 1;
  }
  return validMultiByte > invalid ? 'utf-8' : 'latin1';
}

/** Removes every line break followed by one space or tab (CRLF or bare LF). */
function unfoldBytes(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  // Jump from line feed to line feed (native search) and copy the runs between folds.
  for (let lf = bytes.indexOf(0x0a); lf !== -1; lf = bytes.indexOf(0x0a, lf + 1)) {
    if (!isFoldSpace(bytes[lf + 1])) continue;
    const cut = lf > 0 && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    parts.push(bytes.subarray(from, cut));
    from = lf + 2;
  }
  if (parts.length === 0) return bytes;
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

function isFoldSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09;
}

/**
 * Checks that a body is a whole calendar before anything is parsed: an HTML login or maintenance
 * page served with 200 is `scraper.not_calendar`, a cut download is `scraper.parse_failed`.
 */
export function assertCalendarText(text: string): void {
  const trimmed = text.trimStart();
  if (!/^BEGIN:VCALENDAR\r?$/im.test(trimmed.slice(0, 4096))) {
    const looksHtml = /<(!doctype|html|head|body|form)\b/i.test(trimmed.slice(0, 4096));
    throw new AppError(
      'scraper.not_calendar',
      looksHtml ? 'the answer is an HTML page, not a calendar' : 'the answer is not a calendar',
    );
  }
  if (!/^END:VCALENDAR\s*$/im.test(text.trimEnd().slice(-64))) {
    throw new AppError('scraper.parse_failed', 'the calendar is truncated (no END:VCALENDAR)');
  }
}

/** Parses a whole iCalendar text into normalized events (pure). */
export function parseIcsCalendar(text: string, context: ParseContext): ParseResult {
  assertCalendarText(text);
  let root: ICAL.Component;
  try {
    const parsed = ICAL.parse(text) as unknown[];
    // A stray END (e.g. a lost BEGIN:VEVENT) closes VCALENDAR early: ical.js then returns several
    // top-level components, which ICAL.Component cannot wrap.
    if (Array.isArray(parsed[0])) {
      throw new Error('unbalanced BEGIN/END: several top-level components');
    }
    root = new ICAL.Component(parsed);
  } catch (cause) {
    throw new AppError(
      'scraper.parse_failed',
      `the calendar could not be parsed: ${errorText(cause)}`,
      {
        cause,
      },
    );
  }
  const calendar = root.name === 'vcalendar' ? root : root.getFirstSubcomponent('vcalendar');
  if (calendar === null) throw new AppError('scraper.not_calendar', 'no VCALENDAR component');

  const zones = collectTimezones(calendar);
  const calendarInfo = readCalendarInfo(calendar, context.timeZone);
  const horizon = new Date(context.now.getTime() + context.horizonDays * 86_400_000);
  const issues: ParseIssue[] = [];
  const events: TimetableEvent[] = [];
  const components = calendar.getAllSubcomponents('vevent');

  // RECURRENCE-ID components override one instance of their series.
  const overrides = new Map<string, ICAL.Component[]>();
  const masters: ICAL.Component[] = [];
  for (const component of components) {
    if (component.hasProperty('recurrence-id')) {
      const uid = textOf(component, 'uid');
      overrides.set(uid, [...(overrides.get(uid) ?? []), component]);
    } else {
      masters.push(component);
    }
  }

  let generated = 0;
  let budgetSpent = false;
  const collect = (produced: readonly TimetableEvent[]): void => {
    generated += produced.length;
    events.push(...produced);
    // Pruned as it grows, so memory stays within twice the cap whatever the file holds.
    if (events.length >= 2 * MAX_EVENTS_PER_CALENDAR) {
      keepNearest(events, MAX_EVENTS_PER_CALENDAR, context.now);
    }
  };
  for (const [index, component] of masters.entries()) {
    try {
      // Passing the exceptions explicitly matters: without them ical.js scans every VEVENT of the
      // calendar for each event (quadratic) and relates every RECURRENCE-ID, whatever its UID.
      const event = new ICAL.Event(component, {
        strictExceptions: true,
        exceptions: overrides.get(textOf(component, 'uid')) ?? [],
      });
      const remaining = MAX_GENERATED_PER_CALENDAR - generated;
      if (remaining <= 0) {
        budgetSpent = true;
        break;
      }
      const eventContext = { zones, context, horizon, index, issues, remaining, ...calendarInfo };
      collect(toEvents(event, component, eventContext));
    } catch (cause) {
      issues.push({
        code: 'ics.event_invalid',
        message: `event ${index + 1} skipped: ${errorText(cause)}`,
      });
    }
  }
  // An override whose series is not in the file (some exports keep only the moved instance) is
  // an event of its own, named like the instance it replaces.
  const masterUids = new Set(masters.map((component) => textOf(component, 'uid')));
  let index = masters.length;
  for (const [uid, orphans] of overrides) {
    if (masterUids.has(uid)) continue;
    for (const component of orphans) {
      try {
        const event = new ICAL.Event(component);
        const recurrenceTzid = paramOf(component.getFirstProperty('recurrence-id'), 'tzid');
        const remaining = Math.max(0, MAX_GENERATED_PER_CALENDAR - generated);
        const eventContext = { zones, context, horizon, index, issues, remaining, ...calendarInfo };
        const original = toInstant(event.recurrenceId, recurrenceTzid, eventContext);
        collect(
          toEvents(event, component, eventContext).map((single) => ({
            ...single,
            uid: `${uid}#${original.toISOString()}`,
          })),
        );
      } catch (cause) {
        issues.push({
          code: 'ics.event_invalid',
          message: `event ${index + 1} skipped: ${errorText(cause)}`,
        });
      }
      index += 1;
    }
  }
  if (budgetSpent || events.length > MAX_EVENTS_PER_CALENDAR) {
    keepNearest(events, MAX_EVENTS_PER_CALENDAR, context.now);
    issues.push({
      code: CALENDAR_CAPPED,
      message: `more than ${MAX_EVENTS_PER_CALENDAR} events: only the ${MAX_EVENTS_PER_CALENDAR} nearest in time are kept`,
    });
  }
  return { events: dedupeUids(events, issues), issues };
}

/** How far an event is from `now` (0 while it runs). */
function distanceFrom(event: TimetableEvent, now: number): number {
  const start = event.startsAt.getTime();
  const end = event.endsAt.getTime();
  if (end < now) return now - end;
  return Math.max(0, start - now);
}

/**
 * Keeps, in place and in their order, the `limit` events nearest to `now`: a calendar over the cap
 * loses its farthest events (old history, a far series), never this week's classes because they
 * come last in the file.
 */
function keepNearest(events: TimetableEvent[], limit: number, now: Date): void {
  if (events.length <= limit) return;
  const at = now.getTime();
  const ranked = events.map((event, index) => ({ index, distance: distanceFrom(event, at) }));
  ranked.sort((a, b) => a.distance - b.distance || a.index - b.index);
  const kept = new Set(ranked.slice(0, limit).map((entry) => entry.index));
  const survivors = events.filter((_, index) => kept.has(index));
  events.length = 0;
  for (const event of survivors) events.push(event);
}

type EventContext = {
  /** How many more events this calendar may yield. */
  readonly remaining: number;
  readonly zones: ReadonlyMap<string, ICAL.Timezone>;
  readonly context: ParseContext;
  readonly horizon: Date;
  readonly index: number;
  readonly issues: ParseIssue[];
  /** Zone of floating times: the calendar's X-WR-TIMEZONE when it names one, else the section's. */
  readonly floatingZone: string;
  /** PRODID, folded: a CATEGORIES value naming the product (HYPERPLANNING) is not a class type. */
  readonly product: string;
};

type CalendarInfo = Pick<EventContext, 'floatingZone' | 'product'>;

function readCalendarInfo(calendar: ICAL.Component, sectionZone: string): CalendarInfo {
  const declared = textOf(calendar, 'x-wr-timezone').trim();
  const floatingZone = (declared === '' ? undefined : resolveZoneName(declared)) ?? sectionZone;
  return { floatingZone, product: textOf(calendar, 'prodid').toLowerCase() };
}

function toEvents(
  event: ICAL.Event,
  component: ICAL.Component,
  ctx: EventContext,
): TimetableEvent[] {
  const startProperty = component.getFirstProperty('dtstart');
  if (startProperty === null) throw new Error('no DTSTART');
  assertTimesInRange(component);
  const tzid = paramOf(startProperty, 'tzid');
  const endTzid = paramOf(component.getFirstProperty('dtend'), 'tzid') ?? tzid;
  const base = describe(component, ctx);

  if (!event.isRecurring()) {
    const start = event.startDate;
    const end = event.endDate;
    const startsAt = toInstant(start, tzid, ctx);
    return [
      build(base, {
        uid: base.uid,
        startsAt,
        endsAt:
          endFromDuration(component, start, startsAt, tzid, ctx) ??
          endAfterGap(start, end, startsAt, toInstant(end, endTzid, ctx), tzid, ctx),
        allDay: start.isDate,
      }),
    ];
  }

  const iterator = event.iterator();
  const results: TimetableEvent[] = [];
  const keepLimit = Math.min(MAX_OCCURRENCES_PER_EVENT, ctx.remaining);
  const historyStart = ctx.context.now.getTime() - SERIES_HISTORY_MS;
  for (let iteration = 0; ; iteration += 1) {
    const next = iterator.next() as ICAL.Time | undefined;
    if (next === undefined) break;
    if (results.length >= keepLimit || iteration >= MAX_ITERATIONS_PER_EVENT) {
      ctx.issues.push({ code: 'ics.recurrence_capped', message: `series ${base.uid} capped` });
      break;
    }
    const startsAt = toInstant(next, tzid, ctx);
    if (startsAt > ctx.horizon) break;
    // Instances of a long series that ended before its kept history are stepped over.
    if (startsAt.getTime() < historyStart) continue;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- typescript-eslint cannot resolve ical.js's occurrenceDetails import; tsc can.
    const details = event.getOccurrenceDetails(next) as unknown as OccurrenceDetails;
    const item = details.item;
    const occurrence = item === event ? base : describe(item.component, ctx);
    const occurrenceTzid =
      item === event ? tzid : (paramOf(item.component.getFirstProperty('dtstart'), 'tzid') ?? tzid);
    const occurrenceStart = toInstant(details.startDate, occurrenceTzid, ctx);
    results.push(
      build(occurrence, {
        // Instances of a series are told apart by their original start (their RECURRENCE-ID).
        uid: `${base.uid}#${toInstant(details.recurrenceId, tzid, ctx).toISOString()}`,
        startsAt: occurrenceStart,
        endsAt:
          endFromDuration(
            item.component,
            details.startDate,
            occurrenceStart,
            occurrenceTzid,
            ctx,
          ) ??
          endAfterGap(
            details.startDate,
            details.endDate,
            occurrenceStart,
            toInstant(details.endDate, occurrenceTzid, ctx),
            occurrenceTzid,
            ctx,
          ),
        allDay: details.startDate.isDate,
      }),
    );
  }
  return results;
}

/**
 * The end of an event given by DURATION (and no DTEND), per RFC 5545 §3.3.6: weeks and days are
 * nominal (added to the wall clock: a day across a DST change stays a calendar day), hours, minutes
 * and seconds are exact (a 6-hour class across a DST change lasts 6 hours). ical.js adds all of
 * them to the wall clock, so this is computed here; undefined when DTEND is given or for dates.
 */
function endFromDuration(
  component: ICAL.Component,
  start: ICAL.Time,
  startsAt: Date,
  tzid: string | undefined,
  ctx: EventContext,
): Date | undefined {
  if (start.isDate || component.hasProperty('dtend')) return undefined;
  const value: unknown = component.getFirstPropertyValue('duration');
  if (!(value instanceof ICAL.Duration)) return undefined;
  const sign = value.isNegative ? -1 : 1;
  const nominalDays = sign * (value.weeks * 7 + value.days);
  const exactMs = sign * ((value.hours * 60 + value.minutes) * 60 + value.seconds) * 1000;
  let base = startsAt;
  if (nominalDays !== 0) {
    const shifted = start.clone();
    shifted.adjust(nominalDays, 0, 0, 0);
    base = toInstant(shifted, tzid, ctx);
  }
  return new Date(base.getTime() + exactMs);
}

/**
 * The end of a class whose start falls in a spring DST gap (02:30 in Paris on the last Sunday of
 * March does not exist). RFC 5545 reads such a start with the offset before the gap, which moves it
 * forward by the gap (03:30 local); an end that exists stays where it is written, but a
 * 02:30-03:30 class would then last nothing: when the shifted start reaches the end, the class
 * keeps its wall-clock duration (03:30-04:30). Otherwise `endsAt`.
 */
function endAfterGap(
  start: ICAL.Time,
  end: ICAL.Time,
  startsAt: Date,
  endsAt: Date,
  tzid: string | undefined,
  ctx: EventContext,
): Date {
  if (start.isDate || end.isDate || endsAt > startsAt) return endsAt;
  const wallStart = wallMs(start);
  const readBack = wallClockOf(startsAt, start, tzid, ctx);
  if (readBack === undefined || readBack === wallStart) return endsAt;
  const kept = startsAt.getTime() + (wallMs(end) - wallStart);
  return kept > endsAt.getTime() ? new Date(kept) : endsAt;
}

/** The wall clock an instant shows in an embedded VTIMEZONE. */
function inZone(instant: number, zone: ICAL.Timezone): ICAL.Time {
  return ICAL.Time.fromJSDate(new Date(instant), true).convertToZone(zone);
}

/** A time's wall-clock fields as if they were UTC (milliseconds). */
function wallMs(time: ICAL.Time): number {
  return Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
}

/**
 * The wall clock (as `wallMs`) an instant shows in the zone `toInstant` read `time` in; undefined
 * for UTC times (no gap there).
 */
function wallClockOf(
  instant: Date,
  time: ICAL.Time,
  tzid: string | undefined,
  ctx: EventContext,
): number | undefined {
  if (time.zone.tzid === 'UTC' || time.zone === ICAL.Timezone.utcTimezone) return undefined;
  let zone = ctx.floatingZone;
  if (tzid !== undefined) {
    const named = resolveZoneName(tzid);
    const embedded = ctx.zones.get(tzid);
    if (named !== undefined) zone = named;
    else if (embedded !== undefined) return wallMs(inZone(instant.getTime(), embedded));
  }
  const wall = toWallClock(instant, zone);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

const DATE_VALUE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/;

/**
 * ical.js normalizes an impossible date (month 13, hour 25) into another one, and a frequent RRULE
 * from such a start can spin for minutes: these are invalid events instead.
 */
function assertTimesInRange(component: ICAL.Component): void {
  for (const name of ['dtstart', 'dtend', 'recurrence-id']) {
    for (const property of component.getAllProperties(name)) {
      const values: unknown[] = property.jCal.slice(3);
      for (const value of values) {
        const match = typeof value === 'string' ? DATE_VALUE.exec(value) : null;
        if (match === null) continue;
        const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
          .slice(1)
          .map((part: string | undefined) => (part === undefined ? 0 : Number(part)));
        const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
        const valid =
          month >= 1 &&
          month <= 12 &&
          day >= 1 &&
          day <= daysInMonth &&
          hour <= 23 &&
          minute <= 59 &&
          second <= 60;
        if (!valid) throw new Error(`${name.toUpperCase()} ${String(value)} is out of range`);
      }
    }
  }
}

type Described = Omit<TimetableEvent, 'startsAt' | 'endsAt' | 'allDay'>;

function describe(component: ICAL.Component, ctx: EventContext): Described {
  const summary = textOf(component, 'summary');
  const location = textOf(component, 'location');
  const rawDescription = textOf(component, 'description');
  const description = cleanDescription(rawDescription);
  const labelled = readLabelledLines(description);
  // ADE writes groups, then teachers, then its export stamp, without labels.
  const ade =
    labelled.teacher === undefined && labelled.groups.length === 0 && hasAdeStamp(rawDescription)
      ? readAdeLines(description)
      : undefined;
  let uid = textOf(component, 'uid');
  if (uid === '') {
    uid = `generated-${ctx.index}-${summary}`;
    ctx.issues.push({ code: 'ics.uid_missing', message: `event ${ctx.index + 1} has no UID` });
  }
  const organizer = component.getFirstProperty('organizer');
  const organizerName = organizer === null ? '' : (paramOf(organizer, 'cn') ?? '');
  const categories = component
    .getAllProperties('categories')
    .flatMap((property) => property.getValues().map(String))
    .map(collapse)
    .filter((value) => value !== '');
  // Hyperplanning tags every event CATEGORIES:HYPERPLANNING: the product, not a class type.
  const types = categories.filter((value) => !isProductName(value, ctx.product));
  return {
    uid,
    title: collapse(summary) || '(sans titre)',
    location: collapse(location) || collapse(labelled.location ?? ''),
    teacher:
      labelled.teacher !== undefined
        ? stableList(collapse(labelled.teacher))
        : (ade?.teacher ?? collapse(organizerName)),
    description: ade?.description ?? description,
    status: toStatus(textOf(component, 'status')),
    category: collapse(labelled.category ?? types[0] ?? ade?.type ?? ''),
    course: collapse(labelled.course ?? ''),
    groups: stableGroups(labelled.groups.length > 0 ? labelled.groups : (ade?.groups ?? [])),
    raw: {
      summary,
      location,
      description: rawDescription,
      ...(categories.length > 0 ? { categories: categories.join(',') } : {}),
    },
  };
}

function isProductName(value: string, product: string): boolean {
  const folded = value.toLowerCase();
  return folded === 'hyperplanning' || (folded.length >= 3 && product.includes(folded));
}

function build(
  described: Described,
  times: { uid: string; startsAt: Date; endsAt: Date; allDay: boolean },
): TimetableEvent {
  if (Number.isNaN(times.startsAt.getTime()) || Number.isNaN(times.endsAt.getTime())) {
    throw new Error('invalid date');
  }
  // An end before the start (seen in hand-edited exports) becomes an instant.
  const endsAt = times.endsAt < times.startsAt ? times.startsAt : times.endsAt;
  return { ...described, uid: times.uid, startsAt: times.startsAt, endsAt, allDay: times.allDay };
}

/**
 * Volatile annotations that change on every export, or that IPP added, never count as content:
 * ADE's "(Exporté le:21/11/2026 10:00)" and "(Exported :11/29/2026 17:30)", IPP's "(Scrap le …)" and "(Importé le …)".
 */
const VOLATILE_LINE =
  /^\s*\((?:export(?:é|e)\s+le|exported|scrap\s+le|import(?:é|e)\s+le|updated\s+on|mis\s+à\s+jour\s+le)\s*:?[^)]*\)\s*$/iu;

/**
 * A key of what a payload means to `parseIcsCalendar`: equal keys give equal events, so an
 * unchanged re-export (new DTSTAMP, LAST-MODIFIED, SEQUENCE, "(Exporté le …)") needs no parse nor
 * diff. Undefined when the events also depend on the clock (RRULE/RDATE expanded up to a horizon).
 * Only what the parser provably ignores is left out; anything else, however small, changes the key.
 */
export function calendarPayloadKey(
  bodies: readonly Buffer[],
  timeZone: string,
): string | undefined {
  const hash = createHash('sha1').update(timeZone);
  for (const body of bodies) {
    const text = decodeCalendarBytes(body);
    if (/^(?:RRULE|RDATE)[;:]/im.test(text)) return undefined;
    hash.update('\u0000');
    for (const line of text.split(/\r?\n/)) {
      if (/^(?:DTSTAMP|LAST-MODIFIED|SEQUENCE)[;:]/i.test(line)) continue;
      hash.update(/^DESCRIPTION[;:]/i.test(line) ? withoutVolatileSegments(line) : line);
      hash.update('\n');
    }
  }
  return hash.digest('base64url');
}

/** A DESCRIPTION content line without the escaped lines cleanDescription would drop. */
function withoutVolatileSegments(line: string): string {
  return line
    .split(/(?<=(?:^|[^\\])(?:\\\\)*)\\[nN]/)
    .filter((segment) => !VOLATILE_LINE.test(segment))
    .join('\\n');
}

export function cleanDescription(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((line) => !VOLATILE_LINE.test(line))
    .map((line) => stripControls(line, '').trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

type Labelled = {
  teacher?: string;
  category?: string;
  course?: string;
  location?: string;
  groups: string[];
};

/**
 * "Label : value" lines: Hyperplanning (`Enseignant :`, `Promotion :`, `Type :`), Celcat
 * (`Enseignant(s) :`, `Groupe(s) :`, `Catégorie :`, `Salle(s) :`) and most other exports.
 */
const LABELS: readonly {
  pattern: RegExp;
  field: 'teacher' | 'category' | 'course' | 'groups' | 'location';
}[] = [
  {
    pattern:
      /^(?:enseignants?|enseignant\(s\)|intervenants?|intervenant\(s\)|profs?|professeurs?|professeur\(s\)|teachers?|staff)\s*:\s*(.+)$/i,
    field: 'teacher',
  },
  {
    pattern:
      /^(?:type|type d'enseignement|cat(?:é|e)gories?|cat(?:é|e)gorie\(s\)|category)\s*:\s*(.+)$/i,
    field: 'category',
  },
  {
    pattern: /^(?:mati(?:è|e)res?|mati(?:è|e)re\(s\)|cours|module|course|subject)\s*:\s*(.+)$/i,
    field: 'course',
  },
  {
    pattern:
      /^(?:groupes?|groupe\(s\)|td|tp|promotions?|promotion\(s\)|groups?|apprenants?|learners?)\s*:\s*(.+)$/i,
    field: 'groups',
  },
  { pattern: /^(?:salles?|salle\(s\)|rooms?|lieux?)\s*:\s*(.+)$/i, field: 'location' },
];

/** Label lines, one per line (Celcat may separate them with `<br />` instead of line breaks). */
function readLabelledLines(description: string): Labelled {
  const result: Labelled = { groups: [] };
  for (const line of description.split(/\n|<br\s*\/?>/i)) {
    for (const { pattern, field } of LABELS) {
      const match = pattern.exec(line.trim());
      const value = match?.[1]?.trim();
      // Hyperplanning writes `Type : -` for a class without a type: no value.
      if (value === undefined || /^[\s\-–—_.]*$/u.test(value)) continue;
      if (field === 'groups') {
        result.groups.push(...splitGroupList(value));
      } else {
        result[field] ??= value;
      }
      break;
    }
  }
  return result;
}

/**
 * ADE's export stamp, French "(Exporté le:21/11/2026 10:00)" or English "(Exported :11/29/2026
 * 17:30)": the description has ADE's layout.
 */
function hasAdeStamp(rawDescription: string): boolean {
  return /\(\s*export(?:(?:é|e)\s+le\b|ed\b)/iu.test(rawDescription);
}

/**
 * ADE's unlabelled description lines (see docs/sources.md, "ADE"). A public ADE export writes,
 * after two empty lines, optionally a code and a type line, then the groups, then the teachers,
 * one per line (the export stamp, last, is already gone). Each line is classified on its own: a
 * known type word is the type; a line that looks like a group code is a group; a person's name is
 * a teacher. Line order breaks ties: teachers are only the trailing run of name lines, so a line
 * that reads as a name but comes before a group is a group.
 */
const ADE_TYPE_WORDS = new Set([
  'CM',
  'TD',
  'TP',
  'DS',
  'CC',
  'CI',
  'EXAMEN',
  'EXAMENS',
  'EXAM',
  'PARTIEL',
  'PARTIELS',
  'COURS',
  'PROJET',
  'SOUTENANCE',
  'CONFERENCE',
]);

/** Words that only a group line holds: promotion, track and department markers. */
const ADE_GROUP_WORDS = new Set([
  'ALTERNANCE',
  'ALTERNANT',
  'ALTERNANTS',
  'APPRENTI',
  'APPRENTIS',
  'APPRENTISSAGE',
  'INITIAL',
  'INITIALE',
  'CONTINUE',
  'FISE',
  'FISA',
  'TRONC',
  'COMMUN',
  'PROMO',
  'PROMOTION',
  'GROUPE',
  'GROUPES',
  'GRP',
  'SECTION',
  'CLASSE',
  'ANNEE',
  'PARCOURS',
  'OPTION',
  'SPECIALITE',
  'LICENCE',
  'MASTER',
  'LPRO',
  'BUT',
  'DUT',
  'BTS',
  'PEIP',
  'CPI',
  'INFO',
  'MECA',
  'GEII',
  'GEA',
  'GMP',
  'MMI',
  'QLIO',
  'HSE',
  'MATHS',
  'WEB',
  'ETUDIANTS',
  'TOUS',
  'ERASMUS',
  'INTERNATIONAL',
]);

/** Name particles: a name holds at most one ("LE GALL Yann", "DE LA"… counts as two). */
const NAME_PARTICLES = new Set([
  'DE',
  'DU',
  'DES',
  'LE',
  'LA',
  'LES',
  'D',
  'L',
  'VAN',
  'VON',
  'DER',
  'DA',
  'DI',
  'DOS',
  'DAS',
  'DEL',
  'EL',
  'AL',
  'BEN',
  'MAC',
  'MC',
  'ST',
  'STE',
]);

const foldWord = (word: string) =>
  word
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toUpperCase();

function isAdeTypeLine(line: string): boolean {
  return ADE_TYPE_WORDS.has(foldWord(line));
}

function isAdeGroupLine(line: string): boolean {
  if (/\d/.test(line)) return true;
  return line.split(/[\s/,;()_.-]+/).some((word) => {
    const folded = foldWord(word);
    if (ADE_GROUP_WORDS.has(folded)) return true;
    // A short capitals code ("LP", "TC", "FI"), not a particle.
    return /^\p{Lu}{1,2}$/u.test(word) && !NAME_PARTICLES.has(folded);
  });
}

/**
 * A person's name: two to five words of letters (hyphens and apostrophes inside), at most one
 * particle, either all in capitals ("LACAN DAVID") or a surname in capitals then a capitalised
 * first name ("LE GALL Yann-Erwan").
 */
function isPersonLine(line: string): boolean {
  const words = line.split(' ');
  if (words.length < 2 || words.length > 5) return false;
  if (!words.every((word) => /^\p{L}[\p{L}'’-]*$/u.test(word))) return false;
  if (words.filter((word) => NAME_PARTICLES.has(foldWord(word))).length > 1) return false;
  if (words.every((word) => word === word.toUpperCase())) return true;
  return /^[\p{Lu}][\p{Lu}'’-]+(?: [\p{Lu}][\p{Lu}'’-]+)* [\p{Lu}][\p{Ll}'’-]+(?:[ -][\p{Lu}][\p{Ll}'’-]+)*$/u.test(
    line,
  );
}

type AdeLines = {
  teacher: string | undefined;
  groups: string[];
  type: string | undefined;
  /** The description with its teacher and group lines each in a stable order. */
  description: string;
};

function readAdeLines(description: string): AdeLines {
  const lines = description.split('\n');
  const kinds = lines.map((raw) => {
    const line = collapse(raw);
    if (line === '') return 'empty' as const;
    if (isAdeTypeLine(line)) return 'type' as const;
    if (isAdeGroupLine(line)) return 'group' as const;
    return isPersonLine(line) ? ('person' as const) : ('group' as const);
  });
  // Teachers come after the groups: only the trailing run of names (type lines aside) counts.
  let split = lines.length;
  while (split > 0 && ['person', 'type', 'empty'].includes(kinds[split - 1] ?? '')) split -= 1;
  const teacherAt: number[] = [];
  const groupAt: number[] = [];
  let type: string | undefined;
  for (const [index, kind] of kinds.entries()) {
    if (kind === 'type') type ??= collapse(lines[index] ?? '');
    else if (kind === 'person' && index >= split) teacherAt.push(index);
    else if (kind !== 'empty') groupAt.push(index);
  }
  const teachers = sortedUnique(teacherAt.map((index) => collapse(lines[index] ?? '')));
  const groups = sortedUnique(groupAt.map((index) => collapse(lines[index] ?? '')));
  // A re-export that only reorders teachers or groups must give the same description.
  const stable = [...lines];
  const sortedLines = (at: readonly number[]) => {
    const sorted = at.map((index) => lines[index] ?? '').sort(compareText);
    for (const [position, index] of at.entries()) stable[index] = sorted[position] ?? '';
  };
  sortedLines(teacherAt);
  sortedLines(groupAt);
  return {
    teacher: teachers.length > 0 ? teachers.join(', ') : undefined,
    groups,
    type,
    description: stable.join('\n'),
  };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values.filter((value) => value !== ''))].sort(compareText);
}

/** A list of teachers ("B, A") in a stable order, so a reordered list is no change. */
function stableList(text: string): string {
  if (text === '') return text;
  return sortedUnique(text.split(/\s*[,;]\s*/)).join(', ');
}

/** Groups, split (ADE lines hold `3A MECA / 3A INFO` or `3A MECA, 3A INFO`) and in stable order. */
function stableGroups(groups: readonly string[]): string[] {
  return sortedUnique(groups.flatMap((group) => splitGroupList(collapse(group))));
}

function splitGroupList(value: string): string[] {
  return value.split(/\s*[,;]\s*|\s+\/\s+/).filter((group) => group !== '');
}

function toInstant(time: ICAL.Time, tzid: string | undefined, ctx: EventContext): Date {
  if (time.isDate) return new Date(Date.UTC(time.year, time.month - 1, time.day));
  const fields = {
    year: time.year,
    month: time.month,
    day: time.day,
    hour: time.hour,
    minute: time.minute,
    second: time.second,
  };
  if (time.zone.tzid === 'UTC' || time.zone === ICAL.Timezone.utcTimezone) {
    return new Date(
      Date.UTC(
        fields.year,
        fields.month - 1,
        fields.day,
        fields.hour,
        fields.minute,
        fields.second,
      ),
    );
  }
  if (tzid !== undefined) {
    const zone = resolveZoneName(tzid);
    if (zone !== undefined) return wallClockToInstant(fields, zone);
    const embedded = ctx.zones.get(tzid);
    if (embedded !== undefined) {
      const copy = time.clone();
      copy.zone = embedded;
      const instant = copy.toUnixTime() * 1000;
      // ical.js reads a time in a spring gap with the offset after it (an hour early in Paris);
      // RFC 5545 reads it with the offset before, which moves it forward by the gap.
      const ahead = wallMs(time) - wallMs(inZone(instant, embedded));
      return new Date(ahead > 0 && ahead < 86_400_000 ? instant + ahead : instant);
    }
    ctx.issues.push({
      code: 'ics.unknown_tzid',
      message: `unknown TZID "${tzid}", read in ${ctx.floatingZone}`,
    });
  }
  // Floating time: read in the calendar's X-WR-TIMEZONE, else the section's zone (Google would
  // read it as UTC).
  return wallClockToInstant(fields, ctx.floatingZone);
}

/**
 * Windows zone names (Outlook/Exchange exports write them in TZID, often without a VTIMEZONE) →
 * IANA zones: the "001" (main territory) rows of the Unicode CLDR windowZones mapping, every
 * region, including the zones of the French overseas territories (Réunion shares "Mauritius
 * Standard Time", Guyane "SA Eastern", the Antilles "SA Western", New Caledonia "Central
 * Pacific", French Polynesia "Hawaiian"). Keys are lower case; a name not here keeps the
 * `ics.unknown_tzid` warning.
 */
export const WINDOWS_ZONES: Readonly<Record<string, string>> = {
  'dateline standard time': 'Etc/GMT+12',
  'utc-11': 'Etc/GMT+11',
  'aleutian standard time': 'America/Adak',
  'hawaiian standard time': 'Pacific/Honolulu',
  'marquesas standard time': 'Pacific/Marquesas',
  'alaskan standard time': 'America/Anchorage',
  'utc-09': 'Etc/GMT+9',
  'pacific standard time (mexico)': 'America/Tijuana',
  'utc-08': 'Etc/GMT+8',
  'pacific standard time': 'America/Los_Angeles',
  'us mountain standard time': 'America/Phoenix',
  'mountain standard time (mexico)': 'America/Mazatlan',
  'mountain standard time': 'America/Denver',
  'yukon standard time': 'America/Whitehorse',
  'central america standard time': 'America/Guatemala',
  'central standard time': 'America/Chicago',
  'easter island standard time': 'Pacific/Easter',
  'central standard time (mexico)': 'America/Mexico_City',
  'canada central standard time': 'America/Regina',
  'sa pacific standard time': 'America/Bogota',
  'eastern standard time (mexico)': 'America/Cancun',
  'eastern standard time': 'America/New_York',
  'haiti standard time': 'America/Port-au-Prince',
  'cuba standard time': 'America/Havana',
  'us eastern standard time': 'America/Indiana/Indianapolis',
  'turks and caicos standard time': 'America/Grand_Turk',
  'paraguay standard time': 'America/Asuncion',
  'atlantic standard time': 'America/Halifax',
  'venezuela standard time': 'America/Caracas',
  'central brazilian standard time': 'America/Cuiaba',
  'sa western standard time': 'America/La_Paz',
  'pacific sa standard time': 'America/Santiago',
  'newfoundland standard time': 'America/St_Johns',
  'tocantins standard time': 'America/Araguaina',
  'e. south america standard time': 'America/Sao_Paulo',
  'sa eastern standard time': 'America/Cayenne',
  'argentina standard time': 'America/Argentina/Buenos_Aires',
  'greenland standard time': 'America/Nuuk',
  'montevideo standard time': 'America/Montevideo',
  'magallanes standard time': 'America/Punta_Arenas',
  'saint pierre standard time': 'America/Miquelon',
  'bahia standard time': 'America/Bahia',
  'utc-02': 'Etc/GMT+2',
  'mid-atlantic standard time': 'Etc/GMT+2',
  'azores standard time': 'Atlantic/Azores',
  'cape verde standard time': 'Atlantic/Cape_Verde',
  utc: 'Etc/UTC',
  'coordinated universal time': 'Etc/UTC',
  'gmt standard time': 'Europe/London',
  'greenwich standard time': 'Atlantic/Reykjavik',
  'sao tome standard time': 'Africa/Sao_Tome',
  'morocco standard time': 'Africa/Casablanca',
  'w. europe standard time': 'Europe/Berlin',
  'central europe standard time': 'Europe/Budapest',
  'romance standard time': 'Europe/Paris',
  'central european standard time': 'Europe/Warsaw',
  'w. central africa standard time': 'Africa/Lagos',
  'jordan standard time': 'Asia/Amman',
  'gtb standard time': 'Europe/Bucharest',
  'middle east standard time': 'Asia/Beirut',
  'egypt standard time': 'Africa/Cairo',
  'e. europe standard time': 'Europe/Chisinau',
  'syria standard time': 'Asia/Damascus',
  'west bank standard time': 'Asia/Hebron',
  'south africa standard time': 'Africa/Johannesburg',
  'fle standard time': 'Europe/Kyiv',
  'israel standard time': 'Asia/Jerusalem',
  'south sudan standard time': 'Africa/Juba',
  'kaliningrad standard time': 'Europe/Kaliningrad',
  'sudan standard time': 'Africa/Khartoum',
  'libya standard time': 'Africa/Tripoli',
  'namibia standard time': 'Africa/Windhoek',
  'arabic standard time': 'Asia/Baghdad',
  'turkey standard time': 'Europe/Istanbul',
  'arab standard time': 'Asia/Riyadh',
  'belarus standard time': 'Europe/Minsk',
  'russian standard time': 'Europe/Moscow',
  'e. africa standard time': 'Africa/Nairobi',
  'volgograd standard time': 'Europe/Volgograd',
  'iran standard time': 'Asia/Tehran',
  'arabian standard time': 'Asia/Dubai',
  'astrakhan standard time': 'Europe/Astrakhan',
  'azerbaijan standard time': 'Asia/Baku',
  'russia time zone 3': 'Europe/Samara',
  'mauritius standard time': 'Indian/Mauritius',
  'saratov standard time': 'Europe/Saratov',
  'georgian standard time': 'Asia/Tbilisi',
  'caucasus standard time': 'Asia/Yerevan',
  'afghanistan standard time': 'Asia/Kabul',
  'west asia standard time': 'Asia/Tashkent',
  'ekaterinburg standard time': 'Asia/Yekaterinburg',
  'pakistan standard time': 'Asia/Karachi',
  'qyzylorda standard time': 'Asia/Qyzylorda',
  'india standard time': 'Asia/Kolkata',
  'sri lanka standard time': 'Asia/Colombo',
  'nepal standard time': 'Asia/Kathmandu',
  'central asia standard time': 'Asia/Bishkek',
  'bangladesh standard time': 'Asia/Dhaka',
  'omsk standard time': 'Asia/Omsk',
  'myanmar standard time': 'Asia/Yangon',
  'se asia standard time': 'Asia/Bangkok',
  'altai standard time': 'Asia/Barnaul',
  'w. mongolia standard time': 'Asia/Hovd',
  'north asia standard time': 'Asia/Krasnoyarsk',
  'n. central asia standard time': 'Asia/Novosibirsk',
  'tomsk standard time': 'Asia/Tomsk',
  'china standard time': 'Asia/Shanghai',
  'north asia east standard time': 'Asia/Irkutsk',
  'singapore standard time': 'Asia/Singapore',
  'w. australia standard time': 'Australia/Perth',
  'taipei standard time': 'Asia/Taipei',
  'ulaanbaatar standard time': 'Asia/Ulaanbaatar',
  'aus central w. standard time': 'Australia/Eucla',
  'transbaikal standard time': 'Asia/Chita',
  'tokyo standard time': 'Asia/Tokyo',
  'north korea standard time': 'Asia/Pyongyang',
  'korea standard time': 'Asia/Seoul',
  'yakutsk standard time': 'Asia/Yakutsk',
  'cen. australia standard time': 'Australia/Adelaide',
  'aus central standard time': 'Australia/Darwin',
  'e. australia standard time': 'Australia/Brisbane',
  'aus eastern standard time': 'Australia/Sydney',
  'west pacific standard time': 'Pacific/Port_Moresby',
  'tasmania standard time': 'Australia/Hobart',
  'vladivostok standard time': 'Asia/Vladivostok',
  'lord howe standard time': 'Australia/Lord_Howe',
  'bougainville standard time': 'Pacific/Bougainville',
  'russia time zone 10': 'Asia/Srednekolymsk',
  'magadan standard time': 'Asia/Magadan',
  'norfolk standard time': 'Pacific/Norfolk',
  'sakhalin standard time': 'Asia/Sakhalin',
  'central pacific standard time': 'Pacific/Guadalcanal',
  'russia time zone 11': 'Asia/Kamchatka',
  'new zealand standard time': 'Pacific/Auckland',
  'utc+12': 'Etc/GMT-12',
  'fiji standard time': 'Pacific/Fiji',
  'kamchatka standard time': 'Asia/Kamchatka',
  'chatham islands standard time': 'Pacific/Chatham',
  'utc+13': 'Etc/GMT-13',
  'tonga standard time': 'Pacific/Tongatapu',
  'samoa standard time': 'Pacific/Apia',
  'line islands standard time': 'Pacific/Kiritimati',
};

function resolveZoneName(tzid: string): string | undefined {
  const cleaned = tzid.replace(/^\/+/, '').replace(/^"|"$/g, '');
  const candidates = [cleaned, WINDOWS_ZONES[cleaned.toLowerCase()]];
  // Some exporters prefix the IANA name ("/freeassociation.sourceforge.net/Europe/Paris").
  const iana = /([A-Z][a-z]+\/[A-Za-z_]+(?:\/[A-Za-z_]+)?)$/.exec(cleaned)?.[1];
  candidates.push(iana);
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    try {
      new Intl.DateTimeFormat('en', { timeZone: candidate });
      return candidate;
    } catch {
      // not a zone Intl knows
    }
  }
  return undefined;
}

function collectTimezones(calendar: ICAL.Component): Map<string, ICAL.Timezone> {
  const zones = new Map<string, ICAL.Timezone>();
  for (const component of calendar.getAllSubcomponents('vtimezone')) {
    try {
      const zone = new ICAL.Timezone(component);
      zones.set(zone.tzid, zone);
    } catch {
      // an unusable VTIMEZONE: times in it fall back to the configured zone
    }
  }
  return zones;
}

/**
 * Events sharing a UID: an exact copy (the same VEVENT twice in a feed) is dropped; others are
 * told apart by their start.
 */
function dedupeUids(events: TimetableEvent[], issues: ParseIssue[]): TimetableEvent[] {
  const seen = new Map<string, TimetableEvent[]>();
  return events.flatMap((event) => {
    const same = seen.get(event.uid);
    if (same === undefined) {
      seen.set(event.uid, [event]);
      return [event];
    }
    // Fingerprints only on a UID collision: most calendars have none.
    const fingerprint = eventFingerprint(event);
    if (same.some((other) => eventFingerprint(other) === fingerprint)) return [];
    same.push(event);
    issues.push({ code: 'ics.uid_duplicate', message: `UID ${event.uid} appears more than once` });
    return [{ ...event, uid: `${event.uid}#${event.startsAt.toISOString()}` }];
  });
}

function toStatus(value: string): EventStatus {
  switch (value.toUpperCase()) {
    case 'CANCELLED':
      return 'cancelled';
    case 'TENTATIVE':
      return 'tentative';
    default:
      return 'confirmed';
  }
}

function textOf(component: ICAL.Component, name: string): string {
  let value: unknown;
  try {
    value = component.getFirstPropertyValue(name);
  } catch {
    // A VALUE= parameter that does not fit (UID;VALUE=DATE:abc) makes ical.js throw: keep the text.
    value = (component.getFirstProperty(name)?.jCal as unknown[] | undefined)?.[3];
  }
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function paramOf(property: ICAL.Property | null, name: string): string | undefined {
  if (property === null) return undefined;
  const value: unknown = property.getParameter(name);
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

function collapse(text: string): string {
  return stripControls(text, ' ').replace(/\s+/g, ' ').trim();
}

/** Control characters (but tab and newline) and zero-width spaces seen in Aurion/ADE titles. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f\u200b]/g;

function stripControls(text: string, replacement: string): string {
  // A regular expression, not a loop over characters: this runs on every field of every event.
  return text.replace(CONTROLS, replacement);
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
