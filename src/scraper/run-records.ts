import { describeError, type Logger } from '../core/index.ts';
import type { Repositories, ScrapeRunsRepository } from '../db/index.ts';

type FinishInput = Parameters<ScrapeRunsRepository['finish']>[1];

export type FailedRun = {
  readonly runId: number;
  readonly sectionId: number;
  readonly finish: FinishInput;
  /** The section's failure (backoff); absent for a cancelled or superseded run. */
  readonly sectionFailure?: { at: Date; code: string; message: string; nextRunAt: Date };
};

export type RunRecords = ReturnType<typeof createRunRecords>;

/**
 * Closes the records of runs that did not commit, even when the database itself fails while doing
 * so (SQLITE_BUSY past the busy timeout, a disk error): the failure path never throws, and a run
 * it could not close is retried before the next scrape, so no run stays 'running' forever (and
 * the next start of the app closes whatever is left).
 */
export function createRunRecords(deps: {
  readonly repositories: Pick<Repositories, 'sections' | 'scrapeRuns'>;
  readonly logger: Logger;
}) {
  const unfinished = new Map<number, FinishInput>();

  /** Records a run that stored nothing; false when the database refused (retried later). */
  function closeFailed(run: FailedRun): boolean {
    try {
      if (run.sectionFailure !== undefined) {
        deps.repositories.sections.recordFailure(run.sectionId, run.sectionFailure);
      }
      deps.repositories.scrapeRuns.finish(run.runId, run.finish);
      return true;
    } catch (error) {
      unfinished.set(run.runId, run.finish);
      deps.logger.error(
        { runId: run.runId, err: error, error: describeError(error) },
        'the database refused the record of a failed scrape; it is closed before the next scrape',
      );
      return false;
    }
  }

  /** Closes the runs the database refused before; keeps those it still refuses. */
  function retryUnfinished(): void {
    for (const [runId, finish] of unfinished) {
      try {
        deps.repositories.scrapeRuns.finish(runId, finish);
        unfinished.delete(runId);
      } catch (error) {
        deps.logger.warn({ runId, error: describeError(error) }, 'scrape run still not closed');
        return;
      }
    }
  }

  return { closeFailed, retryUnfinished, pending: () => unfinished.size };
}
