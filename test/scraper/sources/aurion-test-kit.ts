import type { Config } from '../../../src/config.ts';
import type { Logger } from '../../../src/core/index.ts';
import { createHttpClient } from '../../../src/scraper/http-client.ts';
import type { FetchContext, ParseContext } from '../../../src/scraper/sources/source.ts';
import type { TestClock } from '../../helpers/clock.ts';

export const AURION_USERNAME = 'prenom.nom@student.junia.com';
export const AURION_PASSWORD = 'correct horse';

export function aurionConfig(
  url: string,
  overrides: Partial<Config['aurion']> = {},
): Config['aurion'] {
  return {
    url,
    username: AURION_USERNAME,
    password: AURION_PASSWORD,
    weeksBefore: 1,
    weeksAfter: 4,
    planningLabel: 'Mon Planning',
    chunkWeeks: 2,
    requestDelayMs: 400,
    titleStrategy: 'auto',
    ...overrides,
  };
}

export function createFetchContext(options: {
  clock: TestClock;
  logger: Logger;
  timeoutMs?: number;
}): FetchContext & { close(): Promise<void> } {
  const http = createHttpClient({
    userAgent: 'PlanningProxy/test',
    timeoutMs: options.timeoutMs ?? 5_000,
    maxBytes: 5_000_000,
  });
  return { http, clock: options.clock, logger: options.logger, close: () => http.close() };
}

export function parseContext(clock: TestClock): ParseContext {
  return { timeZone: 'Europe/Paris', now: clock.now(), horizonDays: 365 };
}

/** A sleep that records the pauses instead of waiting. */
export function recordingSleep() {
  const pauses: number[] = [];
  return {
    pauses,
    sleep: (ms: number) => {
      pauses.push(ms);
      return Promise.resolve();
    },
  };
}

/** The fields read from Aurion's Junia maths class (schedule-junia.xml, the fake Aurion's first event). */
export const JUNIA_MATHS = {
  title: 'Mathématiques',
  course: 'Mathématiques',
  category: 'COURS',
  location: 'ISEN B501',
  teacher: 'Monsieur DUPONT Jean',
  groups: ['CIR2', 'ISEN Lille - 2026/2027'],
} as const;
