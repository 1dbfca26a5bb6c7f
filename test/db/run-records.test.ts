/**
 * Records that stay true when two processes share one database file (a server and a CLI command):
 * a commit applies only if the section did not change since its diff, a committed run carries no
 * error, and a database that refuses the record of a failure never leaves a run 'running'.
 */
import { describe, expect, it } from 'vitest';
import { diffTimetables } from '../../src/scraper/diff.ts';
import { createRunRecords } from '../../src/scraper/run-records.ts';
import { createRepositories, openDatabase, runMigrations } from '../../src/db/index.ts';
import { createCapturingLogger } from '../helpers/logger.ts';
import { createStore, event, T0 } from './helpers.ts';

const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe('run records shared by two processes', () => {
  it('refuses a commit whose diff another connection already stored (no change recorded twice)', () => {
    const store = createStore();
    const before = [event('a'), event('b', { day: 1 })];
    store.commit({ events: before, baseline: true });
    // A second connection to the same file: another process (a second server, the CLI).
    const other = openDatabase({ path: store.path });
    runMigrations(other.db);
    const otherRepositories = createRepositories(other.db);
    try {
      const after = [
        event('a', { title: 'Algorithmique (salle changée)' }),
        event('b', { day: 1 }),
      ];
      // Both read the same stored state and compute the same diff…
      const read = (repositories: typeof store.repositories) => {
        const row = repositories.sections.findById(store.sectionId)!;
        const diff = diffTimetables(repositories.events.listCurrent(row.id), after, { now: T0 });
        return { row, diff };
      };
      const mine = read(store.repositories);
      const theirs = read(otherRepositories);
      expect(mine.diff.changes).toHaveLength(1);
      // …the other process commits first…
      const theirRun = otherRepositories.scrapeRuns.start(store.sectionId, 'manual', later(1));
      otherRepositories.snapshots.commitScrape({
        sectionId: store.sectionId,
        runId: theirRun,
        at: later(1),
        durationMs: 5,
        events: after,
        changes: theirs.diff.changes,
        remaps: theirs.diff.remaps,
        baseline: false,
        issueCount: 0,
        recordAlert: true,
        nextRunAt: later(6),
        expectedContentVersion: theirs.row.contentVersion,
      });
      // …so this one is refused and writes nothing.
      const myRun = store.repositories.scrapeRuns.start(store.sectionId, 'schedule', later(1));
      expect(() =>
        store.repositories.snapshots.commitScrape({
          sectionId: store.sectionId,
          runId: myRun,
          at: later(1),
          durationMs: 5,
          events: after,
          changes: mine.diff.changes,
          remaps: mine.diff.remaps,
          baseline: false,
          issueCount: 0,
          recordAlert: true,
          nextRunAt: later(6),
          expectedContentVersion: mine.row.contentVersion,
        }),
      ).toThrow(expect.objectContaining({ code: 'scraper.superseded' }));
      expect(store.changeRows()).toHaveLength(1);
      expect(store.outboxRows()).toHaveLength(1);
      expect(store.runRows().find((run) => run.id === myRun)).toMatchObject({ status: 'running' });
    } finally {
      other.close();
    }
  });

  it('clears the error fields of a run that commits after being marked aborted', () => {
    const store = createStore();
    const runId = store.repositories.scrapeRuns.start(store.sectionId, 'schedule', T0);
    // What a CLI command used to do to the server's live run.
    store.repositories.scrapeRuns.closeAbandoned(later(1));
    store.repositories.snapshots.commitScrape({
      sectionId: store.sectionId,
      runId,
      at: later(2),
      durationMs: 5,
      events: [event('a')],
      changes: [],
      remaps: [],
      baseline: true,
      issueCount: 0,
      recordAlert: false,
      nextRunAt: later(7),
    });
    expect(store.runRows()).toMatchObject([
      { id: runId, status: 'baseline', error_code: null, error_message: null },
    ]);
  });

  it('closes a failed run later when the database refused its record (SQLITE_BUSY)', () => {
    const store = createStore();
    const capture = createCapturingLogger('debug');
    // The scraper's own connection, with a short busy timeout so the test does not wait 5 s.
    const scraperSide = openDatabase({ path: store.path });
    scraperSide.sqlite.pragma('busy_timeout = 50');
    const repositories = createRepositories(scraperSide.db);
    const records = createRunRecords({ repositories, logger: capture.logger });
    try {
      const runId = repositories.scrapeRuns.start(store.sectionId, 'schedule', T0);
      // Another process holds the write lock while the scraper records the failure.
      store.sqlite.exec('BEGIN IMMEDIATE');
      const closed = records.closeFailed({
        runId,
        sectionId: store.sectionId,
        finish: {
          at: later(1),
          status: 'failed',
          errorCode: 'scraper.http_status',
          errorMessage: 'GET https://ade.example.edu/L3.ics answered 500',
          durationMs: 10,
        },
        sectionFailure: {
          at: later(1),
          code: 'scraper.http_status',
          message: 'answered 500',
          nextRunAt: later(6),
        },
      });
      expect(closed).toBe(false);
      expect(records.pending()).toBe(1);
      expect(capture.lines.join('\n')).toContain('the database refused the record');
      store.sqlite.exec('ROLLBACK');
      expect(store.runRows()).toMatchObject([{ id: runId, status: 'running' }]);
      records.retryUnfinished();
      expect(records.pending()).toBe(0);
      expect(store.runRows()).toMatchObject([
        { id: runId, status: 'failed', error_code: 'scraper.http_status' },
      ]);
    } finally {
      scraperSide.close();
    }
  });
});
