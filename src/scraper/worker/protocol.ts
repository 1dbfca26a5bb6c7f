import type { Config } from '../../config.ts';
import type { ScrapeSummary } from '../../core/index.ts';
import type { RunTrigger } from '../../db/index.ts';

export type ScrapeWorkerData = {
  readonly config: Config;
  readonly recordAlerts: boolean;
  /** One Int32: runs finished (their commits visible to other connections). */
  readonly finishedRuns: SharedArrayBuffer;
};

/** What crosses between the app's thread and the scrape worker (structured-cloned). */
export type RunRequest = {
  readonly section?: string;
  readonly trigger?: RunTrigger;
  readonly force?: boolean;
  /**
   * Already cancelled when asked (the app stopping): the run only waits for the one in progress
   * and starts nothing. A separate `abort` message would arrive after the run had started.
   */
  readonly aborted?: boolean;
};

export type ToWorker =
  | { readonly type: 'run'; readonly id: number; readonly options: RunRequest }
  | { readonly type: 'abort'; readonly id: number }
  | { readonly type: 'sync'; readonly id: number };

/** An error thrown in the worker, as the app's thread rebuilds it (AppError keeps its code). */
export type SerializedError = {
  readonly code: string | undefined;
  readonly message: string;
  readonly publicMessage: string | undefined;
};

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly summaries: ScrapeSummary[] }
  | { readonly type: 'synced'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'alerts' }
  | { readonly type: 'fatal'; readonly error: SerializedError };
