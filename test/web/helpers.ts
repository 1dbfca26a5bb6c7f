import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { createToken } from '../../src/feed/tokens.ts';
import { buildFeedServer } from '../../src/feed/index.ts';
import { parseEventFilter } from '../../src/core/index.ts';
import { createTestClock } from '../helpers/clock.ts';
import { createTestConfig } from '../helpers/config.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { createCapturingLogger } from '../helpers/logger.ts';
import {
  ADMIN_TOKEN,
  change,
  commitChanges,
  makeEvent,
  recordFailure,
  seedSection,
} from '../feed/helpers.ts';

export { ADMIN_TOKEN };

/** Where page screenshots go (kept out of git). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

/** Saturday 21 Nov 2026, 14:05 in Paris: "this week" is 16–22 Nov, "next week" 23–29 Nov. */
export const NOW = '2026-11-21T13:05:00Z';
const SEEDED_AT = new Date('2026-11-20T08:00:00Z');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

/** The timetable the pages are tested against. */
export const EVENTS = [
  makeEvent({
    uid: 'mon-algo',
    title: 'Algorithmique',
    location: 'B204',
    teacher: 'M. Durand',
    groups: ['TD1'],
    startsAt: new Date('2026-11-23T08:00:00Z'),
    endsAt: new Date('2026-11-23T10:00:00Z'),
  }),
  makeEvent({
    uid: 'mon-td2',
    title: 'Réseaux TD2',
    groups: ['TD2'],
    startsAt: new Date('2026-11-23T13:00:00Z'),
    endsAt: new Date('2026-11-23T15:00:00Z'),
  }),
  makeEvent({
    uid: 'tue-cancelled',
    title: 'Anglais <b>oral</b>',
    status: 'cancelled',
    groups: ['TD1'],
    startsAt: new Date('2026-11-24T09:30:00Z'),
    endsAt: new Date('2026-11-24T11:00:00Z'),
  }),
  makeEvent({
    uid: 'fri-this-week',
    title: 'Projet',
    startsAt: new Date('2026-11-20T14:00:00Z'),
    endsAt: new Date('2026-11-20T17:00:00Z'),
  }),
  makeEvent({
    uid: 'wed-removed',
    title: 'TP Réseaux (supprimé en amont)',
    groups: ['TD2'],
    startsAt: new Date('2026-11-25T08:00:00Z'),
    endsAt: new Date('2026-11-25T10:00:00Z'),
  }),
  makeEvent({
    uid: 'later',
    title: 'Examen (dans deux semaines)',
    startsAt: new Date('2026-12-01T08:00:00Z'),
    endsAt: new Date('2026-12-01T10:00:00Z'),
  }),
];

/**
 * The real feed server (with the web pages) on a loopback port whose PUBLIC_URL is its own
 * address, over a real SQLite file seeded with EVENTS (one of them then removed upstream), one failed run, and two links: the whole
 * section and a TD1-filtered one.
 */
export async function startWebApp(options: { env?: Record<string, string> } = {}) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const database = createTestDatabase();
  const config = createTestConfig({
    SECTIONS: 'Génie Info:file:./g.ics',
    ADMIN_STATIC_TOKEN: ADMIN_TOKEN,
    PUBLIC_URL: baseUrl,
    TIMEZONE: 'Europe/Paris',
    ...options.env,
  });
  const clock = createTestClock(NOW);
  const capture = createCapturingLogger('debug');
  const { repositories } = database;
  seedSection(repositories, config, 'Génie Info', EVENTS, SEEDED_AT);
  // Removed upstream: the feed keeps it as cancelled for CANCELLED_RETENTION_DAYS.
  const removed = EVENTS.find((event) => event.uid === 'wed-removed');
  commitChanges(
    repositories,
    'Génie Info',
    [change(removed, undefined)],
    new Date('2026-11-21T10:00:00Z'),
  );
  // A week of unchanged runs (durations 0.6 to 2.4 s) for the runs chart, then one failure.
  const sectionId = repositories.sections.list()[0]?.id ?? 0;
  for (let hour = 6; hour < 7 * 24; hour += 5) {
    const at = new Date(Date.parse(NOW) - hour * 3_600_000);
    const runId = repositories.scrapeRuns.start(sectionId, 'schedule', at);
    repositories.scrapeRuns.finish(runId, {
      at,
      status: 'unchanged',
      durationMs: 600 + ((hour * 337) % 1800),
    });
  }
  recordFailure(repositories, 'Génie Info', new Date('2026-11-21T12:00:00Z'));
  const deps = { repositories, config, clock };
  const whole = createToken(deps, { name: 'alice', section: 'Génie Info' });
  const filtered = createToken(deps, {
    name: 'bob',
    section: 'Génie Info',
    filter: parseEventFilter({ groups: ['TD1'] }),
  });
  const app = await buildFeedServer(
    {
      config,
      repositories,
      clock,
      logger: capture.logger,
      runScrape: () => Promise.resolve([]),
      version: '0.0.0-test',
    },
    { usageFlushIntervalMs: 20 },
  );
  await app.listen({ host: '127.0.0.1', port });
  onTestFinished(async () => {
    await app.close();
    const leaks = capture.lines.filter((line) => line.includes(ADMIN_TOKEN));
    if (leaks.length > 0) throw new Error(`admin secret in logs:\n${leaks.join('\n')}`);
  });
  return { app, baseUrl, config, clock, repositories, whole, filtered, logLines: capture.lines };
}

export type WebApp = Awaited<ReturnType<typeof startWebApp>>;

/**
 * Debian's Chromium through playwright-core (never a downloaded browser), headless, in a fresh
 * profile, with the given locale (Accept-Language follows it).
 */
export async function openBrowser(
  locale: 'fr-FR' | 'en-GB',
  options: { javaScript?: boolean } = {},
): Promise<BrowserContext> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'pp-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    locale,
    javaScriptEnabled: options.javaScript ?? true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  onTestFinished(async () => {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });
  return context;
}

/** Every request the page makes and every console error / CSP violation it logs. */
export function watchPage(page: Page) {
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { requests, problems };
}

/**
 * Full-page screenshots at phone and desktop widths; returns how wide the page really was at
 * each (wider than the viewport: something overflows sideways).
 */
export async function screenshot(
  page: Page,
  name: string,
): Promise<{ phone: number; desktop: number }> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const widths = { phone: 0, desktop: 0 };
  for (const [label, width, height] of [
    ['phone', 390, 844],
    ['desktop', 1280, 900],
  ] as const) {
    await page.setViewportSize({ width, height });
    widths[label] = await page.evaluate<number>('document.documentElement.scrollWidth');
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${label}.png`), fullPage: true });
  }
  return widths;
}

/** One attribute of every element the locator matches (no DOM types needed in Node). */
export async function attributes(locator: Locator, name: string): Promise<string[]> {
  const elements = await locator.all();
  return Promise.all(elements.map(async (element) => (await element.getAttribute(name)) ?? ''));
}
