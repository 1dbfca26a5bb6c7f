// The app thread's event loop while a big calendar is scraped (issue 13): the worst delay
// (perf_hooks.monitorEventLoopDelay) during a baseline scrape and during a re-scrape where every
// title changed, of N events, through the threaded scraper the app uses (src/scrape-worker.ts);
// and, for comparison, the same re-scrape on the app thread. RSS before and after, after a GC
// when node runs with --expose-gc.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseConfig } from '../../src/config.ts';
import { createLogger, systemClock } from '../../src/core/index.ts';
import { createRepositories, openDatabase, runMigrations } from '../../src/db/index.ts';
import { createHttpClient, createScraper, type RunOptions } from '../../src/scraper/index.ts';
import { createDefaultSourceRegistry } from '../../src/scraper/sources/default-registry.ts';
import { createThreadedScraper } from '../../src/scraper/worker/threaded-scraper.ts';

type Runner = { runOnce(options?: RunOptions): Promise<readonly { status: string }[]> };

export type EventLoopFigures = {
  readonly events: number;
  /** Worst delay over 2 s with nothing running: the machine's own noise. */
  readonly idleMs: number;
  readonly baselineMaxMs: number;
  readonly changedMaxMs: number;
  readonly changedWallMs: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
};

/** Every SUMMARY changed: a re-scrape that renames every event. */
export function renameEvery(calendar: Buffer): Buffer {
  return Buffer.from(calendar.toString('utf8').replace(/^SUMMARY:/gm, 'SUMMARY:Modifié '), 'utf8');
}

export async function measureScrapeEventLoop(
  events: number,
  calendar: Buffer,
  where: 'worker' | 'app thread',
): Promise<EventLoopFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'pp-eld-'));
  const file = join(dir, 'big.ics');
  writeFileSync(file, calendar);
  const config = parseConfig({
    SECTIONS: `Big:file:${file}`,
    DATABASE_PATH: join(dir, 'app.db'),
    LOG_LEVEL: 'silent',
    SCRAPE_MAX_BYTES: String(200 * 1024 * 1024),
    SCRAPE_HORIZON_DAYS: '3650',
  });
  const handle = openDatabase({ path: config.database.path });
  runMigrations(handle.db);
  const logger = createLogger({ level: 'silent' });
  const http = createHttpClient({ userAgent: 'bench', timeoutMs: 60_000, maxBytes: 2e8 });
  const threaded =
    where === 'worker' ? createThreadedScraper({ config, logger, recordAlerts: false }) : undefined;
  const scraper: Runner =
    threaded ??
    createScraper({
      sections: config.sections,
      repositories: createRepositories(handle.db),
      sourceFor: createDefaultSourceRegistry(config),
      http,
      clock: systemClock,
      logger,
      timeZone: config.timeZone,
      settings: {
        intervalSeconds: 300,
        horizonDays: 3650,
        dropConfirmations: 3,
        backoffMaxMs: 3.6e6,
      },
      recordAlerts: false,
    });
  try {
    // The thread is up (modules loaded, database open) before anything is measured.
    await threaded?.syncSections();
    const idleMs = await worstDelay(() => delay(2_000).then(() => [{ status: 'idle' }]), 'idle');
    const rssBeforeMb = rssMb();
    const baseline = await worstDelay(() => scraper.runOnce({ force: true }), 'baseline');
    writeFileSync(file, renameEvery(calendar));
    const started = performance.now();
    const changed = await worstDelay(() => scraper.runOnce({ force: true }), 'ok');
    const changedWallMs = performance.now() - started;
    return {
      events,
      idleMs,
      baselineMaxMs: baseline,
      changedMaxMs: changed,
      changedWallMs,
      rssBeforeMb,
      rssAfterMb: rssMb(),
    };
  } finally {
    await threaded?.close();
    await http.close();
    handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function worstDelay(
  run: () => Promise<readonly { status: string }[]>,
  expected: string,
): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const [summary] = await run();
  // A run that held the loop is seen by the histogram's timer once the loop turns again.
  await delay(20);
  histogram.disable();
  if (summary?.status !== expected) {
    throw new Error(`scrape ended ${summary?.status ?? 'without summary'}, not ${expected}`);
  }
  return histogram.max / 1e6;
}

function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
}

export function formatEventLoop(where: string, figures: EventLoopFigures): string {
  return (
    `${`${figures.events.toLocaleString('en')} events, ${where}`.padEnd(26)} worst event-loop delay: ` +
    `baseline ${figures.baselineMaxMs.toFixed(1)} ms, every title changed ` +
    `${figures.changedMaxMs.toFixed(1)} ms (scrape ${(figures.changedWallMs / 1000).toFixed(1)} s); ` +
    `idle ${figures.idleMs.toFixed(1)} ms; ` +
    `RSS ${figures.rssBeforeMb.toFixed(0)} → ${figures.rssAfterMb.toFixed(0)} MiB`
  );
}
