import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  InteractionContextType,
  MessageFlags,
  RESTJSONErrorCodes,
  type ChatInputCommandInteraction,
  type MessageComponentInteraction,
} from 'discord.js';
import { issueFeedToken, toDiscordUserId } from '../../core/index.ts';
import type { SectionRow } from '../../db/index.ts';
import type { Command, CommandContext, ComponentHandler } from '../command.ts';
import { toFeedLinks, type FeedLinks } from '../feed-links.ts';
import { commandTexts } from '../messages.ts';
import { getSectionOrThrow, respondWithSections } from '../sections.ts';
import { toLoggableError } from '../loggable-error.ts';

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

type DmOutcome = 'sent' | 'closed' | 'failed';

/**
 * Issues a new link (revoking the caller's previous ones for the section when rotating), replies
 * privately with it, and sends a copy by DM. A closed DM (50007) is said in the reply.
 */
async function issueLink(
  interaction: ChatInputCommandInteraction | MessageComponentInteraction,
  context: CommandContext,
  section: SectionRow,
): Promise<void> {
  const { deps, t } = context;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const owner = toDiscordUserId(interaction.user.id);
  const now = deps.clock.now();
  const revoked = deps.repositories.feedTokens.revoke({ owner, sectionId: section.id }, now);
  const { token, tokenHash, prefix } = issueFeedToken();
  deps.repositories.feedTokens.create({
    tokenHash,
    prefix,
    ownerKind: 'discord',
    owner,
    sectionId: section.id,
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
  const dmNote = dm === 'sent' ? t.dmCopySent : dm === 'closed' ? t.dmCopyClosed : t.dmCopyFailed;
  const rotated = t.rotatedNote(revoked.length);
  await interaction.editReply({
    content: [text, rotated, dmNote].filter((line) => line !== '').join('\n\n'),
    components: [buttons],
  });
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
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: 'section',
        description: commandTexts.optionSection.fr,
        description_localizations: {
          'en-US': commandTexts.optionSection.en,
          'en-GB': commandTexts.optionSection.en,
        },
        required: true,
        autocomplete: true,
      },
    ],
  },
  async execute(interaction, context) {
    const section = getSectionOrThrow(interaction.options.getString('section', true), context);
    const owner = toDiscordUserId(interaction.user.id);
    const existing = context.deps.repositories.feedTokens.listActiveByOwner(owner, section.id);
    if (existing.length === 0) {
      await issueLink(interaction, context, section);
      return;
    }
    const rotate = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setStyle(ButtonStyle.Danger)
        .setLabel(context.t.rotateButton)
        .setCustomId(`${ROTATE_PREFIX}:${ROTATE_ACTION}:${section.key}`),
    );
    await interaction.reply({
      content: context.t.alreadySubscribed(
        section.name,
        existing.map((row) => row.prefix),
      ),
      components: [rotate],
      flags: MessageFlags.Ephemeral,
    });
  },
  autocomplete: respondWithSections,
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
    await issueLink(interaction, context, getSectionOrThrow(sectionKey, context));
  },
} satisfies ComponentHandler;
