import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database.ts';
import { section, T0 } from './helpers.ts';

const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe('scrape runs repository', () => {
  function setup() {
    const { repositories } = createTestDatabase();
    const [row] = repositories.sections.sync([section('L3')], T0);
    return { runs: repositories.scrapeRuns, sectionId: row!.id };
  }

  it('records a run from start to finish', () => {
    const { runs, sectionId } = setup();
    const id = runs.start(sectionId, 'manual', at(0));
    runs.finish(id, {
      at: at(1),
      status: 'failed',
      errorCode: 'scraper.timeout',
      errorMessage: 'GET https://ade.example.edu/L3.ics timed out',
      durationMs: 60_000,
    });
    expect(runs.listRecent(sectionId, 5)).toMatchObject([
      {
        id,
        trigger: 'manual',
        startedAt: at(0),
        finishedAt: at(1),
        status: 'failed',
        errorCode: 'scraper.timeout',
        durationMs: 60_000,
      },
    ]);
  });

  it('closes runs a crash left running as aborted', () => {
    const { runs, sectionId } = setup();
    const done = runs.start(sectionId, 'schedule', at(0));
    runs.finish(done, { at: at(1), status: 'skipped', durationMs: 0 });
    runs.start(sectionId, 'schedule', at(5));
    expect(runs.closeAbandoned(at(10))).toBe(1);
    expect(runs.listRecent(sectionId, 5).map((run) => [run.status, run.errorCode])).toEqual([
      ['failed', 'scraper.aborted'],
      ['skipped', null],
    ]);
  });

  it('lists recent runs newest first, counts them by status and prunes old ones', () => {
    const { runs, sectionId } = setup();
    for (const minute of [0, 5, 10]) {
      const id = runs.start(sectionId, 'schedule', at(minute));
      runs.finish(id, {
        at: at(minute),
        status: minute === 5 ? 'failed' : 'unchanged',
        durationMs: 1,
      });
    }
    expect(runs.listRecent(sectionId, 2).map((run) => run.startedAt)).toEqual([at(10), at(5)]);
    expect(runs.countBySectionAndStatus()).toEqual(
      expect.arrayContaining([
        { sectionId, status: 'unchanged', runs: 2 },
        { sectionId, status: 'failed', runs: 1 },
      ]),
    );
    expect(runs.pruneBefore(at(6))).toBe(2);
    expect(runs.listRecent(sectionId, 5).map((run) => run.startedAt)).toEqual([at(10)]);
  });
});
