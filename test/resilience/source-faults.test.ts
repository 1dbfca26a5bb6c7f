/**
 * Source faults through the real app (createApp + runScrape, test clock): every failure mode of
 * the fake webdbf and fake Aurion in turn, then 100 seeded flapping scrapes. Invariants checked
 * after every scrape: a failed or held-back scrape writes no change and no outbox row; the feed
 * serves the last good data, with the staleness banner once STALE_AFTER has passed; a recovery
 * announces exactly the real difference (one outbox row when content changed, none otherwise).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScrapeSummary } from '../../src/core/index.ts';
import { startFakeAurion, type FakeAurion, type FakeAurionFault } from '../fakes/fake-aurion.ts';
import { startFakeWebdbf, type FakeWebdbf, type FakeWebdbfFault } from '../fakes/fake-webdbf.ts';
import { startAppHarness, type AppHarness } from './app-harness.ts';
import { createRandom, findSecrets, suiteSeed } from './helpers.ts';

const START = '2026-09-14T06:00:00Z';
const WEB_PASSWORD = 'Été-2026!webdbf-secret';
const AURION_PASSWORD = 'aurion-secret-correct-horse';
const STALE_AFTER_S = 3_600;

type Fault =
  | {
      site: 'webdbf';
      route: Parameters<FakeWebdbf['fail']>[0];
      fault: FakeWebdbfFault;
      times: number;
    }
  | {
      site: 'aurion';
      route: Parameters<FakeAurion['fail']>[0];
      fault: FakeAurionFault;
      times: number;
    }
  | { site: 'webdbf' | 'aurion'; special: 'wrong-password' | 'expire-sessions' };

const FAULTS: Fault[] = [
  { site: 'webdbf', route: 'ics', fault: { type: 'status', status: 500 }, times: 2 },
  { site: 'webdbf', route: 'ics', fault: { type: 'status', status: 503 }, times: 2 },
  { site: 'webdbf', route: 'login', fault: { type: 'status', status: 502 }, times: 2 },
  { site: 'webdbf', route: 'ics', fault: { type: 'maintenance' }, times: 2 },
  { site: 'webdbf', route: 'ics', fault: { type: 'hang' }, times: 2 },
  { site: 'webdbf', route: 'ics', fault: { type: 'slow', ms: 2_500 }, times: 2 },
  { site: 'webdbf', route: 'ics', fault: { type: 'truncate' }, times: 2 },
  { site: 'webdbf', route: 'ics', fault: { type: 'login-page' }, times: 2 },
  { site: 'webdbf', route: 'ics', fault: { type: 'redirect-login' }, times: 2 },
  { site: 'webdbf', route: 'ics', fault: { type: 'empty' }, times: 1 },
  { site: 'webdbf', special: 'wrong-password' },
  { site: 'webdbf', special: 'expire-sessions' },
  { site: 'aurion', route: 'schedule', fault: { type: 'status', status: 500 }, times: 2 },
  { site: 'aurion', route: 'login', fault: { type: 'status', status: 503 }, times: 2 },
  { site: 'aurion', route: 'schedule', fault: { type: 'maintenance' }, times: 2 },
  { site: 'aurion', route: 'schedule', fault: { type: 'hang' }, times: 2 },
  { site: 'aurion', route: 'schedule', fault: { type: 'truncate' }, times: 2 },
  { site: 'aurion', route: 'schedule', fault: { type: 'view-expired' }, times: 2 },
  { site: 'aurion', route: 'schedule', fault: { type: 'partial-redirect' }, times: 2 },
  { site: 'aurion', route: 'schedule', fault: { type: 'redirect-login' }, times: 2 },
  { site: 'aurion', route: 'schedule', fault: { type: 'login-page' }, times: 2 },
  { site: 'aurion', route: 'schedule', fault: { type: 'no-schedule' }, times: 2 },
  { site: 'aurion', route: 'home', fault: { type: 'status', status: 500 }, times: 2 },
  { site: 'aurion', special: 'wrong-password' },
  { site: 'aurion', special: 'expire-sessions' },
];

function describeFault(fault: Fault): string {
  return 'special' in fault
    ? `${fault.site} ${fault.special}`
    : `${fault.site} ${fault.route} ${fault.fault.type}${'status' in fault.fault ? ` ${fault.fault.status}` : ''}`;
}

describe('source faults', () => {
  let webdbf: FakeWebdbf;
  let aurion: FakeAurion;
  let harness: AppHarness;
  const tokens: Record<string, string> = {};
  /** Content version per section: every event of version v carries "v<v>" in its title. */
  const upstreamVersion = { web: 1, au: 1 };
  /** The version the app last accepted, per section. */
  const storedVersion = { web: 0, au: 0 };
  const lastSuccess = { web: 0, au: 0 };
  const statusTally = new Map<string, number>();
  const logLines: string[] = [];

  const nowMs = (): number => harness.clock.now().getTime();

  function setUpstream(section: 'web' | 'au', version: number): void {
    upstreamVersion[section] = version;
    const base = new Date(START).getTime() + 86_400_000;
    if (section === 'web') {
      webdbf.setEvents(
        'eleve/12345',
        Array.from({ length: 5 }, (_, index) => ({
          uid: `web-${index}`,
          summary: `Cours ${index} v${version}`,
          startsAt: new Date(base + index * 86_400_000 + 2 * 3_600_000),
          endsAt: new Date(base + index * 86_400_000 + 4 * 3_600_000),
          location: 'B12',
        })),
      );
    } else {
      aurion.setEvents(
        Array.from({ length: 5 }, (_, index) => ({
          id: String(9_000 + index),
          title: `Cours - B${index}\nMatière ${index} v${version}\nCours magistral`,
          startsAt: new Date(base + index * 86_400_000 + 3 * 3_600_000),
          endsAt: new Date(base + index * 86_400_000 + 5 * 3_600_000),
        })),
      );
    }
  }

  function outboxCount(): number {
    const row = harness.app.database.sqlite
      .prepare('SELECT count(*) AS n FROM alert_outbox')
      .get() as { n: number };
    return row.n;
  }
  function changeCount(): number {
    const row = harness.app.database.sqlite.prepare('SELECT count(*) AS n FROM changes').get() as {
      n: number;
    };
    return row.n;
  }

  async function feed(section: 'web' | 'au'): Promise<string> {
    const response = await fetch(`${harness.address}/feeds/${tokens[section]}.ics`);
    expect(response.status).toBe(200);
    return response.text();
  }

  /** One scrape of both sections, then every invariant. Returns the statuses. */
  async function scrapeAndCheck(label: string): Promise<readonly ScrapeSummary[]> {
    const outboxBefore = outboxCount();
    const changesBefore = changeCount();
    const summaries = await harness.app.runScrape();
    let expectedOutbox = 0;
    let expectedChanges = 0;
    for (const summary of summaries) {
      const section = summary.section === 'WEB' ? 'web' : 'au';
      statusTally.set(summary.status, (statusTally.get(summary.status) ?? 0) + 1);
      if (summary.status === 'ok' || summary.status === 'unchanged') {
        const changed = storedVersion[section] !== upstreamVersion[section];
        expect(summary.status, `${label}: ${section}`).toBe(changed ? 'ok' : 'unchanged');
        if (changed) {
          expectedOutbox += 1;
          // Exactly the real difference: every one of the 5 events renamed, nothing else.
          expectedChanges += 5;
        }
        storedVersion[section] = upstreamVersion[section];
        lastSuccess[section] = nowMs();
      } else {
        expect(['failed', 'held'], `${label}: ${section} ${summary.status}`).toContain(
          summary.status,
        );
      }
    }
    expect(outboxCount() - outboxBefore, `${label}: outbox rows`).toBe(expectedOutbox);
    expect(changeCount() - changesBefore, `${label}: change rows`).toBe(expectedChanges);
    for (const section of ['web', 'au'] as const) {
      const body = await feed(section);
      const versions = new Set([...body.matchAll(/ v(\d+)/g)].map((match) => Number(match[1])));
      expect([...versions], `${label}: ${section} serves the last good data`).toEqual([
        storedVersion[section],
      ]);
      const stale = nowMs() - lastSuccess[section] > STALE_AFTER_S * 1000;
      expect(body.includes('UID:stale-'), `${label}: ${section} staleness banner`).toBe(stale);
    }
    return summaries;
  }

  function inject(fault: Fault): () => void {
    const site = fault.site === 'webdbf' ? webdbf : aurion;
    if ('special' in fault) {
      if (fault.special === 'expire-sessions') {
        site.expireSessions();
        return () => undefined;
      }
      site.expireSessions();
      site.setPassword('not-the-password');
      return () => {
        site.setPassword(fault.site === 'webdbf' ? WEB_PASSWORD : AURION_PASSWORD);
      };
    }
    // Faults on the login path only show when a login happens: end the live session first.
    if (fault.route === 'login' || fault.route === 'home') site.expireSessions();
    if (fault.site === 'webdbf') webdbf.fail(fault.route, fault.fault, fault.times);
    else aurion.fail(fault.route, fault.fault, fault.times);
    return () => undefined;
  }

  beforeAll(async () => {
    const clockNow = () => harness.clock.now().getTime();
    webdbf = await startFakeWebdbf({ password: WEB_PASSWORD, now: clockNow });
    aurion = await startFakeAurion({ password: AURION_PASSWORD, now: clockNow });
    harness = await startAppHarness(
      {
        SECTIONS: 'WEB:eleve/12345,AU:aurion',
        LOGIN_URL: webdbf.loginUrl,
        WEBDBF_ICS_BASE_URL: webdbf.icsBaseUrl,
        WEB_USERNAME: 'prenom.nom',
        WEB_PASSWORD,
        AURION_URL: aurion.baseUrl,
        AURION_USERNAME: 'prenom.nom@student.junia.com',
        AURION_PASSWORD,
        AURION_REQUEST_DELAY_MS: '0',
        AURION_WEEKS_BEFORE: '0',
        AURION_WEEKS_AFTER: '3',
        SCRAPE_TIMEOUT: '1',
        SCRAPE_DROP_CONFIRMATIONS: '3',
        STALE_AFTER: String(STALE_AFTER_S),
        // Outbox rows are written when the bot is configured; it is never started here.
        DISCORD_TOKEN: 'source-faults-discord-token-unused',
        DISCORD_API_URL: 'http://127.0.0.1:9/api',
        ALERTS_CHANNEL_ID: '1300000000000000001',
        FEED_RATE_LIMIT: '100000',
      },
      { start: START, cleanup: 'manual' },
    );
    setUpstream('web', 1);
    setUpstream('au', 1);
    const [web, au] = await harness.app.runScrape();
    if (web?.status !== 'baseline' || au?.status !== 'baseline') {
      throw new Error(
        `the baseline scrape did not succeed: ${web?.status ?? '?'} ${au?.status ?? '?'}`,
      );
    }
    storedVersion.web = 1;
    storedVersion.au = 1;
    lastSuccess.web = nowMs();
    lastSuccess.au = nowMs();
    tokens.web = await harness.createToken('alice', 'WEB');
    tokens.au = await harness.createToken('bob', 'AU');
  });
  afterAll(async () => {
    logLines.push(...harness.logs.lines);
    await harness.stop();
    await webdbf.close();
    await aurion.close();
  });

  it(
    'every failure mode in turn: nothing stored or announced, then recovery announces the real change',
    { timeout: 120_000 },
    async () => {
      const outcomes: string[] = [];
      for (const fault of FAULTS) {
        const section = fault.site === 'webdbf' ? 'web' : 'au';
        harness.clock.advance(20 * 60_000);
        setUpstream(section, upstreamVersion[section] + 1);
        const restore = inject(fault);
        const summaries = await scrapeAndCheck(describeFault(fault));
        restore();
        const own = summaries.find(
          (summary) => summary.section === (section === 'web' ? 'WEB' : 'AU'),
        );
        outcomes.push(
          `${describeFault(fault)} → ${own?.status ?? '?'}${own?.errorCode === undefined ? '' : ` (${own.errorCode})`}`,
        );
        // Recovery: a fault queued several times, or a login cool-down (15 min after a wrong
        // password), may last a few scrapes; each of them is checked like any other.
        for (
          let attempt = 1;
          attempt <= 8 && storedVersion[section] !== upstreamVersion[section];
          attempt += 1
        ) {
          harness.clock.advance(20 * 60_000);
          await scrapeAndCheck(`${describeFault(fault)}: recovery ${attempt}`);
        }
        expect(storedVersion[section], `${describeFault(fault)}: recovered`).toBe(
          upstreamVersion[section],
        );
        // A recovery with nothing new announces nothing.
        await scrapeAndCheck(`${describeFault(fault)}: unchanged`);
      }
      console.log(`[source-faults] ${outcomes.join('; ')}`);
    },
  );

  it(
    'flapping over 100 scrapes (fail, recover, fail) with the staleness banner while stale',
    { timeout: 180_000 },
    async () => {
      const seed = suiteSeed();
      console.log(`[source-faults] flapping seed ${seed}`);
      const random = createRandom(seed);
      const flappable = FAULTS.filter(
        (fault) =>
          'special' in fault ||
          !(
            fault.fault.type === 'hang' ||
            fault.fault.type === 'slow' ||
            fault.fault.type === 'empty'
          ),
      );
      let staleSeen = 0;
      for (let scrape = 0; scrape < 100; scrape += 1) {
        // 10 to 40 minutes between scrapes, so failure streaks cross STALE_AFTER.
        harness.clock.advance(random.int(10, 40) * 60_000);
        const restores: (() => void)[] = [];
        for (const section of ['web', 'au'] as const) {
          if (random.chance(0.3)) setUpstream(section, upstreamVersion[section] + 1);
          // Failure streaks: a failing section tends to keep failing.
          const failing = random.chance(scrape % 20 < 10 ? 0.7 : 0.2);
          if (failing) {
            const candidates = flappable.filter(
              (fault) => (fault.site === 'webdbf') === (section === 'web'),
            );
            restores.push(inject(random.pick(candidates)));
          }
        }
        await scrapeAndCheck(`flap ${scrape}`);
        for (const restore of restores) restore();
        if (
          nowMs() - lastSuccess.web > STALE_AFTER_S * 1000 ||
          nowMs() - lastSuccess.au > STALE_AFTER_S * 1000
        )
          staleSeen += 1;
      }
      console.log(
        `[source-faults] statuses over the whole file: ${[...statusTally.entries()].map(([status, n]) => `${status}=${n}`).join(' ')}; ` +
          `stale (banner checked) after ${staleSeen} of 100 flapping scrapes`,
      );
      expect(staleSeen).toBeGreaterThan(0);
      expect(statusTally.get('failed') ?? 0).toBeGreaterThan(20);
      expect(statusTally.get('ok') ?? 0).toBeGreaterThan(10);
    },
  );

  it('logged no school password and no feed token', () => {
    const lines = [...logLines, ...harness.logs.lines];
    expect(
      findSecrets(lines, [
        WEB_PASSWORD,
        AURION_PASSWORD,
        tokens.web,
        tokens.au,
        'source-faults-discord-token-unused',
      ]),
    ).toEqual([]);
  });
});
