import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { filterFromJson, matchesFilter } from '../../src/core/index.ts';
import type { Page } from 'playwright-core';
import { findSection } from '../feed/helpers.ts';
import {
  ADMIN_TOKEN,
  attributes,
  openBrowser,
  screenshot,
  startWebApp,
  watchPage,
  type WebApp,
} from './helpers.ts';

// Real browser tests: Debian's Chromium driven by playwright-core against the real server.

const WEEKS_FROM = new Date('2026-11-15T23:00:00Z'); // Monday 16 Nov, 00:00 in Paris
const WEEKS_TO = new Date('2026-11-29T23:00:00Z'); // Monday 30 Nov, 00:00 in Paris

// jsQR is CommonJS whose types declare an ES default export.
const jsQR = createRequire(import.meta.url)('jsqr') as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

const DOCUMENT_404 =
  'Failed to load resource: the server responded with a status of 404 (Not Found)';

function pageUrl(url: string): string {
  return url.replace(/\.ics$/, '');
}

/** The events the preview must show: stored, through the link's filter, in this week and next. */
function expectedPreview(app: WebApp, filterJson: string | null): string[] {
  const section = findSection(app.repositories, 'Génie Info');
  const filter = filterFromJson(filterJson);
  return app.repositories.events
    .listForFeed(
      section.id,
      new Date(app.clock.now().getTime() - app.config.feed.cancelledRetentionMs),
    )
    .filter((event) => matchesFilter(event, filter))
    .filter((event) => event.startsAt >= WEEKS_FROM && event.startsAt < WEEKS_TO)
    .map((event) => event.feedUid)
    .sort();
}

async function decodeQr(page: Page): Promise<string | undefined> {
  const png = PNG.sync.read(await page.locator('#qr svg').screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

async function checkLandingPage(
  app: WebApp,
  page: Page,
  link: { url: string; filterJson: string | null; cancelled: readonly string[] },
): Promise<void> {
  const https = link.url;
  const webcal = https.replace(/^http:\/\//, 'webcal://');
  const anchors = page.locator('.buttons a');
  const ids = await attributes(anchors, 'id');
  const targets = await attributes(anchors, 'href');
  const hrefs = Object.fromEntries(ids.map((id, index) => [id, targets[index]]));
  expect(hrefs).toEqual({
    'add-google': `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(webcal)}`,
    'add-outlook': `https://outlook.live.com/calendar/0/addfromweb?url=${encodeURIComponent(https)}&name=${encodeURIComponent('Génie Info')}`,
    'add-microsoft365': `https://outlook.office.com/calendar/0/addfromweb?url=${encodeURIComponent(https)}&name=${encodeURIComponent('Génie Info')}`,
    'add-apple': webcal,
    'add-thunderbird': webcal,
  });
  expect(await page.inputValue('#feed-link')).toBe(https);
  // The QR code, read back from the rendered pixels, is this page's own link.
  expect(await decodeQr(page)).toBe(pageUrl(https));

  const uids = await attributes(page.locator('#preview tr.event'), 'data-uid');
  expect(uids.sort()).toEqual(expectedPreview(app, link.filterJson));
  // Cancelled classes are struck through.
  const cancelled = page.locator('#preview tr.event.cancelled');
  expect((await attributes(cancelled, 'data-uid')).sort()).toEqual([...link.cancelled].sort());
  expect(await cancelled.locator('s').count()).toBe(link.cancelled.length);
}

async function fetchFeed(url: string, accept?: string): Promise<number> {
  const response = await fetch(url, { headers: accept === undefined ? {} : { accept } });
  await response.arrayBuffer();
  return response.status;
}

describe('web pages in Chromium', () => {
  it('landing page (French): buttons, copy, QR code, preview, no outside request, no console error', async () => {
    const app = await startWebApp();
    const context = await openBrowser('fr-FR');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.baseUrl });
    const page = await context.newPage();
    const watch = watchPage(page);

    const bob = app.filtered;
    const response = await page.goto(pageUrl(bob.url));
    expect(response?.status()).toBe(200);
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    expect(response?.headers()['x-robots-tag']).toContain('noindex');
    expect(response?.headers()['cache-control']).toBe('no-store');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await page.locator('h1').textContent()).toBe('Ton agenda Génie Info');
    expect(await page.locator('#filter').textContent()).toContain('TD1');
    expect(await page.locator('#failing').textContent()).toContain('21 novembre 2026');
    await checkLandingPage(app, page, {
      url: bob.url,
      filterJson: '{"groups":["TD1"]}',
      cancelled: ['tue-cancelled'],
    });
    // Times are Paris time: 08:00Z is 09:00 in November; markup in a title stays text.
    expect(await page.locator('tr[data-uid="mon-algo"] .time').textContent()).toBe('09:00–11:00');
    expect(await page.locator('tr[data-uid="tue-cancelled"] .title').textContent()).toBe(
      'Anglais <b>oral</b>',
    );

    // The copy button (the page's only script) puts the https link on the clipboard.
    await page.click('#copy');
    await expect.poll(() => page.locator('#copy-status').textContent()).toBe('Lien copié');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(bob.url);

    expect(await screenshot(page, 'feed')).toEqual({ phone: 390, desktop: 1280 });
    expect(watch.problems).toEqual([]);
    expect(watch.requests.filter((url) => !url.startsWith(`${app.baseUrl}/`))).toEqual([]);

    // Without JavaScript the page still has every link; the copy button stays hidden.
    const noJs = await openBrowser('fr-FR', { javaScript: false });
    const bare = await noJs.newPage();
    await bare.goto(pageUrl(bob.url));
    expect(await bare.locator('.buttons a').count()).toBe(5);
    expect(await bare.locator('#feed-link').inputValue()).toBe(bob.url);
    expect(await bare.locator('#copy').isHidden()).toBe(true);

    // The same address fetched by a calendar app is the calendar itself.
    expect(await fetchFeed(pageUrl(bob.url))).toBe(200);
  });

  it('home page and unknown link page (French)', async () => {
    const app = await startWebApp();
    const context = await openBrowser('fr-FR');
    const page = await context.newPage();
    const watch = watchPage(page);
    await page.goto(`${app.baseUrl}/`);
    expect(await page.locator('h1').textContent()).toBe('Ton emploi du temps dans ton agenda');
    expect(await page.locator('main').textContent()).toContain('/subscribe');
    expect(await screenshot(page, 'home')).toEqual({ phone: 390, desktop: 1280 });
    expect(watch.problems).toEqual([]);
    const missing = await page.goto(`${app.baseUrl}/feeds/${'0'.repeat(64)}`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Page introuvable');
    // Chromium reports the 404 status of the document itself, and nothing else.
    expect(watch.problems).toEqual([DOCUMENT_404]);
    expect(watch.requests.filter((url) => !url.startsWith(`${app.baseUrl}/`))).toEqual([]);
  });

  it('dashboard (French): login, charts, revoke a link and its feed answers 404', async () => {
    const app = await startWebApp();
    // Calendar apps fetch the feeds (the usage the fetches chart shows).
    const agents = {
      'Google-Calendar-Importer': 3,
      'iOS/18.1 (22B83) dataaccessd/1.0': 2,
      'Mozilla/5.0 Thunderbird/128.0': 1,
    };
    for (const [agent, times] of Object.entries(agents)) {
      for (let index = 0; index < times; index += 1) {
        const response = await fetch(app.whole.url, { headers: { 'user-agent': agent } });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
    }
    await expect
      .poll(() => app.repositories.feedTokens.listClientUsageSince(new Date(0)).length)
      .toBe(3);

    const context = await openBrowser('fr-FR');
    const page = await context.newPage();
    const watch = watchPage(page);
    await page.goto(`${app.baseUrl}/admin`);
    expect(await page.locator('h1').textContent()).toBe('Administration');
    expect(await screenshot(page, 'login')).toEqual({ phone: 390, desktop: 1280 });
    await page.fill('#token', 'wrong-token');
    await page.click('button[type=submit]');
    expect(await page.locator('.error').textContent()).toContain('Jeton incorrect');
    // The refused login answers 401, which Chromium reports; nothing else may appear.
    expect(watch.problems).toEqual([
      'Failed to load resource: the server responded with a status of 401 (Unauthorized)',
    ]);
    watch.problems.length = 0;
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    expect(await page.locator('h1').textContent()).toBe('Tableau de bord');

    const section = page.locator('section.section[data-section="Génie Info"]');
    expect(await section.locator('.links').textContent()).toBe('2');
    expect(await section.locator('.last-error').textContent()).toContain(
      "le site de l'école n'a pas répondu à temps",
    );
    expect(await section.locator('.runs-chart svg > title').textContent()).toBe(
      'Génie Info : passages des 7 derniers jours',
    );
    expect(await section.locator('.runs-chart path.runs-failed').getAttribute('data-runs')).toBe(
      '1',
    );
    expect(await section.locator('.fetches-chart svg > title').textContent()).toBe(
      'Génie Info : téléchargements par jour et par application',
    );
    const rects = section.locator('.fetches-chart rect');
    const clients = await attributes(rects, 'data-client');
    const hits = await attributes(rects, 'data-hits');
    const bars = Object.fromEntries(clients.map((client, index) => [client, hits[index]]));
    expect(bars).toEqual({ google: '3', apple: '2', thunderbird: '1' });
    expect(await screenshot(page, 'dashboard')).toEqual({ phone: 390, desktop: 1280 });

    // Revoke alice's link from the token list.
    const alice = page.locator(`tr[data-prefix="${app.whole.prefix}"]`);
    await alice.locator('button').click();
    expect(await page.locator('#flash').textContent()).toBe(`Lien ${app.whole.prefix}… révoqué.`);
    expect(await page.locator(`tr[data-prefix="${app.whole.prefix}"]`).count()).toBe(0);
    expect(await fetchFeed(app.whole.url)).toBe(404);
    expect(await fetchFeed(pageUrl(app.whole.url), 'text/html')).toBe(404);
    expect(await fetchFeed(app.filtered.url)).toBe(200);

    // Logging out ends the session.
    await page.click('header form button');
    expect(await page.locator('h1').textContent()).toBe('Administration');
    expect(watch.problems).toEqual([]);
    expect(watch.requests.filter((url) => !url.startsWith(`${app.baseUrl}/`))).toEqual([]);
  });

  it('the same in English: landing page, home page, dashboard and revoke', async () => {
    const app = await startWebApp();
    const context = await openBrowser('en-GB');
    const page = await context.newPage();
    const watch = watchPage(page);

    await page.goto(pageUrl(app.whole.url));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('Your Génie Info calendar');
    expect(await page.locator('#filter').textContent()).toBe('The whole section, unfiltered.');
    expect(await page.locator('.buttons a#add-apple').textContent()).toBe('Apple Calendar');
    await checkLandingPage(app, page, {
      url: app.whole.url,
      filterJson: null,
      // Removed upstream two days ago: still in the feed, as cancelled.
      cancelled: ['tue-cancelled', 'wed-removed'],
    });
    expect(await page.locator('tr[data-uid="wed-removed"]').textContent()).toContain('cancelled');
    expect(await screenshot(page, 'feed-en')).toEqual({ phone: 390, desktop: 1280 });

    await page.goto(`${app.baseUrl}/`);
    expect(await page.locator('h1').textContent()).toBe('Your timetable in your calendar');

    await page.goto(`${app.baseUrl}/admin`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    expect(await page.locator('h1').textContent()).toBe('Dashboard');
    expect(await page.locator('.runs-chart svg > title').textContent()).toBe(
      'Génie Info: scrape runs of the last 7 days',
    );
    await page.locator(`tr[data-prefix="${app.filtered.prefix}"] button`).click();
    expect(await page.locator('#flash').textContent()).toBe(
      `Link ${app.filtered.prefix}… revoked.`,
    );
    expect(await fetchFeed(app.filtered.url)).toBe(404);
    expect(watch.problems).toEqual([]);
    await page.goto(pageUrl(app.filtered.url));
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    expect(watch.problems).toEqual([DOCUMENT_404]);
    expect(watch.requests.filter((url) => !url.startsWith(`${app.baseUrl}/`))).toEqual([]);
  });
});
