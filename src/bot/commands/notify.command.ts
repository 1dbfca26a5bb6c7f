import { ApplicationCommandOptionType, InteractionContextType, MessageFlags } from 'discord.js';
import { toDiscordUserId } from '../../core/index.ts';
import type { Command } from '../command.ts';
import { commandTexts } from '../messages.ts';

export const notifyCommand = {
  admin: false,
  data: {
    name: 'notify',
    description: commandTexts.notify.fr,
    description_localizations: { 'en-US': commandTexts.notify.en, 'en-GB': commandTexts.notify.en },
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'on',
        description: commandTexts.notifyOn.fr,
        description_localizations: {
          'en-US': commandTexts.notifyOn.en,
          'en-GB': commandTexts.notifyOn.en,
        },
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'off',
        description: commandTexts.notifyOff.fr,
        description_localizations: {
          'en-US': commandTexts.notifyOff.en,
          'en-GB': commandTexts.notifyOff.en,
        },
      },
    ],
  },
  async execute(interaction, context) {
    const { deps, t, locale } = context;
    const enabled = interaction.options.getSubcommand(true) === 'on';
    const discordUserId = toDiscordUserId(interaction.user.id);
    deps.repositories.botState.setNotifyPref({
      discordUserId,
      enabled,
      locale,
      at: deps.clock.now(),
    });
    const subscribed = deps.repositories.feedTokens.listActiveByOwner(discordUserId).length > 0;
    await interaction.reply({
      content: !enabled ? t.notifyOff : subscribed ? t.notifyOn : t.notifyOnNoSubscription,
      flags: MessageFlags.Ephemeral,
    });
  },
} satisfies Command;
