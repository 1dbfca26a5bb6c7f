import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import type { Config } from '../../src/config.ts';
import {
  issueFeedToken,
  toDiscordUserId,
  toSectionKey,
  type Logger,
  type TimetableChange,
  type TimetableEvent,
} from '../../src/core/index.ts';
import type { Repositories } from '../../src/db/index.ts';
import { createBot, type Bot } from '../../src/bot/index.ts';
import { buildFeedServer } from '../../src/feed/index.ts';
import { startFakeDiscord, type FakeDiscord } from '../fake-discord/index.ts';
import { createTestClock, type TestClock } from '../helpers/clock.ts';
import { createTestConfig } from '../helpers/config.ts';
import { commitBaseline, createTestDatabase } from '../helpers/database.ts';
import { timetableEvent } from '../helpers/events.ts';
import { createCapturingLogger } from '../helpers/logger.ts';

/** Monday 14 September 2026, 08:00 in Paris. */
export const MONDAY_8AM = '2026-09-14T06:00:00.000Z';
export const SECTIONS = 'Info 1:file:./samples/info1.ics,Info 2:file:./samples/info2.ics';

export function makeEvent(
  fields: Partial<TimetableEvent> & { uid: string; startsAt: Date },
): TimetableEvent {
  return timetableEvent({
    endsAt: new Date(fields.startsAt.getTime() + 2 * 3_600_000),
    location: 'B12',
    teacher: 'M. Dupont',
    category: 'CM',
    ...fields,
  });
}

/** The baseline timetable of "Info 1": two classes today, one tomorrow. */
export function baselineEvents(): TimetableEvent[] {
  return [
    makeEvent({
      uid: 'algo-1',
      title: 'Algorithmique',
      startsAt: new Date('2026-09-14T06:00:00Z'),
    }),
    makeEvent({
      uid: 'net-1',
      title: 'Réseaux',
      location: 'A01',
      teacher: 'Mme Martin',
      startsAt: new Date('2026-09-14T08:15:00Z'),
    }),
    makeEvent({
      uid: 'db-1',
      title: 'Bases de données',
      startsAt: new Date('2026-09-15T07:00:00Z'),
    }),
  ];
}

/** Waits (polling) until the probe returns something other than undefined/false. */
export async function eventually<T>(
  probe: () => T | undefined | false,
  what: string,
  timeoutMs = 8_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export type Harness = {
  fake: FakeDiscord;
  config: Config;
  repositories: Repositories;
  clock: TestClock;
  logger: Logger;
  logs: ReturnType<typeof createCapturingLogger>;
  database: ReturnType<typeof createTestDatabase>;
  bot: Bot;
  /** Starts another bot on the same database and fake (e.g. after a restart). */
  startBot(): Promise<Bot>;
  sectionId(key: string): number;
  /** Stores a scrape with these changes and an outbox entry (as the scraper does). */
  recordChanges(changes: readonly TimetableChange[], sectionKey?: string): number;
  feedUrlBase: string;
  fetchFeed(url: string): Promise<{ status: number; body: string; type: string | null }>;
};

/**
 * A fake Discord, a migrated database with two sections (Info 1 has a baseline timetable), the
 * feed server listening on loopback, and a started bot connected to the fake.
 */
export async function createHarness(
  options: {
    env?:
      | Record<string, string | undefined>
      | ((fake: FakeDiscord) => Record<string, string | undefined>);
    /** Real-time period of the background alert pass (it also probes a failing Discord). */
    alertPassIntervalMs?: number;
    /** Alert requests fail on rate limits longer than this (default 10 s). */
    maxRateLimitWaitMs?: number;
  } = {},
): Promise<Harness> {
  const fake = await startFakeDiscord();
  onTestFinished(() => fake.close());
  onTestFinished(() => {
    // Anything Discord would have refused with 400 / 50035 fails the test.
    if (fake.rejections.length > 0) {
      throw new Error(`Discord would refuse: ${JSON.stringify(fake.rejections)}`);
    }
  });
  const database = createTestDatabase();
  const { repositories } = database;
  const clock = createTestClock(MONDAY_8AM);
  const logs = createCapturingLogger('debug');
  const logger = logs.logger;

  const feedConfig = createTestConfig({ SECTIONS });
  const feed = await buildFeedServer(
    {
      config: feedConfig,
      repositories,
      clock,
      logger,
      runScrape: () => Promise.resolve([]),
      version: 'test',
    },
    { usageFlushIntervalMs: 60_000 },
  );
  await feed.listen({ port: 0, host: '127.0.0.1' });
  onTestFinished(() => feed.close());
  const { port } = feed.server.address() as AddressInfo;
  const feedUrlBase = `http://127.0.0.1:${port}`;

  const config = createTestConfig({
    SECTIONS,
    PUBLIC_URL: feedUrlBase,
    DISCORD_TOKEN: fake.token,
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_GUILD_ID: fake.guild.id,
    ALERTS_CHANNEL_ID: fake.channels.alerts.id,
    ...(typeof options.env === 'function' ? options.env(fake) : options.env),
  });
  repositories.sections.sync(config.sections, clock.now());
  const sectionId = (key: string): number => {
    const row = repositories.sections.findByKey(toSectionKey(key));
    if (row === undefined) throw new Error(`no section ${key}`);
    return row.id;
  };

  const baselineAt = new Date(clock.now().getTime() - 3_600_000);
  const info1 = sectionId('info 1');
  commitBaseline(repositories, info1, baselineEvents(), baselineAt, {
    durationMs: 5,
    recordAlert: true,
    nextRunAt: new Date(clock.now().getTime() + 300_000),
  });

  const startBot = async (): Promise<Bot> => {
    const bot = createBot({
      config,
      repositories,
      clock,
      logger,
      version: '0.1.0-test',
      databaseSizeBytes: () => 3 * 1024 * 1024,
      alertPassIntervalMs: options.alertPassIntervalMs ?? 3_600_000,
      ...(options.maxRateLimitWaitMs === undefined
        ? {}
        : { maxRateLimitWaitMs: options.maxRateLimitWaitMs }),
    });
    onTestFinished(() => bot.stop());
    await bot.start();
    return bot;
  };
  const bot = await startBot();

  return {
    fake,
    config,
    repositories,
    clock,
    logger,
    logs,
    database,
    bot,
    startBot,
    sectionId,
    recordChanges(changes, sectionKey = 'info 1') {
      const id = sectionId(sectionKey);
      const at = clock.now();
      const result = repositories.snapshots.commitScrape({
        sectionId: id,
        runId: repositories.scrapeRuns.start(id, 'manual', at),
        at,
        durationMs: 5,
        events: [],
        changes,
        remaps: [],
        baseline: false,
        issueCount: 0,
        recordAlert: true,
        nextRunAt: new Date(at.getTime() + 300_000),
      });
      if (result.outboxId === undefined) throw new Error('no outbox entry was written');
      return result.outboxId;
    },
    feedUrlBase,
    async fetchFeed(url) {
      const response = await fetch(url);
      return {
        status: response.status,
        body: await response.text(),
        type: response.headers.get('content-type'),
      };
    },
  };
}

/** A change of one of the baseline events. */
export function changeOf(
  uid: string,
  kinds: TimetableChange['kinds'],
  edit: Partial<TimetableEvent>,
): TimetableChange {
  const before = baselineEvents().find((event) => event.uid === uid);
  if (before === undefined) throw new Error(`no baseline event ${uid}`);
  return { uid, kinds, before, after: { ...before, ...edit } };
}

/** `discordUserId` opted in to /notify (French) and holds a link to the section. */
export function subscribeToAlerts(
  h: Pick<Harness, 'repositories' | 'clock'>,
  discordUserId: string,
  sectionId: number,
): void {
  const owner = toDiscordUserId(discordUserId);
  h.repositories.botState.setNotifyPref({
    discordUserId: owner,
    enabled: true,
    locale: 'fr',
    at: h.clock.now(),
  });
  const { tokenHash, prefix } = issueFeedToken();
  h.repositories.feedTokens.create({
    tokenHash,
    prefix,
    ownerKind: 'discord',
    owner,
    sectionId,
    at: h.clock.now(),
  });
}
