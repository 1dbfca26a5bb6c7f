import { eq, sql } from 'drizzle-orm';
import { describeSectionSource, type SectionKey, type SectionSpec } from '../../core/index.ts';
import type { Database } from '../client.ts';
import { sectionsTable } from '../schema.ts';

export type SectionRow = typeof sectionsTable.$inferSelect;
export type SectionsRepository = ReturnType<typeof createSectionsRepository>;

export function createSectionsRepository(db: Database) {
  // Prepared on first use (after migrations): feed requests look sections up on every hit.
  let byId: ReturnType<typeof prepareById> | undefined;
  let byKey: ReturnType<typeof prepareByKey> | undefined;
  function prepareById() {
    return db
      .select()
      .from(sectionsTable)
      .where(eq(sectionsTable.id, sql.placeholder('id')))
      .prepare();
  }
  function prepareByKey() {
    return db
      .select()
      .from(sectionsTable)
      .where(eq(sectionsTable.key, sql.placeholder('key')))
      .prepare();
  }
  return {
    /** Creates rows for new sections and refreshes names/sources; never deletes data. */
    sync(specs: readonly SectionSpec[], now: Date): SectionRow[] {
      return db.transaction((tx) =>
        specs.map((spec) => {
          const values = {
            key: spec.key,
            name: spec.name,
            sourceKind: spec.source.kind,
            sourceRef: describeSectionSource(spec.source),
          };
          return tx
            .insert(sectionsTable)
            .values({ ...values, createdAt: now })
            .onConflictDoUpdate({ target: sectionsTable.key, set: values })
            .returning()
            .get();
        }),
      );
    },

    findByKey(key: SectionKey): SectionRow | undefined {
      byKey ??= prepareByKey();
      return byKey.get({ key });
    },

    findById(id: number): SectionRow | undefined {
      byId ??= prepareById();
      return byId.get({ id });
    },

    list(): SectionRow[] {
      return db.select().from(sectionsTable).orderBy(sectionsTable.name).all();
    },

    /** A failed (or held) run: the timetable itself is untouched. */
    recordFailure(
      id: number,
      failure: { at: Date; code: string; message: string; nextRunAt: Date },
    ): void {
      const current = this.findById(id);
      db.update(sectionsTable)
        .set({
          lastRunAt: failure.at,
          lastErrorAt: failure.at,
          lastErrorCode: failure.code,
          lastErrorMessage: failure.message,
          consecutiveFailures: (current?.consecutiveFailures ?? 0) + 1,
          nextRunAt: failure.nextRunAt,
        })
        .where(eq(sectionsTable.id, id))
        .run();
    },

    /** The source was fixed: forget the failure streak so the next tick scrapes it. */
    resetBackoff(id: number): void {
      db.update(sectionsTable)
        .set({ consecutiveFailures: 0, nextRunAt: null })
        .where(eq(sectionsTable.id, id))
        .run();
    },

    setNextRun(id: number, nextRunAt: Date): void {
      db.update(sectionsTable).set({ nextRunAt }).where(eq(sectionsTable.id, id)).run();
    },
  };
}
