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
  toDiscordUserId,
  type Clock,
  type EventFilter,
  type Logger,
  type TimetableChange,
} from '../core/index.ts';
import type { AlertDeliveryRow, AlertTargetKind, OutboxRow, Repositories } from '../db/index.ts';
import { formatChangeAlert, isAlertKind, type AlertMessage } from './alert-format.ts';
import { messagesFor, toLocale } from './messages.ts';
import { toLoggableError } from './loggable-error.ts';

const DAY_MS = 86_400_000;
/** /notify DMs cover classes starting within this window. */
export const DM_WINDOW_MS = 48 * 3_600_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 3_600_000;

/** Posts one rendered alert part; returns the Discord message id. */
export type AlertPoster = {
  postToChannel(channelId: string, message: AlertMessage, nonce: string): Promise<string>;
  postToUser(userId: string, message: AlertMessage, nonce: string): Promise<string>;
};

/**
 * Posts over discord.js's REST client. Each part carries a nonce with `enforce_nonce`, so if a
 * part was posted but the process died before recording it, the retry returns the same message
 * instead of a duplicate (Discord keeps nonces for a few minutes). DM channels are cached: opening
 * one is a request of its own, the same channel every time.
 */
export function createRestAlertPoster(rest: REST): AlertPoster {
  const dmChannels = new Map<string, string>();
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
      let channelId = dmChannels.get(userId);
      if (channelId === undefined) {
        const channel = (await rest.post(Routes.userChannels(), {
          body: { recipient_id: userId },
        })) as { id: string };
        channelId = channel.id;
        dmChannels.set(userId, channelId);
      }
      return post(channelId, message, nonce);
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

/** Last error of a DM part put off by a rate limit (a recovery does not hurry it). */
const RATE_LIMITED_ERROR = 'rate limited';
/** How many undelivered entries the channel lane looks at to find each section's oldest. */
const CHANNEL_SCAN = 500;
/** DM parts taken per DM pass, and how many students are written to at once. */
const DM_BATCH = 60;
const DM_CONCURRENCY = 4;

/** One lane: passes run one at a time; a request during a pass runs another right after it. */
function createLane(
  run: (probe: boolean) => Promise<boolean>,
  isStopped: () => boolean,
  onError: (error: unknown) => void,
) {
  let running: Promise<void> | undefined;
  let again = false;
  let probeNext = false;
  const shouldRepeat = (): boolean => again && !isStopped();
  function kick(probe = false): Promise<void> {
    if (probe) probeNext = true;
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        const probing = probeNext;
        probeNext = false;
        if (isStopped()) return;
        try {
          if (await run(probing)) again = true;
        } catch (error) {
          onError(error);
        }
      } while (shouldRepeat());
    })().finally(() => {
      running = undefined;
    });
    return running;
  }
  return {
    kick,
    async idle(): Promise<void> {
      while (running !== undefined) await running;
    },
  };
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
 * Delivers the alert outbox in two lanes. The channel lane posts each section's channel message
 * (or parts), a section's entries strictly in the order they were recorded, then queues the
 * entry's /notify DMs (rendered once, stored with their part). The DM lane sends those, a few
 * students at a time, each student's parts in order; one student's rate limit or closed DMs never
 * hold the others, and DMs never hold a channel alert. Every part is recorded in alert_deliveries
 * before and after posting, with a random nonce, so retries and restarts never post a part twice
 * and never lose one. While Discord fails, entries back off; the first success makes them due again,
 * and the periodic pass probes with the oldest entry even when none is due.
 */
export function createAlertDelivery(deps: AlertDeliveryDeps) {
  const { repositories, clock, logger } = deps;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  /** Something failed since the last success (true at start: entries may be backing off). */
  let failing = true;

  type Job = {
    readonly targetKind: AlertTargetKind;
    readonly targetId: string;
    readonly parts: readonly AlertMessage[];
  };

  function channelJobFor(entry: OutboxRow, changes: readonly TimetableChange[]): Job | undefined {
    const section = repositories.sections.findById(entry.sectionId);
    if (section === undefined) return undefined;
    // Windows start at the scrape, not at delivery: a retry renders exactly the same parts.
    const from = entry.createdAt;
    const windowed = changes.filter((change) =>
      isWithin(change, from, new Date(from.getTime() + deps.config.alertWindowDays * DAY_MS)),
    );
    if (windowed.length === 0) return undefined;
    const route = repositories.alerts.findRoute(section.id);
    const channelId = route?.channelId ?? deps.config.alertsChannelId;
    if (channelId === undefined) {
      logger.warn({ sectionKey: section.key, outboxId: entry.id }, 'alert has no channel');
      return undefined;
    }
    return {
      targetKind: 'channel',
      targetId: channelId,
      parts: formatChangeAlert({
        sectionName: section.name,
        changes: windowed,
        roleId: route?.roleId,
        t: messagesFor('fr'),
      }),
    };
  }

  function dmJobsFor(entry: OutboxRow, changes: readonly TimetableChange[]): Job[] {
    const section = repositories.sections.findById(entry.sectionId);
    if (section === undefined) return [];
    const from = entry.createdAt;
    const soon = changes.filter((change) =>
      isWithin(change, from, new Date(from.getTime() + DM_WINDOW_MS)),
    );
    if (soon.length === 0) return [];
    const jobs: Job[] = [];
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
    return jobs;
  }

  /** Discord answered: what was backing off is due again (once per recovery). */
  function recovered(): void {
    if (!failing) return;
    failing = false;
    const hurried = repositories.alerts.makeBackoffDue(clock.now(), RATE_LIMITED_ERROR);
    if (hurried > 0) {
      logger.info({ entries: hurried }, 'discord answers again; backed-off alerts are due');
      // The DM lane may have nothing due without these; the channel lane continues by itself.
      void dmLane.kick();
    }
  }

  async function deliverChannelJob(entry: OutboxRow, job: Job, poster: AlertPoster): Promise<void> {
    for (const [part, message] of job.parts.entries()) {
      const row = repositories.alerts.ensureDelivery({
        outboxId: entry.id,
        targetKind: job.targetKind,
        targetId: job.targetId,
        part,
        at: clock.now(),
      });
      if (row.status === 'sent') continue;
      // A permanently failed part (missing access) ends this target's delivery.
      if (row.status === 'failed') return;
      repositories.alerts.markDeliveryAttempt(row.id, clock.now());
      try {
        const messageId = await poster.postToChannel(job.targetId, message, row.nonce ?? '');
        repositories.alerts.markDeliverySent(row.id, { messageId, at: clock.now() });
        recovered();
      } catch (error) {
        const kind = classifyDeliveryError(error);
        repositories.alerts.markDeliveryError(row.id, {
          message: describeError(error),
          permanent: kind !== 'retry',
          at: clock.now(),
        });
        if (kind === 'retry') throw new RetryLater(describeError(error), { cause: error });
        logger.error(
          { outboxId: entry.id, targetId: job.targetId, part, err: toLoggableError(error) },
          'alert rejected by discord',
        );
        return;
      }
    }
  }

  /** Renders the entry's DMs once and stores them for the DM lane. */
  function queueDms(entry: OutboxRow, changes: readonly TimetableChange[]): number {
    let queued = 0;
    for (const job of dmJobsFor(entry, changes)) {
      for (const [part, message] of job.parts.entries()) {
        repositories.alerts.ensureDelivery({
          outboxId: entry.id,
          targetKind: 'dm',
          targetId: job.targetId,
          part,
          at: clock.now(),
          payloadJson: JSON.stringify(message),
        });
        queued += 1;
      }
    }
    return queued;
  }

  /**
   * The channel lane: the oldest undelivered entry of each section, when due (or, probing, the
   * oldest of all). True when something was delivered (the next entries may be due).
   */
  async function channelPass(probe: boolean): Promise<boolean> {
    const poster = deps.poster();
    if (poster === undefined) return false;
    const heads = new Map<number, OutboxRow>();
    for (const entry of repositories.alerts.listChannelPending(CHANNEL_SCAN)) {
      if (!heads.has(entry.sectionId)) heads.set(entry.sectionId, entry);
    }
    const now = clock.now().getTime();
    let due = [...heads.values()].filter((entry) => entry.nextAttemptAt.getTime() <= now);
    const oldest = [...heads.values()][0];
    if (due.length === 0 && probe && oldest !== undefined) due = [oldest];
    let progressed = false;
    for (const entry of due) {
      if (stopped) return false;
      try {
        const changes = repositories.changes
          .listForRun(entry.runId)
          .filter((change) => change.kinds.some(isAlertKind));
        const job = channelJobFor(entry, changes);
        if (job !== undefined) await deliverChannelJob(entry, job, poster);
        const dms = queueDms(entry, changes);
        repositories.alerts.markChannelDone(entry.id, clock.now());
        repositories.alerts.completeSettled(clock.now());
        logger.info(
          { outboxId: entry.id, sectionId: entry.sectionId, dms },
          'alert posted to its channel',
        );
        progressed = true;
        if (dms > 0) void dmLane.kick();
      } catch (error) {
        const delayMs = backoffMs(entry.attempts);
        repositories.alerts.markRetry(entry.id, {
          nextAttemptAt: new Date(clock.now().getTime() + delayMs),
          error: describeError(error),
        });
        if (error instanceof RetryLater) {
          failing = true;
          logger.warn(
            {
              outboxId: entry.id,
              attempts: entry.attempts + 1,
              delayMs,
              err: toLoggableError(error.cause),
            },
            'alert delivery failed; will retry',
          );
          // Discord is failing: the other entries wait for the next pass (or the first success).
          return false;
        }
        logger.error(
          { outboxId: entry.id, err: toLoggableError(error) },
          'alert delivery crashed; will retry',
        );
      }
    }
    return progressed;
  }

  /** Sends one student's due parts in order; stops at their first failure. */
  async function deliverDmsOf(rows: readonly AlertDeliveryRow[], poster: AlertPoster) {
    for (const row of rows) {
      if (stopped) return;
      const userId = toDiscordUserId(row.targetId);
      const now = clock.now();
      if (row.payloadJson === null) {
        repositories.alerts.markDeliveryError(row.id, {
          message: 'no rendered message',
          permanent: true,
          at: now,
        });
        continue;
      }
      repositories.alerts.markDeliveryAttempt(row.id, now);
      try {
        const message = JSON.parse(row.payloadJson) as AlertMessage;
        const messageId = await poster.postToUser(row.targetId, message, row.nonce ?? '');
        repositories.alerts.markDeliverySent(row.id, { messageId, at: clock.now() });
        recovered();
      } catch (error) {
        const kind = classifyDeliveryError(error);
        const fields = { outboxId: row.outboxId, userId, part: row.part };
        if (kind === 'dm_closed') {
          // Discord counts these 403s against the bot: stop until the student interacts again.
          repositories.alerts.markDeliveryError(row.id, {
            message: describeError(error),
            permanent: true,
            at: clock.now(),
          });
          repositories.botState.markDmClosed(userId, clock.now());
          const dropped = repositories.alerts.failPendingDms(row.targetId, {
            message: 'dms closed',
            at: clock.now(),
          });
          logger.info({ ...fields, dropped }, 'alert dm closed; dms paused for this student');
          return;
        }
        if (kind === 'permanent') {
          repositories.alerts.markDeliveryError(row.id, {
            message: describeError(error),
            permanent: true,
            at: clock.now(),
          });
          logger.error({ ...fields, err: toLoggableError(error) }, 'alert dm rejected by discord');
          continue;
        }
        const rateLimited = error instanceof RateLimitError;
        if (!rateLimited) failing = true;
        const delayMs = rateLimited
          ? Math.max(error.retryAfter, 1_000)
          : backoffMs(Math.max(0, row.attempts));
        repositories.alerts.rescheduleDelivery(row.id, {
          nextAttemptAt: new Date(clock.now().getTime() + delayMs),
          error: rateLimited
            ? `${RATE_LIMITED_ERROR} for ${Math.ceil(delayMs / 1000)} s`
            : describeError(error),
          at: clock.now(),
        });
        logger.warn(
          { ...fields, delayMs, err: toLoggableError(error) },
          'alert dm failed; will retry',
        );
        return;
      }
    }
  }

  /** The DM lane: due parts, grouped by student, a few students at a time. */
  async function dmPass(): Promise<boolean> {
    const poster = deps.poster();
    if (poster === undefined) return false;
    const rows = repositories.alerts.listDueDms(clock.now(), DM_BATCH);
    const byUser = new Map<string, AlertDeliveryRow[]>();
    for (const row of rows) byUser.set(row.targetId, [...(byUser.get(row.targetId) ?? []), row]);
    const queue = [...byUser.values()];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined && !stopped; next = queue.shift()) {
        await deliverDmsOf(next, poster);
      }
    };
    await Promise.all(Array.from({ length: DM_CONCURRENCY }, worker));
    repositories.alerts.completeSettled(clock.now());
    return rows.length === DM_BATCH;
  }

  const onLaneError = (error: unknown): void => {
    logger.error({ err: toLoggableError(error) }, 'alert pass failed');
  };
  const channelLane = createLane(channelPass, () => stopped, onLaneError);
  const dmLane = createLane(
    () => dmPass(),
    () => stopped,
    onLaneError,
  );

  /** Both lanes now; `probe` also tries the oldest entry when none is due. */
  function runPass(probe = false): Promise<void> {
    return Promise.all([channelLane.kick(probe), dmLane.kick()]).then(() => undefined);
  }

  return {
    runPass,
    notify(): void {
      void runPass();
    },
    /** Discord looks back (e.g. the gateway reconnected): try the oldest entry even if not due. */
    probe(): void {
      void runPass(true);
    },
    start(): void {
      stopped = false;
      failing = true;
      timer = setInterval(() => {
        void runPass(true);
      }, deps.intervalMs);
      timer.unref();
      void runPass(true);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await Promise.all([channelLane.idle(), dmLane.idle()]);
    },
    /** Resolves when no pass is running. */
    async idle(): Promise<void> {
      await Promise.all([channelLane.idle(), dmLane.idle()]);
    },
  };
}

export type AlertDelivery = ReturnType<typeof createAlertDelivery>;
