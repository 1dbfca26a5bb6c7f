import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import type { Config } from '../../src/config.ts';
import type {
  RunScrape,
  ScrapeSummary,
  TimetableChange,
  TimetableEvent,
} from '../../src/core/index.ts';
import type { Repositories, SectionRow } from '../../src/db/index.ts';
import { buildFeedServer } from '../../src/feed/index.ts';
import { tokenCommand } from '../../src/cli/token.command.ts';
import { createTestClock, type TestClock } from '../helpers/clock.ts';
import { createTestConfig } from '../helpers/config.ts';
import { commitBaseline, createTestDatabase } from '../helpers/database.ts';
import { timetableEvent } from '../helpers/events.ts';
import { createCapturingLogger } from '../helpers/logger.ts';

export const ADMIN_TOKEN = 'admin-secret-0123456789abcdef';

export const makeEvent = timetableEvent;

/** Stores a first (baseline) scrape of the section, as the scraper would. */
export function seedSection(
  repositories: Repositories,
  config: Pick<Config, 'sections'>,
  sectionName: string,
  events: readonly TimetableEvent[],
  at: Date,
): SectionRow {
  repositories.sections.sync(config.sections, at);
  const section = findSection(repositories, sectionName);
  commitBaseline(repositories, section.id, events, at);
  return findSection(repositories, sectionName);
}

/** A later successful scrape with changes (`after: undefined` removes the event upstream). */
export function commitChanges(
  repositories: Repositories,
  sectionName: string,
  changes: readonly TimetableChange[],
  at: Date,
): SectionRow {
  const section = findSection(repositories, sectionName);
  const current = repositories.events.listCurrent(section.id);
  const byUid = new Map<string, TimetableEvent>(current.map((event) => [event.uid, event]));
  for (const change of changes) {
    if (change.after === undefined) byUid.delete(change.uid);
    else byUid.set(change.uid, change.after);
  }
  repositories.snapshots.commitScrape({
    sectionId: section.id,
    runId: repositories.scrapeRuns.start(section.id, 'schedule', at),
    at,
    durationMs: 0,
    events: [...byUid.values()],
    changes,
    remaps: [],
    baseline: false,
    issueCount: 0,
    recordAlert: false,
    nextRunAt: new Date(at.getTime() + 300_000),
  });
  return findSection(repositories, sectionName);
}

/** A failed scrape: the stored timetable stays. */
export function recordFailure(repositories: Repositories, sectionName: string, at: Date): void {
  const section = findSection(repositories, sectionName);
  const runId = repositories.scrapeRuns.start(section.id, 'schedule', at);
  repositories.scrapeRuns.finish(runId, {
    at,
    status: 'failed',
    errorCode: 'scraper.timeout',
    errorMessage: 'timed out',
    durationMs: 1,
  });
  repositories.sections.recordFailure(section.id, {
    at,
    code: 'scraper.timeout',
    message: 'timed out',
    nextRunAt: new Date(at.getTime() + 600_000),
  });
}

export function findSection(repositories: Repositories, name: string): SectionRow {
  const row = repositories.sections.list().find((section) => section.name === name);
  if (row === undefined) throw new Error(`section ${name} not seeded`);
  return row;
}

export function change(
  before: TimetableEvent | undefined,
  after: TimetableEvent | undefined,
): TimetableChange {
  const uid = after?.uid ?? before?.uid ?? '';
  return {
    uid,
    kinds: after === undefined ? ['cancelled'] : before === undefined ? ['added'] : ['moved'],
    before,
    after,
  };
}

export type FeedHarness = Awaited<ReturnType<typeof createFeedHarness>>;

/**
 * A migrated SQLite file, a test clock, a capturing logger and the feed server (not listening;
 * call `listen()` for a loopback URL). Everything is closed when the test ends.
 */
export async function createFeedHarness(
  options: {
    env?: Record<string, string | undefined>;
    now?: string;
    runScrape?: RunScrape;
    alertBacklog?: () => number;
    otherWritersCheckMs?: number;
  } = {},
) {
  const database = createTestDatabase();
  const config = createTestConfig({
    SECTIONS: 'Génie Info:file:./g.ics,MIAGE:file:./m.ics',
    ADMIN_STATIC_TOKEN: ADMIN_TOKEN,
    PUBLIC_URL: 'https://planning.example',
    ...options.env,
  });
  const clock: TestClock = createTestClock(options.now ?? '2026-11-21T13:05:00Z');
  const capture = createCapturingLogger('debug');
  const scrapeCalls: (string | undefined)[] = [];
  const runScrape: RunScrape =
    options.runScrape ??
    ((request) => {
      scrapeCalls.push(request?.section);
      return Promise.resolve(
        config.sections
          .filter((spec) => request?.section === undefined || spec.name === request.section)
          .map((spec): ScrapeSummary => ({
            section: spec.name,
            sectionKey: spec.key,
            status: 'unchanged',
            errorCode: undefined,
            errorMessage: undefined,
            events: 0,
            changes: {},
            durationMs: 1,
            runId: undefined,
          })),
      );
    });
  database.repositories.sections.sync(config.sections, clock.now());
  const app = await buildFeedServer(
    {
      config,
      repositories: database.repositories,
      clock,
      logger: capture.logger,
      runScrape,
      alertBacklog: options.alertBacklog,
      version: '0.0.0-test',
    },
    {
      usageFlushIntervalMs: 60_000,
      ...(options.otherWritersCheckMs === undefined
        ? {}
        : { otherWritersCheckMs: options.otherWritersCheckMs }),
    },
  );
  onTestFinished(async () => {
    await app.close();
    // Every test doubles as a leak check: no token (64 hex) and no admin secret in any log line.
    const leaks = capture.lines.filter(
      (line) => /[0-9a-f]{64}/i.test(line) || line.includes(ADMIN_TOKEN),
    );
    if (leaks.length > 0) throw new Error(`secret in logs:\n${leaks.join('\n')}`);
  });

  async function listen(): Promise<string> {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  return {
    ...database,
    app,
    config,
    clock,
    logLines: capture.lines,
    scrapeCalls,
    listen,
  };
}

/** `planning-proxy token …` on a fresh database with two sections ("Génie Info", "MIAGE"). */
export function createTokenCommandHarness() {
  const database = createTestDatabase();
  const config = createTestConfig({
    SECTIONS: 'Génie Info:file:./g.ics,MIAGE:file:./m.ics',
    PUBLIC_URL: 'https://planning.example',
  });
  const clock = createTestClock('2026-11-21T13:05:00Z');
  database.repositories.sections.sync(config.sections, clock.now());
  const lines: string[] = [];
  const run = (...args: string[]) =>
    tokenCommand(args, {
      repositories: database.repositories,
      config,
      clock,
      print: (line) => lines.push(line),
    });
  return { ...database, lines, run, clock };
}

/** Stores a baseline of two classes (uids a and b) for one of the harness's sections. */
export function seedTwoClasses(harness: FeedHarness, sectionName: string, at: Date): SectionRow {
  return seedSection(
    harness.repositories,
    harness.config,
    sectionName,
    [makeEvent({ uid: 'a' }), makeEvent({ uid: 'b' })],
    at,
  );
}
