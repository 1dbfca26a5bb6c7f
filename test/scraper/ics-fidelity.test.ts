/**
 * Fields and times read from each school system's ICS export, one small fixture per layout
 * (docs/sources.md describes the layouts); every expected field is written out.
 */
import { describe, expect, it } from 'vitest';
import type { TimetableEvent } from '../../src/core/index.ts';
import { calendarPayloadKey, parseIcsCalendar } from '../../src/scraper/ics.ts';
import { writtenFields } from '../helpers/events.ts';
import { fixtureText as fixture } from './helpers/events.ts';

const NOW = new Date('2026-11-20T00:00:00Z');
const parse = (name: string, timeZone = 'Europe/Paris') =>
  parseIcsCalendar(fixture(name), { timeZone, now: NOW, horizonDays: 365 });

function fields(event: TimetableEvent | undefined) {
  if (event === undefined) throw new Error('event missing');
  return { ...writtenFields(event), course: event.course, groups: event.groups };
}

describe('ADE export (unlabelled description, X-WR-TIMEZONE)', () => {
  it('reads groups, then teachers, in the calendar zone (La Réunion, UTC+4)', () => {
    const { events, issues } = parse('ade-reunion.ics');
    expect(issues).toEqual([]);
    expect(events.map(fields)).toEqual([
      {
        startsAt: '2026-11-23T04:00:00.000Z',
        endsAt: '2026-11-23T06:00:00.000Z',
        title: 'Algèbre linéaire',
        location: 'S23',
        teacher: 'HOARAU Jean-Marc, PAYET Marie',
        category: '',
        course: '',
        groups: ['L1 MATHS GR1', 'L1 MATHS GR2'],
      },
      {
        startsAt: '2026-11-24T09:30:00.000Z',
        endsAt: '2026-11-24T11:30:00.000Z',
        title: 'Anglais',
        location: 'T01',
        teacher: 'LE GALL Anne',
        category: '',
        course: '',
        groups: ['L1 MATHS'],
      },
    ]);
  });

  it('keeps the export stamp out of the content', () => {
    const [first] = parse('ade-reunion.ics').events;
    expect(first?.description).not.toMatch(/Export/);
  });

  it("prefers the calendar's X-WR-TIMEZONE over the section's zone", () => {
    const paris = parse('ade-reunion.ics', 'Europe/Paris').events[0];
    const cayenne = parse('ade-reunion.ics', 'America/Cayenne').events[0];
    expect(paris?.startsAt.toISOString()).toBe('2026-11-23T04:00:00.000Z');
    expect(cayenne?.startsAt.toISOString()).toBe('2026-11-23T04:00:00.000Z');
  });

  it('falls back to the section zone when X-WR-TIMEZONE names no zone', () => {
    const text = fixture('ade-reunion.ics').replace(
      'X-WR-TIMEZONE:Indian/Reunion',
      'X-WR-TIMEZONE:Mars/Olympus',
    );
    const [first] = parseIcsCalendar(text, {
      timeZone: 'Europe/Paris',
      now: NOW,
      horizonDays: 365,
    }).events;
    expect(first?.startsAt.toISOString()).toBe('2026-11-23T07:00:00.000Z');
  });

  it('still reads the existing ADE fixture: groups then teacher', () => {
    const events = parse('ade-like.ics').events;
    expect(events.slice(0, 4).map((event) => [event.groups, event.teacher])).toEqual([
      [['L3 INFO TP2'], 'BERNARD Luc'],
      [['L3 INFO', 'L3 MIAGE'], 'DUPONT Marie'],
      [['L3 INFO TD1'], 'DUPONT Marie'],
      [['L3 INFO TD1', 'L3 INFO TD2'], 'PETIT Julien, ROUX Claire'],
    ]);
  });
});

describe('floating times without X-WR-TIMEZONE', () => {
  it("are read in the section's zone (SECTION_TIMEZONES), here Guyane (UTC-3)", () => {
    expect(fields(parse('floating-no-zone.ics', 'America/Cayenne').events[0])).toMatchObject({
      startsAt: '2026-11-23T11:00:00.000Z',
      endsAt: '2026-11-23T13:00:00.000Z',
    });
    expect(parse('floating-no-zone.ics', 'Europe/Paris').events[0]?.startsAt.toISOString()).toBe(
      '2026-11-23T07:00:00.000Z',
    );
  });

  it('give another payload key in another zone (no stale parse is reused)', () => {
    const body = [Buffer.from(fixture('floating-no-zone.ics'))];
    expect(calendarPayloadKey(body, 'America/Cayenne')).not.toBe(
      calendarPayloadKey(body, 'Europe/Paris'),
    );
  });
});

describe('Celcat export (labelled description)', () => {
  it('reads Enseignant(s), Groupe(s), Catégorie, Matière and Salle(s)', () => {
    const { events } = parse('celcat-labels.ics');
    expect(events.map(fields)).toEqual([
      {
        startsAt: '2026-11-25T08:00:00.000Z',
        endsAt: '2026-11-25T10:00:00.000Z',
        title: 'Réseaux - TD',
        location: 'U3-205',
        teacher: 'DURAND Paul',
        category: 'TD',
        course: 'Réseaux',
        groups: ['M1 INFO G1', 'M1 INFO G2'],
      },
      {
        startsAt: '2026-11-26T13:00:00.000Z',
        endsAt: '2026-11-26T15:00:00.000Z',
        title: 'Examen Systèmes',
        location: 'Amphi 1',
        teacher: 'MOREAU Lise',
        category: 'Examen',
        course: 'Systèmes',
        groups: ['M1 INFO'],
      },
    ]);
  });
});

describe('Hyperplanning export', () => {
  it('does not take CATEGORIES:HYPERPLANNING for a class type', () => {
    expect(fields(parse('hyperplanning-no-type.ics').events[0])).toEqual({
      startsAt: '2026-11-27T08:15:00.000Z',
      endsAt: '2026-11-27T10:15:00.000Z',
      title: 'Conférence métiers - M1 MIAGE',
      location: '',
      teacher: '',
      category: '',
      course: 'Conférence métiers',
      groups: ['M1 MIAGE'],
    });
  });

  it('keeps the Type line of the full export', () => {
    expect(parse('hyperplanning-like.ics').events.map((event) => event.category)).toEqual([
      'TD',
      'CM',
      'Soutenance',
    ]);
  });
});

describe('DURATION across the spring DST change (Paris, 2027-03-28)', () => {
  const byUid = () => new Map(parse('duration-dst.ics').events.map((event) => [event.uid, event]));

  it('adds hours, minutes and seconds exactly', () => {
    const events = byUid();
    expect(fields(events.get('night-shift-6h'))).toMatchObject({
      startsAt: '2027-03-27T21:00:00.000Z',
      endsAt: '2027-03-28T03:00:00.000Z', // 6 hours, 05:00 on the wall clock
    });
    expect(fields(events.get('ninety-minutes'))).toMatchObject({
      startsAt: '2027-03-28T00:30:00.000Z',
      endsAt: '2027-03-28T02:00:00.000Z',
    });
  });

  it('keeps a negative or absurd DURATION from ending before the start', () => {
    const text = fixture('duration-dst.ics').replace('DURATION:PT6H', 'DURATION:-PT6H');
    const event = parseIcsCalendar(text, {
      timeZone: 'Europe/Paris',
      now: NOW,
      horizonDays: 365,
    }).events.find((item) => item.uid === 'night-shift-6h');
    expect(event?.endsAt.toISOString()).toBe(event?.startsAt.toISOString());
  });

  it('adds days on the wall clock (a nominal day is 23 hours here)', () => {
    expect(fields(byUid().get('one-day-nominal'))).toMatchObject({
      startsAt: '2027-03-27T08:00:00.000Z',
      endsAt: '2027-03-28T07:00:00.000Z', // 09:00 the next day
    });
  });
});
