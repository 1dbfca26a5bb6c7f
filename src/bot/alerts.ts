import {
  DiscordAPIError,
  HTTPError,
  RateLimitError,
  RESTJSONErrorCodes,
  Routes,
  type REST,
  type RESTPostAPIChannelMessageJSONBody,
} from 'discord.js';
import {
  describeError,
  filterFromJson,
  isEmptyFilter,
  matchesFilter,
  type Clock,
  type EventFilter,
  type Logger,
  type TimetableChange,
} from '../core/index.ts';
import type { AlertTargetKind, OutboxRow, Repositories } from '../db/index.ts';
import { formatChangeAlert, isAlertKind, type AlertMessage } from './alert-format.ts';
import { messagesFor, toLocale } from './messages.ts';
import { toLoggableError } from './loggable-error.ts';

const DAY_MS = 86_400_000;
/** /notify DMs cover classes starting within this window. */
export const DM_WINDOW_MS = 48 * 3_600_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 3_600_000;
const ENTRIES_PER_PASS = 20;

/** Posts one rendered alert part; returns the Discord message id. */
export type AlertPoster = {
  postToChannel(channelId: string, message: AlertMessage, nonce: string): Promise<string>;
  postToUser(userId: string, message: AlertMessage, nonce: string): Promise<string>;
};

/**
 * Posts over discord.js's REST client. Each part carries a nonce with `enforce_nonce`, so if a
 * part was posted but the process died before recording it, the retry returns the same message
 * instead of a duplicate (Discord keeps nonces for a few minutes).
 */
export function createRestAlertPoster(rest: REST): AlertPoster {
  async function post(channelId: string, message: AlertMessage, nonce: string): Promise<string> {
    const body: RESTPostAPIChannelMessageJSONBody = {
      content: message.content,
      embeds: [...message.embeds],
      allowed_mentions: { parse: [], roles: [...message.mentionRoleIds] },
      nonce,
      enforce_nonce: true,
    };
    const created = (await rest.post(Routes.channelMessages(channelId), { body })) as {
      id: string;
    };
    return created.id;
  }
  return {
    postToChannel: post,
    async postToUser(userId, message, nonce) {
      const channel = (await rest.post(Routes.userChannels(), {
        body: { recipient_id: userId },
      })) as { id: string };
      return post(channel.id, message, nonce);
    },
  };
}

export type DeliveryErrorKind = 'dm_closed' | 'permanent' | 'retry';

/** 5xx, 429 and network failures are retried later; other 4xx will not get better by retrying. */
export function classifyDeliveryError(error: unknown): DeliveryErrorKind {
  if (error instanceof DiscordAPIError) {
    if (error.code === RESTJSONErrorCodes.CannotSendMessagesToThisUser) return 'dm_closed';
    if (error.status === 429 || error.status >= 500) return 'retry';
    return 'permanent';
  }
  if (error instanceof HTTPError || error instanceof RateLimitError) return 'retry';
  return 'retry';
}

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.min(attempts, 20), BACKOFF_MAX_MS);
}

function startsOf(change: TimetableChange): number[] {
  return [change.before?.startsAt, change.after?.startsAt]
    .filter((at): at is Date => at !== undefined)
    .map((at) => at.getTime());
}

/** A change concerns [from, to) when the class starts there before or after the change. */
export function isWithin(change: TimetableChange, from: Date, to: Date): boolean {
  return startsOf(change).some((at) => at >= from.getTime() && at < to.getTime());
}

/**
 * A change concerns a student's filter when the class matches it before or after the change (a
 * class moved out of or into their group's view counts). Several filters: any of them.
 */
export function concernsFilters(change: TimetableChange, filters: readonly EventFilter[]): boolean {
  if (filters.length === 0 || filters.some(isEmptyFilter)) return true;
  return filters.some((filter) =>
    [change.before, change.after].some(
      (event) => event !== undefined && matchesFilter(event, filter),
    ),
  );
}

class RetryLater extends Error {
  override readonly name = 'RetryLater';
}

export type AlertDeliveryDeps = {
  readonly repositories: Pick<
    Repositories,
    'alerts' | 'changes' | 'sections' | 'botState' | 'feedTokens'
  >;
  readonly config: {
    readonly alertsChannelId: string | undefined;
    readonly alertWindowDays: number;
  };
  readonly clock: Clock;
  readonly logger: Logger;
  /** The poster once Discord is reachable (undefined before login). */
  readonly poster: () => AlertPoster | undefined;
  readonly intervalMs: number;
};

/**
 * Delivers the alert outbox: one message (or several parts) per section in its channel, plus
 * /notify DMs. Each part is recorded in alert_deliveries before and after posting, so retries and
 * restarts never post a part twice and never lose one.
 */
export function createAlertDelivery(deps: AlertDeliveryDeps) {
  const { repositories, clock, logger } = deps;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;

  type Job = {
    readonly targetKind: AlertTargetKind;
    readonly targetId: string;
    readonly parts: readonly AlertMessage[];
  };

  function jobsFor(entry: OutboxRow): Job[] {
    const section = repositories.sections.findById(entry.sectionId);
    if (section === undefined) return [];
    const changes = repositories.changes
      .listForRun(entry.runId)
      .filter((change) => change.kinds.some(isAlertKind));
    // Windows start at the scrape, not at delivery: a retry renders exactly the same parts.
    const from = entry.createdAt;
    const jobs: Job[] = [];

    const windowed = changes.filter((change) =>
      isWithin(change, from, new Date(from.getTime() + deps.config.alertWindowDays * DAY_MS)),
    );
    if (windowed.length > 0) {
      const route = repositories.alerts.findRoute(section.id);
      const channelId = route?.channelId ?? deps.config.alertsChannelId;
      if (channelId === undefined) {
        logger.warn({ sectionKey: section.key, outboxId: entry.id }, 'alert has no channel');
      } else {
        jobs.push({
          targetKind: 'channel',
          targetId: channelId,
          parts: formatChangeAlert({
            sectionName: section.name,
            changes: windowed,
            roleId: route?.roleId,
            t: messagesFor('fr'),
          }),
        });
      }
    }

    const soon = changes.filter((change) =>
      isWithin(change, from, new Date(from.getTime() + DM_WINDOW_MS)),
    );
    if (soon.length > 0) {
      for (const recipient of repositories.botState.listNotifyRecipients(section.id)) {
        // DMs follow the filter of the student's link(s) for the section; channels do not.
        const filters = repositories.feedTokens
          .listActiveByOwner(recipient.discordUserId, section.id)
          .map((link) => filterFromJson(link.filterJson));
        const theirs = soon.filter((change) => concernsFilters(change, filters));
        if (theirs.length === 0) continue;
        const t = messagesFor(toLocale(recipient.locale));
        jobs.push({
          targetKind: 'dm',
          targetId: recipient.discordUserId,
          parts: formatChangeAlert({
            sectionName: section.name,
            changes: theirs,
            t,
            heading: t.dmAlertTitle(section.name),
          }),
        });
      }
    }
    return jobs;
  }

  async function deliverJob(entry: OutboxRow, job: Job, poster: AlertPoster): Promise<void> {
    for (const [part, message] of job.parts.entries()) {
      const row = repositories.alerts.ensureDelivery({
        outboxId: entry.id,
        targetKind: job.targetKind,
        targetId: job.targetId,
        part,
        at: clock.now(),
      });
      if (row.status === 'sent') continue;
      // A permanently failed part (closed DMs, missing access) ends this target's delivery.
      if (row.status === 'failed') return;
      repositories.alerts.markDeliveryAttempt(row.id, clock.now());
      const nonce = `alert-${row.id}`;
      try {
        const messageId =
          job.targetKind === 'channel'
            ? await poster.postToChannel(job.targetId, message, nonce)
            : await poster.postToUser(job.targetId, message, nonce);
        repositories.alerts.markDeliverySent(row.id, { messageId, at: clock.now() });
      } catch (error) {
        const kind = classifyDeliveryError(error);
        repositories.alerts.markDeliveryError(row.id, {
          message: describeError(error),
          permanent: kind !== 'retry',
          at: clock.now(),
        });
        const fields = {
          outboxId: entry.id,
          targetKind: job.targetKind,
          targetId: job.targetId,
          part,
        };
        if (kind === 'retry') throw new RetryLater(describeError(error), { cause: error });
        if (kind === 'dm_closed') logger.info(fields, 'alert dm closed');
        else logger.error({ ...fields, err: toLoggableError(error) }, 'alert rejected by discord');
        return;
      }
    }
  }

  /** Delivers a batch of due entries; true when a full batch went out (more may be due). */
  async function deliverDue(poster: AlertPoster): Promise<boolean> {
    const entries = repositories.alerts.listDue(clock.now(), ENTRIES_PER_PASS);
    for (const entry of entries) {
      if (stopped) return false;
      try {
        for (const job of jobsFor(entry)) await deliverJob(entry, job, poster);
        repositories.alerts.markDelivered(entry.id, clock.now());
        logger.info({ outboxId: entry.id, sectionId: entry.sectionId }, 'alert delivered');
      } catch (error) {
        const delayMs = backoffMs(entry.attempts);
        repositories.alerts.markRetry(entry.id, {
          nextAttemptAt: new Date(clock.now().getTime() + delayMs),
          error: describeError(error),
        });
        if (error instanceof RetryLater) {
          logger.warn(
            {
              outboxId: entry.id,
              attempts: entry.attempts + 1,
              delayMs,
              err: toLoggableError(error.cause),
            },
            'alert delivery failed; will retry',
          );
          // Discord is failing: the other entries wait for the next pass.
          return false;
        }
        logger.error(
          { outboxId: entry.id, err: toLoggableError(error) },
          'alert delivery crashed; will retry',
        );
      }
    }
    return entries.length === ENTRIES_PER_PASS;
  }

  // A function, so the compiler does not narrow `again` inside the loop (notify() sets it meanwhile).
  const shouldRepeat = (): boolean => again && !stopped;

  /** One delivery pass now (or right after the running one). Never rejects. */
  function runPass(): Promise<void> {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        const poster = deps.poster();
        if (poster === undefined || stopped) return;
        try {
          if (await deliverDue(poster)) again = true;
        } catch (error) {
          logger.error({ err: toLoggableError(error) }, 'alert pass failed');
        }
      } while (shouldRepeat());
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    runPass,
    notify(): void {
      void runPass();
    },
    start(): void {
      stopped = false;
      timer = setInterval(() => {
        void runPass();
      }, deps.intervalMs);
      timer.unref();
      void runPass();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running;
    },
    /** Resolves when no pass is running. */
    async idle(): Promise<void> {
      while (running !== undefined) await running;
    },
  };
}

export type AlertDelivery = ReturnType<typeof createAlertDelivery>;
