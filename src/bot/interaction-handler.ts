import { randomUUID } from 'node:crypto';
import {
  MessageFlags,
  type AutocompleteInteraction,
  type Interaction,
  type RepliableInteraction,
} from 'discord.js';
import { AppError, isAppError } from '../core/index.ts';
import type { BotDeps, Command, CommandContext, ComponentHandler } from './command.ts';
import { messagesFor, toLocale } from './messages.ts';
import { createLinkGate } from './link-gate.ts';
import { isAdmin } from './permissions.ts';
import { toLoggableError } from './loggable-error.ts';

function describe(interaction: Interaction): Record<string, string | undefined> {
  if (interaction.isChatInputCommand() || interaction.isAutocomplete()) {
    return { command: interaction.commandName, guildId: interaction.guildId ?? undefined };
  }
  if (interaction.isMessageComponent()) {
    return {
      component: interaction.customId.split(':')[0],
      guildId: interaction.guildId ?? undefined,
    };
  }
  return { guildId: interaction.guildId ?? undefined };
}

/**
 * Routes interactions to commands, autocompletes and component handlers. This is the one place
 * that catches: expected refusals (AppError with a public message) become an ephemeral reply,
 * anything else is logged once with a reference the user also sees.
 */
export function createInteractionHandler(options: {
  commands: readonly Command[];
  components: readonly ComponentHandler[];
  deps: BotDeps;
  startedAt: Date;
}) {
  const { deps } = options;
  const byName = new Map(options.commands.map((command) => [command.data.name, command]));
  const byPrefix = new Map(options.components.map((handler) => [handler.prefix, handler]));
  const links = createLinkGate();

  async function dispatch(interaction: Interaction, context: CommandContext): Promise<void> {
    if (interaction.isAutocomplete()) {
      await byName.get(interaction.commandName)?.autocomplete?.(interaction, context);
      return;
    }
    if (interaction.isChatInputCommand()) {
      const command = byName.get(interaction.commandName);
      if (command === undefined) {
        deps.logger.warn({ command: interaction.commandName }, 'unknown command');
        return;
      }
      if (command.admin) {
        if (!interaction.inGuild()) {
          throw new AppError('bot.forbidden', 'admin command in dm', {
            publicMessage: context.t.guildOnly,
          });
        }
        if (!isAdmin(interaction, deps.config.discord.adminRoleIds)) {
          throw new AppError('bot.forbidden', 'admin command by non-admin', {
            publicMessage: context.t.adminOnly,
          });
        }
      }
      await command.execute(interaction, context);
      return;
    }
    if (interaction.isMessageComponent()) {
      const [prefix = '', ...args] = interaction.customId.split(':');
      const handler = byPrefix.get(prefix);
      if (handler === undefined) {
        throw new AppError('bot.forbidden', 'unknown component', {
          publicMessage: context.t.unknownButton,
        });
      }
      await handler.execute(interaction, context, args);
    }
  }

  return async function handleInteraction(interaction: Interaction): Promise<void> {
    const locale = toLocale(interaction.locale);
    const context: CommandContext = {
      deps,
      locale,
      t: messagesFor(locale),
      startedAt: options.startedAt,
      links,
    };
    try {
      await dispatch(interaction, context);
    } catch (error) {
      const publicMessage = isAppError(error) ? error.publicMessage : undefined;
      const reference = randomUUID().slice(0, 8);
      const fields = {
        ...describe(interaction),
        userId: interaction.user.id,
        reference,
        ...(isAppError(error) ? { code: error.code } : { err: toLoggableError(error) }),
      };
      if (publicMessage === undefined) deps.logger.error(fields, 'interaction failed');
      else deps.logger.info(fields, 'interaction refused');
      if (interaction.isAutocomplete()) {
        await respondEmpty(interaction);
        return;
      }
      if (interaction.isRepliable()) {
        await replyPrivately(interaction, publicMessage ?? context.t.unexpectedError(reference));
      }
    }
  };
}

async function respondEmpty(interaction: AutocompleteInteraction): Promise<void> {
  if (!interaction.responded) await interaction.respond([]);
}

async function replyPrivately(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred) {
    await interaction.editReply({ content, components: [], embeds: [] });
  } else if (interaction.replied) {
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  }
}
