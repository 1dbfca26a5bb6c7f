// One section on a real SQLite file in a temp folder, its events stored as a baseline scrape: the
// starting point of the feed and filter benches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config.ts';
import { systemClock, type TimetableEvent } from '../src/core/index.ts';
import { createRepositories, openDatabase, runMigrations } from '../src/db/index.ts';

export function seedBenchSection(options: {
  readonly tempPrefix: string;
  readonly events: (now: Date) => TimetableEvent[];
  readonly nextRunInMs: number;
}) {
  const dir = mkdtempSync(join(tmpdir(), options.tempPrefix));
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
    events: options.events(now),
    changes: [],
    remaps: [],
    baseline: true,
    issueCount: 0,
    recordAlert: false,
    nextRunAt: new Date(now.getTime() + options.nextRunInMs),
  });
  return {
    handle,
    repositories,
    config,
    section,
    now,
    close: (): void => {
      handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
