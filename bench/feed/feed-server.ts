// The feed server of `bench/feed.bench.ts`, in a process of its own: a real SQLite file with a
// section of BENCH_EVENTS events (default 1,000) and 10,000 tokens, the real buildFeedServer on
// loopback. Prints one JSON line {"url", "token"} when listening; stops on SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.ts';
import { createLogger, issueFeedToken, systemClock, type FeedToken } from '../../src/core/index.ts';
import { createRepositories, openDatabase, runMigrations } from '../../src/db/index.ts';
import { buildFeedServer } from '../../src/feed/index.ts';
import { makeBenchEvents } from './events.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000);
const TOKENS = 10_000;

const dir = mkdtempSync(join(tmpdir(), 'pp-bench-'));
const handle = openDatabase({ path: join(dir, 'bench.db') });
runMigrations(handle.db);
const repositories = createRepositories(handle.db);
const config = parseConfig({
  SECTIONS: 'Génie Info:file:./bench.ics',
  DATABASE_PATH: join(dir, 'bench.db'),
  LOG_LEVEL: 'silent',
  // The limiters still run on every request; the limits are only set out of the bench's way.
  FEED_RATE_LIMIT: '1000000000',
  FEED_NOT_FOUND_RATE_LIMIT: '1000000000',
});
const now = systemClock.now();
const [section] = repositories.sections.sync(config.sections, now);
if (section === undefined) throw new Error('no section');
repositories.snapshots.commitScrape({
  sectionId: section.id,
  runId: repositories.scrapeRuns.start(section.id, 'manual', now),
  at: now,
  durationMs: 0,
  events: makeBenchEvents(EVENTS, now),
  changes: [],
  remaps: [],
  baseline: true,
  issueCount: 0,
  recordAlert: false,
  nextRunAt: new Date(now.getTime() + 3_600_000),
});
let token: FeedToken | undefined;
handle.sqlite.transaction(() => {
  for (let index = 0; index < TOKENS; index++) {
    const issued = issueFeedToken();
    token ??= issued.token;
    repositories.feedTokens.create({
      tokenHash: issued.tokenHash,
      prefix: issued.prefix,
      ownerKind: 'admin',
      owner: `student-${index}`,
      sectionId: section.id,
      at: now,
    });
  }
})();

const server = await buildFeedServer({
  config,
  repositories,
  clock: systemClock,
  logger: createLogger({ level: 'silent' }),
  runScrape: () => Promise.resolve([]),
  version: 'bench',
});
await server.listen({ host: '127.0.0.1', port: 0 });
const { port } = server.server.address() as AddressInfo;
console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, token }));

process.once('SIGTERM', () => {
  void server.close().then(() => {
    const used = repositories.feedTokens.list().find((row) => row.useCount > 0);
    console.error(`feed server: usage flushed in batches, token use_count ${used?.useCount ?? 0}`);
    handle.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
