import { Client, Events, GatewayIntentBits, type RateLimitData } from 'discord.js';
import type { AlertNotifier } from '../core/index.ts';
import { createAlertDelivery, createRestAlertPoster, type AlertPoster } from './alerts.ts';
import type { BotDeps } from './command.ts';
import { commandDefinitions, commands, componentHandlers } from './commands/index.ts';
import { createInteractionHandler } from './interaction-handler.ts';
import { registerCommandsIfChanged } from './registration.ts';
import { toLoggableError } from './loggable-error.ts';

const DEFAULT_ALERT_PASS_MS = 30_000;
/** Longer rate limits fail the request (the outbox retries later) instead of blocking. */
const MAX_RATE_LIMIT_WAIT_MS = 10_000;

export type Bot = {
  /** Logs in (Guilds intent only), registers commands if they changed, starts alert delivery. */
  start(): Promise<void>;
  /** Stops alert delivery and disconnects; idempotent. */
  stop(): Promise<void>;
  /** The scraper calls notify() after writing to the alert outbox. */
  readonly notifier: AlertNotifier;
  /** Outbox entries not delivered yet. */
  backlog(): number;
};

export function createBot(deps: BotDeps): Bot {
  const { config, logger, clock, repositories } = deps;
  let client: Client | undefined;
  let poster: AlertPoster | undefined;
  const startedAt = clock.now();

  const delivery = createAlertDelivery({
    repositories,
    config: {
      alertsChannelId: config.discord.alertsChannelId,
      alertWindowDays: config.discord.alertWindowDays,
    },
    clock,
    logger,
    poster: () => poster,
    intervalMs: deps.alertPassIntervalMs ?? DEFAULT_ALERT_PASS_MS,
  });
  const handleInteraction = createInteractionHandler({
    commands,
    components: componentHandlers,
    deps,
    startedAt,
  });

  async function start(): Promise<void> {
    const token = config.discord.token;
    if (token === undefined) {
      logger.info('discord bot off (no DISCORD_TOKEN)');
      return;
    }
    if (client !== undefined) return;
    const created = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: {
        api: config.discord.apiUrl,
        rejectOnRateLimit: (data: RateLimitData) => data.retryAfter > MAX_RATE_LIMIT_WAIT_MS,
      },
    });
    client = created;
    created.on(Events.InteractionCreate, (interaction) => {
      handleInteraction(interaction).catch((error: unknown) => {
        logger.error({ err: toLoggableError(error) }, 'could not answer an interaction');
      });
    });
    created.on(Events.Error, (error) => {
      logger.error({ err: toLoggableError(error) }, 'discord client error');
    });
    created.on(Events.ShardResume, (shardId, replayed) => {
      logger.info({ shardId, replayed }, 'discord session resumed');
    });
    const ready = new Promise<void>((resolve) => {
      created.once(Events.ClientReady, () => {
        resolve();
      });
    });
    try {
      await created.login(token);
      await ready;
    } catch (error) {
      client = undefined;
      await created.destroy();
      throw error;
    }
    poster = createRestAlertPoster(created.rest);
    logger.info(
      { userId: created.user?.id, guilds: created.guilds.cache.size },
      'discord bot connected',
    );

    const applicationId = created.application?.id;
    if (applicationId === undefined) {
      logger.error('discord ready without an application id; commands not registered');
    } else {
      await registerCommandsIfChanged({
        rest: created.rest,
        applicationId,
        scope: { guildId: config.discord.guildId },
        definitions: commandDefinitions,
        state: repositories.botState,
        now: () => clock.now(),
        logger,
      }).catch((error: unknown) => {
        logger.error({ err: toLoggableError(error) }, 'command registration failed');
      });
    }
    delivery.start();
  }

  async function stop(): Promise<void> {
    await delivery.stop();
    poster = undefined;
    const current = client;
    client = undefined;
    if (current !== undefined) {
      await current.destroy();
      logger.info('discord bot stopped');
    }
  }

  return {
    start,
    stop,
    notifier: {
      notify: () => {
        delivery.notify();
      },
    },
    backlog: () => repositories.alerts.countUndelivered(),
  };
}
