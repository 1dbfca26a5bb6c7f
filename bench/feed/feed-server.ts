// The feed server of `bench/feed.bench.ts`, in a process of its own: a real SQLite file with a
// section of BENCH_EVENTS events (default 1,000) and 10,000 tokens, the real buildFeedServer on
// loopback. Prints one JSON line {"url", "token"} when listening; stops on SIGTERM.
import type { AddressInfo } from 'node:net';
import { createLogger, issueFeedToken, systemClock, type FeedToken } from '../../src/core/index.ts';
import { buildFeedServer } from '../../src/feed/index.ts';
import { seedBenchSection } from '../seed-section.ts';
import { makeBenchEvents } from './events.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000);
const TOKENS = 10_000;

const { handle, repositories, config, section, now, close } = seedBenchSection({
  tempPrefix: 'pp-bench-',
  events: (at) => makeBenchEvents(EVENTS, at),
  nextRunInMs: 3_600_000,
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
    close();
  });
});
