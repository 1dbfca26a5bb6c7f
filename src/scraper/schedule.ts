import { Cron } from 'croner';
import type { Logger } from '../core/index.ts';

export type ScrapeSchedule = {
  stop(): void;
  nextRunAt(): Date | null;
};

/**
 * Runs `runOnce` every `intervalSeconds` (the first run right away), with a little random jitter
 * so many instances never hit a school site at the same second; a tick that comes while a run is
 * still going is skipped (croner's `protect`).
 */
export function startScrapeSchedule(options: {
  intervalSeconds: number;
  timeZone: string;
  runOnce: (signal: AbortSignal) => Promise<unknown>;
  logger: Logger;
  random?: () => number;
}): ScrapeSchedule {
  const { logger } = options;
  const random = options.random ?? Math.random;
  const maxJitterMs = Math.min(options.intervalSeconds * 100, 30_000);
  const stopping = new AbortController();
  let first = true;

  const job = new Cron(
    '* * * * * *',
    {
      name: 'scrape',
      timezone: options.timeZone,
      interval: options.intervalSeconds,
      protect: () => {
        logger.warn('previous scrape still running; tick skipped');
      },
      catch: (error: unknown) => {
        logger.error({ err: error }, 'scrape run crashed');
      },
    },
    async () => {
      const jitterMs = first ? 0 : Math.floor(random() * maxJitterMs);
      first = false;
      if (jitterMs > 0) await sleep(jitterMs, stopping.signal);
      if (stopping.signal.aborted) return;
      await options.runOnce(stopping.signal);
    },
  );

  return {
    stop() {
      stopping.abort();
      job.stop();
    },
    nextRunAt: () => job.nextRun(),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
