import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  InteractionContextType,
  MessageFlags,
  RESTJSONErrorCodes,
  type ChatInputCommandInteraction,
  type MessageComponentInteraction,
} from 'discord.js';
import {
  canonicalFilter,
  filterFromJson,
  filterToJson,
  issueFeedToken,
  isEmptyFilter,
  toDiscordUserId,
  type EventFilter,
} from '../../core/index.ts';
import type { SectionRow } from '../../db/index.ts';
import type { Command, CommandContext, ComponentHandler } from '../command.ts';
import { toFeedLinks, type FeedLinks } from '../feed-links.ts';
import type { DmOutcome, RecentLink } from '../link-gate.ts';
import { commandTexts } from '../messages.ts';
import { getSectionOrThrow, sectionOption } from '../sections.ts';
import { toLoggableError } from '../loggable-error.ts';
import { shortDescription } from '../filter-menus.ts';
import {
  currentFilter,
  filterPanel,
  groupsFromOption,
  groupsOption,
  respondWithSectionsOrGroups,
  saveFilter,
} from './filters.command.ts';

export const ROTATE_PREFIX = 'subscribe';
const ROTATE_ACTION = 'rotate';

function linkButtons(links: FeedLinks, context: CommandContext): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setStyle(ButtonStyle.Link)
      .setLabel(context.t.googleButton)
      .setURL(links.google),
    new ButtonBuilder()
      .setStyle(ButtonStyle.Link)
      .setLabel(context.t.outlookButton)
      .setURL(links.outlook),
  );
}

function linkText(section: SectionRow, links: FeedLinks, context: CommandContext): string {
  const { t } = context;
  return [
    t.linkIntro(section.name),
    `${t.linkHttps}\n${links.https}`,
    `${t.linkWebcal}\n${links.webcal}`,
    t.refreshNote,
  ].join('\n\n');
}

/**
 * Issues a new link (revoking the caller's previous ones for the section when rotating), replies
 * privately with it (the interaction is already deferred), and sends a copy by DM. A closed DM
 * (50007) is said in the reply. The new link starts with the given groups, else with the filter
 * of the link it replaces; the reply carries the select menus that edit it. Runs inside the
 * student's link gate; the link is remembered for a few seconds so a repeat shows it again.
 */
async function issueLink(
  interaction: ChatInputCommandInteraction | MessageComponentInteraction,
  context: CommandContext,
  section: SectionRow,
  start: { groups?: readonly string[]; notes?: readonly string[] } = {},
): Promise<void> {
  const { deps, t } = context;
  const owner = toDiscordUserId(interaction.user.id);
  const now = deps.clock.now();
  const revoked = deps.repositories.feedTokens.revoke({ owner, sectionId: section.id }, now);
  const inherited = filterFromJson(revoked.at(-1)?.filterJson ?? null);
  const filter: EventFilter =
    start.groups === undefined
      ? inherited
      : canonicalFilter({ ...inherited, groups: start.groups });
  const { token, tokenHash, prefix } = issueFeedToken();
  deps.repositories.feedTokens.create({
    tokenHash,
    prefix,
    ownerKind: 'discord',
    owner,
    sectionId: section.id,
    filterJson: filterToJson(filter),
    at: now,
  });
  deps.logger.info(
    { sectionKey: section.key, prefix, rotated: revoked.length, userId: owner },
    'feed link issued',
  );
  const links = toFeedLinks(deps.config.feed.publicUrl, token, section.name);
  const text = linkText(section, links, context);
  const buttons = linkButtons(links, context);

  let dm: DmOutcome;
  try {
    await interaction.user.send({
      content: `${t.dmCopyHeader(section.name)}\n\n${text}`,
      components: [buttons],
    });
    dm = 'sent';
  } catch (error) {
    if (
      error instanceof DiscordAPIError &&
      error.code === RESTJSONErrorCodes.CannotSendMessagesToThisUser
    ) {
      dm = 'closed';
      deps.logger.info({ userId: owner }, 'feed link dm closed');
    } else {
      dm = 'failed';
      deps.logger.warn({ err: toLoggableError(error), userId: owner }, 'feed link dm failed');
    }
  }
  const recent: RecentLink = {
    token,
    prefix,
    filterJson: filterToJson(filter),
    rotated: revoked.length,
    dm,
    at: deps.clock.now().getTime(),
  };
  context.links.remember(owner, section.id, recent);
  await showLink(interaction, context, section, recent, start.notes ?? []);
}

/** The private reply with a link (just issued, or the one issued seconds ago). */
async function showLink(
  interaction: ChatInputCommandInteraction | MessageComponentInteraction,
  context: CommandContext,
  section: SectionRow,
  link: RecentLink,
  notes: readonly string[],
): Promise<void> {
  const { deps, t, locale } = context;
  const filter = filterFromJson(link.filterJson);
  const links = toFeedLinks(deps.config.feed.publicUrl, link.token, section.name);
  const text = linkText(section, links, context);
  const buttons = linkButtons(links, context);
  const dmNote =
    link.dm === 'sent' ? t.dmCopySent : link.dm === 'closed' ? t.dmCopyClosed : t.dmCopyFailed;
  const rotated = t.rotatedNote(link.rotated);
  const panel = filterPanel(section, interaction.user.id, filter, context, 1);
  const filterLine = isEmptyFilter(filter)
    ? ''
    : t.filtersCurrent(section.name, shortDescription(filter, locale));
  await interaction.editReply({
    content: [text, rotated, dmNote, filterLine, ...notes, ...panel.notes]
      .filter((line) => line !== '')
      .join('\n\n'),
    components: [buttons.toJSON(), ...panel.rows],
  });
}

/** The link given to this student for this section moments ago, if it is still live. */
function recentLink(
  context: CommandContext,
  section: SectionRow,
  owner: string,
): RecentLink | undefined {
  const recent = context.links.recall(owner, section.id, context.deps.clock.now());
  if (recent === undefined) return undefined;
  const live = context.deps.repositories.feedTokens
    .listActiveByOwner(toDiscordUserId(owner), section.id)
    .some((row) => row.prefix === recent.prefix);
  if (live) return recent;
  context.links.forget(owner, section.id);
  return undefined;
}

export const subscribeCommand = {
  admin: false,
  data: {
    name: 'subscribe',
    description: commandTexts.subscribe.fr,
    description_localizations: {
      'en-US': commandTexts.subscribe.en,
      'en-GB': commandTexts.subscribe.en,
    },
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    options: [sectionOption(true), groupsOption],
  },
  async execute(interaction, context) {
    const { t, locale } = context;
    const section = getSectionOrThrow(interaction.options.getString('section', true), context);
    const owner = toDiscordUserId(interaction.user.id);
    const chosen = groupsFromOption(interaction.options.getString('groups'), section, context);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    // One link operation per student at a time; what exists is checked again once our turn comes.
    await context.links.serialize(owner, async () => {
      const existing = context.deps.repositories.feedTokens.listActiveByOwner(owner, section.id);
      if (existing.length === 0) {
        await issueLink(interaction, context, section, {
          ...(chosen.groups === undefined ? {} : { groups: chosen.groups }),
          notes: chosen.notes,
        });
        return;
      }
      const recent = chosen.groups === undefined ? recentLink(context, section, owner) : undefined;
      if (recent !== undefined) {
        // The same request seconds later: the same link (a new one would kill the first).
        await showLink(interaction, context, section, recent, chosen.notes);
        return;
      }
      // Already subscribed with groups given: the existing link follows them (same URL).
      const lines: string[] = [];
      if (chosen.groups !== undefined) {
        const filter = canonicalFilter({ ...currentFilter(existing), groups: chosen.groups });
        saveFilter(existing, filter, context, section);
        lines.push(t.filtersSaved(section.name, shortDescription(filter, locale)));
      }
      const rotate = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder()
          .setStyle(ButtonStyle.Danger)
          .setLabel(context.t.rotateButton)
          .setCustomId(`${ROTATE_PREFIX}:${ROTATE_ACTION}:${section.key}`),
      );
      await interaction.editReply({
        content: [
          t.alreadySubscribed(
            section.name,
            existing.map((row) => row.prefix),
          ),
          ...lines,
          ...chosen.notes,
        ].join('\n\n'),
        components: [rotate],
      });
    });
  },
  autocomplete: respondWithSectionsOrGroups,
} satisfies Command;

/** The "new link" button under an "already subscribed" reply. */
export const rotateLinkButton = {
  prefix: ROTATE_PREFIX,
  async execute(interaction, context, args) {
    const [action, sectionKey] = args;
    if (action !== ROTATE_ACTION || sectionKey === undefined) {
      await interaction.reply({ content: context.t.unknownButton, flags: MessageFlags.Ephemeral });
      return;
    }
    const section = getSectionOrThrow(sectionKey, context);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const owner = toDiscordUserId(interaction.user.id);
    await context.links.serialize(owner, async () => {
      // A double click: the link the first click issued, not a third one.
      const recent = recentLink(context, section, owner);
      if (recent !== undefined) await showLink(interaction, context, section, recent, []);
      else await issueLink(interaction, context, section);
    });
  },
} satisfies ComponentHandler;
