import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/db/index.ts';
import {
  cleanText,
  createDateTimeFormatter,
  renderCalendar,
  type RenderCalendarInput,
} from '../../src/feed/render-calendar.ts';
import { timetableEvent } from '../helpers/events.ts';
import { assertWellFormedIcs, parseIcs } from './ics-assertions.ts';

const GOLDEN_DIR = new URL('../fixtures/feeds/', import.meta.url);

function storedEvent(overrides: Partial<StoredEvent> & { uid: string }): StoredEvent {
  return {
    feedUid: overrides.uid,
    ...timetableEvent({ uid: overrides.uid }),
    revision: 0,
    createdAt: new Date('2026-11-01T09:00:00Z'),
    changedAt: new Date('2026-11-01T09:00:00Z'),
    removedAt: null,
    ...overrides,
  };
}

const fresh = {
  lastSuccessAt: new Date('2026-11-21T13:00:00Z'),
  failing: false,
  staleBannerDay: null,
};

const sampleEvents: StoredEvent[] = [
  storedEvent({
    uid: 'b-tp@ade',
    title: 'TP Systèmes d’exploitation — ordonnancement, mémoire virtuelle et pagination 🎓',
    location: 'Bâtiment Condorcet, salle 102',
    teacher: 'Mme Hélène Dupré',
    category: 'TP',
    groups: ['G1', 'G2'],
    startsAt: new Date('2026-11-24T13:30:00Z'),
    endsAt: new Date('2026-11-24T16:30:00Z'),
    revision: 2,
    changedAt: new Date('2026-11-20T07:12:00Z'),
  }),
  storedEvent({
    uid: 'a-cm@ade',
    title: 'CM Mathématiques',
    location: 'Amphi A',
    description: 'Séance de révision\nApporter la calculatrice',
  }),
  storedEvent({
    uid: 'c-removed@ade',
    title: 'TD Anglais',
    startsAt: new Date('2026-11-25T08:00:00Z'),
    endsAt: new Date('2026-11-25T10:00:00Z'),
    revision: 1,
    changedAt: new Date('2026-11-21T10:00:00Z'),
    removedAt: new Date('2026-11-21T10:00:00Z'),
  }),
  storedEvent({
    uid: 'd-cancelled@ade',
    title: 'Conférence',
    status: 'cancelled',
    startsAt: new Date('2026-11-26T08:00:00Z'),
    endsAt: new Date('2026-11-26T09:00:00Z'),
  }),
  storedEvent({
    uid: 'e-allday@ade',
    title: 'Journée portes ouvertes',
    allDay: true,
    startsAt: new Date('2026-11-28T00:00:00Z'),
    endsAt: new Date('2026-11-29T00:00:00Z'),
  }),
];

const sampleInput: RenderCalendarInput = {
  section: { key: 'génie info', name: 'Génie Info' },
  events: sampleEvents,
  timeZone: 'Europe/Paris',
  freshness: fresh,
};

function expectGolden(name: string, text: string): void {
  const url = new URL(name, GOLDEN_DIR);
  // Golden files change only on purpose: `npm run test:update-golden` rewrites them. A missing one
  // fails, so a renamed or deleted golden file cannot turn the comparison into a no-op.
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, text);
  if (!existsSync(url)) {
    throw new Error(`golden file ${name} is missing: run npm run test:update-golden and review it`);
  }
  expect(text).toBe(readFileSync(url, 'utf8'));
}

describe('renderCalendar', () => {
  it('matches the golden file for a typical section', () => {
    const text = renderCalendar(sampleInput);
    assertWellFormedIcs(text);
    expectGolden('genie-info.ics', text);
  });

  it('gives identical bytes for identical data, whatever the input order', () => {
    const shuffled = { ...sampleInput, events: [...sampleEvents].reverse() };
    expect(renderCalendar(shuffled)).toBe(renderCalendar(sampleInput));
  });

  it('publishes UID, SEQUENCE, DTSTAMP and LAST-MODIFIED from stored values, sorted by start', () => {
    const { events } = parseIcs(renderCalendar(sampleInput));
    expect(events.map((event) => event.uid)).toEqual([
      'a-cm@ade',
      'b-tp@ade',
      'c-removed@ade',
      'd-cancelled@ade',
      'e-allday@ade',
    ]);
    const tp = events[1]!;
    expect(tp.sequence).toBe(2);
    expect(tp.dtstamp).toBe('2026-11-20T07:12:00Z');
    expect(tp.lastModified).toBe('2026-11-20T07:12:00Z');
    expect(tp.start.toISOString()).toBe('2026-11-24T13:30:00.000Z');
    expect(tp.summary).toBe(
      'TP Systèmes d’exploitation — ordonnancement, mémoire virtuelle et pagination 🎓',
    );
  });

  it('ends each description with the local time of the last change', () => {
    const { events } = parseIcs(renderCalendar(sampleInput));
    expect(events[0]!.description).toBe(
      'Séance de révision\nApporter la calculatrice\n\nDernière modification : 01/11/2026 10:00',
    );
    expect(events[1]!.description).toBe(
      'Enseignant : Mme Hélène Dupré\nGroupes : G1, G2\n\nDernière modification : 20/11/2026 08:12',
    );
  });

  it('marks removed and cancelled classes as cancelled with "Annulé" in the title', () => {
    const { events } = parseIcs(renderCalendar(sampleInput));
    const removed = events.find((event) => event.uid === 'c-removed@ade')!;
    const cancelled = events.find((event) => event.uid === 'd-cancelled@ade')!;
    expect(removed.status).toBe('CANCELLED');
    expect(removed.summary).toBe('Annulé : TD Anglais');
    expect(removed.description).toContain("Retiré de l'emploi du temps le 21/11/2026 11:00");
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.summary).toBe('Annulé : Conférence');
    expect(events.find((event) => event.uid === 'a-cm@ade')!.status).toBe('CONFIRMED');
  });

  it('writes all-day events as dates with an exclusive end', () => {
    const text = renderCalendar(sampleInput);
    expect(text).toContain('DTSTART;VALUE=DATE:20261128\r\nDTEND;VALUE=DATE:20261129\r\n');
  });

  it('carries calendar name, time zone and refresh hints', () => {
    const { calendar } = parseIcs(renderCalendar(sampleInput));
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Génie Info');
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/Paris');
    expect(String(calendar.getFirstPropertyValue('refresh-interval'))).toBe('PT15M');
    expect(String(calendar.getFirstPropertyValue('x-published-ttl'))).toBe('PT15M');
    expect(calendar.getFirstPropertyValue('x-wr-caldesc')).toBe(
      'Emploi du temps Génie Info (Planning Proxy)',
    );
  });

  it('folds long lines at 75 octets without splitting accents or emoji', () => {
    const title = 'Éé'.repeat(20) + '🎓'.repeat(15) + ' à ' + 'ç'.repeat(50);
    const text = renderCalendar({
      ...sampleInput,
      events: [storedEvent({ uid: 'long@ade', title, location: '🏫'.repeat(40) })],
    });
    assertWellFormedIcs(text);
    expect(text.split('\r\n').some((line) => line.startsWith(' '))).toBe(true);
    expect(parseIcs(text).events[0]!.summary).toBe(title);
  });

  it('strips control characters from text', () => {
    const text = renderCalendar({
      ...sampleInput,
      events: [
        storedEvent({
          uid: 'ctl@ade',
          title: 'Cours\u0000 de\u0007 chimie\u001b',
          description: 'ligne 1\r\nligne\u000b 2',
        }),
      ],
    });
    // eslint-disable-next-line no-control-regex -- asserting control characters are gone
    expect(text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
    const event = parseIcs(text).events[0]!;
    expect(event.summary).toBe('Cours de chimie');
    expect(event.description.startsWith('ligne 1\nligne 2\n')).toBe(true);
    expect(cleanText('a\u0085b\u009fc')).toBe('abc');
  });

  it('keeps instants right across the Europe/Paris DST changes', () => {
    const events = [
      // Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET.
      storedEvent({
        uid: 'before-dst@ade',
        startsAt: new Date('2026-10-23T07:00:00Z'),
        endsAt: new Date('2026-10-23T09:00:00Z'),
      }),
      storedEvent({
        uid: 'after-dst@ade',
        startsAt: new Date('2026-10-26T08:00:00Z'),
        endsAt: new Date('2026-10-26T10:00:00Z'),
        changedAt: new Date('2026-10-25T00:30:00Z'),
      }),
      // Sunday 28 March 2027: 02:00 CET becomes 03:00 CEST.
      storedEvent({
        uid: 'spring@ade',
        startsAt: new Date('2027-03-29T07:00:00Z'),
        endsAt: new Date('2027-03-29T09:00:00Z'),
        changedAt: new Date('2027-03-28T01:30:00Z'),
      }),
    ];
    const text = renderCalendar({ ...sampleInput, events });
    assertWellFormedIcs(text);
    expectGolden('dst.ics', text);
    const parsed = parseIcs(text).events;
    const local = (at: Date) =>
      at.toLocaleTimeString('fr-FR', {
        timeZone: 'Europe/Paris',
        hour: '2-digit',
        minute: '2-digit',
      });
    // 9:00 local both before and after the October change, 9:00 after the March one.
    expect(parsed.map((event) => local(event.start))).toEqual(['09:00', '09:00', '09:00']);
    expect(parsed[1]!.description).toBe('Dernière modification : 25/10/2026 02:30');
    expect(parsed[2]!.description).toBe('Dernière modification : 28/03/2027 03:30');
  });

  it('adds a banner event and says when data was last verified while stale', () => {
    const text = renderCalendar({
      ...sampleInput,
      freshness: {
        lastSuccessAt: new Date('2026-11-20T16:45:00Z'),
        failing: true,
        staleBannerDay: '2026-11-21',
      },
    });
    assertWellFormedIcs(text);
    expectGolden('stale.ics', text);
    const { calendar, events } = parseIcs(text);
    const banner = events.find((event) => event.uid.startsWith('stale-'))!;
    expect(banner.allDay).toBe(true);
    expect(banner.summary).toBe('⚠ Emploi du temps non actualisé depuis le 20/11/2026 17:45');
    expect(banner.start.toISOString()).toBe('2026-11-21T00:00:00.000Z');
    expect(events.filter((event) => event.uid.startsWith('stale-'))).toHaveLength(1);
    expect(calendar.getFirstPropertyValue('x-wr-caldesc')).toBe(
      'Emploi du temps Génie Info (Planning Proxy). La source ne répond pas : dernière vérification réussie le 20/11/2026 17:45.',
    );
  });

  it('mentions the last verification when failing without being stale yet, with no banner', () => {
    const text = renderCalendar({
      ...sampleInput,
      freshness: {
        lastSuccessAt: new Date('2026-11-21T12:00:00Z'),
        failing: true,
        staleBannerDay: null,
      },
    });
    const { calendar, events } = parseIcs(text);
    expect(String(calendar.getFirstPropertyValue('x-wr-caldesc'))).toContain(
      'dernière vérification réussie le 21/11/2026 13:00',
    );
    expect(events.some((event) => event.uid.startsWith('stale-'))).toBe(false);
  });

  it('formats French date-times in the configured zone', () => {
    expect(createDateTimeFormatter('Europe/Paris')(new Date('2026-11-21T13:05:00Z'))).toBe(
      '21/11/2026 14:05',
    );
    expect(createDateTimeFormatter('UTC')(new Date('2026-11-21T13:05:00Z'))).toBe(
      '21/11/2026 13:05',
    );
  });
});
