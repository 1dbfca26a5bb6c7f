import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyFilter,
  deriveFilterOptions,
  groupsOf,
  parseEventFilter,
  type FilterOptions,
  type TimetableEvent,
} from '../../src/core/index.ts';
import { decodeCalendarBytes, parseIcsCalendar } from '../../src/scraper/ics.ts';
import { createAurionSource } from '../../src/scraper/sources/aurion.source.ts';
import type { RawPayload } from '../../src/scraper/sources/source.ts';
import { createTestClock } from '../helpers/clock.ts';
import { aurionConfig, parseContext } from '../scraper/sources/aurion-test-kit.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const context = parseContext(createTestClock('2026-10-20T08:00:00Z'));
const aurion = createAurionSource({ config: aurionConfig('https://aurion.junia.com') });

function icsEvents(dir: string, name: string): readonly TimetableEvent[] {
  const text = decodeCalendarBytes(readFileSync(new URL(`${dir}/${name}`, FIXTURES)));
  return parseIcsCalendar(text, context).events;
}

function aurionEvents(name: string): readonly TimetableEvent[] {
  const raw: RawPayload = {
    fetchedAt: context.now,
    parts: [
      {
        body: readFileSync(new URL(`sources/aurion/${name}`, FIXTURES)),
        contentType: 'text/xml;charset=UTF-8',
        origin: 'https://aurion.junia.com/faces/Planning.xhtml#form:j_idt118',
      },
    ],
    coverage: { from: new Date('2026-10-18T22:00:00Z'), to: new Date('2026-11-15T23:00:00Z') },
  };
  return aurion.parse(raw, context).events;
}

const values = (options: FilterOptions, field: keyof FilterOptions) =>
  options[field].map((option) => option.value).sort((a, b) => a.localeCompare(b, 'fr'));

/** Every fixture that parses, per source: (label, events). Fixtures that must not parse are skipped. */
function parsedFixtures(): [string, readonly TimetableEvent[]][] {
  const found: [string, readonly TimetableEvent[]][] = [];
  for (const dir of ['ics', 'sources/webdbf']) {
    for (const name of readdirSync(new URL(`${dir}/`, FIXTURES))) {
      if (!name.endsWith('.ics') || name.startsWith('truncated')) continue;
      found.push([`${dir}/${name}`, icsEvents(dir, name)]);
    }
  }
  for (const name of ['schedule-junia.xml', 'schedule-isen-ouest.xml', 'schedule-drifted.xml']) {
    found.push([`aurion/${name}`, aurionEvents(name)]);
  }
  found.push(['aurion/schedule-bad-events.xml', aurionEvents('schedule-bad-events.xml')]);
  found.push(['aurion/schedule-empty.xml', aurionEvents('schedule-empty.xml')]);
  return found;
}

describe('filter options derived from every source', () => {
  it.each(parsedFixtures())(
    '%s: counts every event once per dimension, and each option filters back to its events',
    (_label, events) => {
      const options = deriveFilterOptions(events);
      const total = (field: 'courses' | 'categories') =>
        options[field].reduce((sum, option) => sum + option.count, 0);
      // Every event has a course (its title at worst); a type only when one is known.
      expect(total('courses')).toBe(events.length);
      expect(total('categories')).toBeLessThanOrEqual(events.length);
      for (const field of ['groups', 'courses', 'categories'] as const) {
        for (const option of options[field]) {
          expect(option.value.trim()).toBe(option.value);
          expect(option.value).not.toBe('');
          expect(option.count).toBeGreaterThan(0);
        }
      }
      // Choosing a group keeps that group's events and the events without group information.
      for (const group of options.groups) {
        const kept = applyFilter(events, parseEventFilter({ groups: [group.value] }));
        const ofGroup = kept.filter((event) => groupsOf(event).length > 0);
        expect(ofGroup).toHaveLength(group.count);
        expect(kept.filter((event) => groupsOf(event).length === 0)).toEqual(
          events.filter((event) => groupsOf(event).length === 0),
        );
      }
      // Hiding a course or a type removes exactly the events counted for it.
      for (const course of options.courses) {
        const kept = applyFilter(events, parseEventFilter({ hideCourses: [course.value] }));
        expect(kept).toHaveLength(events.length - course.count);
      }
      for (const category of options.categories) {
        const kept = applyFilter(events, parseEventFilter({ hideCategories: [category.value] }));
        expect(kept).toHaveLength(events.length - category.count);
      }
    },
  );

  it('ADE: reads the class type leading the title and keeps it out of the course', () => {
    const options = deriveFilterOptions(icsEvents('ics', 'ade-like.ics'));
    expect(values(options, 'categories')).toEqual(['EXAMEN', 'TD']);
    expect(values(options, 'courses')).toEqual([
      'Algorithmique avancée',
      'Anglais',
      'Projet tutoré',
      'Réseaux et protocoles',
    ]);
    expect(options.courses.find((course) => course.value === 'Algorithmique avancée')?.count).toBe(
      3,
    );
    // ADE's unlabelled description lines: groups first, then the teacher (docs/sources.md).
    expect(values(options, 'groups')).toEqual([
      'L3 INFO',
      'L3 INFO Anglais G3',
      'L3 INFO TD1',
      'L3 INFO TD2',
      'L3 INFO TP2',
      'L3 MIAGE',
    ]);
  });

  it('Hyperplanning: groups from the labelled description, types from CATEGORIES', () => {
    const options = deriveFilterOptions(icsEvents('ics', 'hyperplanning-like.ics'));
    expect(values(options, 'groups')).toEqual(['M1 MIAGE', 'M1 MIAGE Alternance']);
    expect(values(options, 'categories')).toEqual(['CM', 'SOUTENANCE', 'TD']);
    expect(values(options, 'courses')).toEqual([
      'Bases de données avancées',
      'Gestion de projet agile',
      'Soutenance de stage',
    ]);
  });

  it('webdbf: groups and types of the IPP export', () => {
    const options = deriveFilterOptions(icsEvents('sources/webdbf', 'latin1-tzid.ics'));
    expect(values(options, 'groups')).toEqual(['1A-G2']);
    // "Mécanique des fluides - TD" has no Type line: the type ending its title is read.
    expect(values(options, 'categories')).toEqual(['COURS MAGISTRAL (AMPHITHÉÂTRE)', 'TD']);
    expect(deriveFilterOptions(icsEvents('sources/webdbf', 'empty.ics'))).toEqual({
      groups: [],
      courses: [],
      categories: [],
    });
  });

  it('Aurion: groups, courses and types from Junia and ISEN Ouest titles', () => {
    const junia = deriveFilterOptions(aurionEvents('schedule-junia.xml'));
    expect(values(junia, 'groups')).toEqual([
      'CIR2',
      'CIR2 G1',
      'CIR2 G2',
      'ISEN Lille - 2026/2027',
    ]);
    expect(values(junia, 'categories')).toEqual(['CONGES', 'COURS', 'TD', 'TP']);
    expect(values(junia, 'courses')).toContain('Mathématiques');
    expect(values(junia, 'courses')).toContain('Physique');

    const isen = deriveFilterOptions(aurionEvents('schedule-isen-ouest.xml'));
    expect(values(isen, 'groups')).toContain('CIR1 Brest G2');
    expect(values(isen, 'categories')).toEqual(['COURS', 'TD']);
    expect(values(isen, 'courses')).toEqual(['Langage C', 'Mathématiques']);
  });

  it('Aurion: a TD of group G1 is kept for G1, hidden for another group, and the lecture stays', () => {
    const events = aurionEvents('schedule-junia.xml');
    const g1 = applyFilter(events, parseEventFilter({ groups: ['cir2 g1'] })).map((e) => e.title);
    expect(g1).toContain('Physique');
    const other = applyFilter(events, parseEventFilter({ groups: ['CIR3'] })).map((e) => e.title);
    expect(other).not.toContain('Physique');
    expect(other).not.toContain('Mathématiques');
    // No group information: kept by every filter.
    expect(other).toContain('Réunion - Information stages');
  });
});
