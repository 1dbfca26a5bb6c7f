/**
 * The real pipeline (createScraper, SQLite, undici) with the webdbf and Aurion sources against
 * their fake sites: what a failed run leaves behind, and how a wrong password is recorded.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { toSectionKey, type SectionSpec } from '../../../src/core/index.ts';
import { createHttpClient } from '../../../src/scraper/http-client.ts';
import { createScraper } from '../../../src/scraper/scraper.ts';
import { createAurionSource } from '../../../src/scraper/sources/aurion.source.ts';
import { createSourceRegistry } from '../../../src/scraper/sources/registry.ts';
import { createWebdbfSource } from '../../../src/scraper/sources/webdbf.source.ts';
import { startFakeAurion } from '../../fakes/fake-aurion.ts';
import { startFakeWebdbf } from '../../fakes/fake-webdbf.ts';
import { createTestClock } from '../../helpers/clock.ts';
import { createTestDatabase } from '../../helpers/database.ts';
import { createCapturingLogger } from '../../helpers/logger.ts';
import { AURION_PASSWORD, aurionConfig, recordingSleep } from './aurion-test-kit.ts';

const NOW = '2026-11-16T09:00:00Z';
const WEB_PASSWORD = 'Été-2026!';

const WEBDBF_EVENTS = [
  {
    uid: 'PL-1',
    summary: 'Mécanique des fluides',
    startsAt: '2026-11-17T07:00:00Z',
    endsAt: '2026-11-17T09:00:00Z',
    location: 'Salle Clément Ader',
  },
  {
    uid: 'PL-2',
    summary: 'Thermodynamique',
    startsAt: '2026-11-18T07:00:00Z',
    endsAt: '2026-11-18T09:00:00Z',
    location: 'Amphi A',
  },
  {
    uid: 'PL-3',
    summary: 'Anglais',
    startsAt: '2026-11-19T13:00:00Z',
    endsAt: '2026-11-19T15:00:00Z',
    location: 'B12',
  },
];

const AURION_EVENTS = [
  {
    id: '501',
    title:
      'Cours - ISEN B501\nMathématiques\nCours magistral\n08:00 - 10:00\nMonsieur DUPONT Jean\nCIR2',
    startsAt: '2026-11-17T07:00:00Z',
    endsAt: '2026-11-17T09:00:00Z',
    className: 'COURS',
  },
  {
    id: '502',
    title: 'TD - HEI A204\nPhysique\nTravaux dirigés\n10:15 - 12:15\nMadame MARTIN Alice\nCIR2 G1',
    startsAt: '2026-11-26T09:15:00Z',
    endsAt: '2026-11-26T11:15:00Z',
    className: 'TD',
  },
];

const SECTIONS: SectionSpec[] = [
  { key: toSectionKey('2A-SR'), name: '2A-SR', source: { kind: 'webdbf', suffix: 'eleve/12345' } },
  {
    key: toSectionKey('Promo 75'),
    name: 'Promo 75',
    source: { kind: 'webdbf', suffix: 'promo/75' },
  },
  { key: toSectionKey('Junia'), name: 'Junia', source: { kind: 'aurion' } },
];

async function setup() {
  const clock = createTestClock(NOW);
  const now = () => clock.now().getTime();
  const webdbf = await startFakeWebdbf({
    username: 'prenom.nom',
    password: WEB_PASSWORD,
    now,
    calendars: { 'eleve/12345': WEBDBF_EVENTS, 'promo/75': WEBDBF_EVENTS.slice(0, 2) },
  });
  const aurion = await startFakeAurion({ events: AURION_EVENTS, now });
  const database = createTestDatabase();
  const { logger, lines } = createCapturingLogger();
  const http = createHttpClient({
    userAgent: 'PlanningProxy-test/1.0',
    timeoutMs: 1_500,
    maxBytes: 1_000_000,
  });
  onTestFinished(async () => {
    await http.close();
    await webdbf.close();
    await aurion.close();
  });
  const pause = recordingSleep();
  const scraper = createScraper({
    sections: SECTIONS,
    repositories: database.repositories,
    sourceFor: createSourceRegistry({
      webdbf: () =>
        createWebdbfSource({
          config: {
            loginUrl: webdbf.loginUrl,
            icsBaseUrl: webdbf.icsBaseUrl,
            username: 'prenom.nom',
            password: WEB_PASSWORD,
          },
        }),
      aurion: () =>
        createAurionSource({ config: aurionConfig(aurion.baseUrl), sleep: pause.sleep }),
    }),
    http,
    clock,
    logger,
    timeZone: 'Europe/Paris',
    settings: {
      intervalSeconds: 300,
      horizonDays: 365,
      dropConfirmations: 3,
      backoffMaxMs: 3_600_000,
    },
    recordAlerts: false,
  });
  const all = (sql: string, ...params: unknown[]) =>
    database.sqlite.prepare(sql).all(...params) as Record<string, unknown>[];
  const eventsOf = (key: string) =>
    all(
      'select e.uid, e.title, e.starts_at from events e join sections s on s.id = e.section_id where s.key = ? order by e.uid',
      key,
    );
  const lastRun = (key: string) =>
    all(
      'select r.* from scrape_runs r join sections s on s.id = r.section_id where s.key = ? order by r.id desc limit 1',
      key,
    )[0] ?? {};
  const run = async () => {
    clock.advance(300_000);
    return scraper.runOnce({ force: true });
  };
  return { clock, webdbf, aurion, database, lines, scraper, run, eventsOf, lastRun, all };
}

describe('school sources through the scraper', () => {
  it('stores both sites, sharing one webdbf login between its sections', async () => {
    const h = await setup();
    const summaries = await h.run();
    expect(summaries.map((summary) => [summary.section, summary.status, summary.events])).toEqual([
      ['2A-SR', 'baseline', 3],
      ['Promo 75', 'baseline', 2],
      ['Junia', 'baseline', 2],
    ]);
    expect(h.webdbf.successfulLogins()).toBe(1);
    expect(h.eventsOf('junia')).toMatchObject([
      { uid: '501@127.0.0.1', title: 'Mathématiques' },
      { uid: '502@127.0.0.1', title: 'Physique' },
    ]);
    expect(h.eventsOf('2a-sr').map((row) => row.title)).toEqual([
      'Mécanique des fluides',
      'Thermodynamique',
      'Anglais',
    ]);
  });

  it('keeps the last good data when a run fails (maintenance page, hang, cut JSON)', async () => {
    const h = await setup();
    await h.run();
    const before = { web: h.eventsOf('2a-sr'), aurion: h.eventsOf('junia') };

    h.webdbf.fail('ics', { type: 'maintenance' });
    h.aurion.fail('schedule', { type: 'hang' });
    const failed = await h.run();
    expect(failed.map((summary) => [summary.status, summary.errorCode])).toEqual([
      ['failed', 'scraper.maintenance'],
      ['unchanged', undefined],
      ['failed', 'scraper.timeout'],
    ]);
    expect(h.lastRun('2a-sr')).toMatchObject({
      status: 'failed',
      error_code: 'scraper.maintenance',
    });
    expect(h.eventsOf('2a-sr')).toEqual(before.web);
    expect(h.eventsOf('junia')).toEqual(before.aurion);

    h.aurion.fail('schedule', { type: 'truncate' });
    const cut = await h.run();
    expect(cut[2]).toMatchObject({ status: 'failed', errorCode: 'scraper.parse_failed' });
    expect(h.eventsOf('junia')).toEqual(before.aurion);

    h.webdbf.setEvents(
      'eleve/12345',
      WEBDBF_EVENTS.slice(0, 2).concat({ ...WEBDBF_EVENTS[2]!, location: 'B14' }),
    );
    const recovered = await h.run();
    expect(recovered.map((summary) => summary.status)).toEqual(['ok', 'unchanged', 'unchanged']);
  });

  it('records a wrong password with its code, keeps the data, and does not retry the login at once', async () => {
    const h = await setup();
    await h.run();
    h.webdbf.setPassword('changed by the school');
    h.webdbf.expireSessions();
    h.aurion.setPassword('changed too');
    h.aurion.expireSessions();

    const first = await h.run();
    expect(first.map((summary) => summary.errorCode)).toEqual([
      'scraper.auth_rejected',
      'scraper.auth_rejected',
      'scraper.auth_rejected',
    ]);
    expect(h.webdbf.loginAttempts()).toBe(2);
    expect(h.aurion.loginAttempts()).toBe(2);
    expect(h.lastRun('junia')).toMatchObject({
      status: 'failed',
      error_code: 'scraper.auth_rejected',
    });
    expect(h.eventsOf('2a-sr')).toHaveLength(3);

    await h.run();
    expect(h.webdbf.loginAttempts()).toBe(2);
    expect(h.aurion.loginAttempts()).toBe(2);

    const stored =
      JSON.stringify(h.all('select * from scrape_runs')) +
      JSON.stringify(h.all('select * from sections'));
    for (const text of [stored, ...h.lines]) {
      expect(text).not.toContain(WEB_PASSWORD);
      expect(text).not.toContain(AURION_PASSWORD);
      expect(text).not.toContain('prenom.nom');
    }
  });
});
