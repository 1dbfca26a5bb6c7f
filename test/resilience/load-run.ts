/**
 * Feed load while scrapes with changes run: the real app (createApp) on loopback, a loopback ICS
 * upstream that renames a few events on every request, autocannon against the personal feed route.
 * Shared by bench/load.bench.ts (60 s, 100 connections) and test/resilience/load.test.ts (short).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createCapturingLogger } from '../helpers/logger.ts';
import { buildIcs, findSecrets, startUpstream, tomorrow } from './helpers.ts';

type AutocannonResult = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
};
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests?: { method: string; path: string }[];
}) => Promise<AutocannonResult>;
// autocannon ships no types; this is the part of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ADMIN = 'load-admin-token-0123456789abcdef';
const EVENTS = 300;
const TOKENS = 20;

export type LoadFigures = {
  durationS: number;
  connections: number;
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  scrapes: Record<string, number>;
  changesAnnounced: number;
  rssAfterWarmupMb: number;
  rssEndMb: number;
  /** V8 heap in use at the same two moments (autocannon shares the process: RSS includes it). */
  heapAfterWarmupMb: number;
  heapEndMb: number;
  secretsInLogs: number;
  logLinesAtWarnOrAbove: number;
};

export async function runFeedLoad(options: {
  durationS: number;
  warmupS: number;
  connections: number;
  scrapeEveryMs: number;
}): Promise<LoadFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'pp-load-'));
  let version = 0;
  const first = tomorrow(new Date());
  const upstream = await startUpstream(() => {
    version += 1;
    return {
      body: buildIcs(
        Array.from({ length: EVENTS }, (_, index) => ({
          uid: `load-${index}`,
          start: new Date(
            first.getTime() + (index % 60) * 86_400_000 + (8 + (index % 8)) * 3_600_000,
          ),
          // Every scrape renames a different handful of events: real changes, never a drop.
          summary: `Cours ${index} r${index % 50 === version % 50 ? version : 0}`,
          location: `B${index % 30}`,
        })),
      ),
    };
  });
  const logs = createCapturingLogger('info');
  const config = parseConfig({
    SECTIONS: `Load:${upstream.origin}/load.ics`,
    DATABASE_PATH: join(dir, 'load.db'),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    ADMIN_STATIC_TOKEN: ADMIN,
    FEED_RATE_LIMIT: '1000000000',
    FEED_NOT_FOUND_RATE_LIMIT: '1000000000',
  });
  const app = createApp({
    config,
    logger: logs.logger.child({}, { level: 'warn' }),
    version: 'load',
  });
  const scrapes: Record<string, number> = {};
  let timer: NodeJS.Timeout | undefined;
  try {
    const { address } = await app.start({ schedule: false });
    if (address === undefined) throw new Error('the app did not listen');
    await app.runScrape();
    const tokens: string[] = [];
    for (let index = 0; index < TOKENS; index += 1) {
      const response = await fetch(`${address}/admin/create_token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `load-${index}`, section: 'Load' }),
      });
      tokens.push(((await response.json()) as { token: string }).token);
    }
    const requests = tokens.map((token) => ({ method: 'GET', path: `/feeds/${token}.ics` }));

    let scraping: Promise<unknown> = Promise.resolve();
    timer = setInterval(() => {
      scraping = scraping.then(async () => {
        for (const summary of await app.runScrape()) {
          scrapes[summary.status] = (scrapes[summary.status] ?? 0) + 1;
        }
      });
    }, options.scrapeEveryMs);

    await autocannon({
      url: address,
      connections: options.connections,
      duration: options.warmupS,
      requests,
    });
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const rssAfterWarmup = process.memoryUsage().rss;
    const heapAfterWarmup = process.memoryUsage().heapUsed;
    const result = await autocannon({
      url: address,
      connections: options.connections,
      duration: options.durationS,
      requests,
    });
    clearInterval(timer);
    await scraping;
    gc?.();
    const rssEnd = process.memoryUsage().rss;
    const heapEnd = process.memoryUsage().heapUsed;
    const changesAnnounced = (
      app.database.sqlite.prepare('SELECT count(*) AS n FROM changes').get() as { n: number }
    ).n;
    return {
      durationS: options.durationS,
      connections: options.connections,
      requestsPerSecond: result.requests.average,
      requests: result.requests.total,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statusCodes: Object.fromEntries(
        Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count]),
      ),
      scrapes,
      changesAnnounced,
      rssAfterWarmupMb: rssAfterWarmup / 1e6,
      rssEndMb: rssEnd / 1e6,
      heapAfterWarmupMb: heapAfterWarmup / 1e6,
      heapEndMb: heapEnd / 1e6,
      secretsInLogs: findSecrets(logs.lines, [ADMIN, ...tokens]).length,
      logLinesAtWarnOrAbove: logs.lines.length,
    };
  } finally {
    clearInterval(timer);
    await app.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatLoad(figures: LoadFigures): string {
  return (
    `${figures.durationS} s at ${figures.connections} connections: ${figures.requestsPerSecond.toFixed(0)} req/s ` +
    `(${figures.requests} requests), p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, max ${figures.maxMs} ms; ` +
    `errors ${figures.errors}, timeouts ${figures.timeouts}, non-2xx ${figures.non2xx}, status ${JSON.stringify(figures.statusCodes)}; ` +
    `scrapes ${JSON.stringify(figures.scrapes)}, ${figures.changesAnnounced} changes recorded; ` +
    `RSS after warm-up ${figures.rssAfterWarmupMb.toFixed(0)} MB, at the end ${figures.rssEndMb.toFixed(0)} MB ` +
    `(${(((figures.rssEndMb - figures.rssAfterWarmupMb) / figures.rssAfterWarmupMb) * 100).toFixed(1)}%); ` +
    `heap ${figures.heapAfterWarmupMb.toFixed(0)} → ${figures.heapEndMb.toFixed(0)} MB`
  );
}
