import { and, isNotNull, isNull, lt, notInArray } from 'drizzle-orm';
import type { Statement } from 'better-sqlite3';
import type { Database } from '../client.ts';
import { alertOutboxTable, eventsTable, scrapeRunsTable } from '../schema.ts';

export type MaintenanceRepository = ReturnType<typeof createMaintenanceRepository>;

export type PruneResult = { readonly runs: number; readonly events: number };

export function createMaintenanceRepository(db: Database) {
  let localChanges: Statement | undefined;
  let dataVersion: Statement | undefined;
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

    /**
     * Changes the database saw: `local` counts rows this connection changed, `others` moves when
     * another connection (the CLI, a second process) committed. Equal markers mean nothing was
     * written, so what was read before is still true; in-memory caches (the feed's token and
     * section lookups) check it instead of reading their rows again.
     */
    changeMarker(): { readonly local: number; readonly others: number } {
      localChanges ??= db.$client.prepare('SELECT total_changes()').pluck();
      dataVersion ??= db.$client.prepare('PRAGMA data_version').pluck();
      return { local: Number(localChanges.get()), others: Number(dataVersion.get()) };
    },

    /**
     * Runs `write` without waiting for another connection's write lock (the scrape worker's
     * commit): SQLITE_BUSY at once instead of holding this thread for busy_timeout.
     */
    withoutWaiting<T>(write: () => T): T {
      const previous = Number(db.$client.pragma('busy_timeout', { simple: true }));
      db.$client.pragma('busy_timeout = 0');
      try {
        return write();
      } finally {
        db.$client.pragma(`busy_timeout = ${previous}`);
      }
    },

    /** The `local` part of changeMarker alone (cheaper: no look at the database file). */
    localChanges(): number {
      localChanges ??= db.$client.prepare('SELECT total_changes()').pluck();
      return Number(localChanges.get());
    },
  };
}
