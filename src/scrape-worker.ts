// The scrape worker thread (a composition root, like app.ts; started by
// src/scraper/worker/threaded-scraper.ts): the same createScraper, sources, parse, diff and commitScrape as the
// app's thread would run, over a connection of its own to the same SQLite file (WAL: the feed
// server keeps reading the last committed state meanwhile). Nothing here re-implements a step of a
// scrape; only how results and logs travel back to the app's thread.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, isAppError, systemClock } from './core/index.ts';
import { createRepositories, openDatabase } from './db/index.ts';
import { createHttpClient } from './scraper/http-client.ts';
import { createScraper, scraperSettingsFrom } from './scraper/scraper.ts';
import { createDefaultSourceRegistry } from './scraper/sources/default-registry.ts';
import type {
  FromWorker,
  ScrapeWorkerData,
  SerializedError,
  ToWorker,
} from './scraper/worker/protocol.ts';

const port = parentPort;
if (port === null) throw new Error('scrape-worker.ts runs as a worker thread only');
const post = (message: FromWorker) => {
  port.postMessage(message);
};

function serializeError(error: unknown): SerializedError {
  if (isAppError(error)) {
    return { code: error.code, message: error.message, publicMessage: error.publicMessage };
  }
  return {
    code: undefined,
    message: error instanceof Error ? error.message : String(error),
    publicMessage: undefined,
  };
}

/**
 * Scraping is background work: on Linux this thread gets a lower CPU priority than the app's
 * thread (setpriority applies to one thread there), so on a busy machine the feed server is
 * scheduled first. Elsewhere, or without the right, nothing changes.
 */
function lowerThreadPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, 10);
  } catch {
    // Not Linux, or not allowed: the thread keeps the process's priority.
  }
}

try {
  lowerThreadPriority();
  const { config, recordAlerts, finishedRuns } = workerData as ScrapeWorkerData;
  const finished = new Int32Array(finishedRuns);
  // Log lines (already redacted by the same logger settings) go to the app's logger.
  const logger = createLogger({
    level: config.logLevel,
    base: { thread: 'scrape-worker' },
    destination: new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        post({ type: 'log', line: chunk.toString() });
        callback();
      },
    }),
  });
  const database = openDatabase({ path: config.database.path });
  const scraper = createScraper({
    sections: config.sections,
    repositories: createRepositories(database.db),
    sourceFor: createDefaultSourceRegistry(config),
    http: createHttpClient({
      userAgent: config.scraper.userAgent,
      timeoutMs: config.scraper.timeoutMs,
      maxBytes: config.scraper.maxBytes,
    }),
    clock: systemClock,
    logger,
    timeZone: config.timeZone,
    settings: scraperSettingsFrom(config.scraper),
    recordAlerts,
    onAlerts: () => {
      post({ type: 'alerts' });
    },
  });
  const aborts = new Map<number, AbortController>();

  port.on('message', (message: ToWorker) => {
    if (message.type === 'abort') {
      aborts.get(message.id)?.abort();
      return;
    }
    if (message.type === 'sync') {
      try {
        scraper.syncSections();
        post({ type: 'synced', id: message.id });
      } catch (error) {
        post({ type: 'error', id: message.id, error: serializeError(error) });
      }
      return;
    }
    const { aborted, ...request } = message.options;
    const controller = new AbortController();
    if (aborted === true) controller.abort();
    aborts.set(message.id, controller);
    scraper
      .runOnce({ ...request, signal: controller.signal })
      .then(
        (summaries) => {
          // Before the answer: whoever awaited the run sees its commits as soon as it resumes.
          Atomics.add(finished, 0, 1);
          post({ type: 'result', id: message.id, summaries });
        },
        (error: unknown) => {
          post({ type: 'error', id: message.id, error: serializeError(error) });
        },
      )
      .finally(() => {
        aborts.delete(message.id);
      });
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'fatal', error: serializeError(error) });
}
