import { statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Dispatcher } from 'undici';
import { createBot, type Bot } from './bot/index.ts';
import type { Config } from './config.ts';
import {
  buildFeedUrl,
  issueFeedToken,
  systemClock,
  type Clock,
  type Logger,
  type RunScrape,
} from './core/index.ts';
import {
  createRepositories,
  openDatabase,
  runMigrations,
  type DatabaseFileState,
} from './db/index.ts';
import { buildFeedServer } from './feed/index.ts';
import {
  createHttpClient,
  createScraper,
  scraperSettingsFrom,
  startScrapeSchedule,
  type RunOptions,
  type ScrapeSchedule,
} from './scraper/index.ts';
import { resetBackoffOnSourceChange } from './scraper/source-identity.ts';
import { createDefaultSourceRegistry } from './scraper/sources/default-registry.ts';
import { createThreadedScraper } from './scraper/worker/threaded-scraper.ts';

const PRUNE_EVERY_MS = 6 * 3_600_000;
/** How often the running app checks that DATABASE_PATH still names the file it opened. */
const FILE_CHECK_EVERY_MS = 5_000;

export type AppOverrides = {
  readonly clock?: Clock;
  /** undici dispatcher for every upstream request (tests). */
  readonly dispatcher?: Dispatcher;
};

export type StartOptions = {
  /** Run the scrape schedule (default true). */
  readonly schedule?: boolean;
  /** Listen with the feed server (default true). */
  readonly serve?: boolean;
  /** Connect the Discord bot when DISCORD_TOKEN is set (default true). */
  readonly bot?: boolean;
};

/**
 * The composition root: the only place that knows every module. Opening the app opens the
 * database and applies migrations; `start` begins serving and scraping; `stop` undoes it all and is
 * idempotent.
 */
export function createApp(options: {
  config: Config;
  logger: Logger;
  version: string;
  overrides?: AppOverrides;
}) {
  const { config, logger, version } = options;
  const overrides = options.overrides ?? {};
  const clock = overrides.clock ?? systemClock;

  const database = openDatabase({ path: config.database.path });
  runMigrations(database.db);
  const repositories = createRepositories(database.db);

  const http = createHttpClient({
    userAgent: config.scraper.userAgent,
    timeoutMs: config.scraper.timeoutMs,
    maxBytes: config.scraper.maxBytes,
    ...(overrides.dispatcher === undefined ? {} : { dispatcher: overrides.dispatcher }),
  });
  const sourceFor = createDefaultSourceRegistry(config);
  const bot: Bot | undefined =
    config.discord.token === undefined
      ? undefined
      : createBot({
          config,
          repositories,
          clock,
          logger,
          version,
          databaseSizeBytes: () => databaseSize(config.database.path),
        });

  const scraper = createScraper({
    sections: config.sections,
    repositories,
    sourceFor,
    http,
    clock,
    logger,
    timeZone: config.timeZone,
    settings: scraperSettingsFrom(config.scraper),
    recordAlerts: bot !== undefined,
    ...(bot === undefined
      ? {}
      : {
          onAlerts: () => {
            bot.notifier.notify();
          },
        }),
  });
  scraper.syncSections();
  // A source or credentials fixed since the last failure are tried again now, not after the backoff.
  resetBackoffOnSourceChange({
    sections: config.sections,
    config,
    repositories,
    logger,
    now: clock.now(),
  });
  // Scrapes run in a worker thread (its own connection to the same file), so a big calendar never
  // stalls the feed server. Tests that inject a clock or an HTTP dispatcher keep them here.
  const threaded =
    overrides.clock === undefined &&
    overrides.dispatcher === undefined &&
    config.database.path !== ':memory:'
      ? createThreadedScraper({
          config,
          logger,
          recordAlerts: bot !== undefined,
          onAlerts: () => bot?.notifier.notify(),
        })
      : undefined;
  // Booting the thread (loading its modules) takes a moment: it starts now, next to migrations,
  // section sync and the bot's login, so the first scrape need not wait for it.
  threaded?.warmUp();
  const runOnce = (runOptions: RunOptions) =>
    threaded === undefined ? scraper.runOnce(runOptions) : threaded.runOnce(runOptions);

  const runScrape: RunScrape = (scrapeOptions = {}) =>
    runOnce({ ...scrapeOptions, trigger: 'manual', force: true });

  let schedule: ScrapeSchedule | undefined;
  let server: FastifyInstance | undefined;
  let botStarted = false;
  let pruneTimer: NodeJS.Timeout | undefined;
  let started = false;
  let databaseFileState: DatabaseFileState = 'ok';

  function prune(): void {
    const before = new Date(clock.now().getTime() - config.database.retentionDays * 86_400_000);
    try {
      const result = repositories.maintenance.prune({ before });
      if (result.runs + result.events > 0) logger.info(result, 'old history pruned');
    } catch (error) {
      logger.error({ err: error }, 'pruning failed');
    }
  }

  /**
   * With no SECTIONS configured, a fresh demo link (the previous one is revoked) so a newcomer has
   * a working feed URL to try.
   */
  function issueDemoFeedUrl(): string | undefined {
    const section = config.demo ? config.sections[0] : undefined;
    const row = section === undefined ? undefined : repositories.sections.findByKey(section.key);
    if (row === undefined) return undefined;
    const now = clock.now();
    repositories.feedTokens.revoke({ owner: 'demo' }, now);
    const { token, tokenHash, prefix } = issueFeedToken();
    repositories.feedTokens.create({
      tokenHash,
      prefix,
      ownerKind: 'admin',
      owner: 'demo',
      sectionId: row.id,
      at: now,
    });
    return buildFeedUrl(config.feed.publicUrl, token);
  }
  let stopping: Promise<void> | undefined;
  let fileWatch: NodeJS.Timeout | undefined;

  /**
   * The started app is the one writer of its database: it takes the lock (a second server on the
   * same DATABASE_PATH stops here with db.locked) and only then closes the runs a crash left
   * 'running'. CLI commands never start the app, so they never close a live server's run.
   */
  function becomeTheWriter(): void {
    database.acquireWriterLock();
    const abandoned = repositories.scrapeRuns.closeAbandoned(clock.now());
    if (abandoned > 0) logger.warn({ runs: abandoned }, 'closed scrape runs left by a crash');
    fileWatch = setInterval(checkDatabaseFile, FILE_CHECK_EVERY_MS).unref();
  }

  /** Deleted or replaced under us: say so once, loudly; the handle refuses writes from now on. */
  function checkDatabaseFile(): boolean {
    const wasOk = databaseFileState === 'ok';
    databaseFileState = database.checkFile();
    if (wasOk && databaseFileState !== 'ok') {
      clearInterval(fileWatch);
      logger.fatal(
        { databasePath: config.database.path, state: databaseFileState },
        `the database file at DATABASE_PATH was ${databaseFileState} while the app runs: writes ` +
          'are refused from now on (they would vanish at restart); restart the app to use the ' +
          'file now at that path',
      );
    }
    return databaseFileState === 'ok';
  }

  async function start(
    startOptions: StartOptions = {},
  ): Promise<{ demoFeedUrl?: string; address?: string }> {
    if (started) return {};
    started = true;
    becomeTheWriter();
    prune();
    pruneTimer = setInterval(prune, PRUNE_EVERY_MS).unref();
    let address: string | undefined;
    if (startOptions.serve !== false) {
      server = await buildFeedServer({
        config,
        repositories,
        clock,
        logger,
        runScrape,
        alertBacklog: bot === undefined ? undefined : () => bot.backlog(),
        botStatus: bot === undefined ? undefined : () => bot.status(),
        version,
        databaseFileOk: checkDatabaseFile,
        externalWrites: threaded === undefined ? undefined : () => threaded.finishedRuns(),
      });
      // A write acknowledged after the file vanished would be lost: check before every write.
      server.addHook('onRequest', (request, _reply, done) => {
        if (request.method !== 'GET' && request.method !== 'HEAD') checkDatabaseFile();
        done();
      });
      address = await server.listen({ host: config.feed.host, port: config.feed.port });
    }
    if (startOptions.schedule !== false) {
      schedule = startScrapeSchedule({
        intervalSeconds: config.scraper.intervalSeconds,
        timeZone: config.timeZone,
        // A vanished database file is noticed before a scrape writes, not up to 5 s after.
        runOnce: (signal) => {
          checkDatabaseFile();
          return runOnce({ trigger: 'schedule', signal });
        },
        logger,
      });
    }
    if (bot === undefined) {
      logger.info('discord bot off (DISCORD_TOKEN is not set)');
    } else if (startOptions.bot !== false) {
      botStarted = true;
      // Discord never holds up the feeds: the bot logs in in the background, retrying with
      // backoff while Discord is down; alerts wait in the outbox meanwhile.
      void bot.start();
    }
    const demoFeedUrl = issueDemoFeedUrl();
    // Started once scrapes can run (the worker thread has loaded; feeds are served already).
    await threaded?.ready();
    return {
      ...(demoFeedUrl === undefined ? {} : { demoFeedUrl }),
      ...(address === undefined ? {} : { address }),
    };
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      schedule?.stop();
      clearInterval(pruneTimer);
      clearInterval(fileWatch);
      // A run in progress finishes its section (its transaction is all-or-nothing) or is
      // abandoned with nothing written; queued runs see the aborted signal and do nothing.
      if (threaded === undefined)
        await scraper.runOnce({ signal: AbortSignal.abort() }).catch(() => []);
      else await threaded.close();
      if (botStarted)
        await bot?.stop().catch((error: unknown) => {
          logger.error({ err: error }, 'bot did not stop cleanly');
        });
      // Closing the server flushes the batched feed usage statistics.
      await server?.close();
      await http.close();
      database.close();
    })();
    return stopping;
  }

  return {
    start,
    stop,
    runScrape,
    repositories,
    database,
    clock,
    nextScrapeAt: () => schedule?.nextRunAt() ?? null,
    bot,
  };
}

function databaseSize(path: string): number | undefined {
  if (path === ':memory:') return undefined;
  try {
    return statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  } catch {
    return undefined;
  }
}

export type App = ReturnType<typeof createApp>;
