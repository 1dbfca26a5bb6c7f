/**
 * Real exporters' files as an outside tester played them through the app: ADE public layouts
 * (group lists on one line, all-capitals teachers, type lines, English export stamps), teacher
 * lists that only change order, duplicate VEVENTs, Windows zones, the spring DST gap and
 * Hyperplanning's empty type. Each fixture's expected fields are written out.
 */
import { describe, expect, it } from 'vitest';
import {
  applyFilter,
  categoryOf,
  courseOf,
  deriveFilterOptions,
  EXAM_CATEGORY,
  isExam,
  parseEventFilter,
  type TimetableEvent,
} from '../../src/core/index.ts';
import { diffTimetables } from '../../src/scraper/diff.ts';
import { calendarPayloadKey, parseIcsCalendar, WINDOWS_ZONES } from '../../src/scraper/ics.ts';
import { writtenFields } from '../helpers/events.ts';
import { fixtureText as fixture } from './helpers/events.ts';

const NOW = new Date('2026-11-20T00:00:00Z');
const parseText = (text: string, timeZone = 'Europe/Paris') =>
  parseIcsCalendar(text, { timeZone, now: NOW, horizonDays: 365 });
const parse = (name: string, timeZone = 'Europe/Paris') => parseText(fixture(name), timeZone);

function fields(event: TimetableEvent) {
  return { uid: event.uid, ...writtenFields(event), groups: event.groups };
}

describe('ADE public layouts (ade-public.ics)', () => {
  it('reads groups, teachers and the type line of every layout', () => {
    const { events, issues } = parse('ade-public.ics');
    expect(issues).toEqual([]);
    expect(events.map(fields)).toEqual([
      {
        uid: 'ADEP1',
        startsAt: '2026-12-01T08:00:00.000Z',
        endsAt: '2026-12-01T10:00:00.000Z',
        title: 'Optimisation - CM',
        location: 'Amphi 2',
        teacher: 'GOUAICH ABDELKADER',
        category: '',
        groups: ['3A INFO', '3A MECA'],
      },
      {
        uid: 'ADEP2',
        startsAt: '2026-12-02T13:00:00.000Z',
        endsAt: '2026-12-02T15:00:00.000Z',
        title: 'R1-08 GO DS',
        location: 'Amphi 1',
        teacher: 'LACAN DAVID',
        category: '',
        groups: ['3A INFO', '3A MECA'],
      },
      {
        uid: 'ADEP3',
        startsAt: '2026-12-03T08:00:00.000Z',
        endsAt: '2026-12-03T10:00:00.000Z',
        title: 'Conception mécanique',
        location: 'B12',
        teacher: 'LE GALL Yann-Erwan, MARTIN Paul',
        category: 'CM',
        groups: ['2A Tronc commun', 'CO8SCFH0'],
      },
      {
        uid: 'ADEP4',
        startsAt: '2026-12-04T08:00:00.000Z',
        endsAt: '2026-12-04T10:00:00.000Z',
        title: 'Pro. Imp. - TP2',
        location: 'Labo 3',
        teacher: 'DUPONT Marie',
        category: '',
        groups: ['GEII Alternance', 'LP Web', 'MECA Apprentis'],
      },
    ]);
  });

  it('strips the English and French export stamps from the description', () => {
    for (const event of parse('ade-public.ics').events) {
      expect(event.description).not.toMatch(/Export/);
    }
  });

  it('announces a change of an all-capitals teacher as a teacher change', () => {
    const before = parse('ade-public.ics').events;
    const after = parseText(
      fixture('ade-public.ics').replace('LACAN DAVID', 'MOREAU CLAIRE'),
    ).events;
    const { changes } = diffTimetables(before, after, { now: NOW, timeZone: 'Europe/Paris' });
    expect(changes.map((change) => [change.uid, change.kinds])).toEqual([['ADEP2', ['teacher']]]);
  });

  it('gives no change on a re-export with new stamps and reordered teachers and groups', () => {
    const before = parse('ade-public.ics').events;
    const after = parse('ade-public-reexport.ics').events;
    const result = diffTimetables(before, after, { now: NOW, timeZone: 'Europe/Paris' });
    expect(result.changes).toEqual([]);
    expect(result.unchanged).toBe(4);
    expect(after.map((event) => event.description)).toEqual(
      before.map((event) => event.description),
    );
  });

  it('gives the same payload key to a re-export that only changes the English stamp', () => {
    const original = fixture('ade-public.ics');
    const restamped = original.replaceAll('11/29/2026 17:30', '12/01/2026 06:00');
    expect(restamped).not.toBe(original);
    expect(calendarPayloadKey([Buffer.from(restamped)], 'Europe/Paris')).toBe(
      calendarPayloadKey([Buffer.from(original)], 'Europe/Paris'),
    );
  });
});

describe('teacher lists that only change order', () => {
  it('are no teacher change, even against a timetable stored in the old order', () => {
    const [stored] = parse('ade-public.ics').events.filter((event) => event.uid === 'ADEP3');
    if (stored === undefined) throw new Error('ADEP3 missing');
    const old = {
      ...stored,
      teacher: 'MARTIN Paul, LE GALL Yann-Erwan',
      groups: ['CO8SCFH0', '2A Tronc commun'],
    };
    const { changes, unchanged } = diffTimetables([old], [stored], {
      now: NOW,
      timeZone: 'Europe/Paris',
    });
    expect(changes).toEqual([]);
    expect(unchanged).toBe(1);
  });

  it('still announce a replaced teacher', () => {
    const [stored] = parse('ade-public.ics').events.filter((event) => event.uid === 'ADEP3');
    if (stored === undefined) throw new Error('ADEP3 missing');
    const replaced = { ...stored, teacher: 'LE GALL Yann-Erwan, ROUX Claire' };
    const { changes } = diffTimetables([stored], [replaced], { now: NOW });
    expect(changes.map((change) => change.kinds)).toEqual([['teacher']]);
  });
});

describe('ADE titles that end with the type (ade-public.ics)', () => {
  it('read the trailing type: CM, TP2 → TP, and DS as the exam type', () => {
    const events = parse('ade-public.ics').events;
    expect(
      events.map((event) => ({
        uid: event.uid,
        type: categoryOf(event),
        course: courseOf(event),
        exam: isExam(event),
      })),
    ).toEqual([
      { uid: 'ADEP1', type: 'CM', course: 'Optimisation', exam: false },
      { uid: 'ADEP2', type: EXAM_CATEGORY, course: 'R1-08 GO', exam: true },
      { uid: 'ADEP3', type: 'CM', course: 'Conception mécanique', exam: false },
      { uid: 'ADEP4', type: 'TP', course: 'Pro. Imp.', exam: false },
    ]);
  });

  it('keeps the DS (an exam) under a "hide CM and TP" filter', () => {
    const events = parse('ade-public.ics').events;
    const kept = applyFilter(events, parseEventFilter({ hideCategories: ['CM', 'TP'] }));
    expect(kept.map((event) => event.uid)).toEqual(['ADEP2']);
  });
});

describe('Hyperplanning types (hyperplanning-types.ics)', () => {
  it('ignores `Type : -` and maps long type names to TD, CM and TP', () => {
    const events = parse('hyperplanning-types.ics').events;
    expect(
      events.map((event) => ({
        uid: event.uid,
        category: event.category,
        type: categoryOf(event),
        groups: event.groups,
      })),
    ).toEqual([
      { uid: 'HP-DASH', category: '', type: '', groups: ['M1 MIAGE'] },
      { uid: 'HP-TD', category: 'Travaux dirigés', type: 'TD', groups: ['M1 MIAGE'] },
      { uid: 'HP-CM', category: 'COURS MAGISTRAL', type: 'CM', groups: ['M1 MIAGE'] },
      { uid: 'HP-TP', category: 'travaux pratiques', type: 'TP', groups: ['M1 MIAGE'] },
    ]);
  });

  it('lets a TD filter hide "Travaux dirigés", and offers no "-" type', () => {
    const events = parse('hyperplanning-types.ics').events;
    const kept = applyFilter(events, parseEventFilter({ hideCategories: ['td'] }));
    expect(kept.map((event) => event.uid)).toEqual(['HP-DASH', 'HP-CM', 'HP-TP']);
    // A filter saved with the long name (offered before) still hides them.
    const saved = applyFilter(events, parseEventFilter({ hideCategories: ['TRAVAUX DIRIGÉS'] }));
    expect(saved.map((event) => event.uid)).toEqual(['HP-DASH', 'HP-CM', 'HP-TP']);
    expect(deriveFilterOptions(events).categories.map((option) => option.value)).toEqual([
      'CM',
      'TD',
      'TP',
    ]);
  });
});

describe('an exact duplicate VEVENT (duplicate-vevent.ics)', () => {
  it('is kept once; same UID with other content stays two events', () => {
    const { events, issues } = parse('duplicate-vevent.ics');
    expect(events.map(fields)).toEqual([
      {
        uid: 'D1',
        startsAt: '2026-12-01T08:00:00.000Z',
        endsAt: '2026-12-01T10:00:00.000Z',
        title: 'Anglais',
        location: 'B12',
        teacher: 'SMITH John',
        category: '',
        groups: [],
      },
      {
        uid: 'D2',
        startsAt: '2026-12-02T08:00:00.000Z',
        endsAt: '2026-12-02T10:00:00.000Z',
        title: 'Espagnol',
        location: 'B13',
        teacher: '',
        category: '',
        groups: [],
      },
      {
        uid: 'D2#2026-12-03T08:00:00.000Z',
        startsAt: '2026-12-03T08:00:00.000Z',
        endsAt: '2026-12-03T10:00:00.000Z',
        title: 'Espagnol',
        location: 'B13',
        teacher: '',
        category: '',
        groups: [],
      },
    ]);
    expect(issues.map((issue) => issue.code)).toEqual(['ics.uid_duplicate']);
  });
});

describe('Windows zone names without VTIMEZONE (windows-zones.ics)', () => {
  it('are read in their CLDR zone; an unknown name keeps the warning', () => {
    const { events, issues } = parse('windows-zones.ics');
    expect(
      events.map((event) => [event.uid, event.startsAt.toISOString(), event.endsAt.toISOString()]),
    ).toEqual([
      ['W-MU', '2026-12-01T04:00:00.000Z', '2026-12-01T06:00:00.000Z'],
      ['W-PST', '2026-12-01T16:00:00.000Z', '2026-12-01T18:00:00.000Z'],
      ['W-SAE', '2026-12-01T11:00:00.000Z', '2026-12-01T13:00:00.000Z'],
      ['W-SAW', '2026-12-01T12:00:00.000Z', '2026-12-01T14:00:00.000Z'],
      ['W-NC', '2026-11-30T21:00:00.000Z', '2026-11-30T23:00:00.000Z'],
      ['W-YT', '2026-12-01T05:00:00.000Z', '2026-12-01T07:00:00.000Z'],
      ['W-UNKNOWN', '2026-12-01T07:00:00.000Z', '2026-12-01T09:00:00.000Z'],
    ]);
    expect(issues.map((issue) => issue.message)).toEqual([
      'unknown TZID "Atlantis Standard Time", read in Europe/Paris',
      'unknown TZID "Atlantis Standard Time", read in Europe/Paris',
    ]);
  });

  it('map only to zones this runtime knows', () => {
    const unknown = Object.values(WINDOWS_ZONES).filter((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return false;
      } catch {
        return true;
      }
    });
    expect(unknown).toEqual([]);
    expect(Object.keys(WINDOWS_ZONES).length).toBeGreaterThan(130);
  });
});

describe('a class starting in the spring DST gap (dst-gap.ics, Paris, 2027-03-28)', () => {
  it('is shifted forward by the gap and keeps its duration instead of lasting nothing', () => {
    const { events, issues } = parse('dst-gap.ics');
    expect(issues).toEqual([]);
    expect(
      events.map((event) => [event.uid, event.startsAt.toISOString(), event.endsAt.toISOString()]),
    ).toEqual([
      // 02:30 does not exist: read as 03:30 CEST (01:30Z), and it still lasts an hour.
      ['GAP-IANA', '2027-03-28T01:30:00.000Z', '2027-03-28T02:30:00.000Z'],
      ['GAP-VTZ', '2027-03-28T01:30:00.000Z', '2027-03-28T02:30:00.000Z'],
      ['GAP-FLOAT', '2027-03-28T01:00:00.000Z', '2027-03-28T02:00:00.000Z'],
      // A class across the change whose start exists is exact: 01:00 CET to 04:00 CEST is 2 hours.
      ['ACROSS', '2027-03-28T00:00:00.000Z', '2027-03-28T02:00:00.000Z'],
    ]);
  });
});
