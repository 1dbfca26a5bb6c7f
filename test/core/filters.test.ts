import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyFilter,
  deriveFilterOptions,
  describeFilter,
  filterFromJson,
  filterKey,
  filterToJson,
  groupsOf,
  matchesFilter,
  parseEventFilter,
  type TimetableEvent,
} from '../../src/core/index.ts';
import { decodeCalendarBytes, parseIcsCalendar } from '../../src/scraper/ics.ts';
import { timetableEvent } from '../helpers/events.ts';

const context = {
  timeZone: 'Europe/Paris',
  now: new Date('2026-11-21T08:00:00Z'),
  horizonDays: 30,
};

function fixture(path: string): TimetableEvent[] {
  const text = decodeCalendarBytes(readFileSync(new URL(`../../${path}`, import.meta.url)));
  return [...parseIcsCalendar(text, context).events];
}

function event(fields: Partial<TimetableEvent>): TimetableEvent {
  return timetableEvent({ uid: 'u', title: 'Class', ...fields });
}

describe('filter options', () => {
  it('derives groups, courses and types from the demo timetable', () => {
    const options = deriveFilterOptions(fixture('samples/demo.ics'));
    expect(options.groups.map((option) => option.value).sort()).toEqual([
      'Groupe TD1',
      'Groupe TP2',
      'Promo 1A',
    ]);
    expect(options.categories.map((option) => option.value).sort()).toEqual(['CM', 'TD', 'TP']);
    expect(options.courses.map((option) => option.value)).toContain('Algorithmique');
    expect(options.courses.every((option) => option.count > 0)).toBe(true);
  });

  it('derives groups from labelled Hyperplanning descriptions', () => {
    const options = deriveFilterOptions(fixture('test/fixtures/ics/hyperplanning-like.ics'));
    expect(options.groups.length).toBeGreaterThan(0);
  });

  it('reads group conventions in titles', () => {
    expect(groupsOf({ title: 'TD1 Algorithmique', groups: [] })).toEqual(['TD1']);
    expect(groupsOf({ title: 'Anglais - Gr. 3', groups: [] })).toEqual(['Groupe 3']);
    expect(groupsOf({ title: 'TP 2B Physique', groups: ['TP2B'] })).toEqual(['TP2B']);
    expect(groupsOf({ title: 'Conférence', groups: [] })).toEqual([]);
  });
});

describe('filter matching', () => {
  const lecture = event({ title: 'Maths', category: 'CM', groups: [] });
  const td1 = event({ title: 'Algo', category: 'TD', groups: ['Groupe TD1'] });
  const td2 = event({ title: 'Algo', category: 'TD', groups: ['Groupe TD2'] });
  const english = event({
    title: 'Anglais',
    course: 'Anglais',
    category: 'TD',
    groups: ['Groupe TD1'],
  });

  it('keeps only the chosen groups, and events without group information', () => {
    const filter = parseEventFilter({ groups: ['groupe td1'] });
    expect(applyFilter([lecture, td1, td2, english], filter)).toEqual([lecture, td1, english]);
  });

  it('hides courses and class types, ignoring case and accents', () => {
    expect(matchesFilter(english, parseEventFilter({ hideCourses: ['ANGLAIS'] }))).toBe(false);
    expect(matchesFilter(td1, parseEventFilter({ hideCategories: ['td'] }))).toBe(false);
    expect(matchesFilter(lecture, parseEventFilter({ hideCategories: ['td'] }))).toBe(true);
    expect(
      matchesFilter(event({ title: 'Économie' }), parseEventFilter({ hideCourses: ['economie'] })),
    ).toBe(false);
  });

  it('never hides an event because the field a filter looks at is missing', () => {
    const bare = event({ title: 'Réunion', category: '', groups: [] });
    const filter = parseEventFilter({ groups: ['TD9'], hideCategories: ['CM'] });
    expect(matchesFilter(bare, filter)).toBe(true);
  });
});

describe('filter values', () => {
  it('gives equal keys to equal choices, and no key to no filter', () => {
    const a = parseEventFilter({ groups: ['TD2', 'TD1', 'TD1'] });
    const b = parseEventFilter({ groups: [' TD1', 'TD2'] });
    expect(filterKey(a)).toBe(filterKey(b));
    expect(filterKey(parseEventFilter({}))).toBe('');
    expect(filterToJson(parseEventFilter({}))).toBeNull();
    expect(filterFromJson(filterToJson(a))).toEqual(a);
  });

  it('rejects unknown fields and oversized input with filter.invalid', () => {
    expect(() => parseEventFilter({ colour: 'red' })).toThrow(
      expect.objectContaining({ code: 'filter.invalid' }) as Error,
    );
    expect(() =>
      parseEventFilter({ groups: Array.from({ length: 51 }, (_, i) => `G${i}`) }),
    ).toThrow(/filter/);
    expect(filterFromJson('{broken')).toEqual(parseEventFilter({}));
  });

  it('describes the filter in French and English', () => {
    const filter = parseEventFilter({ groups: ['TD1'], hideCategories: ['CM'] });
    expect(describeFilter(filter)).toBe('Filtre : groupes TD1 ; types masqués CM');
    expect(describeFilter(filter, 'en')).toBe('Filter: groups TD1; hidden types CM');
    expect(describeFilter(parseEventFilter({}), 'en')).toBe('No filter');
  });
});
