import { DiscordAPIError, REST, Routes } from 'discord.js';
import {
  COMMANDS_HASH_KEY,
  commandDefinitions,
  deployCommands,
  hashCommandSet,
} from '../bot/index.ts';
import type { Config } from '../config.ts';
import type { Repositories } from '../db/index.ts';

const USAGE = 'usage: npm run cli -- commands deploy [--guild ID]';
const SNOWFLAKE = /^\d{15,22}$/;

/**
 * `commands deploy [--guild ID]`: bulk-overwrites the slash commands over REST (no gateway) in
 * one guild (instant) or globally, and records their hash so the bot does not redo it at start.
 * Without --guild, DISCORD_GUILD_ID decides.
 */
export async function commandsDeployCommand(
  args: string[],
  ctx: {
    config: Pick<Config, 'discord'>;
    repositories: Pick<Repositories, 'botState'>;
    print: (line: string) => void;
  },
): Promise<number> {
  const rest = args[0] === 'deploy' ? args.slice(1) : args;
  let guildId = ctx.config.discord.guildId;
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index];
    if (arg === '--guild') {
      guildId = rest[index + 1];
      index += 1;
      if (guildId === undefined || !SNOWFLAKE.test(guildId)) {
        ctx.print(`--guild needs a Discord id\n${USAGE}`);
        return 1;
      }
    } else {
      ctx.print(`unknown argument "${arg ?? ''}"\n${USAGE}`);
      return 1;
    }
  }
  const token = ctx.config.discord.token;
  if (token === undefined) {
    ctx.print('DISCORD_TOKEN is not set: nothing to deploy to');
    return 1;
  }
  const client = new REST({ api: ctx.config.discord.apiUrl }).setToken(token);
  try {
    const application = (await client.get(Routes.currentApplication())) as { id: string };
    const scope = { guildId };
    const count = await deployCommands({
      rest: client,
      applicationId: application.id,
      scope,
      definitions: commandDefinitions,
    });
    ctx.repositories.botState.setValue(
      COMMANDS_HASH_KEY,
      hashCommandSet(commandDefinitions, application.id, scope),
      new Date(),
    );
    ctx.print(
      guildId === undefined
        ? `registered ${count} commands globally (Discord may take up to an hour to show them everywhere)`
        : `registered ${count} commands in guild ${guildId}`,
    );
    return 0;
  } catch (error) {
    ctx.print(
      error instanceof DiscordAPIError
        ? `Discord refused the commands: ${error.status} ${error.message}`
        : `could not reach Discord: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
}
