import { and, isNotNull, isNull, lt, notInArray } from 'drizzle-orm';
import type { Database } from '../client.ts';
import { alertOutboxTable, eventsTable, scrapeRunsTable } from '../schema.ts';

export type MaintenanceRepository = ReturnType<typeof createMaintenanceRepository>;

export type PruneResult = { readonly runs: number; readonly events: number };

export function createMaintenanceRepository(db: Database) {
  return {
    /**
     * Keeps the database small over a school year: scrape runs older than `before` go, with their
     * change history (cascade), unless one of their alerts is still undelivered; so do events
     * removed upstream before it. Past classes the source still lists stay in feeds.
     */
    prune(options: { before: Date }): PruneResult {
      return db.transaction((tx) => {
        const undelivered = tx
          .select({ runId: alertOutboxTable.runId })
          .from(alertOutboxTable)
          .where(isNull(alertOutboxTable.deliveredAt));
        const runs = tx
          .delete(scrapeRunsTable)
          .where(
            and(
              lt(scrapeRunsTable.startedAt, options.before),
              notInArray(scrapeRunsTable.id, undelivered),
            ),
          )
          .run().changes;
        const events = tx
          .delete(eventsTable)
          .where(and(isNotNull(eventsTable.removedAt), lt(eventsTable.removedAt, options.before)))
          .run().changes;
        return { runs, events };
      });
    },
  };
}
