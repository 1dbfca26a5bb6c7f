import {
  ApplicationCommandOptionType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  userMention,
} from 'discord.js';
import {
  AppError,
  FEED_TOKEN_PREFIX_LENGTH,
  toDiscordUserId,
  type DiscordUserId,
} from '../../core/index.ts';
import type { FeedTokenRow } from '../../db/index.ts';
import type { Command } from '../command.ts';
import { commandTexts, messagesFor, toLocale } from '../messages.ts';
import { getSectionOrThrow, respondWithSections } from '../sections.ts';
import { toLoggableError } from '../loggable-error.ts';
import { FREE_TEXT_MAX_LENGTH } from '../text-safety.ts';

const PREFIX_PATTERN = new RegExp(`^[0-9a-f]{${FEED_TOKEN_PREFIX_LENGTH}}$`);

export const revokeCommand = {
  admin: true,
  data: {
    name: 'revoke',
    description: commandTexts.revoke.fr,
    description_localizations: { 'en-US': commandTexts.revoke.en, 'en-GB': commandTexts.revoke.en },
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
    options: [
      {
        type: ApplicationCommandOptionType.User,
        name: 'user',
        description: commandTexts.optionUser.fr,
        description_localizations: {
          'en-US': commandTexts.optionUser.en,
          'en-GB': commandTexts.optionUser.en,
        },
        required: false,
      },
      {
        type: ApplicationCommandOptionType.String,
        name: 'section',
        description: commandTexts.optionRevokeSection.fr,
        description_localizations: {
          'en-US': commandTexts.optionRevokeSection.en,
          'en-GB': commandTexts.optionRevokeSection.en,
        },
        required: false,
        autocomplete: true,
        max_length: FREE_TEXT_MAX_LENGTH,
      },
      {
        type: ApplicationCommandOptionType.String,
        name: 'prefix',
        description: commandTexts.optionPrefix.fr,
        description_localizations: {
          'en-US': commandTexts.optionPrefix.en,
          'en-GB': commandTexts.optionPrefix.en,
        },
        required: false,
        min_length: FEED_TOKEN_PREFIX_LENGTH,
        max_length: FEED_TOKEN_PREFIX_LENGTH,
      },
    ],
  },
  async execute(interaction, context) {
    const { deps, t } = context;
    const user = interaction.options.getUser('user');
    const sectionValue = interaction.options.getString('section');
    const prefix = interaction.options.getString('prefix')?.trim().toLowerCase() ?? null;
    if (user === null && prefix === null) {
      throw new AppError('token.invalid_input', 'revoke without target', {
        publicMessage: t.revokeNeedsTarget,
      });
    }
    if (prefix !== null && !PREFIX_PATTERN.test(prefix)) {
      throw new AppError('token.invalid_input', 'malformed prefix', {
        publicMessage: t.revokeBadPrefix(FEED_TOKEN_PREFIX_LENGTH),
      });
    }
    const section = sectionValue === null ? undefined : getSectionOrThrow(sectionValue, context);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });

    const now = deps.clock.now();
    const tokens = deps.repositories.feedTokens;
    // A section or a user given with the prefix narrows it (never another section's links).
    const revokeByPrefix = (value: string): FeedTokenRow[] => {
      const ids = tokens
        .list()
        .filter(
          (row) =>
            row.prefix === value &&
            (section === undefined || row.sectionId === section.id) &&
            (user === null || row.owner === user.id),
        )
        .map((row) => row.id);
      return ids.length === 0 ? [] : tokens.revoke({ ids }, now);
    };
    const revoked: FeedTokenRow[] =
      prefix !== null
        ? revokeByPrefix(prefix)
        : tokens.revoke(
            {
              owner: toDiscordUserId(user?.id ?? ''),
              ...(section === undefined ? {} : { sectionId: section.id }),
            },
            now,
          );
    deps.logger.info(
      {
        adminId: interaction.user.id,
        revoked: revoked.length,
        prefixes: revoked.map((row) => row.prefix),
      },
      'feed links revoked by admin',
    );
    if (revoked.length === 0) {
      await interaction.editReply({ content: t.revokeNothing });
      return;
    }

    const sectionName = (id: number | null): string =>
      id === null ? t.allSections : (deps.repositories.sections.findById(id)?.name ?? String(id));
    const lines = revoked.map((row) =>
      t.revokeLine(
        row.prefix,
        sectionName(row.sectionId),
        row.ownerKind === 'discord' ? userMention(row.owner) : row.owner,
      ),
    );

    const byOwner = new Map<DiscordUserId, string[]>();
    for (const row of revoked) {
      if (row.ownerKind !== 'discord') continue;
      const owner = toDiscordUserId(row.owner);
      byOwner.set(owner, [...(byOwner.get(owner) ?? []), sectionName(row.sectionId)]);
    }
    const notes: string[] = [];
    for (const [owner, sections] of byOwner) {
      try {
        const target = await interaction.client.users.fetch(owner);
        // The user's own language when /notify recorded it, French otherwise.
        const ownerLocale = toLocale(deps.repositories.botState.findNotifyPref(owner)?.locale);
        await target.send({
          content: messagesFor(ownerLocale).revokedDm([...new Set(sections)]),
        });
        notes.push(t.revokeUserNotified(userMention(owner)));
      } catch (error) {
        deps.logger.info(
          { err: toLoggableError(error), userId: owner },
          'revocation dm not delivered',
        );
        notes.push(t.revokeUserNotNotified(userMention(owner)));
      }
    }
    await interaction.editReply({
      content: [t.revokeDone(lines), ...notes].join('\n'),
      allowedMentions: { parse: [] },
    });
  },
  autocomplete: respondWithSections,
} satisfies Command;
