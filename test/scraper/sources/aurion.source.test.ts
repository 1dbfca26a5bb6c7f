import { afterEach, describe, expect, it } from 'vitest';
import { AppError, toSectionKey, type SectionSpec } from '../../../src/core/index.ts';
import { createAurionSource, planChunks } from '../../../src/scraper/sources/aurion.source.ts';
import {
  startFakeAurion,
  type FakeAurion,
  type FakeAurionOptions,
} from '../../fakes/fake-aurion.ts';
import { createTestClock, type TestClock } from '../../helpers/clock.ts';
import { createCapturingLogger } from '../../helpers/logger.ts';
import {
  AURION_PASSWORD,
  AURION_USERNAME,
  aurionConfig,
  createFetchContext,
  JUNIA_MATHS,
  parseContext,
  recordingSleep,
} from './aurion-test-kit.ts';

const SECTION: SectionSpec = {
  key: toSectionKey('junia'),
  name: 'Junia',
  source: { kind: 'aurion' },
};
const NOW = '2026-11-16T09:00:00Z'; // a Monday; window: 2026-11-09 → 2026-12-21 (Paris)

const EVENTS = [
  {
    id: '15446554',
    title:
      'Cours - ISEN B501\nMathématiques\nCours magistral\n08:00 - 10:00\nMonsieur DUPONT Jean\nCIR2\nISEN Lille - 2026/2027',
    startsAt: '2026-11-17T07:00:00Z',
    endsAt: '2026-11-17T09:00:00Z',
    className: 'COURS',
  },
  {
    id: '15446555',
    title:
      'TD - HEI A204\nPhysique\u200B\nTravaux dirigés\n10:15 - 12:15\nMadame MARTIN Alice\nCIR2 G1',
    startsAt: '2026-11-26T09:15:00Z',
    endsAt: '2026-11-26T11:15:00Z',
    className: 'TD',
  },
  {
    id: '15446556',
    title: 'Examen - ISEN B001\nAlgorithmique\nEpreuve\n14:00 - 16:00\nMonsieur PETIT Paul\nCIR2',
    startsAt: '2026-12-10T13:00:00Z',
    endsAt: '2026-12-10T15:00:00Z',
    className: 'EXAMEN',
  },
];

type Harness = Awaited<ReturnType<typeof setup>>;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(
  fakeOptions: FakeAurionOptions = {},
  configOverrides: Parameters<typeof aurionConfig>[1] = {},
  timeoutMs?: number,
) {
  const clock: TestClock = createTestClock(NOW);
  const fake: FakeAurion = await startFakeAurion({
    events: EVENTS,
    now: () => clock.now().getTime(),
    ...fakeOptions,
  });
  const captured = createCapturingLogger('debug');
  const context = createFetchContext({ clock, logger: captured.logger, timeoutMs });
  const pause = recordingSleep();
  const source = createAurionSource({
    config: aurionConfig(fake.baseUrl, configOverrides),
    sleep: pause.sleep,
  });
  cleanups.push(async () => {
    await context.close();
    await fake.close();
  });
  const scrape = async () => {
    const raw = await source.fetchRaw(SECTION, context);
    return { raw, result: source.parse(raw, parseContext(clock)) };
  };
  const failure = async () => {
    try {
      await source.fetchRaw(SECTION, context);
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
    throw new Error('expected the fetch to fail');
  };
  return { clock, fake, captured, context, pause, source, scrape, failure };
}

function expectNoSecrets(harness: Harness, texts: readonly string[]) {
  const cookies = harness.fake.requests
    .map((request) => request.sessionId)
    .filter((id) => id !== undefined);
  const viewStates = harness.fake.requests
    .map((request) => request.params['javax.faces.ViewState'])
    .filter((value) => value !== undefined);
  for (const text of [...texts, ...harness.captured.lines]) {
    expect(text).not.toContain(AURION_PASSWORD);
    expect(text).not.toContain(AURION_USERNAME);
    for (const cookie of cookies) expect(text).not.toContain(cookie);
    for (const viewState of viewStates) expect(text).not.toContain(viewState);
  }
}

describe('aurion source against the fake webAurion', () => {
  it('logs in, clicks "Mon Planning" and fetches the window in chunks, one request at a time', async () => {
    const harness = await setup();
    const { raw, result } = await harness.scrape();

    expect(harness.fake.routes()).toEqual([
      'login-page',
      'login',
      'home',
      'menu',
      'planning-page',
      'schedule',
      'schedule',
      'schedule',
    ]);
    const login = harness.fake.requests[1]!;
    expect(login.params).toMatchObject({
      username: AURION_USERNAME,
      password: AURION_PASSWORD,
      j_idt28: '',
    });
    const menu = harness.fake.requests[3]!;
    expect(menu.params).toMatchObject({
      'form:sidebar': 'form:sidebar',
      'form:sidebar_menuid': '1',
      'form:idInit': 'webscolaapp.Planning_-5219369535766895590',
    });
    const schedules = harness.fake.requests.filter((request) => request.route === 'schedule');
    expect(schedules[0]!.params).toMatchObject({
      'javax.faces.partial.ajax': 'true',
      'javax.faces.source': 'form:j_idt118',
      'form:j_idt118': 'form:j_idt118',
      'form:j_idt118_start': String(Date.parse('2026-11-08T23:00:00Z')),
      'form:j_idt118_end': String(Date.parse('2026-11-22T23:00:00Z')),
      'form:week': '46-2026',
      'form:date_input': '09/11/2026',
      'form:offsetFuseauNavigateur': '-3600000',
    });
    // 1 week before, the current week and AURION_WEEKS_AFTER=4 weeks after it.
    expect(schedules[2]!.params['form:j_idt118_end']).toBe(
      String(Date.parse('2026-12-20T23:00:00Z')),
    );
    expect(schedules[0]!.headers['faces-request']).toBe('partial/ajax');
    expect(harness.fake.maxConcurrent()).toBe(1);
    expect(harness.pause.pauses).toEqual(Array.from({ length: 7 }, () => 400));

    expect(raw.parts).toHaveLength(3);
    expect(raw.coverage).toEqual({
      from: new Date('2026-11-08T23:00:00Z'),
      to: new Date('2026-12-20T23:00:00Z'),
    });
    expect(result.coverage).toEqual(raw.coverage);
    expect(result.issues).toEqual([]);
    expect(result.events.map((event) => event.uid)).toEqual([
      '15446554@127.0.0.1',
      '15446555@127.0.0.1',
      '15446556@127.0.0.1',
    ]);
    expect(result.events[0]).toMatchObject({
      startsAt: new Date('2026-11-17T07:00:00Z'),
      endsAt: new Date('2026-11-17T09:00:00Z'),
      ...JUNIA_MATHS,
    });
    expect(result.events[0]!.raw.title).toBe(EVENTS[0]!.title);
    expect(result.events[1]).toMatchObject({ title: 'Physique', category: 'TD' });
    expectNoSecrets(
      harness,
      raw.parts.map((part) => part.origin),
    );
  });

  it('keeps its session between scrapes and sees the timetable change', async () => {
    const harness = await setup();
    await harness.scrape();
    harness.fake.setEvents([
      EVENTS[0]!,
      { ...EVENTS[1]!, startsAt: '2026-11-27T09:15:00Z', endsAt: '2026-11-27T11:15:00Z' },
    ]);
    harness.clock.advance(5 * 60_000);
    const { result } = await harness.scrape();

    expect(harness.fake.successfulLogins()).toBe(1);
    expect(harness.fake.routes().slice(8)).toEqual(['schedule', 'schedule', 'schedule']);
    expect(result.events.map((event) => [event.uid, event.startsAt.toISOString()])).toEqual([
      ['15446554@127.0.0.1', '2026-11-17T07:00:00.000Z'],
      ['15446555@127.0.0.1', '2026-11-27T09:15:00.000Z'],
    ]);
  });

  it('opens the lazy "Scolarité" submenu, matches the label without case, and sends no button where the page has none', async () => {
    const harness = await setup(
      {
        contextPath: '/webAurion',
        planningLocation: 'submenu',
        planningLabel: 'Mon planning',
        loginButton: null,
        submenuNumber: '291906',
        submenuCommandId: 'form:j_idt46',
        idInit: null,
      },
      { planningLabel: 'MON PLANNING' },
    );
    const { result } = await harness.scrape();

    expect(harness.fake.routes().slice(0, 6)).toEqual([
      'login-page',
      'login',
      'home',
      'submenu',
      'menu',
      'planning-page',
    ]);
    const submenu = harness.fake.requests[3]!;
    expect(submenu.params).toMatchObject({
      'javax.faces.source': 'form:j_idt46',
      'webscolaapp.Sidebar.ID_SUBMENU': 'submenu_291906',
      'javax.faces.partial.render': 'form:sidebar',
    });
    expect(submenu.path).toBe('/webAurion/faces/MainMenuPage.xhtml');
    expect(Object.keys(harness.fake.requests[1]!.params).sort()).toEqual(['password', 'username']);
    expect(harness.fake.requests[4]!.params['form:sidebar_menuid']).toBe('3_0');
    expect(harness.fake.requests[4]!.params['form:idInit']).toBeUndefined();
    expect(result.events).toHaveLength(3);
  });

  it('fails with navigation_failed when no menu entry carries the planning label', async () => {
    const harness = await setup({ planningLabel: 'Emploi du temps' });
    const error = await harness.failure();
    expect(error.code).toBe('scraper.navigation_failed');
    expect(error.message).toContain('Mon Planning');
  });

  it('reports a wrong password as auth_rejected and waits 15, 30… minutes before trying again', async () => {
    const harness = await setup({ password: 'another password' });

    const first = await harness.failure();
    expect(first.code).toBe('scraper.auth_rejected');
    expect(harness.fake.loginAttempts()).toBe(1);

    harness.clock.advance(14 * 60_000);
    expect((await harness.failure()).code).toBe('scraper.auth_rejected');
    expect(harness.fake.loginAttempts()).toBe(1);

    harness.clock.advance(60_000);
    expect((await harness.failure()).code).toBe('scraper.auth_rejected');
    expect(harness.fake.loginAttempts()).toBe(2);

    harness.clock.advance(29 * 60_000);
    expect((await harness.failure()).code).toBe('scraper.auth_rejected');
    expect(harness.fake.loginAttempts()).toBe(2);

    harness.fake.setPassword(AURION_PASSWORD);
    harness.clock.advance(60_000);
    const { result } = await harness.scrape();
    expect(harness.fake.loginAttempts()).toBe(3);
    expect(result.events).toHaveLength(3);
    expectNoSecrets(harness, [first.message, String(first.publicMessage)]);
  });

  it.each(['redirect-login', 'partial-redirect', 'login-page'] as const)(
    'logs in again once when the session dies mid-session (%s)',
    async (expiry) => {
      const harness = await setup({ expiry });
      await harness.scrape();
      harness.fake.expireSessions();
      const { result } = await harness.scrape();

      expect(harness.fake.successfulLogins()).toBe(2);
      expect(harness.fake.routes().slice(8)).toEqual([
        'schedule',
        'login-page',
        'login',
        'home',
        'menu',
        'planning-page',
        'schedule',
        'schedule',
        'schedule',
      ]);
      expect(result.events).toHaveLength(3);
      expect(harness.captured.lines.join('\n')).toContain('aurion session lost; logging in again');
    },
  );

  it('logs in again when the session dies during navigation', async () => {
    const harness = await setup();
    harness.fake.fail('menu', { type: 'redirect-login' });
    const { result } = await harness.scrape();
    expect(harness.fake.routes()).toEqual([
      'login-page',
      'login',
      'home',
      'menu',
      'login-page',
      'login',
      'home',
      'menu',
      'planning-page',
      'schedule',
      'schedule',
      'schedule',
    ]);
    expect(result.events).toHaveLength(3);
  });

  it('fails with navigation_failed when the submenus cannot be opened', async () => {
    const harness = await setup({ planningLocation: 'submenu' });
    harness.fake.fail('submenu', { type: 'status', status: 500 });
    const error = await harness.failure();
    expect(error.code).toBe('scraper.navigation_failed');
    expect(harness.fake.routes().filter((route) => route === 'submenu')).toHaveLength(2);
  });

  it('logs in again after 30 minutes of inactivity', async () => {
    const harness = await setup();
    await harness.scrape();
    harness.clock.advance(29 * 60_000);
    await harness.scrape();
    expect(harness.fake.successfulLogins()).toBe(1);
    harness.clock.advance(31 * 60_000);
    await harness.scrape();
    expect(harness.fake.successfulLogins()).toBe(2);
  });

  it('fails with session_expired when the login page keeps coming back after a fresh login', async () => {
    const harness = await setup();
    harness.fake.fail('schedule', { type: 'partial-redirect' }, 2);
    const error = await harness.failure();
    expect(error.code).toBe('scraper.session_expired');
    expect(harness.fake.successfulLogins()).toBe(2);
  });

  it('navigates again (without logging in) when the ViewState has expired', async () => {
    const harness = await setup();
    await harness.scrape();
    harness.fake.expireViewStates();
    const { result } = await harness.scrape();
    expect(harness.fake.successfulLogins()).toBe(1);
    expect(harness.fake.routes().slice(8)).toEqual([
      'schedule',
      'home',
      'menu',
      'planning-page',
      'schedule',
      'schedule',
      'schedule',
    ]);
    expect(result.events).toHaveLength(3);
  });

  it('fails with view_expired when the view expires again after navigating again', async () => {
    const harness = await setup();
    harness.fake.fail('schedule', { type: 'view-expired' }, 2);
    expect((await harness.failure()).code).toBe('scraper.view_expired');
  });

  it('reads the new schedule id after an id drift', async () => {
    const harness = await setup();
    await harness.scrape();
    harness.fake.driftScheduleId('form:j_idt144');
    const { raw, result } = await harness.scrape();
    const last = harness.fake.requests.at(-1)!;
    expect(last.params['javax.faces.source']).toBe('form:j_idt144');
    expect(raw.parts.every((part) => part.origin.endsWith('#form:j_idt144'))).toBe(true);
    expect(result.events).toHaveLength(3);
  });

  it('fails with schedule_missing when the schedule update stays absent', async () => {
    const harness = await setup();
    harness.fake.fail('schedule', { type: 'no-schedule' }, 2);
    const error = await harness.failure();
    expect(error.code).toBe('scraper.schedule_missing');
  });

  it('fails with parse_failed when the JSON is cut inside the CDATA', async () => {
    const harness = await setup();
    harness.fake.fail('schedule', { type: 'truncate' });
    expect((await harness.failure()).code).toBe('scraper.parse_failed');
  });

  it('returns an empty timetable for empty weeks, with the window as coverage', async () => {
    const harness = await setup({ events: [] });
    const { result } = await harness.scrape();
    expect(result.events).toEqual([]);
    expect(result.coverage?.from).toEqual(new Date('2026-11-08T23:00:00Z'));
  });

  it('gives up on a hanging socket with scraper.timeout and works again on the next run', async () => {
    const harness = await setup({}, {}, 1_000);
    harness.fake.fail('schedule', { type: 'hang' });
    expect((await harness.failure()).code).toBe('scraper.timeout');
    const { result } = await harness.scrape();
    expect(result.events).toHaveLength(3);
  });

  it('copes with slow answers that stay within the timeout', async () => {
    const harness = await setup({ perRequestDelayMs: 20, perWeekDelayMs: 10 });
    const { result } = await harness.scrape();
    expect(result.events).toHaveLength(3);
  });

  it.each([
    ['home', { type: 'status', status: 503 }, 'scraper.http_status'],
    ['home', { type: 'status', status: 500 }, 'scraper.http_status'],
    ['home', { type: 'maintenance' }, 'scraper.maintenance'],
    ['login', { type: 'maintenance' }, 'scraper.maintenance'],
    ['login', { type: 'status', status: 503 }, 'scraper.http_status'],
    ['schedule', { type: 'maintenance' }, 'scraper.maintenance'],
  ] as const)('maps a %s answer %o to %s', async (route, fault, code) => {
    const harness = await setup();
    harness.fake.fail(route, fault);
    expect((await harness.failure()).code).toBe(code);
  });

  it('runs concurrent scrapes one after the other on one session', async () => {
    const harness = await setup();
    const results = await Promise.all([harness.scrape(), harness.scrape()]);
    expect(results.map(({ result }) => result.events.length)).toEqual([3, 3]);
    expect(harness.fake.maxConcurrent()).toBe(1);
    expect(harness.fake.successfulLogins()).toBe(1);
  });

  it('refuses to run without credentials', async () => {
    const harness = await setup({}, { password: undefined });
    const error = await harness.failure();
    expect(error.code).toBe('scraper.not_configured');
    expect(harness.fake.requests).toHaveLength(0);
  });
});

describe('planChunks', () => {
  it('cuts the window on Paris Mondays across a DST change', () => {
    const chunks = planChunks(new Date('2026-10-21T12:00:00Z'), 1, 2, 2);
    expect(chunks.map((chunk) => [chunk.from.toISOString(), chunk.to.toISOString()])).toEqual([
      ['2026-10-11T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
      ['2026-10-25T23:00:00.000Z', '2026-11-08T23:00:00.000Z'],
    ]);
  });

  it('makes a last, shorter chunk when the weeks do not divide evenly', () => {
    // 1 + 1 + 26 = 28 weeks: seven chunks of 4; 1 + 1 + 25 = 27: the last one has 3 weeks.
    expect(planChunks(new Date('2026-11-16T09:00:00Z'), 1, 26, 4)).toHaveLength(7);
    const chunks = planChunks(new Date('2026-11-16T09:00:00Z'), 1, 25, 4);
    expect(chunks).toHaveLength(7);
    expect(chunks.at(-1)!.to.getTime() - chunks.at(-1)!.from.getTime()).toBe(3 * 7 * 86_400_000);
  });
});
