import { createHash } from 'node:crypto';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  StringSelectMenuBuilder,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
} from 'discord.js';
import {
  canonicalFilter,
  describeFilter,
  foldText,
  isEmptyFilter,
  type EventFilter,
  type FilterOption,
  type FilterOptions,
} from '../core/index.ts';
import type { Locale, Messages } from './messages.ts';

/** customIds: `filters:<action>:<sectionKey>:<ownerId>` (the owner last: a key may hold ':'). */
export const FILTERS_PREFIX = 'filters';
export const FILTER_ACTIONS = ['groups', 'courses', 'types', 'clear'] as const;
export type FilterAction = (typeof FILTER_ACTIONS)[number];
export type FilterDimension = Exclude<FilterAction, 'clear'>;

/** Discord: at most 25 options per select menu, labels, values and descriptions ≤ 100 chars. */
export const MENU_OPTION_LIMIT = 25;
export const OPTION_TEXT_LIMIT = 100;
const CUSTOM_ID_LIMIT = 100;
/** Autocomplete: at most 25 choices, names and values ≤ 100 chars. */
const CHOICE_LIMIT = 25;
/** A described filter is cut here so a reply stays far below Discord's 2,000 characters. */
const DESCRIPTION_LIMIT = 600;

export type MenuOption = {
  readonly label: string;
  readonly value: string;
  readonly description: string;
  readonly default: boolean;
};

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The value sent back by Discord for an option: the value itself, or a hash when too long. */
export function optionValue(value: string): string {
  return value.length <= OPTION_TEXT_LIMIT
    ? value
    : `#${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}

/**
 * A select menu's options: the values already chosen first (so re-picking never drops them),
 * then the most frequent ones, up to Discord's 25. `truncated` says that some were left out.
 */
export function menuOptions(
  available: readonly FilterOption[],
  selected: readonly string[],
  countText: (count: number) => string,
): { options: MenuOption[]; truncated: boolean } {
  const byKey = new Map<string, FilterOption>();
  for (const option of available) byKey.set(foldText(option.value), option);
  const ordered = new Map<string, { option: FilterOption; chosen: boolean }>();
  for (const value of selected) {
    const key = foldText(value);
    if (key === '' || ordered.has(key)) continue;
    ordered.set(key, { option: byKey.get(key) ?? { value, count: 0 }, chosen: true });
  }
  for (const option of available) {
    const key = foldText(option.value);
    if (key !== '' && !ordered.has(key)) ordered.set(key, { option, chosen: false });
  }
  const entries = [...ordered.values()];
  const seenValues = new Set<string>();
  const options: MenuOption[] = [];
  for (const { option, chosen } of entries) {
    if (options.length === MENU_OPTION_LIMIT) break;
    const value = optionValue(option.value);
    if (seenValues.has(value)) continue;
    seenValues.add(value);
    options.push({
      label: truncate(option.value, OPTION_TEXT_LIMIT),
      value,
      description: truncate(countText(option.count), OPTION_TEXT_LIMIT),
      default: chosen,
    });
  }
  return { options, truncated: entries.length > options.length };
}

/** Values picked in a menu → the real values (unknown ones, e.g. from a stale menu, are dropped). */
export function resolvePicked(
  picked: readonly string[],
  available: readonly FilterOption[],
  current: readonly string[],
): string[] {
  const known = new Map<string, string>();
  for (const value of [...current, ...available.map((option) => option.value)]) {
    if (!known.has(optionValue(value))) known.set(optionValue(value), value);
  }
  return picked.flatMap((value) => {
    const real = known.get(value);
    return real === undefined ? [] : [real];
  });
}

const splitList = (input: string): string[] =>
  input
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** The `groups` option ("TD1, tp2") → the section's spelling of each, and what is unknown. */
export function parseGroupsInput(
  input: string,
  available: readonly FilterOption[],
): { groups: string[]; unknown: string[] } {
  const byKey = new Map(available.map((option) => [foldText(option.value), option.value]));
  const groups: string[] = [];
  const unknown: string[] = [];
  for (const item of splitList(input)) {
    const known = byKey.get(foldText(item));
    if (known === undefined) unknown.push(item);
    else if (!groups.includes(known)) groups.push(known);
  }
  return { groups, unknown };
}

/**
 * Autocomplete for the comma-separated `groups` option: what was typed before the last comma is
 * kept, the last part is completed from the section's groups (most frequent first).
 */
export function groupChoices(
  typed: string,
  available: readonly FilterOption[],
): { name: string; value: string }[] {
  const parts = typed.split(',');
  const needle = foldText(parts.pop() ?? '');
  const done = parts.map((part) => part.trim()).filter((part) => part !== '');
  const doneKeys = new Set(done.map(foldText));
  const prefix = done.length === 0 ? '' : `${done.join(', ')}, `;
  const choices: { name: string; value: string }[] = [];
  for (const option of available) {
    if (choices.length === CHOICE_LIMIT) break;
    const key = foldText(option.value);
    if (doneKeys.has(key) || (needle !== '' && !key.includes(needle))) continue;
    const value = `${prefix}${option.value}`;
    if (value.length > OPTION_TEXT_LIMIT) continue;
    choices.push({ name: value, value });
  }
  return choices;
}

export function filtersCustomId(action: FilterAction, sectionKey: string, ownerId: string): string {
  return `${FILTERS_PREFIX}:${action}:${sectionKey}:${ownerId}`;
}

/** customId args (after the prefix) → action, section key and owner; undefined when malformed. */
export function parseFiltersArgs(
  args: readonly string[],
): { action: FilterAction; sectionKey: string; ownerId: string } | undefined {
  if (args.length < 3) return undefined;
  const action = FILTER_ACTIONS.find((candidate) => candidate === args[0]);
  const ownerId = args.at(-1) ?? '';
  const sectionKey = args.slice(1, -1).join(':');
  if (action === undefined || sectionKey === '' || !/^\d+$/.test(ownerId)) return undefined;
  return { action, sectionKey, ownerId };
}

/** The filter after picking `values` in one menu (values already resolved). */
export function withDimension(
  filter: EventFilter,
  dimension: FilterDimension,
  values: readonly string[],
): EventFilter {
  switch (dimension) {
    case 'groups':
      return canonicalFilter({ ...filter, groups: values });
    case 'courses':
      return canonicalFilter({ ...filter, hideCourses: values });
    case 'types':
      return canonicalFilter({ ...filter, hideCategories: values });
  }
}

export function availableFor(options: FilterOptions, dimension: FilterDimension): FilterOption[] {
  switch (dimension) {
    case 'groups':
      return [...options.groups];
    case 'courses':
      return [...options.courses];
    case 'types':
      return [...options.categories];
  }
}

export function selectedFor(filter: EventFilter, dimension: FilterDimension): readonly string[] {
  switch (dimension) {
    case 'groups':
      return filter.groups;
    case 'courses':
      return filter.hideCourses;
    case 'types':
      return filter.hideCategories;
  }
}

export function shortDescription(filter: EventFilter, locale: Locale): string {
  return truncate(describeFilter(filter, locale), DESCRIPTION_LIMIT);
}

type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

export type FilterPanel = {
  /** One row per dimension that has values, plus a clear button when the filter is not empty. */
  readonly rows: Row[];
  /** Sentences to add under the reply's text (how-to, truncation, nothing to choose). */
  readonly notes: string[];
};

/** The select menus (and clear button) editing one owner's filter for one section. */
export function buildFilterPanel(input: {
  readonly sectionKey: string;
  readonly ownerId: string;
  readonly filter: EventFilter;
  readonly options: FilterOptions;
  readonly t: Messages;
  /** Room left for rows in the message (Discord: 5 action rows). */
  readonly maxRows: number;
}): FilterPanel {
  const { t } = input;
  const placeholders: Record<FilterDimension, string> = {
    groups: t.filtersGroupsPlaceholder,
    courses: t.filtersCoursesPlaceholder,
    types: t.filtersTypesPlaceholder,
  };
  // Discord refuses a customId over 100 characters (a very long section name): no menus then.
  if (filtersCustomId('courses', input.sectionKey, input.ownerId).length > CUSTOM_ID_LIMIT) {
    return { rows: [], notes: [] };
  }
  const rows: Row[] = [];
  let truncated = false;
  let menus = 0;
  for (const dimension of ['groups', 'courses', 'types'] as const) {
    if (rows.length >= input.maxRows) break;
    const built = menuOptions(
      availableFor(input.options, dimension),
      selectedFor(input.filter, dimension),
      t.filtersOptionCount,
    );
    if (built.options.length === 0) continue;
    truncated ||= built.truncated;
    const menu = new StringSelectMenuBuilder()
      .setCustomId(filtersCustomId(dimension, input.sectionKey, input.ownerId))
      .setPlaceholder(placeholders[dimension])
      .setMinValues(0)
      .setMaxValues(built.options.length)
      .addOptions(built.options);
    rows.push(new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(menu).toJSON());
    menus += 1;
  }
  if (!isEmptyFilter(input.filter) && rows.length < input.maxRows) {
    rows.push(
      new ActionRowBuilder<ButtonBuilder>()
        .addComponents(
          new ButtonBuilder()
            .setStyle(ButtonStyle.Secondary)
            .setLabel(t.filtersClearButton)
            .setCustomId(filtersCustomId('clear', input.sectionKey, input.ownerId)),
        )
        .toJSON(),
    );
  }
  const notes =
    menus === 0
      ? [t.filtersNothingToChoose]
      : [t.filtersHowTo, ...(truncated ? [t.filtersTruncated(MENU_OPTION_LIMIT)] : [])];
  return { rows, notes };
}
