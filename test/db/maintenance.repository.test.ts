import { describe, expect, it } from 'vitest';
import { toSectionKey, type TimetableEvent } from '../../src/core/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { timetableEvent } from '../helpers/events.ts';

function event(uid: string, startsAt: string): TimetableEvent {
  const start = new Date(startsAt);
  return timetableEvent({
    uid,
    startsAt: start,
    endsAt: new Date(start.getTime() + 3_600_000),
    title: `Class ${uid}`,
    location: 'A1',
    teacher: 'T',
  });
}

describe('retention pruning', () => {
  it('drops old runs and long-removed events but keeps runs with undelivered alerts', () => {
    const { repositories, sqlite } = createTestDatabase();
    const [section] = repositories.sections.sync(
      [{ key: toSectionKey('A'), name: 'A', source: { kind: 'file', path: 'a.ics' } }],
      new Date('2026-01-01T00:00:00Z'),
    );
    const sectionId = section!.id;
    const commit = (
      at: string,
      changes: Parameters<typeof repositories.snapshots.commitScrape>[0]['changes'],
      baseline: boolean,
      events: TimetableEvent[],
    ) =>
      repositories.snapshots.commitScrape({
        sectionId,
        runId: repositories.scrapeRuns.start(sectionId, 'schedule', new Date(at)),
        at: new Date(at),
        durationMs: 1,
        events,
        changes,
        remaps: [],
        baseline,
        issueCount: 0,
        recordAlert: true,
        nextRunAt: new Date(at),
      });
    const a = event('a', '2026-06-01T08:00:00Z');
    const b = event('b', '2026-06-02T08:00:00Z');
    commit('2026-01-01T00:00:00Z', [], true, [a, b]);
    // Removed in January (old), alert never delivered.
    const removal = commit(
      '2026-01-02T00:00:00Z',
      [{ uid: 'b', kinds: ['cancelled'], before: b, after: undefined }],
      false,
      [a],
    );
    commit('2026-05-01T00:00:00Z', [], false, [a]);

    const result = repositories.maintenance.prune({ before: new Date('2026-03-01T00:00:00Z') });

    expect(result).toEqual({ runs: 1, events: 1 });
    const runs = sqlite.prepare('select status from scrape_runs order by id').all();
    expect(runs).toEqual([{ status: 'ok' }, { status: 'unchanged' }]);
    expect(removal.outboxId).toBeDefined();
    expect(sqlite.prepare('select count(*) n from changes').get()).toEqual({ n: 1 });
    expect(repositories.events.listCurrent(sectionId).map((row) => row.uid)).toEqual(['a']);
  });
});
