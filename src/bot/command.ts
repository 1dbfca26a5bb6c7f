import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageComponentInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Config } from '../config.ts';
import type { Clock, Logger } from '../core/index.ts';
import type { Repositories } from '../db/index.ts';
import type { LinkGate } from './link-gate.ts';
import type { Locale, Messages } from './messages.ts';

/** What the bot needs, and nothing more; app.ts builds it. */
export type BotDeps = {
  readonly config: {
    readonly discord: Config['discord'];
    readonly feed: Pick<Config['feed'], 'publicUrl'>;
    /** With a token set, /status also hands out a one-time dashboard login link. */
    readonly admin?: Pick<Config['admin'], 'token'>;
    readonly timeZone: string;
    readonly sections: Config['sections'];
  };
  readonly repositories: Pick<
    Repositories,
    'sections' | 'events' | 'feedTokens' | 'changes' | 'alerts' | 'botState' | 'scrapeRuns'
  >;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly version: string;
  /** Size of the database file in bytes, for /status (undefined when unknown). */
  readonly databaseSizeBytes?: () => number | undefined;
  /** Milliseconds between two background alert delivery passes (default 30 000). */
  readonly alertPassIntervalMs?: number;
  /** Rate limits longer than this fail an alert request (default 10 000; tests shorten it). */
  readonly maxRateLimitWaitMs?: number;
};

/** Per-interaction context handed to commands and component handlers. */
export type CommandContext = {
  readonly deps: BotDeps;
  readonly locale: Locale;
  readonly t: Messages;
  readonly startedAt: Date;
  /** Serializes a student's link operations; remembers the link just given. */
  readonly links: LinkGate;
};

export type Command = {
  readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Admin commands: Manage Server or an admin role, in a guild; checked again by the handler. */
  readonly admin: boolean;
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, context: CommandContext): Promise<void>;
};

/**
 * Handles message components (buttons, select menus) whose customId starts with `prefix:`
 * (`feature:action[:arg]`); `args` are the parts after the prefix.
 */
export type ComponentHandler = {
  readonly prefix: string;
  execute(
    interaction: MessageComponentInteraction,
    context: CommandContext,
    args: readonly string[],
  ): Promise<void>;
};
