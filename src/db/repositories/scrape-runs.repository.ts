import { and, count, desc, eq, lt } from 'drizzle-orm';
import type { Database } from '../client.ts';
import { scrapeRunsTable } from '../schema.ts';

export type ScrapeRunRow = typeof scrapeRunsTable.$inferSelect;
export type ScrapeRunsRepository = ReturnType<typeof createScrapeRunsRepository>;
export type RunTrigger = ScrapeRunRow['trigger'];

export function createScrapeRunsRepository(db: Database) {
  return {
    start(sectionId: number, trigger: RunTrigger, at: Date): number {
      return db
        .insert(scrapeRunsTable)
        .values({ sectionId, trigger, startedAt: at, status: 'running' })
        .returning({ id: scrapeRunsTable.id })
        .get().id;
    },

    /** Closes a run that stored nothing (failed, held, skipped). */
    finish(
      runId: number,
      result: {
        at: Date;
        status: Exclude<ScrapeRunRow['status'], 'running'>;
        errorCode?: string | undefined;
        errorMessage?: string | undefined;
        eventCount?: number | undefined;
        issueCount?: number | undefined;
        durationMs: number;
      },
    ): void {
      db.update(scrapeRunsTable)
        .set({
          finishedAt: result.at,
          status: result.status,
          errorCode: result.errorCode ?? null,
          errorMessage: result.errorMessage ?? null,
          eventCount: result.eventCount ?? null,
          issueCount: result.issueCount ?? 0,
          durationMs: result.durationMs,
        })
        .where(eq(scrapeRunsTable.id, runId))
        .run();
    },

    /** Runs left 'running' by a crash are closed as aborted (their writes were rolled back). */
    closeAbandoned(at: Date): number {
      return db
        .update(scrapeRunsTable)
        .set({
          status: 'failed',
          finishedAt: at,
          errorCode: 'scraper.aborted',
          errorMessage: 'the process stopped during this run',
        })
        .where(eq(scrapeRunsTable.status, 'running'))
        .run().changes;
    },

    listRecent(sectionId: number, limit: number): ScrapeRunRow[] {
      return db
        .select()
        .from(scrapeRunsTable)
        .where(eq(scrapeRunsTable.sectionId, sectionId))
        .orderBy(desc(scrapeRunsTable.startedAt), desc(scrapeRunsTable.id))
        .limit(limit)
        .all();
    },

    /** Stored runs per section and status (for metrics; pruned runs are gone). */
    countBySectionAndStatus(): {
      sectionId: number;
      status: ScrapeRunRow['status'];
      runs: number;
    }[] {
      return db
        .select({
          sectionId: scrapeRunsTable.sectionId,
          status: scrapeRunsTable.status,
          runs: count(),
        })
        .from(scrapeRunsTable)
        .groupBy(scrapeRunsTable.sectionId, scrapeRunsTable.status)
        .all();
    },

    pruneBefore(before: Date): number {
      return db
        .delete(scrapeRunsTable)
        .where(and(lt(scrapeRunsTable.startedAt, before)))
        .run().changes;
    },
  };
}
