import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config.ts';
import { AppError, toSectionKey, type SectionSpec } from '../../../src/core/index.ts';
import type { RawPayload } from '../../../src/scraper/sources/source.ts';
import {
  createWebdbfSource,
  isWebdbfLoginPage,
} from '../../../src/scraper/sources/webdbf.source.ts';
import { startFakeWebdbf, type FakeWebdbfOptions } from '../../fakes/fake-webdbf.ts';
import { createTestClock } from '../../helpers/clock.ts';
import { createCapturingLogger } from '../../helpers/logger.ts';
import { createFetchContext, parseContext } from './aurion-test-kit.ts';

const USERNAME = 'prenom.nom';
const PASSWORD = 'Été-2026!';
const NOW = '2026-11-16T09:00:00Z';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/sources/webdbf/${name}`, import.meta.url));

function section(name: string, suffix: string): SectionSpec {
  return { key: toSectionKey(name), name, source: { kind: 'webdbf', suffix } };
}

function payload(body: Buffer): RawPayload {
  return {
    fetchedAt: new Date(NOW),
    parts: [{ body, contentType: 'text/calendar', origin: 'https://webdfd.example/index.php' }],
  };
}

function webdbfConfig(overrides: Partial<Config['webdbf']> = {}): Config['webdbf'] {
  return {
    loginUrl: 'https://webdfd.example/planning-eleves/login/login.php',
    icsBaseUrl: 'https://webdfd.example/planning-eleves/index.php?url=ics/',
    username: USERNAME,
    password: PASSWORD,
    ...overrides,
  };
}

describe('webdbf parse (saved exports)', () => {
  const source = createWebdbfSource({ config: webdbfConfig() });
  const context = parseContext(createTestClock(NOW));

  it('decodes Latin-1 bytes and honours TZID + VTIMEZONE across the October DST change', () => {
    const result = source.parse(payload(fixture('latin1-tzid.ics')), context);
    expect(result.issues).toEqual([]);
    expect(result.events.map((event) => [event.title, event.startsAt.toISOString()])).toEqual([
      ['Mécanique des fluides', '2026-10-23T06:00:00.000Z'],
      ['Mécanique des fluides - TD', '2026-10-26T07:00:00.000Z'],
    ]);
    expect(result.events[0]!.location).toBe('Salle Clément Ader');
    expect(result.events[0]!.description).toContain('(amphithéâtre)');
    expect(result.events[1]!.location).toBe('Bâtiment Ampère, salle 2');
  });

  it('reads UTF-8 with a BOM and UTC times', () => {
    const result = source.parse(payload(fixture('utf8-bom-utc.ics')), context);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      title: 'Génie logiciel — projet',
      startsAt: new Date('2026-11-17T12:30:00Z'),
      endsAt: new Date('2026-11-17T14:30:00Z'),
    });
  });

  it('reads floating times in the configured zone, on both sides of the March DST change', () => {
    const result = source.parse(payload(fixture('floating.ics')), context);
    expect(result.events.map((event) => event.startsAt.toISOString())).toEqual([
      '2026-03-27T07:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
    ]);
  });

  it('returns no event for a calendar without VEVENT', () => {
    expect(source.parse(payload(fixture('empty.ics')), context).events).toEqual([]);
  });

  it('rejects an export cut in the middle of an event', () => {
    expect(() => source.parse(payload(fixture('truncated.ics')), context)).toThrow(
      expect.objectContaining({ code: 'scraper.parse_failed' }),
    );
  });

  it.each(['maintenance.html', 'login.html'])('rejects %s as not a calendar', (name) => {
    expect(() => source.parse(payload(fixture(name)), context)).toThrow(
      expect.objectContaining({ code: 'scraper.not_calendar' }),
    );
  });

  it('recognises the login form, not a page with a "Déconnexion" link', () => {
    expect(isWebdbfLoginPage(fixture('login.html').toString('utf8'))).toBe(true);
    expect(isWebdbfLoginPage('<!doctype html><a href="logout.php">Déconnexion</a>')).toBe(false);
  });
});

const EVENTS = [
  {
    uid: 'PL-1@webdfd',
    summary: 'Mécanique des fluides',
    startsAt: '2026-11-17T07:00:00Z',
    endsAt: '2026-11-17T09:00:00Z',
    location: 'Salle Clément Ader',
    description: 'Enseignant : M. Durand',
  },
  {
    uid: 'PL-2@webdfd',
    summary: 'Anglais, niveau B2; groupe 3',
    startsAt: '2026-11-18T13:30:00Z',
    endsAt: '2026-11-18T15:30:00Z',
    location: 'Bâtiment Ampère',
  },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(fakeOptions: FakeWebdbfOptions = {}, timeoutMs?: number) {
  const clock = createTestClock(NOW);
  const fake = await startFakeWebdbf({
    username: USERNAME,
    password: PASSWORD,
    now: () => clock.now().getTime(),
    calendars: { 'eleve/12345': EVENTS, 'promo/75': [EVENTS[1]!] },
    ...fakeOptions,
  });
  const captured = createCapturingLogger('debug');
  const context = createFetchContext({ clock, logger: captured.logger, timeoutMs });
  const source = createWebdbfSource({
    config: webdbfConfig({ loginUrl: fake.loginUrl, icsBaseUrl: fake.icsBaseUrl }),
  });
  cleanups.push(async () => {
    await context.close();
    await fake.close();
  });
  const student = section('2A-SR', 'eleve/12345');
  const scrape = async (target: SectionSpec = student) => {
    const raw = await source.fetchRaw(target, context);
    return { raw, result: source.parse(raw, parseContext(clock)) };
  };
  const failure = async (target: SectionSpec = student) => {
    try {
      await source.fetchRaw(target, context);
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
    throw new Error('expected the fetch to fail');
  };
  return { clock, fake, captured, context, source, scrape, failure };
}

describe('webdbf source against the fake planning-eleves', () => {
  it('logs in with the form, keeps PHPSESSID and fetches the ICS', async () => {
    const harness = await setup();
    const { raw, result } = await harness.scrape();

    expect(harness.fake.routes()).toEqual(['login-page', 'login', 'ics']);
    const login = harness.fake.requests[1]!;
    expect(login.params).toEqual({ Username: USERNAME, Password: PASSWORD, url: '', login: '' });
    expect(harness.fake.requests[2]!.sessionId).toBe(harness.fake.requests[1]!.sessionId);
    expect(harness.fake.requests[2]!.path).toBe('/planning-eleves/index.php?url=ics/eleve/12345');
    expect(raw.parts[0]!.origin).not.toContain(PASSWORD);
    expect(
      result.events.map((event) => [event.uid, event.title, event.startsAt.toISOString()]),
    ).toEqual([
      ['PL-1@webdfd', 'Mécanique des fluides', '2026-11-17T07:00:00.000Z'],
      ['PL-2@webdfd', 'Anglais, niveau B2; groupe 3', '2026-11-18T13:30:00.000Z'],
    ]);
    expect(result.events[1]!.location).toBe('Bâtiment Ampère');
  });

  it('shares one login between sections and scrapes, and sees the timetable change', async () => {
    const harness = await setup();
    await harness.scrape();
    await harness.scrape(section('Promo 75', 'promo/75'));
    harness.fake.setEvents('eleve/12345', [EVENTS[0]!]);
    harness.clock.advance(5 * 60_000);
    const { result } = await harness.scrape();

    expect(harness.fake.successfulLogins()).toBe(1);
    expect(harness.fake.routes()).toEqual(['login-page', 'login', 'ics', 'ics', 'ics']);
    expect(result.events.map((event) => event.uid)).toEqual(['PL-1@webdfd']);
  });

  it.each([
    ['latin1', 'tzid'],
    ['latin1', 'utc'],
    ['latin1', 'floating'],
    ['utf-8', 'tzid'],
    ['utf-8', 'utc'],
    ['utf-8', 'floating'],
  ] as const)('reads %s bytes with %s times', async (charset, timeStyle) => {
    const harness = await setup({ charset, timeStyle });
    const { raw, result } = await harness.scrape();
    expect(
      raw.parts[0]!.body.includes(
        Buffer.from('Mécanique', charset === 'latin1' ? 'latin1' : 'utf8'),
      ),
    ).toBe(true);
    expect(result.events[0]).toMatchObject({
      title: 'Mécanique des fluides',
      startsAt: new Date('2026-11-17T07:00:00Z'),
      location: 'Salle Clément Ader',
    });
  });

  it('runs sections that arrive together one after the other on one login', async () => {
    const harness = await setup();
    const results = await Promise.all([
      harness.scrape(),
      harness.scrape(section('Promo 75', 'promo/75')),
      harness.scrape(),
    ]);
    expect(results.map(({ result }) => result.events.length)).toEqual([2, 1, 2]);
    expect(harness.fake.maxConcurrent()).toBe(1);
    expect(harness.fake.successfulLogins()).toBe(1);
  });

  it('reports a wrong password as auth_rejected and backs off before trying again', async () => {
    const harness = await setup({ password: 'changed' });
    const first = await harness.failure();
    expect(first.code).toBe('scraper.auth_rejected');
    expect(harness.fake.loginAttempts()).toBe(1);
    harness.clock.advance(10 * 60_000);
    expect((await harness.failure()).code).toBe('scraper.auth_rejected');
    expect(harness.fake.loginAttempts()).toBe(1);
    harness.clock.advance(5 * 60_000);
    expect((await harness.failure()).code).toBe('scraper.auth_rejected');
    expect(harness.fake.loginAttempts()).toBe(2);
    for (const text of [first.message, ...harness.captured.lines]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(USERNAME);
    }
  });

  it.each(['redirect-login', 'login-page'] as const)(
    'logs in again once when the session expires mid-session (%s)',
    async (expiry) => {
      const harness = await setup({ expiry });
      await harness.scrape();
      harness.fake.expireSessions();
      const { result } = await harness.scrape();
      expect(harness.fake.routes()).toEqual([
        'login-page',
        'login',
        'ics',
        'ics',
        'login-page',
        'login',
        'ics',
      ]);
      expect(result.events).toHaveLength(2);
      expect(harness.captured.lines.join('\n')).toContain('webdbf session lost; logging in again');
    },
  );

  it('logs in again after the PHP session lifetime', async () => {
    const harness = await setup();
    await harness.scrape();
    harness.clock.advance(20 * 60_000);
    await harness.scrape();
    expect(harness.fake.successfulLogins()).toBe(1);
    harness.clock.advance(25 * 60_000);
    await harness.scrape();
    expect(harness.fake.successfulLogins()).toBe(2);
  });

  it('fails with session_expired when the login page comes back after a fresh login', async () => {
    const harness = await setup();
    harness.fake.fail('ics', { type: 'login-page' }, 2);
    expect((await harness.failure()).code).toBe('scraper.session_expired');
    expect(harness.fake.successfulLogins()).toBe(2);
  });

  it.each([
    ['ics', { type: 'maintenance' }, 'scraper.maintenance'],
    ['ics', { type: 'status', status: 503 }, 'scraper.http_status'],
    ['ics', { type: 'status', status: 500 }, 'scraper.http_status'],
    ['login-page', { type: 'maintenance' }, 'scraper.maintenance'],
    ['login', { type: 'status', status: 502 }, 'scraper.http_status'],
  ] as const)('maps a %s answer %o to %s', async (route, fault, code) => {
    const harness = await setup();
    harness.fake.fail(route, fault);
    expect((await harness.failure()).code).toBe(code);
  });

  it('rejects a 200 answer that is not a calendar', async () => {
    const harness = await setup();
    harness.fake.setRawCalendar('eleve/12345', Buffer.from('<html><body>Erreur</body></html>'));
    expect((await harness.failure()).code).toBe('scraper.not_calendar');
  });

  it('fails with parse_failed on an ICS cut mid-event', async () => {
    const harness = await setup();
    harness.fake.fail('ics', { type: 'truncate' });
    const raw = await harness.source.fetchRaw(section('2A-SR', 'eleve/12345'), harness.context);
    expect(() => harness.source.parse(raw, parseContext(harness.clock))).toThrow(
      expect.objectContaining({ code: 'scraper.parse_failed' }),
    );
  });

  it('accepts an empty calendar', async () => {
    const harness = await setup();
    harness.fake.fail('ics', { type: 'empty' });
    const { result } = await harness.scrape();
    expect(result.events).toEqual([]);
  });

  it('gives up on a hanging socket with scraper.timeout, then works again', async () => {
    const harness = await setup({}, 1_000);
    harness.fake.fail('ics', { type: 'hang' });
    expect((await harness.failure()).code).toBe('scraper.timeout');
    const { result } = await harness.scrape();
    expect(result.events).toHaveLength(2);
  });

  it('copes with a slow answer within the timeout', async () => {
    const harness = await setup();
    harness.fake.fail('ics', { type: 'slow', ms: 50 });
    const { result } = await harness.scrape();
    expect(result.events).toHaveLength(2);
  });
});
