import { eq } from 'drizzle-orm';
import type { Database } from '../client.ts';
import { pendingRemovalsTable } from '../schema.ts';

/** A stored event one scrape found missing, waiting for the next scrape to confirm it. */
export type PendingRemoval = {
  readonly uid: string;
  readonly firstMissedAt: Date;
  readonly singleSighting: boolean;
};

export type PendingRemovalsRepository = ReturnType<typeof createPendingRemovalsRepository>;

type Writer = Pick<Database, 'delete' | 'insert'>;

/** Replaces a section's pending removals (inside the transaction of the commit that found them). */
export function replacePendingRemovals(
  tx: Writer,
  sectionId: number,
  entries: readonly PendingRemoval[],
): void {
  tx.delete(pendingRemovalsTable).where(eq(pendingRemovalsTable.sectionId, sectionId)).run();
  for (const entry of entries) {
    tx.insert(pendingRemovalsTable)
      .values({
        sectionId,
        uid: entry.uid,
        firstMissedAt: entry.firstMissedAt,
        singleSighting: entry.singleSighting,
      })
      .onConflictDoNothing()
      .run();
  }
}

export function createPendingRemovalsRepository(db: Database) {
  return {
    /** The section's pending removals, by uid. */
    list(sectionId: number): Map<string, PendingRemoval> {
      const rows = db
        .select()
        .from(pendingRemovalsTable)
        .where(eq(pendingRemovalsTable.sectionId, sectionId))
        .all();
      return new Map(
        rows.map((row) => [
          row.uid,
          { uid: row.uid, firstMissedAt: row.firstMissedAt, singleSighting: row.singleSighting },
        ]),
      );
    },
  };
}
