import { describe, expect, it } from 'vitest';
import {
  assertCalendarText,
  calendarPayloadKey,
  cleanDescription,
  decodeCalendarBytes,
  decideCalendarEncoding,
  isTruncatedParse,
  MAX_EVENTS_PER_CALENDAR,
  parseIcsCalendar,
} from '../../src/scraper/ics.ts';
import { diffTimetables } from '../../src/scraper/diff.ts';
import { byUid, fixtureBytes, FIXTURE_NOW, parseFixture, times } from './helpers/events.ts';

const ADE = 'ADE60506c616e6e696e6732303236323032372d';
const context = { timeZone: 'Europe/Paris', now: FIXTURE_NOW, horizonDays: 365 };

function calendar(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}

function codeOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'no error';
}

describe('ADE-like export', () => {
  const result = parseFixture('ade-like.ics');

  it('reads every event with its UTC times', () => {
    expect(result.issues).toEqual([]);
    expect(result.events.map(times)).toEqual([
      ['2026-11-20T13:00:00.000Z', '2026-11-20T15:00:00.000Z'],
      ['2026-11-23T07:30:00.000Z', '2026-11-23T09:30:00.000Z'],
      ['2026-11-23T09:45:00.000Z', '2026-11-23T11:45:00.000Z'],
      ['2026-11-24T13:00:00.000Z', '2026-11-24T16:00:00.000Z'],
      ['2026-11-26T08:00:00.000Z', '2026-11-26T10:00:00.000Z'],
      ['2026-12-08T09:00:00.000Z', '2026-12-08T11:00:00.000Z'],
    ]);
  });

  it('keeps title, room and the groups and teacher lines, without the export stamp', () => {
    const lecture = byUid(result, `${ADE}31383230312d302d30`);
    expect(lecture).toMatchObject({
      title: 'Algorithmique avancée',
      location: 'Amphi A',
      description: 'L3 INFO\nL3 MIAGE\nDUPONT Marie',
      status: 'confirmed',
      allDay: false,
    });
    for (const event of result.events) expect(event.description).not.toMatch(/Export/);
  });

  it('strips the export stamp even when a fold cuts it', () => {
    // "(Export\r\n é le:…)" is folded inside the word in the fixture.
    const project = byUid(result, `${ADE}31383231302d302d30`);
    expect(project.description).toBe('L3 INFO TD1\nL3 INFO TD2\nPETIT Julien\nROUX Claire');
    expect(project.location).toBe('B101,B102');
  });

  it('keeps the source fields verbatim in raw, export stamp included', () => {
    const lecture = byUid(result, `${ADE}31383230312d302d30`);
    expect(lecture.raw.description).toContain('(Exporté le:21/11/2026 10:00)');
    expect(lecture.raw.summary).toBe('Algorithmique avancée');
  });

  it('gives a re-export with new DTSTAMP, LAST-MODIFIED, SEQUENCE and stamp no change at all', () => {
    const reexport = parseFixture('ade-like-reexport.ics');
    const diff = diffTimetables(result.events, reexport.events, { now: FIXTURE_NOW });
    expect(diff.changes).toEqual([]);
    expect(diff.remaps).toEqual([]);
    expect(diff.unchanged).toBe(6);
  });
});

describe('Hyperplanning-like export', () => {
  const result = parseFixture('hyperplanning-like.ics');

  it('reads TZID=Europe/Paris times in winter and in summer', () => {
    expect(result.issues).toEqual([]);
    expect(result.events.map(times)).toEqual([
      ['2026-11-24T07:15:00.000Z', '2026-11-24T09:15:00.000Z'],
      ['2026-11-25T13:00:00.000Z', '2026-11-25T16:00:00.000Z'],
      ['2027-04-06T07:30:00.000Z', '2027-04-06T10:30:00.000Z'],
    ]);
  });

  it('unfolds long LF-only lines', () => {
    expect(result.events[0]?.title).toBe(
      'Bases de données avancées - MARTIN Paul - M1 MIAGE - TD - Salle A204',
    );
  });

  it('reads teacher, course, type and groups from the labelled description lines', () => {
    expect(byUid(result, 'Cours-482977-3-M1_MIAGE-Index-Education.fr')).toMatchObject({
      location: 'Amphi Curie',
      teacher: 'LEROY Sophie, NGUYEN Thi Lan',
      course: 'Gestion de projet agile',
      category: 'CM',
      groups: ['M1 MIAGE', 'M1 MIAGE Alternance'],
    });
    expect(byUid(result, 'Cours-483102-1-M1_MIAGE-Index-Education.fr').teacher).toBe('');
  });
});

describe('decodeCalendarBytes', () => {
  it('decodes Latin-1 bytes without a BOM', () => {
    const result = parseFixture('latin1.ics');
    expect(result.events.map((event) => [event.title, event.location, event.teacher])).toEqual([
      ['Mécanique des fluides', 'Salle Génie 2', 'Hélène LEFÈVRE'],
      ["Économie d'entreprise", 'Amphi Pascal', 'François GARÇON'],
    ]);
  });

  it('drops a UTF-8 BOM and decodes the accents', () => {
    const text = decodeCalendarBytes(fixtureBytes('utf8-bom.ics'));
    expect(text.startsWith('BEGIN:VCALENDAR')).toBe(true);
    const [event] = parseIcsCalendar(text, context).events;
    expect(event).toMatchObject({
      title: 'Éco-conception logicielle',
      location: 'Amphi Lumière',
      teacher: 'Zoé NOËL',
      groups: ['M2 Génie logiciel'],
    });
    expect(times(event!)).toEqual(['2026-11-27T13:00:00.000Z', '2026-11-27T15:00:00.000Z']);
  });

  it('unfolds CRLF, LF and tab folds alike and leaves other line breaks', () => {
    const bytes = Buffer.from('SUMMARY:Algo\r\n rithmique\nLOCATION:Amphi\n\tA\r\nUID:x\r\n');
    expect(decodeCalendarBytes(bytes)).toBe('SUMMARY:Algorithmique\nLOCATION:AmphiA\r\nUID:x\r\n');
  });

  it('keeps UTF-8 when a fold splits a multi-byte character', () => {
    // Exporters that fold at 75 octets cut "é" (C3 A9) in two; unfolding restores it.
    const e = Buffer.from('é');
    const bytes = Buffer.concat([
      Buffer.from(
        'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:split\r\n' +
          'DTSTART:20261123T080000Z\r\nDTEND:20261123T090000Z\r\nSUMMARY:Algorithmique avanc',
      ),
      e.subarray(0, 1),
      Buffer.from('\r\n '),
      e.subarray(1),
      Buffer.from('e\r\nLOCATION:Salle Génie\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'),
    ]);
    const [event] = parseIcsCalendar(decodeCalendarBytes(bytes), context).events;
    expect([event?.title, event?.location]).toEqual(['Algorithmique avancée', 'Salle Génie']);
  });
});

describe('decodeCalendarBytes: one invalid byte in a UTF-8 export', () => {
  const utf8 = (title: string, location: string) =>
    Buffer.from(
      'BEGIN:VCALENDAR\r\nVERSION:2.0\r\n' +
        `BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261123T080000Z\r\nDTEND:20261123T090000Z\r\n` +
        `SUMMARY:${title}\r\nLOCATION:${location}\r\nEND:VEVENT\r\n` +
        'BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20261124T080000Z\r\nDTEND:20261124T090000Z\r\n' +
        'SUMMARY:Mathématiques\r\nLOCATION:Salle Génie\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    );

  it('stays UTF-8: the bad byte spoils its own field, every other accent is kept', () => {
    const good = utf8('Économie', 'Amphi Lumière');
    const cut = good.indexOf('Amphi');
    const bytes = Buffer.concat([good.subarray(0, cut), Buffer.from([0xff]), good.subarray(cut)]);
    const events = parseIcsCalendar(decodeCalendarBytes(bytes), context).events;
    expect(events.map((event) => [event.uid, event.title, event.location])).toEqual([
      ['a', 'Économie', '\uFFFDAmphi Lumière'],
      ['b', 'Mathématiques', 'Salle Génie'],
    ]);
  });

  it('still reads a Latin-1 file that happens to hold one valid UTF-8 pair', () => {
    // "Â©" in Latin-1 is C2 A9, a valid UTF-8 sequence; the three other accents are not.
    const bytes = Buffer.from(
      'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Économie Â© Génie\r\n' +
        'LOCATION:Hélène\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
      'latin1',
    );
    expect(decodeCalendarBytes(bytes)).toContain('SUMMARY:Économie Â© Génie');
  });

  it('decides by the majority of valid multi-byte characters over invalid bytes', () => {
    expect(decideCalendarEncoding('Math\uFFFDmatiques, Génie, Lumière')).toBe('utf-8');
    expect(decideCalendarEncoding('M\uFFFDcanique, \uFFFDconomie')).toBe('latin1');
    expect(decideCalendarEncoding('caf\uFFFD')).toBe('latin1');
    // An emoji (a surrogate pair) is one character.
    expect(decideCalendarEncoding('\u{1F4DA} \u{1F4DA} \uFFFD')).toBe('utf-8');
  });
});

describe('time zones', () => {
  it('reads Europe/Paris wall-clock times across the October and March changes', () => {
    const result = parseFixture('dst-weekend.ics');
    expect(result.issues).toEqual([]);
    const got = Object.fromEntries(result.events.map((event) => [event.uid, times(event)]));
    expect(got).toEqual({
      'autumn-before': ['2026-10-24T07:00:00.000Z', '2026-10-24T08:00:00.000Z'],
      // 02:30 happens twice on 25 October: the first (summer-time) one is taken.
      'autumn-0230': ['2026-10-25T00:30:00.000Z', '2026-10-25T02:30:00.000Z'],
      // 01:00 CEST → 04:00 CET is four hours, not three.
      'autumn-span': ['2026-10-24T23:00:00.000Z', '2026-10-25T03:00:00.000Z'],
      'autumn-after': ['2026-10-26T08:00:00.000Z', '2026-10-26T09:00:00.000Z'],
      'spring-before': ['2027-03-27T08:00:00.000Z', '2027-03-27T09:00:00.000Z'],
      // 02:30 does not exist on 28 March: read with the offset before the gap (RFC 5545 §3.3.5).
      'spring-0230': ['2027-03-28T01:30:00.000Z', '2027-03-28T02:30:00.000Z'],
      'spring-after': ['2027-03-29T07:00:00.000Z', '2027-03-29T08:00:00.000Z'],
    });
  });

  it('reads floating times in the configured zone', () => {
    const paris = parseFixture('floating.ics');
    expect(paris.events.map(times)).toEqual([
      ['2026-12-07T07:00:00.000Z', '2026-12-07T09:00:00.000Z'],
      ['2027-06-07T06:00:00.000Z', '2027-06-07T08:00:00.000Z'],
    ]);
    const montreal = parseFixture('floating.ics', { timeZone: 'America/Toronto' });
    expect(montreal.events.map(times)).toEqual([
      ['2026-12-07T13:00:00.000Z', '2026-12-07T15:00:00.000Z'],
      ['2027-06-07T12:00:00.000Z', '2027-06-07T14:00:00.000Z'],
    ]);
  });

  it('maps the Windows zone name "Romance Standard Time" to Europe/Paris', () => {
    const result = parseFixture('windows-tzid.ics');
    expect(result.issues).toEqual([]);
    expect(result.events.map(times)).toEqual([
      ['2026-12-02T13:00:00.000Z', '2026-12-02T14:30:00.000Z'],
      ['2027-06-15T07:00:00.000Z', '2027-06-15T10:00:00.000Z'],
    ]);
    expect(result.events[0]?.teacher).toBe('Durand Anne');
  });

  it('uses the embedded VTIMEZONE for a TZID that is no IANA name', () => {
    const result = parseIcsCalendar(
      calendar(
        'BEGIN:VTIMEZONE',
        'TZID:Heure de Paris',
        'BEGIN:DAYLIGHT',
        'TZOFFSETFROM:+0100',
        'TZOFFSETTO:+0200',
        'DTSTART:19700329T020000',
        'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
        'END:DAYLIGHT',
        'BEGIN:STANDARD',
        'TZOFFSETFROM:+0200',
        'TZOFFSETTO:+0100',
        'DTSTART:19701025T030000',
        'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
        'END:STANDARD',
        'END:VTIMEZONE',
        'BEGIN:VEVENT',
        'UID:custom-zone',
        'DTSTART;TZID=Heure de Paris:20261024T090000',
        'DTEND;TZID=Heure de Paris:20261026T090000',
        'SUMMARY:Séminaire',
        'END:VEVENT',
      ),
      { ...context, timeZone: 'UTC' },
    );
    expect(result.issues).toEqual([]);
    expect(result.events.map(times)).toEqual([
      ['2026-10-24T07:00:00.000Z', '2026-10-26T08:00:00.000Z'],
    ]);
  });

  it('reads an unknown TZID without VTIMEZONE in the configured zone and says so', () => {
    const result = parseIcsCalendar(
      calendar(
        'BEGIN:VEVENT',
        'UID:mars',
        'DTSTART;TZID=Mars/Olympus:20261124T090000',
        'SUMMARY:Cours',
        'END:VEVENT',
      ),
      context,
    );
    expect(result.events.map(times)).toEqual([
      ['2026-11-24T08:00:00.000Z', '2026-11-24T08:00:00.000Z'],
    ]);
    expect(result.issues.map((issue) => issue.code)).toContain('ics.unknown_tzid');
  });
});

describe('all-day events', () => {
  it('start at UTC midnight of the first day and end at midnight after the last one', () => {
    const result = parseFixture('all-day.ics');
    expect(result.events.map((event) => [event.uid, event.allDay, ...times(event)])).toEqual([
      ['allday-one@example.edu', true, '2026-12-11T00:00:00.000Z', '2026-12-12T00:00:00.000Z'],
      ['allday-holidays@example.edu', true, '2026-12-19T00:00:00.000Z', '2027-01-04T00:00:00.000Z'],
      // No DTEND on a date: one day (RFC 5545 §3.6.1).
      ['allday-no-end@example.edu', true, '2027-03-29T00:00:00.000Z', '2027-03-30T00:00:00.000Z'],
    ]);
  });

  it('do not depend on the configured zone', () => {
    const tokyo = parseFixture('all-day.ics', { timeZone: 'Asia/Tokyo' });
    expect(tokyo.events.map(times)).toEqual(parseFixture('all-day.ics').events.map(times));
  });
});

describe('recurrence', () => {
  const result = parseFixture('recurrence.ics', { horizonDays: 30 });
  const english = result.events.filter((event) => event.uid.startsWith('weekly-english'));

  it('expands a weekly RRULE across the October change, without the EXDATE', () => {
    expect(english.map((event) => event.uid)).toEqual([
      'weekly-english@example.edu#2026-10-12T06:00:00.000Z',
      'weekly-english@example.edu#2026-10-19T06:00:00.000Z',
      'weekly-english@example.edu#2026-10-26T07:00:00.000Z',
      'weekly-english@example.edu#2026-11-09T07:00:00.000Z',
      'weekly-english@example.edu#2026-11-16T07:00:00.000Z',
    ]);
    // 08:00 Paris stays 08:00 Paris: 06:00Z in summer time, 07:00Z after 25 October.
    expect(times(english[1]!)).toEqual(['2026-10-19T06:00:00.000Z', '2026-10-19T08:00:00.000Z']);
    expect(times(english[2]!)).toEqual(['2026-10-26T07:00:00.000Z', '2026-10-26T09:00:00.000Z']);
  });

  it('applies the RECURRENCE-ID override to its instance only', () => {
    const moved = english[3]!;
    expect(times(moved)).toEqual(['2026-11-10T13:00:00.000Z', '2026-11-10T15:00:00.000Z']);
    expect(moved.location).toBe('D010');
    expect(english.filter((event) => event.location === 'D004')).toHaveLength(4);
    expect(english.every((event) => event.teacher === 'SMITH John')).toBe(true);
  });

  it('stops an endless series at the horizon', () => {
    const daily = result.events.filter((event) => event.uid.startsWith('daily-forever'));
    expect(daily).toHaveLength(28);
    expect(daily.at(-1)?.startsAt.toISOString()).toBe('2026-12-20T12:00:00.000Z');
  });

  it('applies an override to its own series only, not to a parallel one', () => {
    const parallel = parseIcsCalendar(
      calendar(
        'BEGIN:VEVENT',
        'UID:series-a',
        'DTSTART:20261102T070000Z',
        'DTEND:20261102T090000Z',
        'RRULE:FREQ=WEEKLY;COUNT=3',
        'SUMMARY:TD groupe A',
        'LOCATION:C012',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:series-b',
        'DTSTART:20261102T070000Z',
        'DTEND:20261102T090000Z',
        'RRULE:FREQ=WEEKLY;COUNT=3',
        'SUMMARY:TD groupe B',
        'LOCATION:C014',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:series-b',
        'RECURRENCE-ID:20261109T070000Z',
        'DTSTART:20261110T130000Z',
        'DTEND:20261110T150000Z',
        'SUMMARY:TD groupe B',
        'LOCATION:D004',
        'END:VEVENT',
      ),
      { ...context, now: new Date('2026-11-01T00:00:00Z') },
    );
    const seriesA = parallel.events.filter((event) => event.uid.startsWith('series-a#'));
    expect(
      seriesA.map((event) => [event.title, event.location, event.startsAt.toISOString()]),
    ).toEqual([
      ['TD groupe A', 'C012', '2026-11-02T07:00:00.000Z'],
      ['TD groupe A', 'C012', '2026-11-09T07:00:00.000Z'],
      ['TD groupe A', 'C012', '2026-11-16T07:00:00.000Z'],
    ]);
    const movedB = byUid(parallel, 'series-b#2026-11-09T07:00:00.000Z');
    expect([movedB.location, movedB.startsAt.toISOString()]).toEqual([
      'D004',
      '2026-11-10T13:00:00.000Z',
    ]);
  });

  it('keeps an override whose series is absent instead of dropping it', () => {
    const orphan = parseIcsCalendar(
      calendar(
        'BEGIN:VEVENT',
        'UID:orphan',
        'RECURRENCE-ID:20261126T080000Z',
        'DTSTART:20261126T090000Z',
        'DTEND:20261126T100000Z',
        'SUMMARY:TP déplacé',
        'END:VEVENT',
      ),
      context,
    );
    expect(orphan.events.map((event) => [event.uid, ...times(event)])).toEqual([
      ['orphan#2026-11-26T08:00:00.000Z', '2026-11-26T09:00:00.000Z', '2026-11-26T10:00:00.000Z'],
    ]);
  });
});

describe('status and missing fields', () => {
  it('reads STATUS:CANCELLED and TENTATIVE', () => {
    const result = parseFixture('cancelled.ics');
    expect(result.events.map((event) => [event.uid, event.status])).toEqual([
      ['kept@example.edu', 'confirmed'],
      ['called-off@example.edu', 'cancelled'],
      ['maybe@example.edu', 'tentative'],
    ]);
  });

  it('ends an event without DTEND at its start, or after its DURATION', () => {
    const result = parseFixture('no-dtend.ics');
    expect(result.events.map(times)).toEqual([
      ['2026-11-30T09:00:00.000Z', '2026-11-30T09:00:00.000Z'],
      ['2026-11-30T13:00:00.000Z', '2026-11-30T14:30:00.000Z'],
    ]);
  });

  it('turns an end before the start into an instant, and reads CATEGORIES as the type', () => {
    const result = parseIcsCalendar(
      calendar(
        'BEGIN:VEVENT',
        'UID:backwards',
        'DTSTART:20261125T100000Z',
        'DTEND:20261125T080000Z',
        'CATEGORIES:EXAMEN,ECRIT',
        'SUMMARY:Partiel',
        'END:VEVENT',
      ),
      context,
    );
    expect(result.events.map(times)).toEqual([
      ['2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.000Z'],
    ]);
    expect(result.events[0]?.category).toBe('EXAMEN');
    expect(result.events[0]?.raw.categories).toBe('EXAMEN,ECRIT');
  });

  it('caps a series that would never reach the horizon and says so', () => {
    const result = parseIcsCalendar(
      calendar(
        'BEGIN:VEVENT',
        'UID:minutely',
        'DTSTART:20261123T080000Z',
        'DTEND:20261123T080100Z',
        'RRULE:FREQ=MINUTELY',
        'SUMMARY:Badge',
        'END:VEVENT',
      ),
      context,
    );
    // A year of minutes would be 525,600 instances.
    expect(result.events.length).toBeGreaterThan(0);
    expect(result.events.length).toBeLessThanOrEqual(2_000);
    expect(result.issues.map((issue) => issue.code)).toContain('ics.recurrence_capped');
  });

  it('gives an event without UID a generated one and reports it', () => {
    const result = parseIcsCalendar(
      calendar('BEGIN:VEVENT', 'DTSTART:20261125T080000Z', 'SUMMARY:Sans UID', 'END:VEVENT'),
      context,
    );
    expect(result.events).toHaveLength(1);
    expect(result.events[0]?.uid).not.toBe('');
    expect(result.issues.map((issue) => issue.code)).toEqual(['ics.uid_missing']);
  });

  it('keeps both events of a duplicated UID under distinct uids', () => {
    const result = parseIcsCalendar(
      calendar(
        'BEGIN:VEVENT',
        'UID:dup',
        'DTSTART:20261124T080000Z',
        'SUMMARY:A',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:dup',
        'DTSTART:20261125T080000Z',
        'SUMMARY:A',
        'END:VEVENT',
      ),
      context,
    );
    expect(result.events.map((event) => event.uid)).toEqual([
      'dup',
      'dup#2026-11-25T08:00:00.000Z',
    ]);
    expect(result.issues.map((issue) => issue.code)).toEqual(['ics.uid_duplicate']);
  });
});

describe('invalid input', () => {
  it('skips a broken event, keeps the others and reports an issue', () => {
    const result = parseFixture('malformed.ics');
    expect(result.events.map((event) => event.uid)).toEqual([
      'good-1@example.edu',
      'good-2@example.edu',
    ]);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ code: 'ics.event_invalid' });
    expect(result.issues[0]?.message).toMatch(/^event 2 skipped/);
  });

  it('refuses a calendar cut mid-event as scraper.parse_failed', () => {
    const text = decodeCalendarBytes(fixtureBytes('truncated.ics'));
    expect(codeOf(() => parseIcsCalendar(text, context))).toBe('scraper.parse_failed');
  });

  it('refuses an HTML login page as scraper.not_calendar', () => {
    const text = decodeCalendarBytes(fixtureBytes('html-login.html'));
    expect(codeOf(() => parseIcsCalendar(text, context))).toBe('scraper.not_calendar');
  });

  it('refuses an empty body and plain text as scraper.not_calendar', () => {
    expect(
      codeOf(() => {
        assertCalendarText('');
      }),
    ).toBe('scraper.not_calendar');
    expect(
      codeOf(() => {
        assertCalendarText('Service Unavailable');
      }),
    ).toBe('scraper.not_calendar');
  });

  it('accepts a whole calendar with leading blank lines and trailing spaces', () => {
    expect(
      codeOf(() => {
        assertCalendarText('\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR  \r\n');
      }),
    ).toBe('no error');
  });

  it('reads a calendar with no event as an empty timetable', () => {
    expect(parseIcsCalendar(calendar(), context)).toEqual({ events: [], issues: [] });
  });
});

describe('calendarPayloadKey', () => {
  const ade = fixtureBytes('ade-like.ics');
  const key = (bytes: Buffer, zone = 'Europe/Paris') => calendarPayloadKey([bytes], zone);
  const edited = (from: RegExp, to: string) => Buffer.from(ade.toString('utf8').replace(from, to));

  it('ignores DTSTAMP, LAST-MODIFIED, SEQUENCE and the export stamp line', () => {
    const reexported = Buffer.from(
      ade
        .toString('utf8')
        .replace(/DTSTAMP:\d+T\d+Z/g, 'DTSTAMP:20261122T063000Z')
        .replace(/LAST-MODIFIED:\d+T\d+Z/g, 'LAST-MODIFIED:20261122T063000Z')
        .replace(/SEQUENCE:\d+/g, 'SEQUENCE:2142001800')
        .replace(/21\/11\/2026 10:00/g, '22/11/2026 06:30'),
    );
    expect(key(reexported)).toBe(key(ade));
  });

  it('changes with anything the parser reads, and with the zone of floating times', () => {
    expect(key(edited(/LOCATION:B203/, 'LOCATION:B204'))).not.toBe(key(ade));
    expect(key(edited(/DTEND:20261123T093000Z/, 'DTEND:20261123T094500Z'))).not.toBe(key(ade));
    expect(key(edited(/L3 MIAGE/, 'L3 MIAGE ALT'))).not.toBe(key(ade));
    expect(key(ade, 'UTC')).not.toBe(key(ade));
  });

  it('keeps a stamp that shares its description line with other text', () => {
    const inline = (stamp: string) =>
      Buffer.from(
        calendar(
          'BEGIN:VEVENT',
          'UID:inline',
          'DTSTART:20261123T080000Z',
          `DESCRIPTION:TD1 (Exporté le:${stamp})`,
          'END:VEVENT',
        ),
      );
    expect(key(inline('21/11/2026 10:00'))).not.toBe(key(inline('22/11/2026 06:30')));
  });

  it('is undefined for recurring events, which depend on the clock', () => {
    expect(key(fixtureBytes('recurrence.ics'))).toBeUndefined();
  });
});

describe('cleanDescription', () => {
  it('removes export and import stamps and blank lines around them', () => {
    expect(cleanDescription('\n\nL3 INFO\nDUPONT Marie\n(Exporté le:21/11/2026 10:00)\n')).toBe(
      'L3 INFO\nDUPONT Marie',
    );
    expect(
      cleanDescription('TD1\r\n(Exporte le : 01/02/2027 08:15)\r\n(Scrap le 01/02/2027)'),
    ).toBe('TD1');
  });

  it('keeps lines that only mention an export', () => {
    expect(cleanDescription('Exporté le planning du TP (voir Moodle)')).toBe(
      'Exporté le planning du TP (voir Moodle)',
    );
  });
});

describe('calendars over the event cap', () => {
  /** `count` hourly instances from `start` (a series with a COUNT). */
  const hourly = (uid: string, start: string, count: number) => [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTART:${start}`,
    'DURATION:PT1H',
    `RRULE:FREQ=HOURLY;COUNT=${count}`,
    `SUMMARY:${uid}`,
    'END:VEVENT',
  ];

  it('keeps the events nearest in time, not the first in file order', () => {
    // 10 old series (2,000 hourly instances each, ~300 days ago) come first in the file: 20,000
    // events of history; this week's classes come last.
    const old = Array.from({ length: 10 }, (_, index) =>
      hourly(`old-${index}`, '20260125T080000Z', 2000),
    ).flat();
    const text = calendar(
      ...old,
      ...hourly('this-week', '20261123T080000Z', 5),
      'BEGIN:VEVENT',
      'UID:exam',
      'DTSTART:20261208T090000Z',
      'DTEND:20261208T110000Z',
      'SUMMARY:Examen',
      'END:VEVENT',
    );
    const result = parseIcsCalendar(text, context);
    expect(result.events).toHaveLength(MAX_EVENTS_PER_CALENDAR);
    const uids = new Set(result.events.map((event) => event.uid.split('#')[0]));
    expect(uids.has('this-week')).toBe(true);
    expect(uids.has('exam')).toBe(true);
    expect(result.events.filter((event) => event.uid.startsWith('this-week'))).toHaveLength(5);
    // The 6 dropped are the oldest of the history (every old series starts at the same time).
    const firstHour = Date.parse('2026-01-25T08:00:00Z');
    expect(result.events.every((event) => event.startsAt.getTime() >= firstHour)).toBe(true);
    expect(result.events.filter((event) => event.startsAt.getTime() === firstHour)).toHaveLength(4);
    expect(isTruncatedParse(result)).toBe(true);
    expect(result.issues.map((issue) => issue.code)).toContain('ics.calendar_capped');
  });

  it('is not truncated at or under the cap', () => {
    const result = parseIcsCalendar(calendar(...hourly('small', '20261123T080000Z', 10)), context);
    expect(result.events).toHaveLength(10);
    expect(isTruncatedParse(result)).toBe(false);
  });
});
