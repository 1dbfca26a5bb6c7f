/**
 * Child process of load-run.ts: the app under load runs alone in its process, so its RSS is not
 * mixed with the load generator's. Prints one JSON line {address, tokens} once it serves; runs a
 * scrape with changes every LOAD_SCRAPE_EVERY_MS; SIGUSR2 runs a full GC (with --expose-gc);
 * SIGTERM stops it and prints one JSON line of figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createCapturingLogger } from '../helpers/logger.ts';
import { buildIcs, findSecrets, startUpstream, tomorrow } from './helpers.ts';

const ADMIN = 'load-admin-token-0123456789abcdef';
const EVENTS = 300;
const TOKENS = 20;

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

const scrapes: Record<string, number> = {};
let scraping: Promise<unknown> = Promise.resolve();
const timer = setInterval(
  () => {
    scraping = scraping.then(async () => {
      for (const summary of await app.runScrape()) {
        scrapes[summary.status] = (scrapes[summary.status] ?? 0) + 1;
      }
    });
  },
  Number(process.env.LOAD_SCRAPE_EVERY_MS ?? 2_000),
);

process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
});
process.on('SIGTERM', () => {
  clearInterval(timer);
  void scraping
    .then(() => {
      const changes = (
        app.database.sqlite.prepare('SELECT count(*) AS n FROM changes').get() as { n: number }
      ).n;
      process.stdout.write(
        `${JSON.stringify({
          scrapes,
          changes,
          secretsInLogs: findSecrets(logs.lines, [ADMIN, ...tokens]).length,
          logLines: logs.lines.length,
        })}\n`,
      );
      return app.stop();
    })
    .then(async () => {
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
});
process.stdout.write(`${JSON.stringify({ address, tokens })}\n`);
