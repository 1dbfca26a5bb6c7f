/**
 * The real pipeline on a real SQLite file: createScraper with the ICS sources, a real undici
 * client, and a loopback calendar site whose answer each test changes between scrapes.
 */
import { onTestFinished } from 'vitest';
import { toSectionKey, type SectionSpec } from '../../../src/core/index.ts';
import { createHttpClient } from '../../../src/scraper/http-client.ts';
import {
  createScraper,
  type ScraperDeps,
  type ScraperSettings,
} from '../../../src/scraper/scraper.ts';
import {
  createIcsFileSource,
  createIcsUrlSource,
} from '../../../src/scraper/sources/ics-url.source.ts';
import { createSourceRegistry } from '../../../src/scraper/sources/registry.ts';
import { createTestClock } from '../../helpers/clock.ts';
import { createTestDatabase } from '../../helpers/database.ts';
import { createCapturingLogger } from '../../helpers/logger.ts';
import { buildCalendar, type IcsEventSpec } from './calendar-builder.ts';
import { startCalendarServer } from './calendar-server.ts';

export const START = '2026-11-21T10:00:00Z';

/** A week of L3 classes as ADE exports it (one already past at START). */
export const WEEK: readonly IcsEventSpec[] = [
  {
    uid: 'ADE-past',
    start: '2026-11-20T13:00:00Z',
    end: '2026-11-20T15:00:00Z',
    summary: 'Réseaux et protocoles',
    location: 'B203',
    description: ['L3 INFO TP2', 'BERNARD Luc'],
  },
  {
    uid: 'ADE-lecture',
    start: '2026-11-23T07:30:00Z',
    end: '2026-11-23T09:30:00Z',
    summary: 'Algorithmique avancée',
    location: 'Amphi A',
    description: ['L3 INFO', 'DUPONT Marie'],
  },
  {
    uid: 'ADE-tutorial',
    start: '2026-11-23T09:45:00Z',
    end: '2026-11-23T11:45:00Z',
    summary: 'TD Algorithmique avancée',
    location: 'C012',
    description: ['L3 INFO TD1', 'DUPONT Marie'],
  },
  {
    uid: 'ADE-project',
    start: '2026-11-24T13:00:00Z',
    end: '2026-11-24T16:00:00Z',
    summary: 'Projet tutoré',
    location: 'B101',
    description: ['L3 INFO TD1', 'PETIT Julien'],
  },
  {
    uid: 'ADE-english',
    start: '2026-11-26T08:00:00Z',
    end: '2026-11-26T10:00:00Z',
    summary: 'Anglais',
    location: 'D004',
    description: ['L3 INFO Anglais G3', 'SMITH John'],
  },
  {
    uid: 'ADE-exam',
    start: '2026-12-08T09:00:00Z',
    end: '2026-12-08T11:00:00Z',
    summary: 'Examen Algorithmique avancée',
    location: 'Amphi A',
    description: ['L3 INFO', 'DUPONT Marie'],
  },
];

export const SETTINGS: ScraperSettings = {
  intervalSeconds: 300,
  horizonDays: 365,
  dropConfirmations: 3,
  backoffMaxMs: 3_600_000,
};

export async function createScraperHarness(
  options: {
    settings?: Partial<ScraperSettings>;
    timeoutMs?: number;
    maxBytes?: number;
    recordAlerts?: boolean;
    /** Credentials written into the section URL (`user:password@`). */
    credentials?: string;
    /** More sections besides L3 (e.g. a file section). */
    extraSections?: readonly SectionSpec[];
  } = {},
) {
  const site = await startCalendarServer();
  onTestFinished(() => site.close());
  const database = createTestDatabase();
  const clock = createTestClock(START);
  const { logger, records } = createCapturingLogger();
  const http = createHttpClient({
    userAgent: 'PlanningProxy-test/1.0',
    timeoutMs: options.timeoutMs ?? 2_000,
    maxBytes: options.maxBytes ?? 1_000_000,
  });
  onTestFinished(() => http.close());
  const section: SectionSpec = {
    key: toSectionKey('L3-INFO'),
    name: 'L3-INFO',
    source: { kind: 'ics', url: site.url('/l3.ics', options.credentials ?? '') },
  };
  let alerts = 0;
  const deps = {
    sections: [section, ...(options.extraSections ?? [])],
    repositories: database.repositories,
    sourceFor: createSourceRegistry({ ics: createIcsUrlSource, file: createIcsFileSource }),
    http,
    clock,
    logger,
    timeZone: 'Europe/Paris',
    settings: { ...SETTINGS, ...options.settings },
    recordAlerts: options.recordAlerts ?? false,
    onAlerts: () => {
      alerts += 1;
    },
  } satisfies ScraperDeps;
  const scraper = createScraper(deps);

  const all = (sql: string) => database.sqlite.prepare(sql).all() as Record<string, unknown>[];
  return {
    site,
    deps,
    database,
    clock,
    scraper,
    logs: records,
    alertsCalled: () => alerts,
    /** The L3 calendar the site answers from now on (ADE-like, exported at the clock's time). */
    serve(events: readonly IcsEventSpec[], exportedAt = clock.now().toISOString()): void {
      site.set('/l3.ics', { body: buildCalendar(events, { exportedAt }) });
    },
    /** One scrape of L3 now, moving the clock five minutes on first. */
    async scrape(advanceMs = 300_000) {
      clock.advance(advanceMs);
      const [summary] = await scraper.runOnce({ section: 'L3-INFO' });
      if (summary === undefined) throw new Error('no summary');
      return summary;
    },
    rows: {
      events: () => all('select * from events order by uid'),
      changes: () => all('select * from changes order by id'),
      runs: () => all('select * from scrape_runs order by id'),
      outbox: () => all('select * from alert_outbox order by id'),
      section: () => all(`select * from sections where key = 'l3-info'`)[0] ?? {},
    },
  };
}

/** WEEK with some events replaced or removed (by uid). */
export function edit(
  changes: Readonly<Record<string, Partial<IcsEventSpec> | null>>,
  base: readonly IcsEventSpec[] = WEEK,
): IcsEventSpec[] {
  return base.flatMap((event) => {
    const change = changes[event.uid];
    if (change === null) return [];
    return [{ ...event, ...change }];
  });
}

/** A harness whose section has had its first (baseline) scrape of WEEK. */
export async function createBaselineHarness(
  options: Parameters<typeof createScraperHarness>[0] = {},
) {
  const h = await createScraperHarness(options);
  h.serve(WEEK);
  await h.scrape();
  return h;
}
