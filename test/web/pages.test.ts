import { describe, expect, it } from 'vitest';
import { createToken } from '../../src/feed/tokens.ts';
import { classifyUserAgent } from '../../src/web/clients.ts';
import {
  consumeAdminLoginLink,
  issueAdminLoginLink,
  LOGIN_LINK_TTL_MS,
} from '../../src/web/admin-session.ts';
import { pickLocale } from '../../src/web/messages.ts';
import { acceptsHtml } from '../../src/web/negotiate.ts';
import { adminCommand } from '../../src/cli/admin.command.ts';
import { ADMIN_TOKEN, createFeedHarness, makeEvent, seedSection } from '../feed/helpers.ts';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function harnessWithLink(env: Record<string, string | undefined> = {}) {
  const harness = await createFeedHarness({ env });
  seedSection(
    harness.repositories,
    harness.config,
    'MIAGE',
    [makeEvent({ uid: 'a', title: 'Cours A' })],
    new Date('2026-11-20T08:00:00Z'),
  );
  const deps = { repositories: harness.repositories, config: harness.config, clock: harness.clock };
  const link = createToken(deps, { name: 'alice', section: 'MIAGE' });
  const path = new URL(link.url).pathname;
  return { harness, deps, link, icsPath: path, pagePath: path.replace(/\.ics$/, '') };
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function cookieOf(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  return (header ?? '').split(';')[0] ?? '';
}

describe('feed link negotiation', () => {
  it('serves the page to a browser and the calendar, byte for byte, to everything else', async () => {
    const { harness, icsPath, pagePath } = await harnessWithLink();
    const page = await harness.app.inject({ url: pagePath, headers: { accept: BROWSER_ACCEPT } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-robots-tag']).toBe('noindex, nofollow');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // No inline script or style anywhere in the page.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.body).not.toMatch(/\sstyle=|<style/);

    const calendar = await harness.app.inject({ url: icsPath });
    expect(calendar.statusCode).toBe(200);
    for (const accept of [undefined, '*/*', 'text/calendar', 'text/html;q=0']) {
      const response = await harness.app.inject({
        url: pagePath,
        headers: accept === undefined ? {} : { accept },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(response.headers.etag).toBe(calendar.headers.etag);
      expect(response.body).toBe(calendar.body);
      // The same address gives browsers a page: caches must key on Accept there.
      expect(response.headers.vary).toBe('Accept-Encoding, Accept');
    }
    expect(calendar.headers.vary).toBe('Accept-Encoding');
    // The .ics address always serves the calendar, even to a browser.
    const icsInBrowser = await harness.app.inject({
      url: icsPath,
      headers: { accept: BROWSER_ACCEPT },
    });
    expect(icsInBrowser.headers['content-type']).toBe('text/calendar; charset=utf-8');
  });

  it('gives an unknown and a revoked link the same 404 page, counted by the guessing limit', async () => {
    const { harness, deps, link, pagePath, icsPath } = await harnessWithLink({
      FEED_NOT_FOUND_RATE_LIMIT: '2',
    });
    const other = createToken(deps, { name: 'bob', section: 'MIAGE' });
    harness.repositories.feedTokens.revoke({ owner: 'bob' }, harness.clock.now());
    const revoked = await harness.app.inject({
      url: new URL(other.url).pathname.replace(/\.ics$/, ''),
      headers: { accept: BROWSER_ACCEPT },
    });
    const unknown = await harness.app.inject({
      url: `/feeds/${'0'.repeat(64)}`,
      headers: { accept: BROWSER_ACCEPT },
    });
    expect(revoked.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(revoked.body).toBe(unknown.body);
    expect(revoked.headers['x-robots-tag']).toBe('noindex, nofollow');
    expect(revoked.body).toContain('Page introuvable');
    // Two misses used the address's guess allowance: a third guess is refused, on the page route
    // and the calendar route alike, while valid links from the same address (a school NAT) are
    // still served.
    const blocked = await harness.app.inject({
      url: `/feeds/${'1'.repeat(64)}`,
      headers: { accept: BROWSER_ACCEPT },
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBe('60');
    expect((await harness.app.inject({ url: `/feeds/${'2'.repeat(64)}.ics` })).statusCode).toBe(
      429,
    );
    const page = await harness.app.inject({ url: pagePath, headers: { accept: BROWSER_ACCEPT } });
    expect(page.statusCode).toBe(200);
    expect((await harness.app.inject({ url: icsPath })).statusCode).toBe(200);
    expect(link.url).toContain(icsPath);
  });

  it('reads Accept and Accept-Language as browsers send them', () => {
    expect(acceptsHtml(BROWSER_ACCEPT)).toBe(true);
    expect(acceptsHtml('text/html;q=0')).toBe(false);
    expect(acceptsHtml('*/*')).toBe(false);
    // A client naming the calendar at least as high as the page is a calendar client.
    expect(acceptsHtml('text/calendar, text/html;q=0.1')).toBe(false);
    expect(acceptsHtml('text/html;q=0.5, text/calendar;q=0.5')).toBe(false);
    expect(acceptsHtml('text/calendar;q=0.5, text/html')).toBe(true);
    expect(acceptsHtml(undefined)).toBe(false);
    expect(pickLocale('en-GB,en;q=0.9,fr;q=0.8')).toBe('en');
    expect(pickLocale('fr-FR,fr;q=0.9,en;q=0.8')).toBe('fr');
    expect(pickLocale('de-DE,en;q=0.5')).toBe('en');
    expect(pickLocale('de-DE')).toBe('fr');
    expect(pickLocale(undefined)).toBe('fr');
  });

  it('tells calendar apps apart by User-Agent', () => {
    expect(classifyUserAgent('Google-Calendar-Importer')).toBe('google');
    expect(classifyUserAgent('iOS/18.1 (22B83) dataaccessd/1.0')).toBe('apple');
    expect(classifyUserAgent('macOS/15.1 (24B83) CalendarAgent/1000')).toBe('apple');
    expect(classifyUserAgent('Microsoft Outlook 16.0')).toBe('outlook');
    expect(classifyUserAgent('Mozilla/5.0 (X11; Linux) Gecko/20100101 Thunderbird/128.0')).toBe(
      'thunderbird',
    );
    expect(classifyUserAgent('curl/8.0')).toBe('other');
    expect(classifyUserAgent(undefined)).toBe('other');
  });
});

describe('home page and static files', () => {
  it('serves the home page in French, in English for English browsers, and cacheable assets', async () => {
    const harness = await createFeedHarness();
    const fr = await harness.app.inject({ url: '/' });
    expect(fr.statusCode).toBe(200);
    expect(fr.body).toContain('<html lang="fr">');
    expect(fr.body).toContain('/subscribe');
    expect(fr.headers['x-robots-tag']).toBeUndefined();
    const en = await harness.app.inject({ url: '/', headers: { 'accept-language': 'en-US,en' } });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Your timetable in your calendar');
    const css = /href="(\/static\/site\.css\?v=[0-9a-f]+)"/.exec(fr.body)?.[1] ?? '';
    const asset = await harness.app.inject({ url: css });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    expect(asset.headers['content-type']).toContain('text/css');
    expect((await harness.app.inject({ url: '/static/../server.ts' })).statusCode).toBe(404);
  });
});

describe('admin dashboard access', () => {
  it('is absent without ADMIN_STATIC_TOKEN', async () => {
    const harness = await createFeedHarness({ env: { ADMIN_STATIC_TOKEN: undefined } });
    expect((await harness.app.inject({ url: '/admin' })).statusCode).toBe(404);
  });

  it('logs in with the token: HttpOnly, SameSite=Strict, Secure on https, expiring', async () => {
    const { harness } = await harnessWithLink();
    const login = await harness.app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: FORM,
      payload: form({ token: ADMIN_TOKEN }),
    });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/admin');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^pp_admin=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('Max-Age=28800');
    expect(setCookie).toContain('Path=/admin');
    const dashboard = await harness.app.inject({
      url: '/admin',
      headers: { cookie: cookieOf(login.headers['set-cookie']) },
    });
    expect(dashboard.body).toContain('Tableau de bord');
    expect(dashboard.headers['cache-control']).toBe('no-store');
    // The session ends after 8 hours.
    harness.clock.advance(8 * 3_600_000 + 1);
    const expired = await harness.app.inject({
      url: '/admin',
      headers: { cookie: cookieOf(login.headers['set-cookie']) },
    });
    expect(expired.body).not.toContain('Tableau de bord');
    expect(expired.body).toContain('name="token"');
  });

  it('sets no Secure flag when PUBLIC_URL is plain http', async () => {
    const { harness } = await harnessWithLink({ PUBLIC_URL: 'http://127.0.0.1:3000' });
    const login = await harness.app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: FORM,
      payload: form({ token: ADMIN_TOKEN }),
    });
    expect(String(login.headers['set-cookie'])).not.toContain('Secure');
  });

  it('refuses wrong tokens and blocks the address after the failure limit', async () => {
    const { harness } = await harnessWithLink({ FEED_NOT_FOUND_RATE_LIMIT: '3' });
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      const response = await harness.app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: FORM,
        payload: form({ token: `wrong-${index}` }),
      });
      statuses.push(response.statusCode);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Even the right token waits for the window to pass.
    const right = await harness.app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: FORM,
      payload: form({ token: ADMIN_TOKEN }),
    });
    expect(right.statusCode).toBe(429);
    expect(harness.logLines.join('\n')).not.toContain('wrong-0');
  });

  it('revokes only with the session and its form token', async () => {
    const { harness } = await harnessWithLink();
    const row = harness.repositories.feedTokens.list()[0];
    const id = String(row?.id);
    const anonymous = await harness.app.inject({
      method: 'POST',
      url: '/admin/revoke',
      headers: FORM,
      payload: form({ id, csrf: 'x' }),
    });
    expect(anonymous.statusCode).toBe(401);
    const login = await harness.app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: FORM,
      payload: form({ token: ADMIN_TOKEN }),
    });
    const cookie = cookieOf(login.headers['set-cookie']);
    const forged = await harness.app.inject({
      method: 'POST',
      url: '/admin/revoke',
      headers: { ...FORM, cookie },
      payload: form({ id, csrf: 'forged' }),
    });
    expect(forged.statusCode).toBe(303);
    expect(forged.headers.location).toBe('/admin?stale=1');
    expect(harness.repositories.feedTokens.list()).toHaveLength(1);

    const page = await harness.app.inject({ url: '/admin', headers: { cookie } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const revoke = await harness.app.inject({
      method: 'POST',
      url: '/admin/revoke',
      headers: { ...FORM, cookie },
      payload: form({ id, csrf }),
    });
    expect(revoke.headers.location).toBe(`/admin?revoked=${id}`);
    expect(harness.repositories.feedTokens.list()).toHaveLength(0);

    // Logging out needs the form token too (a forged form changes nothing, not even the cookie),
    // and ends the session.
    const forgedLogout = await harness.app.inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { ...FORM, cookie },
      payload: form({}),
    });
    expect(forgedLogout.headers['set-cookie']).toBeUndefined();
    const still = await harness.app.inject({ url: '/admin', headers: { cookie } });
    expect(still.body).not.toContain('name="token"');
    await harness.app.inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { ...FORM, cookie },
      payload: form({ csrf }),
    });
    const after = await harness.app.inject({ url: '/admin', headers: { cookie } });
    expect(after.body).toContain('name="token"');
  });

  it('one-time login links: a button page, used once, expiring, replaced by a newer link', async () => {
    const { harness } = await harnessWithLink();
    const deps = {
      repositories: harness.repositories,
      clock: harness.clock,
      publicUrl: harness.config.feed.publicUrl,
    };
    const first = issueAdminLoginLink(deps);
    expect(first.url).toMatch(/^https:\/\/planning\.example\/admin\/login\/[A-Za-z0-9_-]{43}$/);
    const code = first.url.split('/').pop() ?? '';
    // Opening the link (or a link preview fetching it) only shows a button.
    const opened = await harness.app.inject({ url: new URL(first.url).pathname });
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['set-cookie']).toBeUndefined();
    expect(opened.body).toContain(`name="code" value="${code}"`);
    const use = () =>
      harness.app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: FORM,
        payload: form({ code }),
      });
    const used = await use();
    expect(used.statusCode).toBe(303);
    expect(String(used.headers['set-cookie'])).toContain('pp_admin=');
    expect((await use()).statusCode).toBe(401);

    const second = issueAdminLoginLink(deps);
    const third = issueAdminLoginLink(deps);
    const codeOf = (url: string) => url.split('/').pop() ?? '';
    expect(consumeAdminLoginLink(deps, codeOf(second.url))).toBe(false);
    harness.clock.advance(LOGIN_LINK_TTL_MS + 1);
    expect(consumeAdminLoginLink(deps, codeOf(third.url))).toBe(false);
    // The request log masks the code in the link's path.
    expect(harness.logLines.join('\n')).not.toContain(code);
  });

  it('npm run cli -- admin link prints a link the server accepts', async () => {
    const { harness } = await harnessWithLink();
    const lines: string[] = [];
    const status = await adminCommand(['link'], {
      repositories: harness.repositories,
      config: harness.config,
      clock: harness.clock,
      print: (line) => lines.push(line),
    });
    expect(status).toBe(0);
    const url = lines[0] ?? '';
    expect(url).toMatch(/^https:\/\/planning\.example\/admin\/login\//);
    const login = await harness.app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: FORM,
      payload: form({ code: url.split('/').pop() ?? '' }),
    });
    expect(login.statusCode).toBe(303);
    expect(() =>
      adminCommand(['link'], {
        repositories: harness.repositories,
        config: { ...harness.config, admin: { token: undefined } },
        clock: harness.clock,
        print: () => undefined,
      }),
    ).toThrow(/ADMIN_STATIC_TOKEN/);
  });
});
