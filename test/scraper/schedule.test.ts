import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { startScrapeSchedule, type ScrapeSchedule } from '../../src/scraper/schedule.ts';
import { createCapturingLogger } from '../helpers/logger.ts';

const WAIT = { timeout: 8_000, interval: 20 };

function start(runOnce: (signal: AbortSignal) => Promise<unknown>) {
  const { logger, records } = createCapturingLogger();
  const schedule: ScrapeSchedule = startScrapeSchedule({
    intervalSeconds: 1,
    timeZone: 'Europe/Paris',
    runOnce,
    logger,
    random: () => 0,
  });
  onTestFinished(() => {
    schedule.stop();
  });
  const messages = () => records().map((record) => String(record.msg));
  return { schedule, messages };
}

describe('startScrapeSchedule', () => {
  it('runs the scrape on every tick until stopped', async () => {
    let runs = 0;
    const { schedule } = start(() => {
      runs += 1;
      return Promise.resolve();
    });
    expect(schedule.nextRunAt()).toBeInstanceOf(Date);
    await vi.waitFor(() => {
      expect(runs).toBeGreaterThanOrEqual(2);
    }, WAIT);
    schedule.stop();
    const stoppedAt = runs;
    expect(schedule.nextRunAt()).toBeNull();
    await sleep(1_500);
    expect(runs).toBe(stoppedAt);
  });

  it('skips ticks that come while a scrape is still running', async () => {
    const order: string[] = [];
    let finishFirst: () => void = () => undefined;
    let calls = 0;
    const { schedule, messages } = start(async () => {
      calls += 1;
      const call = calls;
      order.push(`start ${call}`);
      if (call === 1) await new Promise<void>((resolve) => (finishFirst = resolve));
      order.push(`end ${call}`);
    });

    await vi.waitFor(() => {
      expect(messages()).toContain('previous scrape still running; tick skipped');
    }, WAIT);
    expect(order).toEqual(['start 1']);
    finishFirst();
    await vi.waitFor(() => {
      expect(calls).toBeGreaterThanOrEqual(2);
    }, WAIT);
    schedule.stop();
    expect(order.slice(0, 3)).toEqual(['start 1', 'end 1', 'start 2']);
  });

  it('logs a crashed scrape and keeps the schedule going', async () => {
    let calls = 0;
    const { messages } = start(() => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
    });
    await vi.waitFor(() => {
      expect(calls).toBeGreaterThanOrEqual(2);
    }, WAIT);
    expect(messages()).toContain('scrape run crashed');
  });

  it('aborts the signal of a running scrape on stop', async () => {
    let seen: AbortSignal | undefined;
    const { schedule } = start((signal) => {
      seen = signal;
      return new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          resolve();
        });
      });
    });
    await vi.waitFor(() => {
      expect(seen).toBeDefined();
    }, WAIT);
    expect(seen?.aborted).toBe(false);
    schedule.stop();
    expect(seen?.aborted).toBe(true);
  });
});
