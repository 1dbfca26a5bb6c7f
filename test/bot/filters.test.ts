import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER, type FilterOption } from '../../src/core/index.ts';
import { concernsFilters } from '../../src/bot/alerts.ts';
import {
  buildFilterPanel,
  groupChoices,
  menuOptions,
  MENU_OPTION_LIMIT,
  OPTION_TEXT_LIMIT,
  optionValue,
  parseFiltersArgs,
  parseGroupsInput,
  resolvePicked,
  withDimension,
} from '../../src/bot/filter-menus.ts';
import { messagesFor } from '../../src/bot/messages.ts';
import { validateMessage } from '../fake-discord/index.ts';
import { makeEvent } from './helpers.ts';

const count = (n: number) => `${n}`;
/** 30 groups, G01 the most frequent. */
const many: FilterOption[] = Array.from({ length: 30 }, (_, index) => ({
  value: `G${String(index + 1).padStart(2, '0')}`,
  count: 100 - index,
}));

describe('filter select menus', () => {
  it('caps a menu at 25 options, most frequent first, and says some were left out', () => {
    const built = menuOptions(many, [], count);
    expect(built.options).toHaveLength(MENU_OPTION_LIMIT);
    expect(built.options[0]).toEqual({
      label: 'G01',
      value: 'G01',
      description: '100',
      default: false,
    });
    expect(built.options.at(-1)?.value).toBe('G25');
    expect(built.truncated).toBe(true);
    expect(menuOptions(many.slice(0, 25), [], count).truncated).toBe(false);
  });

  it('puts chosen values first, even rare or unknown ones, so re-picking never drops them', () => {
    const built = menuOptions(many, ['g30', 'Gone'], count);
    expect(built.options.slice(0, 2)).toEqual([
      { label: 'G30', value: 'G30', description: '71', default: true },
      { label: 'Gone', value: 'Gone', description: '0', default: true },
    ]);
    expect(built.options).toHaveLength(25);
    expect(built.options.filter((option) => option.default)).toHaveLength(2);
  });

  it('keeps labels and values within 100 characters and maps long values back', () => {
    const long = `Cours ${'x'.repeat(150)}`;
    const built = menuOptions([{ value: long, count: 3 }], [], count);
    const [entry] = built.options;
    expect(entry?.label).toHaveLength(OPTION_TEXT_LIMIT);
    expect(entry?.label.endsWith('…')).toBe(true);
    expect(entry?.value.length).toBeLessThanOrEqual(OPTION_TEXT_LIMIT);
    expect(entry?.value).toBe(optionValue(long));
    expect(resolvePicked([entry?.value ?? ''], [{ value: long, count: 3 }], [])).toEqual([long]);
    expect(resolvePicked(['stale', 'G02'], many, [])).toEqual(['G02']);
  });

  it('builds a panel Discord accepts: 3 menus, a clear button when filtered, notes', () => {
    const t = messagesFor('fr');
    const options = {
      groups: many,
      courses: [{ value: 'Algo', count: 2 }],
      categories: [] as FilterOption[],
    };
    const filter = withDimension(EMPTY_FILTER, 'groups', ['G02']);
    const panel = buildFilterPanel({
      sectionKey: 'info 1',
      ownerId: '123',
      filter,
      options,
      t,
      maxRows: 4,
    });
    // No class types: no empty menu (Discord refuses a select without options).
    expect(panel.rows).toHaveLength(3);
    expect(validateMessage({ content: 'x', components: panel.rows as never })).toEqual([]);
    const ids = panel.rows.flatMap((row) =>
      row.components.map((c) => ('custom_id' in c ? c.custom_id : '')),
    );
    expect(ids).toEqual([
      'filters:groups:info 1:123',
      'filters:courses:info 1:123',
      'filters:clear:info 1:123',
    ]);
    expect(panel.notes).toEqual([t.filtersHowTo, t.filtersTruncated(25)]);

    const empty = buildFilterPanel({
      sectionKey: 'info 1',
      ownerId: '123',
      filter: EMPTY_FILTER,
      options: { groups: [], courses: [], categories: [] },
      t,
      maxRows: 4,
    });
    expect(empty).toEqual({ rows: [], notes: [t.filtersNothingToChoose] });
    // A section key too long for a customId: no menus rather than a reply Discord refuses.
    const tooLong = buildFilterPanel({
      sectionKey: 's'.repeat(80),
      ownerId: '1300000000000000001',
      filter,
      options,
      t,
      maxRows: 4,
    });
    expect(tooLong).toEqual({ rows: [], notes: [] });
  });

  it('parses customIds, even when a section key holds a colon', () => {
    expect(parseFiltersArgs(['types', 'info: 1', 'b', '42'])).toEqual({
      action: 'types',
      sectionKey: 'info: 1:b',
      ownerId: '42',
    });
    expect(parseFiltersArgs(['groups', 'info 1', '42'])).toEqual({
      action: 'groups',
      sectionKey: 'info 1',
      ownerId: '42',
    });
    expect(parseFiltersArgs(['drop', 'info 1', '42'])).toBeUndefined();
    expect(parseFiltersArgs(['groups', 'info 1'])).toBeUndefined();
  });

  it('reads the groups option and completes its last part', () => {
    const groups = [
      { value: 'TD1', count: 5 },
      { value: 'TD2', count: 4 },
      { value: 'Groupe A', count: 1 },
    ];
    expect(parseGroupsInput(' td1, groupe a ,,Nope, TD1', groups)).toEqual({
      groups: ['TD1', 'Groupe A'],
      unknown: ['Nope'],
    });
    expect(groupChoices('', groups).map((choice) => choice.value)).toEqual([
      'TD1',
      'TD2',
      'Groupe A',
    ]);
    expect(groupChoices('td1, gr', groups)).toEqual([
      { name: 'td1, Groupe A', value: 'td1, Groupe A' },
    ]);
    expect(groupChoices('x'.repeat(98) + ', ', groups)).toEqual([]);
    expect(groupChoices('', many)).toHaveLength(25);
  });
});

describe('which changes a filtered student hears about', () => {
  const td1 = makeEvent({ uid: 'a', groups: ['TD1'], startsAt: new Date('2026-09-14T12:00:00Z') });
  const td2 = { ...td1, groups: ['TD2'] };
  const onlyTd1 = withDimension(EMPTY_FILTER, 'groups', ['TD1']);

  it('counts a change when the class matches before or after it', () => {
    expect(concernsFilters({ uid: 'a', kinds: ['room'], before: td2, after: td2 }, [onlyTd1])).toBe(
      false,
    );
    expect(concernsFilters({ uid: 'a', kinds: ['room'], before: td1, after: td2 }, [onlyTd1])).toBe(
      true,
    );
    expect(
      concernsFilters({ uid: 'a', kinds: ['added'], before: undefined, after: td1 }, [onlyTd1]),
    ).toBe(true);
    expect(
      concernsFilters({ uid: 'a', kinds: ['cancelled'], before: td2, after: undefined }, [onlyTd1]),
    ).toBe(false);
  });

  it('an unfiltered link (or any of several links) hears everything', () => {
    const change = { uid: 'a', kinds: ['room'] as const, before: td2, after: td2 };
    expect(concernsFilters(change, [])).toBe(true);
    expect(concernsFilters(change, [onlyTd1, EMPTY_FILTER])).toBe(true);
    expect(concernsFilters(change, [onlyTd1, withDimension(EMPTY_FILTER, 'groups', ['TD2'])])).toBe(
      true,
    );
  });
});
