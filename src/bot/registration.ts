import { createHash } from 'node:crypto';
import {
  Routes,
  type REST,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Logger } from '../core/index.ts';
import type { BotStateRepository } from '../db/index.ts';

/** app_state key holding the hash of the last registered command set. */
export const COMMANDS_HASH_KEY = 'discord.commands_hash';

export type CommandScope = { readonly guildId: string | undefined };

/** Changes when a command, an option, a text or the target (guild or global) changes. */
export function hashCommandSet(
  definitions: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[],
  applicationId: string,
  scope: CommandScope,
): string {
  return createHash('sha256')
    .update(JSON.stringify({ applicationId, guildId: scope.guildId ?? null, definitions }))
    .digest('hex');
}

/** Bulk-overwrites the commands (guild: instant; global: up to an hour to show everywhere). */
export async function deployCommands(options: {
  rest: REST;
  applicationId: string;
  scope: CommandScope;
  definitions: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[];
}): Promise<number> {
  const { rest, applicationId, scope, definitions } = options;
  const route =
    scope.guildId === undefined
      ? Routes.applicationCommands(applicationId)
      : Routes.applicationGuildCommands(applicationId, scope.guildId);
  const registered = (await rest.put(route, { body: definitions })) as unknown[];
  return registered.length;
}

/** Registers the commands only when their hash differs from the stored one. */
export async function registerCommandsIfChanged(options: {
  rest: REST;
  applicationId: string;
  scope: CommandScope;
  definitions: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[];
  state: Pick<BotStateRepository, 'getValue' | 'setValue'>;
  now: () => Date;
  logger: Logger;
}): Promise<boolean> {
  const hash = hashCommandSet(options.definitions, options.applicationId, options.scope);
  if (options.state.getValue(COMMANDS_HASH_KEY) === hash) {
    options.logger.debug({ hash }, 'commands unchanged');
    return false;
  }
  const count = await deployCommands(options);
  options.state.setValue(COMMANDS_HASH_KEY, hash, options.now());
  options.logger.info(
    { commands: count, scope: options.scope.guildId === undefined ? 'global' : 'guild', hash },
    'commands registered',
  );
  return true;
}
