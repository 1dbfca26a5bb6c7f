import {
  ApplicationCommandOptionType,
  ChannelType,
  channelMention,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  roleMention,
} from 'discord.js';
import { AppError, toDiscordUserId } from '../../core/index.ts';
import type { Command } from '../command.ts';
import { commandTexts } from '../messages.ts';
import { getSectionOrThrow, respondWithSections, sectionOption } from '../sections.ts';

const TEXT_CHANNELS = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

export const alertsCommand = {
  admin: true,
  data: {
    name: 'alerts',
    description: commandTexts.alerts.fr,
    description_localizations: { 'en-US': commandTexts.alerts.en, 'en-GB': commandTexts.alerts.en },
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
    options: [
      sectionOption(true),
      {
        type: ApplicationCommandOptionType.Channel,
        name: 'channel',
        description: commandTexts.optionChannel.fr,
        description_localizations: {
          'en-US': commandTexts.optionChannel.en,
          'en-GB': commandTexts.optionChannel.en,
        },
        required: true,
        channel_types: [...TEXT_CHANNELS],
      },
      {
        type: ApplicationCommandOptionType.Role,
        name: 'role',
        description: commandTexts.optionRole.fr,
        description_localizations: {
          'en-US': commandTexts.optionRole.en,
          'en-GB': commandTexts.optionRole.en,
        },
        required: false,
      },
    ],
  },
  async execute(interaction, context) {
    const { deps, t } = context;
    const section = getSectionOrThrow(interaction.options.getString('section', true), context);
    const channel = interaction.options.getChannel('channel', true);
    if (!(TEXT_CHANNELS as readonly ChannelType[]).includes(channel.type)) {
      throw new AppError('filter.invalid', 'alerts channel is not a text channel', {
        publicMessage: t.alertsNotText,
      });
    }
    const role = interaction.options.getRole('role');
    deps.repositories.alerts.setRoute({
      sectionId: section.id,
      channelId: channel.id,
      roleId: role?.id ?? null,
      at: deps.clock.now(),
      by: toDiscordUserId(interaction.user.id),
    });
    deps.logger.info(
      {
        sectionKey: section.key,
        channelId: channel.id,
        roleId: role?.id,
        adminId: interaction.user.id,
      },
      'alert route set',
    );
    await interaction.reply({
      content: t.alertsSet(
        section.name,
        channelMention(channel.id),
        role === null ? undefined : roleMention(role.id),
      ),
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
  },
  autocomplete: respondWithSections,
} satisfies Command;
