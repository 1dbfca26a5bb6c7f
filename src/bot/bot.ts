import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  DiscordAPIError,
  DiscordjsError,
  DiscordjsErrorCodes,
  Events,
  GatewayIntentBits,
  type RateLimitData,
} from 'discord.js';
import { toDiscordUserId, type AlertNotifier } from '../core/index.ts';
import { createAlertDelivery, createRestAlertPoster, type AlertPoster } from './alerts.ts';
import type { BotDeps } from './command.ts';
import { commandDefinitions, commands, componentHandlers } from './commands/index.ts';
import { createInteractionHandler } from './interaction-handler.ts';
import { registerCommandsIfChanged } from './registration.ts';
import { toLoggableError } from './loggable-error.ts';

const DEFAULT_ALERT_PASS_MS = 30_000;
/** Longer rate limits on the alert routes fail the request (the outbox retries later). */
const MAX_RATE_LIMIT_WAIT_MS = 10_000;
const LOGIN_BACKOFF_BASE_MS = 1_000;
const LOGIN_BACKOFF_MAX_MS = 60_000;
/** A login that neither succeeds nor fails within this delay is abandoned and retried. */
const LOGIN_TIMEOUT_MS = 60_000;

export type BotConnection =
  'connecting' | 'connected' | 'reconnecting' | 'token_rejected' | 'stopped';

export type BotStatus = {
  readonly connected: boolean;
  readonly state: BotConnection;
  /** Failed login attempts since the last success. */
  readonly loginFailures: number;
};

export type Bot = {
  /**
   * Starts logging in in the background (retrying with backoff while Discord is down) and
   * resolves once connected; never rejects. The app does not wait for it.
   */
  start(): Promise<void>;
  /** Stops alert delivery and disconnects; idempotent. */
  stop(): Promise<void>;
  /** The scraper calls notify() after writing to the alert outbox. */
  readonly notifier: AlertNotifier;
  /** Outbox entries not delivered yet. */
  backlog(): number;
  /** For /healthz: whether the gateway session is up. */
  status(): BotStatus;
};

/**
 * The routes alert delivery posts on (a message, a DM channel). Only these give up on a long rate
 * limit (the outbox retries later); everything else waits it out, above all interaction
 * responses, whose token lives 15 minutes and which are not under the global limit.
 */
export function isAlertRoute(data: Pick<RateLimitData, 'method' | 'route'>): boolean {
  return (
    data.method.toUpperCase() === 'POST' &&
    (data.route === '/channels/:id/messages' || data.route === '/users/@me/channels')
  );
}

function isTokenRejected(error: unknown): boolean {
  return (
    (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid) ||
    (error instanceof DiscordAPIError && error.status === 401)
  );
}

export function createBot(deps: BotDeps): Bot {
  const { config, logger, clock, repositories } = deps;
  let client: Client | undefined;
  let poster: AlertPoster | undefined;
  let state: BotConnection = 'stopped';
  let loginFailures = 0;
  let everConnected = false;
  let starting: Promise<void> | undefined;
  let stopController: AbortController | undefined;
  const startedAt = clock.now();
  const maxRateLimitWaitMs = deps.maxRateLimitWaitMs ?? MAX_RATE_LIMIT_WAIT_MS;

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

  function newClient(): Client {
    const created = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: {
        api: config.discord.apiUrl,
        // Alert routes give up on long rate limits and the outbox retries; everything else, and
        // above all interaction responses, waits them out (the student sees "thinking…" meanwhile).
        rejectOnRateLimit: (data: RateLimitData) =>
          isAlertRoute(data) && data.retryAfter > maxRateLimitWaitMs,
      },
    });
    created.on(Events.InteractionCreate, (interaction) => {
      // Any interaction lifts a "DMs closed" mark: the student is around and may have opened them.
      try {
        if (repositories.botState.clearDmClosed(toDiscordUserId(interaction.user.id))) {
          logger.info({ userId: interaction.user.id }, 'alert dms resumed after an interaction');
        }
      } catch (error) {
        logger.error({ err: toLoggableError(error) }, 'could not lift a dm-closed mark');
      }
      handleInteraction(interaction).catch((error: unknown) => {
        logger.error({ err: toLoggableError(error) }, 'could not answer an interaction');
      });
    });
    created.on(Events.Error, (error) => {
      logger.error({ err: toLoggableError(error) }, 'discord client error');
    });
    created.on(Events.ShardDisconnect, (event, shardId) => {
      if (state === 'connected') state = 'reconnecting';
      logger.warn({ shardId, code: event.code }, 'discord gateway disconnected');
    });
    created.on(Events.ShardReconnecting, (shardId) => {
      if (state === 'connected') state = 'reconnecting';
      logger.info({ shardId }, 'discord gateway reconnecting');
    });
    created.on(Events.ShardResume, (shardId, replayed) => {
      if (state === 'reconnecting') state = 'connected';
      logger.info({ shardId, replayed }, 'discord session resumed');
      // The gateway is back: Discord probably is too; do not wait for the periodic probe.
      delivery.probe();
    });
    created.on(Events.ShardReady, (shardId) => {
      if (state === 'reconnecting') state = 'connected';
      logger.info({ shardId }, 'discord shard ready');
      delivery.probe();
    });
    return created;
  }

  /** One login; resolves with the ready client or rejects (the client destroyed). */
  async function loginOnce(token: string, signal: AbortSignal): Promise<Client> {
    const created = newClient();
    client = created;
    const ready = new Promise<void>((resolve) => {
      created.once(Events.ClientReady, () => {
        resolve();
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`discord login took more than ${LOGIN_TIMEOUT_MS / 1000} s`));
      }, LOGIN_TIMEOUT_MS);
      signal.addEventListener('abort', () => {
        reject(new Error('bot stopped while logging in'));
      });
    });
    try {
      await Promise.race([
        (async () => {
          await created.login(token);
          await ready;
        })(),
        giveUp,
      ]);
      return created;
    } catch (error) {
      if (client === created) client = undefined;
      await created.destroy().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async function afterLogin(created: Client): Promise<void> {
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

  /** Logs in until it works (backoff up to a minute), the token is refused, or stop(). */
  async function connectLoop(token: string, signal: AbortSignal): Promise<void> {
    // A function: the compiler would narrow `signal.aborted` across the awaits below.
    const aborted = (): boolean => signal.aborted;
    for (;;) {
      if (aborted()) return;
      state = everConnected ? 'reconnecting' : 'connecting';
      try {
        const created = await loginOnce(token, signal);
        if (aborted()) return;
        state = 'connected';
        everConnected = true;
        loginFailures = 0;
        await afterLogin(created);
        return;
      } catch (error) {
        if (aborted()) return;
        if (isTokenRejected(error)) {
          state = 'token_rejected';
          logger.error(
            'discord refused the bot token (DISCORD_TOKEN); the bot stays off, feeds are unaffected',
          );
          return;
        }
        loginFailures += 1;
        const delayMs = Math.min(
          LOGIN_BACKOFF_BASE_MS * 2 ** Math.min(loginFailures - 1, 10),
          LOGIN_BACKOFF_MAX_MS,
        );
        logger.warn(
          { attempt: loginFailures, delayMs, err: toLoggableError(error) },
          'discord login failed; retrying in the background',
        );
        await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  function start(): Promise<void> {
    const token = config.discord.token;
    if (token === undefined) {
      logger.info('discord bot off (no DISCORD_TOKEN)');
      return Promise.resolve();
    }
    if (starting !== undefined) return starting;
    stopController = new AbortController();
    starting = connectLoop(token, stopController.signal).catch((error: unknown) => {
      logger.error({ err: toLoggableError(error) }, 'discord connection loop crashed');
    });
    return starting;
  }

  async function stop(): Promise<void> {
    stopController?.abort();
    await starting;
    starting = undefined;
    state = 'stopped';
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
    status: () => ({ connected: state === 'connected', state, loginFailures }),
  };
}
