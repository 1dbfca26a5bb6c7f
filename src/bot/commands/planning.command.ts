import {
  ApplicationCommandOptionType,
  InteractionContextType,
  MessageFlags,
  type APIEmbed,
} from 'discord.js';
import {
  addDays,
  AppError,
  EMPTY_FILTER,
  filterFromJson,
  matchesFilter,
  toCalendarDate,
  toDiscordUserId,
  type CalendarDate,
  type EventFilter,
} from '../../core/index.ts';
import type { SectionRow, StoredEvent } from '../../db/index.ts';
import type { Command, CommandContext } from '../command.ts';
import { excerpt, schoolText } from '../text-safety.ts';
import { commandTexts, messages, type Messages } from '../messages.ts';
import { getSectionOrThrow, respondWithSections, sectionOption } from '../sections.ts';
import { dayRange, discordTime, formatCalendarDate, parseDay } from '../time.ts';

const DESCRIPTION_LIMIT = 4096;
const PLANNING_COLOR = 0x3498db;

/** The section asked for, or the caller's only subscribed section. */
function resolveSection(value: string | null, userId: string, context: CommandContext): SectionRow {
  if (value !== null) return getSectionOrThrow(value, context);
  const { repositories } = context.deps;
  const sectionIds = [
    ...new Set(
      repositories.feedTokens
        .listActiveByOwner(toDiscordUserId(userId))
        .map((row) => row.sectionId)
        .filter((id): id is number => id !== null),
    ),
  ];
  const sections = sectionIds
    .map((id) => repositories.sections.findById(id))
    .filter((row): row is SectionRow => row !== undefined);
  const only = sections.length === 1 ? sections[0] : undefined;
  if (only !== undefined) return only;
  throw new AppError('section.unknown', 'planning needs a section', {
    publicMessage: context.t.planningNeedsSection(sections.map((row) => row.name)),
  });
}

/** Today, or tomorrow once today's last class is over (or today has none left). */
/**
 * A day's classes. All-day events are dated in UTC (RFC 5545 dates, end exclusive), so they are
 * matched by date; timed ones must really overlap the day (ending at its midnight is not enough).
 */
export function eventsOfDay(
  sectionId: number,
  day: CalendarDate,
  context: CommandContext,
  filter: EventFilter = EMPTY_FILTER,
): StoredEvent[] {
  const { from, to } = dayRange(day, context.deps.config.timeZone);
  const dayUtc = Date.UTC(day.year, day.month - 1, day.day);
  return context.deps.repositories.events
    .listBetween(sectionId, from, to)
    .filter((event) =>
      event.allDay
        ? event.startsAt.getTime() <= dayUtc && event.endsAt.getTime() > dayUtc
        : event.endsAt.getTime() > from.getTime(),
    )
    .filter((event) => matchesFilter(event, filter));
}

/**
 * The caller's own view of a section: the filter of their link. With several links whose filters
 * differ, nothing is hidden (never hide a class one of their calendars shows).
 */
export function callerFilter(
  sectionId: number,
  userId: string,
  context: CommandContext,
): EventFilter {
  const links = context.deps.repositories.feedTokens.listActiveByOwner(
    toDiscordUserId(userId),
    sectionId,
  );
  const distinct = new Set(links.map((link) => link.filterJson));
  const [only] = distinct;
  return distinct.size === 1 && only !== undefined ? filterFromJson(only) : EMPTY_FILTER;
}

/** Today with its classes, or tomorrow once today's last class is over (or today has none). */
function defaultDay(
  sectionId: number,
  context: CommandContext,
  filter: EventFilter,
): { day: CalendarDate; events: StoredEvent[] } {
  const now = context.deps.clock.now();
  const today = toCalendarDate(now, context.deps.config.timeZone);
  const events = eventsOfDay(sectionId, today, context, filter);
  if (events.some((event) => event.endsAt.getTime() > now.getTime())) return { day: today, events };
  const tomorrow = addDays(today, 1);
  return { day: tomorrow, events: eventsOfDay(sectionId, tomorrow, context, filter) };
}

function dayWords(t: Messages) {
  return { ...t.dayWords, weekdays: t.weekdays };
}

function eventLine(event: StoredEvent, t: Messages): string {
  const time = event.allDay
    ? ''
    : `${discordTime(event.startsAt, 't')}–${discordTime(event.endsAt, 't')} `;
  const details = [event.location, event.teacher]
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .map((text) => schoolText(text));
  const title = `**${schoolText(event.title.trim() === '' ? t.unknownValue : event.title)}**`;
  const line = [`${time}${title}`, ...details].join(' · ');
  return event.status === 'cancelled' ? `~~${line}~~ (${t.planningCancelled})` : line;
}

/** The day's classes as an embed, with how fresh the stored data is. Pure. */
export function renderPlanning(input: {
  section: SectionRow;
  day: CalendarDate;
  events: readonly StoredEvent[];
  t: Messages;
  locale: 'fr' | 'en';
}): APIEmbed {
  const { section, t } = input;
  const lines: string[] = [];
  let length = 0;
  for (const [index, event] of input.events.entries()) {
    const line = eventLine(event, t);
    const more = t.planningMore(input.events.length - index);
    if (length + line.length + 1 + more.length + 1 > DESCRIPTION_LIMIT) {
      lines.push(more);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  const freshness = [
    section.lastSuccessAt === null
      ? t.planningNeverUpdated
      : t.planningUpdated(discordTime(section.lastSuccessAt, 'R')),
    section.lastErrorAt !== null &&
    (section.lastSuccessAt === null || section.lastErrorAt > section.lastSuccessAt)
      ? t.planningLastError(discordTime(section.lastErrorAt, 'R'))
      : '',
  ].filter((line) => line !== '');
  return {
    title: t.planningTitle(section.name, formatCalendarDate(input.day, input.locale)),
    color: PLANNING_COLOR,
    description: lines.length === 0 ? t.planningEmpty : lines.join('\n'),
    fields: [{ name: t.planningFreshness, value: freshness.join('\n') }],
  };
}

export const planningCommand = {
  admin: false,
  data: {
    name: 'planning',
    description: commandTexts.planning.fr,
    description_localizations: {
      'en-US': commandTexts.planning.en,
      'en-GB': commandTexts.planning.en,
    },
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    options: [
      sectionOption(false),
      {
        type: ApplicationCommandOptionType.String,
        name: 'day',
        description: commandTexts.optionDay.fr,
        description_localizations: {
          'en-US': commandTexts.optionDay.en,
          'en-GB': commandTexts.optionDay.en,
        },
        required: false,
        max_length: 20,
      },
    ],
  },
  async execute(interaction, context) {
    const { deps, t, locale } = context;
    const section = resolveSection(
      interaction.options.getString('section'),
      interaction.user.id,
      context,
    );
    const filter = callerFilter(section.id, interaction.user.id, context);
    const dayInput = interaction.options.getString('day');
    let day: CalendarDate;
    let events: StoredEvent[];
    if (dayInput === null) {
      ({ day, events } = defaultDay(section.id, context, filter));
    } else {
      const today = toCalendarDate(deps.clock.now(), deps.config.timeZone);
      // Either language's words work, whatever the client's locale.
      const parsed =
        parseDay(dayInput, today, dayWords(t)) ??
        parseDay(dayInput, today, dayWords(messages[locale === 'fr' ? 'en' : 'fr']));
      if (parsed === undefined) {
        throw new AppError('filter.invalid', 'unreadable day', {
          publicMessage: t.planningBadDay(excerpt(dayInput)),
        });
      }
      day = parsed;
      events = eventsOfDay(section.id, day, context, filter);
    }
    await interaction.reply({
      embeds: [renderPlanning({ section, day, events, t, locale })],
      flags: MessageFlags.Ephemeral,
    });
  },
  autocomplete: respondWithSections,
} satisfies Command;
