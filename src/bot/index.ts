/** bot: the Discord bot (slash commands, feed links, change alerts from the outbox). */
export { createBot, type Bot } from './bot.ts';
export type { BotDeps } from './command.ts';
export { commandDefinitions } from './commands/index.ts';
export { COMMANDS_HASH_KEY, deployCommands, hashCommandSet } from './registration.ts';
