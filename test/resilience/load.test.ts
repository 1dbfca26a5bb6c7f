/** A short feed load while scrapes with changes run (the 60 s version is bench/load.bench.ts). */
import { describe, expect, it } from 'vitest';
import { formatLoad, runFeedLoad } from './load-run.ts';

describe('feed under load while scrapes change the data', () => {
  it(
    'answers every request with 200 (no error, no timeout, no other status)',
    { timeout: 60_000 },
    async () => {
      const figures = await runFeedLoad({
        durationS: 5,
        warmupS: 1,
        connections: 20,
        scrapeEveryMs: 1_000,
      });
      console.log(`[load] ${formatLoad(figures)}`);
      expect(figures.requests).toBeGreaterThan(0);
      expect({
        errors: figures.errors,
        timeouts: figures.timeouts,
        non2xx: figures.non2xx,
      }).toEqual({
        errors: 0,
        timeouts: 0,
        non2xx: 0,
      });
      expect(
        Object.keys(figures.statusCodes).every((code) => code === '200' || code === '304'),
      ).toBe(true);
      expect(figures.scrapes.ok ?? 0).toBeGreaterThan(0);
      expect(figures.secretsInLogs).toBe(0);
    },
  );
});
