import { InteractionContextType, MessageFlags } from 'discord.js';
import { toDiscordUserId } from '../../core/index.ts';
import type { Command } from '../command.ts';
import { commandTexts } from '../messages.ts';
import { getSectionOrThrow, sectionChoices, sectionOption } from '../sections.ts';

export const unsubscribeCommand = {
  admin: false,
  data: {
    name: 'unsubscribe',
    description: commandTexts.unsubscribe.fr,
    description_localizations: {
      'en-US': commandTexts.unsubscribe.en,
      'en-GB': commandTexts.unsubscribe.en,
    },
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    options: [sectionOption(true)],
  },
  async execute(interaction, context) {
    const { deps, t } = context;
    const section = getSectionOrThrow(interaction.options.getString('section', true), context);
    const owner = toDiscordUserId(interaction.user.id);
    const revoked = deps.repositories.feedTokens.revoke(
      { owner, sectionId: section.id },
      deps.clock.now(),
    );
    deps.logger.info(
      { sectionKey: section.key, userId: owner, revoked: revoked.length },
      'feed link revoked by owner',
    );
    await interaction.reply({
      content:
        revoked.length === 0
          ? t.notSubscribed(section.name)
          : t.unsubscribed(section.name, revoked.length),
      flags: MessageFlags.Ephemeral,
    });
  },
  /** The caller's subscribed sections first-hand (every section when they have none). */
  async autocomplete(interaction, context) {
    const { repositories, config } = context.deps;
    const subscribed = new Set(
      repositories.feedTokens
        .listActiveByOwner(toDiscordUserId(interaction.user.id))
        .map((row) => row.sectionId),
    );
    const ids = new Map(repositories.sections.list().map((row) => [row.key, row.id]));
    const mine = config.sections.filter((section) => subscribed.has(ids.get(section.key) ?? -1));
    await interaction.respond(
      sectionChoices(mine.length > 0 ? mine : config.sections, interaction.options.getFocused()),
    );
  },
} satisfies Command;
