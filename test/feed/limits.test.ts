// Issue 11, "Lockouts and rate limits" and If-Modified-Since: the feed server listening on
// loopback, driven with real HTTP requests as a school NAT, a proxy and a calendar app would.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { issueFeedToken } from '../../src/core/index.ts';
import { createRepositories, openDatabase } from '../../src/db/index.ts';
import { createToken, revokeTokens } from '../../src/feed/tokens.ts';
import { ADMIN_TOKEN, createFeedHarness, makeEvent, seedSection } from './helpers.ts';

const GENIE = 'Génie Info';
const T0 = new Date('2026-11-20T08:00:00Z');

async function seeded(env: Record<string, string> = {}) {
  const harness = await createFeedHarness({ env });
  seedSection(harness.repositories, harness.config, GENIE, [makeEvent({ uid: 'maths@ade' })], T0);
  harness.clock.set('2026-11-20T08:05:00Z');
  const token = createToken(harness, { name: 'alice', section: GENIE }).token;
  const base = await harness.listen();
  return { harness, token, base };
}

async function status(url: string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return response.status;
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('a school NAT is never locked out', () => {
  it('serves valid feeds and the admin API after many unknown tokens from the same address', async () => {
    const { base, token } = await seeded({ FEED_NOT_FOUND_RATE_LIMIT: '5' });
    const guesses = [];
    for (let index = 0; index < 12; index++) {
      guesses.push(await status(`${base}/feeds/${issueFeedToken().token}.ics`));
    }
    // Guessing is slowed: past the budget, unknown tokens get 429.
    expect(guesses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(guesses.slice(5)).toEqual(Array<number>(7).fill(429));

    // The same address: every student's valid link, the IPP form too, and the admin API.
    expect(await status(`${base}/feeds/${token}.ics`)).toBe(200);
    expect(await status(`${base}/feeds/${token}.ics`)).toBe(200);
    expect(await status(`${base}/admin/status`, { headers: admin })).toBe(200);
    expect(await status(`${base}/feeds/${issueFeedToken().token}.ics`)).toBe(429);
  });

  it('never counts paths that cannot carry a token', async () => {
    const { base } = await seeded({ FEED_NOT_FOUND_RATE_LIMIT: '2' });
    for (let round = 0; round < 10; round++) {
      for (const path of ['/favicon.ico', '/robots.txt', '/apple-touch-icon.png']) {
        expect(await status(`${base}${path}`)).toBe(404);
      }
      // `/` is the home page.
      expect(await status(`${base}/`)).toBe(200);
    }
    // The guess budget is untouched: an unknown token still gets its 404.
    expect(await status(`${base}/feeds/${issueFeedToken().token}.ics`)).toBe(404);
  });

  it('limits admin authentication failures on their own key, never blocking feeds', async () => {
    const { base, token } = await seeded({ FEED_NOT_FOUND_RATE_LIMIT: '3' });
    const wrong = { authorization: 'Bearer not-the-admin-token-at-all' };
    const attempts = [];
    for (let index = 0; index < 5; index++) {
      attempts.push(await status(`${base}/admin/tokens`, { headers: wrong }));
    }
    expect(attempts).toEqual([401, 401, 401, 429, 429]);
    expect(await status(`${base}/feeds/${token}.ics`)).toBe(200);
    // Feed guesses have their own, untouched budget.
    expect(await status(`${base}/feeds/${issueFeedToken().token}.ics`)).toBe(404);
  });
});

describe('TRUST_PROXY', () => {
  it('reads true as one hop, a number as hops, and a list of addresses or CIDRs', () => {
    const trust = (value: string) => parseConfig({ TRUST_PROXY: value }).feed.trustProxy;
    expect(trust('true')).toBe(1);
    expect(trust('false')).toBe(false);
    expect(trust('2')).toBe(2);
    expect(trust('127.0.0.1,10.0.0.0/8, ::1')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(() => trust('10.0.0.0/33')).toThrow(/TRUST_PROXY/);
    expect(() => trust('proxy.example')).toThrow(/TRUST_PROXY/);
  });

  for (const setting of ['true', '1', '127.0.0.1', '127.0.0.0/8']) {
    it(`with TRUST_PROXY=${setting}, limits a client by its real address, whatever it forwards`, async () => {
      const { base } = await seeded({ TRUST_PROXY: setting, FEED_NOT_FOUND_RATE_LIMIT: '2' });
      // The loopback client plays the trusted proxy, which appends the address it saw.
      const through = (real: string) => ({
        headers: { 'x-forwarded-for': `${Math.random().toString(36).slice(2)}, ${real}` },
      });
      const unknown = () => `${base}/feeds/${issueFeedToken().token}.ics`;
      const attacker = [];
      for (let index = 0; index < 4; index++) {
        attacker.push(await status(unknown(), through('203.0.113.7')));
      }
      expect(attacker).toEqual([404, 404, 429, 429]);
      // Another student behind the proxy has a budget of its own.
      expect(await status(unknown(), through('198.51.100.20'))).toBe(404);
    });
  }

  it('ignores X-Forwarded-For from an address that is not a trusted proxy', async () => {
    const { base } = await seeded({ TRUST_PROXY: '10.0.0.0/8', FEED_NOT_FOUND_RATE_LIMIT: '2' });
    const statuses = [];
    for (const forwarded of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      statuses.push(
        await status(`${base}/feeds/${issueFeedToken().token}.ics`, {
          headers: { 'x-forwarded-for': forwarded },
        }),
      );
    }
    expect(statuses).toEqual([404, 404, 429]);
  });
});

describe('If-Modified-Since', () => {
  it('counts only as a valid HTTP-date not in the future', async () => {
    const { base, token } = await seeded();
    const url = `${base}/feeds/${token}.ics`;
    const since = (value: string) => status(url, { headers: { 'if-modified-since': value } });
    // Content from 08:00, the server's clock at 08:05.
    expect(await since('Fri, 20 Nov 2026 08:00:00 GMT')).toBe(304);
    expect(await since('Friday, 20-Nov-26 08:01:00 GMT')).toBe(304);
    expect(await since('Fri Nov 20 08:02:00 2026')).toBe(304);
    // In the future: a client that stored it would never get a change again.
    expect(await since('Fri, 01 Jan 2100 00:00:00 GMT')).toBe(200);
    expect(await since('Fri, 20 Nov 2026 09:00:00 GMT')).toBe(200);
    // Not HTTP-dates, though Date.parse reads them (as years 9999, 2001...).
    expect(await since('9999')).toBe(200);
    expect(await since('1')).toBe(200);
    expect(await since('2026-11-20T08:01:00Z')).toBe(200);
  });
});

describe('remembered token and section rows', () => {
  it('forget a token revoked through the admin API at once', async () => {
    const { base, token } = await seeded();
    expect(await status(`${base}/feeds/${token}.ics`)).toBe(200);
    const revoked = await fetch(`${base}/admin/revoke_token`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(await revoked.json()).toEqual({ revoked: 1 });
    expect(await status(`${base}/feeds/${token}.ics`)).toBe(404);
  });

  it('forget a token revoked by another process (the CLI) on the same database file', async () => {
    const harness = await createFeedHarness({ otherWritersCheckMs: 0 });
    seedSection(harness.repositories, harness.config, GENIE, [makeEvent({ uid: 'a@ade' })], T0);
    const token = createToken(harness, { name: 'bob', section: GENIE }).token;
    const base = await harness.listen();
    expect(await status(`${base}/feeds/${token}.ics`)).toBe(200);

    const cli = openDatabase({ path: harness.path });
    try {
      revokeTokens(
        { repositories: createRepositories(cli.db), config: harness.config, clock: harness.clock },
        { token },
      );
    } finally {
      cli.close();
    }
    expect(await status(`${base}/feeds/${token}.ics`)).toBe(404);
  });
});
