import { and, asc, desc, eq, gte, inArray } from 'drizzle-orm';
import type { ChangeKind, TimetableChange } from '../../core/index.ts';
import type { Database } from '../client.ts';
import { changesTable } from '../schema.ts';
import { fromEventJson, otherPartsFromJson } from './rows.ts';

export type StoredChange = TimetableChange & {
  readonly id: number;
  readonly sectionId: number;
  readonly runId: number;
  readonly eventStartsAt: Date;
  readonly changedAt: Date;
};

export type ChangesRepository = ReturnType<typeof createChangesRepository>;

function toStoredChange(row: typeof changesTable.$inferSelect): StoredChange {
  const otherParts = otherPartsFromJson(row.afterJson);
  return {
    ...(otherParts.length > 0 ? { otherParts } : {}),
    id: row.id,
    sectionId: row.sectionId,
    runId: row.runId,
    uid: row.uid,
    kinds: row.kinds.split(',') as ChangeKind[],
    before: fromEventJson(row.beforeJson),
    after: fromEventJson(row.afterJson),
    eventStartsAt: row.eventStartsAt,
    changedAt: row.changedAt,
  };
}

export function createChangesRepository(db: Database) {
  return {
    listForRun(runId: number): StoredChange[] {
      return db
        .select()
        .from(changesTable)
        .where(eq(changesTable.runId, runId))
        .orderBy(asc(changesTable.eventStartsAt), asc(changesTable.id))
        .all()
        .map(toStoredChange);
    },

    listForRuns(runIds: readonly number[]): StoredChange[] {
      if (runIds.length === 0) return [];
      return db
        .select()
        .from(changesTable)
        .where(inArray(changesTable.runId, [...runIds]))
        .orderBy(asc(changesTable.eventStartsAt), asc(changesTable.id))
        .all()
        .map(toStoredChange);
    },

    listSince(sectionId: number, since: Date): StoredChange[] {
      return db
        .select()
        .from(changesTable)
        .where(and(eq(changesTable.sectionId, sectionId), gte(changesTable.changedAt, since)))
        .orderBy(asc(changesTable.changedAt), asc(changesTable.id))
        .all()
        .map(toStoredChange);
    },

    latest(sectionId: number): StoredChange | undefined {
      const row = db
        .select()
        .from(changesTable)
        .where(eq(changesTable.sectionId, sectionId))
        .orderBy(desc(changesTable.changedAt), desc(changesTable.id))
        .limit(1)
        .get();
      return row === undefined ? undefined : toStoredChange(row);
    },
  };
}
