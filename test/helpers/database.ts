import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import {
  createRepositories,
  openDatabase,
  runMigrations,
  type CommitScrapeInput,
  type DatabaseHandle,
  type Repositories,
} from '../../src/db/index.ts';

/** A real SQLite file in a fresh temp folder, migrated, closed and deleted when the test ends. */
export function createTestDatabase(options: { keep?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pp-db-'));
  const path = join(dir, 'test.db');
  const handle: DatabaseHandle = openDatabase({ path });
  runMigrations(handle.db);
  const repositories = createRepositories(handle.db);
  if (options.keep !== true) {
    onTestFinished(() => {
      handle.close();
      rmSync(dir, { recursive: true, force: true });
    });
  }
  return { ...handle, path, dir, repositories };
}

/**
 * Stores a first (baseline) scrape of `events` for the section at `at`, as the scraper would: no
 * alert, next run five minutes later unless `fields` say otherwise.
 */
export function commitBaseline(
  repositories: Repositories,
  sectionId: number,
  events: CommitScrapeInput['events'],
  at: Date,
  fields: Partial<Pick<CommitScrapeInput, 'durationMs' | 'recordAlert' | 'nextRunAt'>> = {},
) {
  return repositories.snapshots.commitScrape({
    sectionId,
    runId: repositories.scrapeRuns.start(sectionId, 'manual', at),
    at,
    durationMs: 0,
    events,
    changes: [],
    remaps: [],
    baseline: true,
    issueCount: 0,
    recordAlert: false,
    nextRunAt: new Date(at.getTime() + 300_000),
    ...fields,
  });
}
