import { Worker } from 'node:worker_threads';
import type { Config } from '../../config.ts';
import { AppError, type ErrorCode, type Logger, type ScrapeSummary } from '../../core/index.ts';
import type { RunOptions } from '../scraper.ts';
import type { FromWorker, ScrapeWorkerData, SerializedError, ToWorker } from './protocol.ts';

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

export type ThreadedScraper = {
  runOnce(options?: RunOptions): Promise<ScrapeSummary[]>;
  syncSections(): Promise<void>;
  /** Starts the thread now (the server does at start, so its first scrape need not wait). */
  warmUp(): void;
  /** Resolves once the thread has loaded and opened the database (or failed to: runs then reject). */
  ready(): Promise<void>;
  /** Changes when a run finished in the worker (its commits are then visible to any connection). */
  finishedRuns(): number;
  /** Lets a running scrape finish its section, then ends the thread. */
  close(): Promise<void>;
};

/**
 * The scraper in a worker thread (src/scrape-worker.ts), so that fetching,
 * parsing, diffing and committing a 20,000-event calendar never holds the feed server's event
 * loop. Same summaries as createScraper; an error thrown there (an unknown section) is thrown here
 * as the same AppError; its log lines are written by `logger`.
 */
export function createThreadedScraper(deps: {
  readonly config: Config;
  readonly logger: Logger;
  readonly recordAlerts: boolean;
  readonly onAlerts?: () => void;
}): ThreadedScraper {
  const finishedRuns = new SharedArrayBuffer(4);
  const finished = new Int32Array(finishedRuns);
  const data: ScrapeWorkerData = {
    config: deps.config,
    recordAlerts: deps.recordAlerts,
    finishedRuns,
  };
  // Started on the first run (a CLI command that never scrapes never pays for the thread), and
  // keeping the process alive only while a call is pending.
  let started: Worker | undefined;
  let markReady: () => void = () => undefined;
  const booted = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  function worker(): Worker {
    started ??= startWorker();
    return started;
  }
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  let nextId = 1;
  let failure: Error | undefined;
  let closed = false;

  function startWorker(): Worker {
    const thread = new Worker(new URL('../../scrape-worker.ts', import.meta.url), {
      workerData: data,
    });
    thread.unref();
    thread.on('message', onMessage);
    thread.on('error', (error) => {
      failure = error;
      deps.logger.error({ err: error }, 'scrape worker crashed');
      rejectAll(error);
    });
    thread.on('exit', (code) => {
      if (closed) return;
      failure ??= new Error(`scrape worker exited (${code})`);
      rejectAll(failure);
    });
    return thread;
  }

  function onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'log':
        relayLog(deps.logger, message.line);
        return;
      case 'alerts':
        deps.onAlerts?.();
        return;
      case 'ready':
        markReady();
        return;
      case 'fatal':
        failure = toError(message.error);
        deps.logger.error({ err: failure }, 'scrape worker could not start');
        rejectAll(failure);
        markReady();
        return;
      case 'result':
        settle(message.id, (entry) => {
          entry.resolve(message.summaries);
        });
        return;
      case 'synced':
        settle(message.id, (entry) => {
          entry.resolve(undefined);
        });
        return;
      case 'error':
        settle(message.id, (entry) => {
          entry.reject(toError(message.error));
        });
        return;
    }
  }

  function settle(id: number, apply: (entry: NonNullable<ReturnType<typeof pending.get>>) => void) {
    const entry = pending.get(id);
    if (entry === undefined) return;
    pending.delete(id);
    if (pending.size === 0) started?.unref();
    apply(entry);
  }

  function rejectAll(error: Error): void {
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
    started?.unref();
    markReady();
  }

  function call<T>(message: (id: number) => ToWorker, signal?: AbortSignal): Promise<T> {
    if (failure !== undefined) return Promise.reject(failure);
    const id = nextId++;
    const thread = worker();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      thread.ref();
      thread.postMessage(message(id));
      if (signal !== undefined) {
        const abort = () => {
          thread.postMessage({ type: 'abort', id } satisfies ToWorker);
        };
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      }
    });
  }

  return {
    runOnce(options = {}) {
      const { signal, ...request } = options;
      const asked = signal?.aborted === true ? { ...request, aborted: true } : request;
      return call<ScrapeSummary[]>((id) => ({ type: 'run', id, options: asked }), signal);
    },
    syncSections() {
      return call<undefined>((id) => ({ type: 'sync', id }));
    },
    finishedRuns: () => Atomics.load(finished, 0),
    warmUp() {
      if (!closed && failure === undefined) worker();
    },
    ready() {
      if (closed || failure !== undefined) return Promise.resolve();
      worker();
      return booted;
    },
    async close() {
      if (closed) return;
      if (started === undefined) {
        closed = true;
        return;
      }
      // Queued behind any run in progress: it finishes its section first. A thread that never
      // got a call (a CLI command that does not scrape) has nothing to finish.
      if (nextId > 1) {
        await call<ScrapeSummary[]>(
          (id) => ({ type: 'run', id, options: { aborted: true } }),
          AbortSignal.abort(),
        ).catch(() => []);
      }
      closed = true;
      await started.terminate();
    },
  };
}

function toError(error: SerializedError): Error {
  if (error.code !== undefined) {
    return new AppError(error.code as ErrorCode, error.message, {
      ...(error.publicMessage === undefined ? {} : { publicMessage: error.publicMessage }),
    });
  }
  return new Error(error.message);
}

/** A pino line from the worker, written again by the app's logger at its level. */
function relayLog(logger: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...fields } = record;
  const name = typeof level === 'number' ? (LEVELS[level] ?? 'info') : 'info';
  logger[name](fields, typeof msg === 'string' ? msg : '');
}
