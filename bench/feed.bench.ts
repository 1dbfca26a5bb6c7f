// Feed server throughput: `node bench/feed.bench.ts` (or `npm run bench -- feed`).
// A real SQLite file with a 1,000-event section and 10,000 tokens; the server listens on
// loopback; autocannon drives 50 connections against (a) our feed route, (b) a bare Fastify route
// returning the same bytes (the ceiling), (c) the 304 path. Not a test: it prints figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { parseConfig } from '../src/config.ts';
import {
  createLogger,
  issueFeedToken,
  systemClock,
  type FeedToken,
  type TimetableEvent,
} from '../src/core/index.ts';
import { createRepositories, openDatabase, runMigrations } from '../src/db/index.ts';
import { buildFeedServer } from '../src/feed/index.ts';

type AutocannonResult = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
};
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}) => Promise<AutocannonResult>;

// autocannon ships no types; this is the part of its API the bench uses.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const EVENTS = 1_000;
const TOKENS = 10_000;
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);

const dir = mkdtempSync(join(tmpdir(), 'pp-bench-'));
const handle = openDatabase({ path: join(dir, 'bench.db') });
try {
  runMigrations(handle.db);
  const repositories = createRepositories(handle.db);
  const config = parseConfig({
    SECTIONS: 'Génie Info:file:./bench.ics',
    DATABASE_PATH: join(dir, 'bench.db'),
    LOG_LEVEL: 'silent',
    // The limiter still runs on every request; the limit is only set out of the bench's way.
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
    events: makeEvents(now),
    changes: [],
    remaps: [],
    baseline: true,
    issueCount: 0,
    recordAlert: false,
    nextRunAt: new Date(now.getTime() + 300_000),
  });
  let token: FeedToken | undefined;
  const insertTokens = handle.sqlite.transaction(() => {
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
  });
  insertTokens();
  if (token === undefined) throw new Error('no token');

  const logger = createLogger({ level: 'silent' });
  const server = await buildFeedServer({
    config,
    repositories,
    clock: systemClock,
    logger,
    runScrape: () => Promise.resolve([]),
    version: 'bench',
  });
  const base = await listen(server);
  const first = await fetch(`${base}/feeds/${token}.ics`);
  const body = Buffer.from(await first.arrayBuffer());
  const etag = first.headers.get('etag') ?? '';
  if (first.status !== 200 || etag === '') throw new Error(`feed answered ${first.status}`);

  // The ceiling: Fastify with nothing but a route sending the same bytes and headers.
  const bare = Fastify({ loggerInstance: logger });
  bare.get('/bare.ics', (_request, reply) => {
    reply
      .header('etag', etag)
      .header('last-modified', first.headers.get('last-modified') ?? '')
      .header('cache-control', 'private, max-age=300')
      .header('content-type', 'text/calendar; charset=utf-8')
      .header('content-disposition', first.headers.get('content-disposition') ?? '')
      .send(body);
  });
  const bareBase = await listen(bare);

  console.log(
    `feed: ${EVENTS} events, ${body.length} bytes, ${TOKENS} tokens; ${CONNECTIONS} connections, ${DURATION_S} s per run`,
  );
  const feed = await run('(a) feed route', `${base}/feeds/${token}.ics`);
  const ceiling = await run('(b) bare route', `${bareBase}/bare.ics`);
  const notModified = await run('(c) feed 304', `${base}/feeds/${token}.ics`, {
    'if-none-match': etag,
  });
  console.log(
    `ratio (a)/(b): ${(feed.requests.average / ceiling.requests.average).toFixed(2)} (target >= 0.8); (c)/(b): ${(notModified.requests.average / ceiling.requests.average).toFixed(2)}`,
  );

  await server.close();
  await bare.close();
  const used = repositories.feedTokens.list().find((row) => row.useCount > 0);
  console.log(`usage flushed in batches: token use_count ${used?.useCount ?? 0}`);
} finally {
  handle.close();
  rmSync(dir, { recursive: true, force: true });
}

async function listen(app: {
  listen(options: { host: string; port: number }): Promise<string>;
  server: { address(): unknown };
}) {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function run(label: string, url: string, headers: Record<string, string> = {}) {
  // Warm up JIT and keep-alive connections first.
  await autocannon({ url, connections: CONNECTIONS, duration: 2, headers });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  const statuses = Object.entries(result.statusCodeStats)
    .map(([status, stat]) => `${status}×${stat.count}`)
    .join(' ');
  console.log(
    `${label.padEnd(16)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  [${statuses}] errors ${result.errors} timeouts ${result.timeouts}`,
  );
  return result;
}

function makeEvents(now: Date): TimetableEvent[] {
  const day = 86_400_000;
  const monday = Date.UTC(2026, 8, 7, 6, 0, 0);
  const subjects = ['Mathématiques', 'Physique', 'Systèmes d’exploitation', 'Anglais', 'Réseaux'];
  return Array.from({ length: EVENTS }, (_, index) => {
    const startsAt = new Date(monday + Math.floor(index / 5) * day + (index % 5) * 7_200_000);
    return {
      uid: `bench-${index}@ade`,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 6_600_000),
      allDay: false,
      title: `${index % 3 === 0 ? 'CM' : 'TD'} ${subjects[index % subjects.length] ?? ''}`,
      location: `Bâtiment ${String.fromCharCode(65 + (index % 4))}, salle ${100 + (index % 40)}`,
      teacher: `Enseignant ${index % 17}`,
      description: `Groupe ${index % 6}. Séance ${index}.`,
      status: 'confirmed',
      category: index % 3 === 0 ? 'CM' : 'TD',
      course: subjects[index % subjects.length] ?? '',
      groups: [`G${index % 6}`],
      raw: { created: now.toISOString() },
    };
  });
}
