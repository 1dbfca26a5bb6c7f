import { toSectionKey, type SectionSpec, type TimetableEvent } from '../../src/core/index.ts';
import type { CommitScrapeInput } from '../../src/db/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { timetableEvent } from '../helpers/events.ts';

export const T0 = new Date('2026-11-21T10:00:00Z');

export function section(name: string, url = `https://ade.example.edu/${name}.ics`): SectionSpec {
  return { key: toSectionKey(name), name, source: { kind: 'ics', url } };
}

/** A two-hour class on Monday 23 November 2026 + `day` days. */
export function event(uid: string, fields: Partial<TimetableEvent> & { day?: number } = {}) {
  const { day = 0, ...rest } = fields;
  const startsAt = new Date(Date.UTC(2026, 10, 23 + day, 8));
  return timetableEvent({
    uid,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 7_200_000),
    title: 'Algorithmique avancée',
    location: 'Amphi A',
    teacher: 'DUPONT Marie',
    description: 'L3 INFO',
    category: 'CM',
    groups: ['L3 INFO'],
    raw: { summary: 'Algorithmique avancée' },
    ...rest,
  });
}

/** A migrated database with one section (L3) and helpers to commit runs into it. */
export function createStore() {
  const database = createTestDatabase();
  const { repositories, sqlite } = database;
  const [row] = repositories.sections.sync([section('L3')], T0);
  if (row === undefined) throw new Error('no section');
  const sectionId = row.id;

  function commit(input: Partial<CommitScrapeInput> & { at?: Date } = {}) {
    const at = input.at ?? T0;
    const runId = repositories.scrapeRuns.start(sectionId, 'schedule', at);
    const result = repositories.snapshots.commitScrape({
      sectionId,
      runId,
      at,
      durationMs: 12,
      events: [],
      changes: [],
      remaps: [],
      baseline: false,
      issueCount: 0,
      recordAlert: false,
      nextRunAt: new Date(at.getTime() + 300_000),
      ...input,
    });
    return { runId, ...result };
  }

  const all = (sql: string, ...params: unknown[]) =>
    sqlite.prepare(sql).all(...params) as Record<string, unknown>[];

  return {
    ...database,
    sectionId,
    commit,
    eventRows: () => all('select * from events where section_id = ? order by uid', sectionId),
    changeRows: () => all('select * from changes order by id'),
    outboxRows: () => all('select * from alert_outbox order by id'),
    sectionRow: () => all('select * from sections where id = ?', sectionId)[0] ?? {},
    runRows: () => all('select * from scrape_runs order by id'),
  };
}
