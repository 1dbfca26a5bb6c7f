import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { applyFilter, toSectionKey, type SectionSpec } from '../../../src/core/index.ts';
import { parseAurionTitle } from '../../../src/scraper/sources/aurion-titles.ts';
import {
  AURION_ACCEPT_LANGUAGE,
  createAurionSource,
  planChunks,
} from '../../../src/scraper/sources/aurion.source.ts';
import { startFakeAurion, type FakeAurionEvent } from '../../fakes/fake-aurion.ts';
import { createTestClock } from '../../helpers/clock.ts';
import { createCapturingLogger } from '../../helpers/logger.ts';
import {
  aurionConfig,
  createFetchContext,
  parseContext,
  recordingSleep,
} from './aurion-test-kit.ts';

type LayoutCase = {
  readonly layout: string;
  readonly title: string;
  readonly expected: Record<string, unknown>;
};
const LAYOUTS = JSON.parse(
  readFileSync(
    new URL('../../fixtures/sources/aurion/title-layouts.json', import.meta.url),
    'utf8',
  ),
) as LayoutCase[];

describe('Aurion title layouts (fixture: title-layouts.json)', () => {
  it.each(LAYOUTS.map((item) => [item.layout, item] as const))('%s', (_layout, item) => {
    expect(parseAurionTitle(item.title, 'auto')).toEqual(item.expected);
  });

  it('never takes a time for a room', () => {
    for (const item of LAYOUTS) {
      expect(parseAurionTitle(item.title, 'auto').location).not.toMatch(/^\d{1,2}[:h]\d{2}/);
    }
  });
});

const SECTION: SectionSpec = {
  key: toSectionKey('isen'),
  name: 'ISEN',
  source: { kind: 'aurion' },
};
const NOW = '2026-11-16T09:00:00Z'; // a Monday

/** ISEN Ouest events as French Aurion writes them, and as English Aurion does (no room). */
const ISEN_OUEST_EVENTS: readonly FakeAurionEvent[] = [
  {
    id: '9001',
    title:
      '08:00 - 10:00 - A102 - DS - Physique - Ondes - Mme KERJEAN - CIR1 Nantes 2026-2027 / CEST1 Nantes 2026-2027',
    titleEn:
      '08:00 - 10:00 - DS - Physique - Ondes - Mme KERJEAN - CIR1 Nantes 2026-2027 / CEST1 Nantes 2026-2027',
    startsAt: '2026-11-17T07:00:00Z',
    endsAt: '2026-11-17T09:00:00Z',
    className: 'est-epreuve',
  },
  {
    id: '9002',
    title:
      '10:15 - 12:15 - B201 - TD - Informatique - Langage C - M. HENRY - CEST1 Nantes 2026-2027',
    titleEn: '10:15 - 12:15 - TD - Informatique - Langage C - M. HENRY - CEST1 Nantes 2026-2027',
    startsAt: '2026-11-18T09:15:00Z',
    endsAt: '2026-11-18T11:15:00Z',
    className: 'TD',
  },
  {
    // The last week the README promises: AURION_WEEKS_AFTER=4 weeks after the current one.
    id: '9003',
    title: '08:00 - 10:00 - C001 - CM - Anglais - Oral - Mme SMITH - CIR1 Nantes 2026-2027',
    startsAt: '2026-12-18T07:00:00Z',
    endsAt: '2026-12-18T09:00:00Z',
    className: 'COURS',
  },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function scrapeIsenOuest() {
  const clock = createTestClock(NOW);
  const fake = await startFakeAurion({
    contextPath: '/webAurion',
    loginButton: null,
    events: ISEN_OUEST_EVENTS,
    now: () => clock.now().getTime(),
  });
  const captured = createCapturingLogger('debug');
  const context = createFetchContext({ clock, logger: captured.logger });
  cleanups.push(async () => {
    await context.close();
    await fake.close();
  });
  const source = createAurionSource({
    config: aurionConfig(fake.baseUrl, { weeksBefore: 1, weeksAfter: 4, chunkWeeks: 2 }),
    sleep: recordingSleep().sleep,
  });
  const raw = await source.fetchRaw(SECTION, context);
  return { fake, result: source.parse(raw, parseContext(clock)) };
}

describe('Aurion fidelity against the fake webAurion (ISEN Ouest layout)', () => {
  it('asks for French on every request, so rooms are in the titles', async () => {
    const { fake, result } = await scrapeIsenOuest();
    expect(fake.requests.length).toBeGreaterThan(0);
    for (const request of fake.requests) {
      expect(request.headers['accept-language']).toBe(AURION_ACCEPT_LANGUAGE);
    }
    const byId = new Map(result.events.map((event) => [event.uid.split('@')[0], event]));
    expect(byId.get('9001')).toMatchObject({
      title: 'Ondes',
      course: 'Physique',
      location: 'A102',
      teacher: 'Mme KERJEAN',
      groups: ['CIR1 Nantes 2026-2027', 'CEST1 Nantes 2026-2027'],
      category: 'est-epreuve',
    });
    expect(byId.get('9002')).toMatchObject({ location: 'B201', teacher: 'M. HENRY' });
  });

  it('fetches AURION_WEEKS_AFTER weeks after the current one', async () => {
    const { result } = await scrapeIsenOuest();
    expect(result.events.map((event) => event.uid.split('@')[0])).toContain('9003');
    // Current week: Monday 2026-11-16 (Paris); 1 week before, 4 after → up to Monday 2026-12-21.
    expect(result.coverage?.from.toISOString()).toBe('2026-11-08T23:00:00.000Z');
    expect(result.coverage?.to.toISOString()).toBe('2026-12-20T23:00:00.000Z');
    expect(planChunks(new Date(NOW), 0, 0, 4)).toHaveLength(1);
  });

  it('keeps a shared exam for a student who filters on one of its promotions', async () => {
    const { result } = await scrapeIsenOuest();
    const kept = applyFilter(result.events, {
      groups: ['CIR1 Nantes 2026-2027'],
      hideCourses: [],
      hideCategories: ['TD'],
    });
    expect(kept.map((event) => event.uid.split('@')[0])).toEqual(['9001', '9003']);
  });
});
