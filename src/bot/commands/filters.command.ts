import {
  ApplicationCommandOptionType,
  InteractionContextType,
  MessageFlags,
  type AutocompleteInteraction,
} from 'discord.js';
import {
  AppError,
  canonicalFilter,
  deriveFilterOptions,
  EMPTY_FILTER,
  filterFromJson,
  filterToJson,
  isEmptyFilter,
  toDiscordUserId,
  toSectionKey,
  type EventFilter,
  type FilterOptions,
} from '../../core/index.ts';
import type { FeedTokenRow, SectionRow } from '../../db/index.ts';
import type { Command, CommandContext, ComponentHandler } from '../command.ts';
import {
  availableFor,
  buildFilterPanel,
  FILTERS_PREFIX,
  groupChoices,
  parseFiltersArgs,
  parseGroupsInput,
  resolvePicked,
  selectedFor,
  shortDescription,
  truncate,
  withDimension,
  type FilterPanel,
} from '../filter-menus.ts';
import { commandTexts } from '../messages.ts';
import { getSectionOrThrow, respondWithSections, sectionOption } from '../sections.ts';
import { excerpt } from '../text-safety.ts';

/** Discord allows 5 action rows per message. */
const MAX_ROWS = 5;
/** The `groups` option's length, and the note on unknown groups: replies stay under 2,000. */
const GROUPS_INPUT_LIMIT = 300;
const UNKNOWN_NOTE_LIMIT = 300;

export function sectionOptions(section: SectionRow, context: CommandContext): FilterOptions {
  return deriveFilterOptions(context.deps.repositories.events.listCurrent(section.id));
}

/** The filter of the caller's link(s) for a section: the newest link's. */
export function currentFilter(links: readonly FeedTokenRow[]): EventFilter {
  return filterFromJson(links.at(-1)?.filterJson ?? null);
}

/** Saves a filter on every live link of the owner for the section (usually one); same URLs. */
export function saveFilter(
  links: readonly FeedTokenRow[],
  filter: EventFilter,
  context: CommandContext,
  section: SectionRow,
): void {
  const { deps } = context;
  const json = filterToJson(filter);
  const now = deps.clock.now();
  for (const link of links) deps.repositories.feedTokens.setFilter(link.id, json, now);
  deps.logger.info(
    {
      sectionKey: section.key,
      prefixes: links.map((link) => link.prefix),
      filtered: json !== null,
    },
    'feed link filter changed',
  );
}

export function filterPanel(
  section: SectionRow,
  ownerId: string,
  filter: EventFilter,
  context: CommandContext,
  usedRows: number,
): FilterPanel {
  return buildFilterPanel({
    sectionKey: section.key,
    ownerId,
    filter,
    options: sectionOptions(section, context),
    t: context.t,
    maxRows: MAX_ROWS - usedRows,
  });
}

/**
 * The optional `groups` option of /subscribe and /filters: the chosen groups in the section's
 * spelling (undefined when the option was not given) and a note on the unknown ones.
 */
export function groupsFromOption(
  input: string | null,
  section: SectionRow,
  context: CommandContext,
): { groups: string[] | undefined; notes: string[] } {
  if (input === null || input.trim() === '') return { groups: undefined, notes: [] };
  const parsed = parseGroupsInput(input, sectionOptions(section, context).groups);
  return {
    groups: parsed.groups.length === 0 ? undefined : parsed.groups,
    notes:
      parsed.unknown.length === 0
        ? []
        : // Typed by the user: quoted as short, inert excerpts (a few of them), never echoed whole.
          [
            truncate(
              context.t.filtersUnknownGroups(
                parsed.unknown.slice(0, 5).map((group) => excerpt(group, 30)),
              ),
              UNKNOWN_NOTE_LIMIT,
            ),
          ],
  };
}

/** Autocomplete of /subscribe and /filters: sections, or the chosen section's groups. */
export async function respondWithSectionsOrGroups(
  interaction: AutocompleteInteraction,
  context: CommandContext,
): Promise<void> {
  const focused = interaction.options.getFocused(true);
  if (focused.name !== 'groups') {
    await respondWithSections(interaction, context);
    return;
  }
  const key = toSectionKey(interaction.options.getString('section') ?? '');
  const configured = context.deps.config.sections.some((section) => section.key === key);
  const section = configured ? context.deps.repositories.sections.findByKey(key) : undefined;
  await interaction.respond(
    section === undefined
      ? []
      : groupChoices(focused.value, sectionOptions(section, context).groups),
  );
}

export const groupsOption = {
  type: ApplicationCommandOptionType.String,
  name: 'groups',
  description: commandTexts.optionGroups.fr,
  description_localizations: {
    'en-US': commandTexts.optionGroups.en,
    'en-GB': commandTexts.optionGroups.en,
  },
  required: false,
  max_length: GROUPS_INPUT_LIMIT,
  autocomplete: true,
} as const;

export const filtersCommand = {
  admin: false,
  data: {
    name: 'filters',
    description: commandTexts.filters.fr,
    description_localizations: {
      'en-US': commandTexts.filters.en,
      'en-GB': commandTexts.filters.en,
    },
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    options: [sectionOption(true), groupsOption],
  },
  async execute(interaction, context) {
    const { deps, t, locale } = context;
    const section = getSectionOrThrow(interaction.options.getString('section', true), context);
    const owner = toDiscordUserId(interaction.user.id);
    const links = deps.repositories.feedTokens.listActiveByOwner(owner, section.id);
    if (links.length === 0) {
      await interaction.reply({
        content: t.filtersNoLink(section.name),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    let filter = currentFilter(links);
    const chosen = groupsFromOption(interaction.options.getString('groups'), section, context);
    const lines: string[] = [];
    if (chosen.groups !== undefined) {
      filter = canonicalFilter({ ...filter, groups: chosen.groups });
      saveFilter(links, filter, context, section);
      lines.push(t.filtersSaved(section.name, shortDescription(filter, locale)));
    } else {
      lines.push(t.filtersCurrent(section.name, shortDescription(filter, locale)));
    }
    const panel = filterPanel(section, interaction.user.id, filter, context, 0);
    await interaction.reply({
      content: [...lines, ...chosen.notes, ...panel.notes].join('\n\n'),
      components: panel.rows,
      flags: MessageFlags.Ephemeral,
    });
  },
  autocomplete: respondWithSectionsOrGroups,
} satisfies Command;

/**
 * The select menus and the clear button under a /subscribe or /filters reply. Only the link's
 * owner may use them; the filter is saved on their live link(s) for the section (same URL).
 */
export const filtersComponent = {
  prefix: FILTERS_PREFIX,
  async execute(interaction, context, args) {
    const { deps, t, locale } = context;
    const parsed = parseFiltersArgs(args);
    if (parsed === undefined) {
      await interaction.reply({ content: t.unknownButton, flags: MessageFlags.Ephemeral });
      return;
    }
    if (parsed.ownerId !== interaction.user.id) {
      throw new AppError('bot.forbidden', 'filter menu used by another user', {
        publicMessage: t.filtersNotYours,
      });
    }
    const section = getSectionOrThrow(parsed.sectionKey, context);
    const links = deps.repositories.feedTokens.listActiveByOwner(
      toDiscordUserId(interaction.user.id),
      section.id,
    );
    if (links.length === 0) {
      await interaction.reply({
        content: t.filtersNoLink(section.name),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    const current = currentFilter(links);
    let next: EventFilter;
    if (parsed.action === 'clear') {
      next = EMPTY_FILTER;
    } else {
      const picked = interaction.isStringSelectMenu() ? interaction.values : [];
      const values = resolvePicked(
        picked,
        availableFor(sectionOptions(section, context), parsed.action),
        selectedFor(current, parsed.action),
      );
      next = withDimension(current, parsed.action, values);
    }
    saveFilter(links, next, context, section);
    await interaction.reply({
      content: isEmptyFilter(next)
        ? t.filtersCleared(section.name)
        : t.filtersSaved(section.name, shortDescription(next, locale)),
      flags: MessageFlags.Ephemeral,
    });
  },
} satisfies ComponentHandler;
