import { describe, expect, it, vi } from 'vitest';
import { hashFeedToken, issueFeedToken, type FeedToken } from '../../src/core/index.ts';
import { FEED_TOKEN_PATTERN } from '../../src/feed/routes/feed.route.ts';
import { createToken } from '../../src/feed/tokens.ts';
import {
  change,
  commitChanges,
  createFeedHarness,
  findSection,
  makeEvent,
  recordFailure,
  seedSection,
  type FeedHarness,
} from './helpers.ts';
import { assertWellFormedIcs, parseIcs } from './ics-assertions.ts';

const GENIE = 'Génie Info';
const T0 = new Date('2026-11-20T08:00:00Z');

const maths = makeEvent({
  uid: 'maths@ade',
  title: 'CM Mathématiques',
  startsAt: new Date('2026-11-23T08:00:00Z'),
  endsAt: new Date('2026-11-23T10:00:00Z'),
});
const anglais = makeEvent({
  uid: 'anglais@ade',
  title: 'TD Anglais',
  startsAt: new Date('2026-11-24T08:00:00Z'),
  endsAt: new Date('2026-11-24T10:00:00Z'),
});

function issue(harness: FeedHarness, section: string | undefined, name = 'alice'): FeedToken {
  return createToken(harness, { name, section }).token;
}

async function seeded(env: Record<string, string> = {}) {
  const harness = await createFeedHarness({ env });
  seedSection(harness.repositories, harness.config, GENIE, [maths, anglais], T0);
  seedSection(harness.repositories, harness.config, 'MIAGE', [maths], T0);
  // A successful scrape a few minutes ago: the section is fresh.
  harness.clock.set('2026-11-20T08:05:00Z');
  return harness;
}

describe('feed route over loopback', () => {
  it('matches 64 lowercase hex tokens, the only kind we issue', async () => {
    const { token } = issueFeedToken();
    expect(token).toMatch(FEED_TOKEN_PATTERN);
    const harness = await seeded();
    const issued = issue(harness, GENIE);
    const response = await harness.app.inject({ url: `/feeds/${issued}.ics` });
    expect(response.statusCode).toBe(200);
  });

  it('serves the section calendar with its headers', async () => {
    const harness = await seeded();
    const token = issue(harness, GENIE);
    const base = await harness.listen();

    const response = await fetch(`${base}/feeds/${token}.ics`);
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      `inline; filename="Genie Info.ics"; filename*=UTF-8''G%C3%A9nie%20Info.ics`,
    );
    expect(response.headers.get('cache-control')).toBe('private, max-age=300');
    // fetch accepts gzip and br: the ETag names the compressed representation it got.
    expect(response.headers.get('etag')).toMatch(/^"[\w-]{43}-(br|gz)"$/);
    expect(response.headers.get('vary')).toBe('Accept-Encoding');
    expect(response.headers.get('last-modified')).toBe('Fri, 20 Nov 2026 08:00:00 GMT');
    assertWellFormedIcs(body);
    expect(parseIcs(body).events.map((event) => event.uid)).toEqual(['maths@ade', 'anglais@ade']);
  });

  it('answers 304 to a matching If-None-Match, repeating the validators', async () => {
    const harness = await seeded();
    const token = issue(harness, GENIE);
    const base = await harness.listen();
    const first = await fetch(`${base}/feeds/${token}.ics`);
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await fetch(`${base}/feeds/${token}.ics`, {
        headers: { 'if-none-match': ifNoneMatch },
      });
      expect(response.status).toBe(304);
      expect(await response.text()).toBe('');
      expect(response.headers.get('etag')).toBe(etag);
      expect(response.headers.get('last-modified')).toBe(lastModified);
      expect(response.headers.get('cache-control')).toBe('private, max-age=300');
    }
  });

  it('lets If-None-Match win over If-Modified-Since', async () => {
    const harness = await seeded();
    const token = issue(harness, GENIE);
    const base = await harness.listen();
    const response = await fetch(`${base}/feeds/${token}.ics`, {
      headers: {
        'if-none-match': '"stale-etag"',
        'if-modified-since': 'Fri, 01 Jan 2100 00:00:00 GMT',
      },
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });

  it('answers If-Modified-Since alone by date', async () => {
    const harness = await seeded();
    const token = issue(harness, GENIE);
    const base = await harness.listen();
    const same = await fetch(`${base}/feeds/${token}.ics`, {
      headers: { 'if-modified-since': 'Fri, 20 Nov 2026 08:00:00 GMT' },
    });
    expect(same.status).toBe(304);
    const older = await fetch(`${base}/feeds/${token}.ics`, {
      headers: { 'if-modified-since': 'Fri, 20 Nov 2026 07:59:59 GMT' },
    });
    expect(older.status).toBe(200);
    await older.arrayBuffer();
    const garbage = await fetch(`${base}/feeds/${token}.ics`, {
      headers: { 'if-modified-since': 'yesterday' },
    });
    expect(garbage.status).toBe(200);
    await garbage.arrayBuffer();
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const harness = await seeded();
    const token = issue(harness, GENIE);
    const base = await harness.listen();
    const identity = { 'accept-encoding': 'identity' };
    const get = await fetch(`${base}/feeds/${token}.ics`, { headers: identity });
    const bytes = Buffer.from(await get.arrayBuffer());
    const head = await fetch(`${base}/feeds/${token}.ics`, { method: 'HEAD', headers: identity });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect(head.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
  });

  it('gives unknown, malformed and revoked tokens the same 404', async () => {
    const harness = await seeded();
    const token = issue(harness, GENIE);
    const base = await harness.listen();
    const ok = await fetch(`${base}/feeds/${token}.ics`);
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();

    const revoked = harness.repositories.feedTokens.revoke(
      { tokenHash: hashFeedToken(token) },
      harness.clock.now(),
    );
    expect(revoked).toHaveLength(1);

    const answers = [];
    for (const path of [
      `/feeds/${token}.ics`,
      `/feeds/${issueFeedToken().token}.ics`,
      `/feeds/${token.toUpperCase()}.ics`,
      '/feeds/not-a-token.ics',
    ]) {
      const response = await fetch(`${base}${path}`);
      answers.push({
        status: response.status,
        type: response.headers.get('content-type'),
        body: await response.text(),
      });
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]).toEqual({
      status: 404,
      type: 'text/plain; charset=utf-8',
      body: 'Not Found',
    });
  });

  it('does not open an all-sections (IPP) token on the per-token route', async () => {
    const harness = await seeded();
    const token = issue(harness, undefined);
    const response = await harness.app.inject({ url: `/feeds/${token}.ics` });
    expect(response.statusCode).toBe(404);
  });

  it('renders once per content version and serves cached bytes', async () => {
    const harness = await seeded();
    const token = issue(harness, GENIE);
    const listForFeed = vi.spyOn(harness.repositories.events, 'listForFeed');
    const bodies = new Set<string>();
    for (let index = 0; index < 5; index++) {
      bodies.add((await harness.app.inject({ url: `/feeds/${token}.ics` })).body);
    }
    expect(bodies.size).toBe(1);
    expect(listForFeed).toHaveBeenCalledTimes(1);

    harness.clock.set('2026-11-20T09:00:00Z');
    commitChanges(
      harness.repositories,
      GENIE,
      [change(maths, { ...maths, location: 'Amphi B' })],
      harness.clock.now(),
    );
    const after = await harness.app.inject({ url: `/feeds/${token}.ics` });
    expect(after.body).not.toBe([...bodies][0]);
    expect(listForFeed).toHaveBeenCalledTimes(2);
    const moved = parseIcs(after.body).events.find((event) => event.uid === 'maths@ade')!;
    expect(moved.sequence).toBe(1);
  });

  it('moves Last-Modified forward when an event is deleted, and keeps it as a cancelled class for the retention time', async () => {
    const harness = await seeded({ CANCELLED_RETENTION_DAYS: '7' });
    const token = issue(harness, GENIE);
    const url = `/feeds/${token}.ics`;
    const first = await harness.app.inject({ url });
    const firstModified = Date.parse(first.headers['last-modified']!);

    harness.clock.set('2026-11-21T10:00:00Z');
    commitChanges(harness.repositories, GENIE, [change(anglais, undefined)], harness.clock.now());
    const second = await harness.app.inject({ url });
    const secondModified = Date.parse(second.headers['last-modified']!);
    expect(secondModified).toBe(Date.parse('2026-11-21T10:00:00Z'));
    expect(secondModified).toBeGreaterThan(firstModified);
    expect(second.headers.etag).not.toBe(first.headers.etag);
    const cancelled = parseIcs(second.body).events.find((event) => event.uid === 'anglais@ade')!;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.summary).toBe('Annulé : TD Anglais');

    // Apple revalidates by date only: the old date must not get a 304.
    const apple = await harness.app.inject({
      url,
      headers: { 'if-modified-since': first.headers['last-modified']! },
    });
    expect(apple.statusCode).toBe(200);

    // Keep the section fresh, then go past the retention: the class leaves the feed.
    harness.clock.set('2026-11-28T10:30:00Z');
    commitChanges(harness.repositories, GENIE, [], harness.clock.now());
    const third = await harness.app.inject({ url });
    const thirdModified = Date.parse(third.headers['last-modified']!);
    expect(parseIcs(third.body).events.map((event) => event.uid)).toEqual(['maths@ade']);
    expect(thirdModified).toBe(Date.parse('2026-11-28T10:00:00Z'));
    expect(thirdModified).toBeGreaterThan(secondModified);
    const revalidated = await harness.app.inject({
      url,
      headers: { 'if-modified-since': second.headers['last-modified']! },
    });
    expect(revalidated.statusCode).toBe(200);
  });

  it('shows a banner while stale and removes it once a scrape succeeds, never moving Last-Modified back', async () => {
    const harness = await seeded({ STALE_AFTER: '3600' });
    const token = issue(harness, GENIE);
    const url = `/feeds/${token}.ics`;
    const fresh = await harness.app.inject({ url });
    expect(parseIcs(fresh.body).events.some((event) => event.uid.startsWith('stale-'))).toBe(false);

    harness.clock.set('2026-11-20T10:30:00Z');
    const stale = await harness.app.inject({ url });
    const banner = parseIcs(stale.body).events.filter((event) => event.uid.startsWith('stale-'));
    expect(banner).toHaveLength(1);
    expect(banner[0]!.summary).toBe('⚠ Emploi du temps non actualisé depuis le 20/11/2026 09:00');
    const staleModified = Date.parse(stale.headers['last-modified']!);
    expect(staleModified).toBe(Date.parse('2026-11-20T09:00:00Z'));

    // Next local day: the banner moves to today (a new UID) and the date moves on.
    harness.clock.set('2026-11-21T07:00:00Z');
    const nextDay = await harness.app.inject({ url });
    const nextBanner = parseIcs(nextDay.body).events.find((event) =>
      event.uid.startsWith('stale-'),
    )!;
    expect(nextBanner.uid).toContain('2026-11-21');
    expect(Date.parse(nextDay.headers['last-modified']!)).toBe(Date.parse('2026-11-20T23:00:00Z'));

    harness.clock.set('2026-11-21T07:10:00Z');
    commitChanges(harness.repositories, GENIE, [], harness.clock.now());
    const recovered = await harness.app.inject({ url });
    expect(parseIcs(recovered.body).events.some((event) => event.uid.startsWith('stale-'))).toBe(
      false,
    );
    expect(Date.parse(recovered.headers['last-modified']!)).toBeGreaterThan(
      Date.parse(nextDay.headers['last-modified']!),
    );
    expect(recovered.body).toBe(fresh.body);
  });

  it('says when the data was last verified once the source fails, with a later Last-Modified', async () => {
    const harness = await seeded({ STALE_AFTER: '3600' });
    const token = issue(harness, GENIE);
    const url = `/feeds/${token}.ics`;
    const healthy = await harness.app.inject({ url });

    harness.clock.set('2026-11-20T08:10:00Z');
    recordFailure(harness.repositories, GENIE, harness.clock.now());
    const failing = await harness.app.inject({
      url,
      headers: { 'if-modified-since': healthy.headers['last-modified']! },
    });
    expect(failing.statusCode).toBe(200);
    expect(String(parseIcs(failing.body).calendar.getFirstPropertyValue('x-wr-caldesc'))).toContain(
      'dernière vérification réussie le 20/11/2026 09:00',
    );
    expect(Date.parse(failing.headers['last-modified']!)).toBeGreaterThan(
      Date.parse(healthy.headers['last-modified']!),
    );
    // Failing but not stale yet: no banner.
    expect(parseIcs(failing.body).events.some((event) => event.uid.startsWith('stale-'))).toBe(
      false,
    );
  });

  it('counts usage in memory and writes it in one batch on close', async () => {
    const harness = await seeded();
    const token = issue(harness, GENIE);
    const url = `/feeds/${token}.ics`;
    const first = await harness.app.inject({ url, headers: { 'user-agent': 'Thunderbird/128' } });
    await harness.app.inject({ url, headers: { 'if-none-match': first.headers.etag! } });
    await harness.app.inject({ url, headers: { 'user-agent': 'Google-Calendar-Importer' } });

    const before = harness.repositories.feedTokens.list()[0]!;
    expect(before.useCount).toBe(0);

    await harness.app.close();
    const after = harness.repositories.feedTokens.list()[0]!;
    expect(after.useCount).toBe(3);
    expect(after.lastUserAgent).toBe('Google-Calendar-Importer');
    expect(after.lastUsedAt?.toISOString()).toBe('2026-11-20T08:05:00.000Z');
    const usage = harness.sqlite.prepare('select hits, not_modified as nm from feed_usage').all();
    expect(usage).toEqual([{ hits: 3, nm: 1 }]);
  });
});

describe('legacy route /<Section>?token=', () => {
  it('opens every section, case-insensitively, for an IPP-style token', async () => {
    const harness = await seeded();
    const token = issue(harness, undefined, 'ipp-user');
    const base = await harness.listen();
    for (const path of [
      `/G%C3%A9nie%20Info`,
      '/génie%20info',
      '/GÉNIE%20INFO',
      '/miage',
      '/MIAGE',
    ]) {
      const response = await fetch(`${base}${path}?token=${token}`);
      expect(response.status).toBe(200);
      assertWellFormedIcs(await response.text());
    }
  });

  it('serves IPP tokens imported with their own alphabet', async () => {
    const harness = await seeded();
    const legacyToken = 'IPP.legacy-Token~01234/56789=+';
    harness.repositories.feedTokens.createIfAbsent({
      tokenHash: hashFeedToken(legacyToken),
      prefix: legacyToken.slice(0, 8),
      ownerKind: 'ipp',
      owner: 'imported',
      sectionId: null,
      at: harness.clock.now(),
    });
    const response = await harness.app.inject({
      url: `/MIAGE?token=${encodeURIComponent(legacyToken)}`,
    });
    expect(response.statusCode).toBe(200);
    const wrong = await harness.app.inject({ url: `/MIAGE?token=${legacyToken.slice(0, -1)}` });
    expect(wrong.statusCode).toBe(404);
  });

  it('opens only its own section for a token with a section', async () => {
    const harness = await seeded();
    const token = issue(harness, 'MIAGE');
    expect((await harness.app.inject({ url: `/miage?token=${token}` })).statusCode).toBe(200);
    expect(
      (await harness.app.inject({ url: `/G%C3%A9nie%20Info?token=${token}` })).statusCode,
    ).toBe(404);
  });

  it('answers the same 404 for an unknown section, a missing token and a revoked token', async () => {
    const harness = await seeded();
    const token = issue(harness, undefined, 'bob');
    harness.repositories.feedTokens.revoke({ owner: 'bob' }, harness.clock.now());
    const bodies = [];
    for (const url of [`/MIAGE?token=${token}`, `/Nope?token=${token}`, '/MIAGE', '/favicon.ico']) {
      const response = await harness.app.inject({ url });
      bodies.push(`${response.statusCode} ${response.body}`);
    }
    expect(bodies).toEqual(Array<string>(4).fill('404 Not Found'));
  });
});

describe('rate limits', () => {
  it('limits feed hits per token', async () => {
    const harness = await seeded({ FEED_RATE_LIMIT: '3' });
    const token = issue(harness, GENIE);
    const base = await harness.listen();
    const statuses = [];
    for (let index = 0; index < 5; index++) {
      const response = await fetch(`${base}/feeds/${token}.ics`);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('limits 404s more strictly per address, and still serves valid tokens from it', async () => {
    const harness = await seeded({ FEED_RATE_LIMIT: '100', FEED_NOT_FOUND_RATE_LIMIT: '2' });
    const token = issue(harness, GENIE);
    const statuses = [];
    for (let index = 0; index < 3; index++) {
      const response = await harness.app.inject({ url: `/feeds/${issueFeedToken().token}.ics` });
      statuses.push(response.statusCode);
    }
    // Hundreds of students share a school NAT: a valid token is always served.
    const valid = await harness.app.inject({ url: `/feeds/${token}.ics` });
    statuses.push(valid.statusCode);
    const other = await harness.app.inject({
      url: `/feeds/${token}.ics`,
      remoteAddress: '10.0.0.9',
    });
    statuses.push(other.statusCode);
    expect(statuses).toEqual([404, 404, 429, 200, 200]);

    const metrics = await harness.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('planning_proxy_feed_not_found_total 2');
    expect(metrics.body).toMatch(/planning_proxy_feed_rate_limited_total [1-9]/);
  });

  it('uses the forwarded address only when TRUST_PROXY is on', async () => {
    const trusted = await seeded({ TRUST_PROXY: 'true', FEED_NOT_FOUND_RATE_LIMIT: '1' });
    const unknown = `/feeds/${issueFeedToken().token}.ics`;
    const headers = (ip: string) => ({ 'x-forwarded-for': ip });
    expect(
      (await trusted.app.inject({ url: unknown, headers: headers('1.1.1.1') })).statusCode,
    ).toBe(404);
    expect(
      (await trusted.app.inject({ url: unknown, headers: headers('2.2.2.2') })).statusCode,
    ).toBe(404);
    expect(
      (await trusted.app.inject({ url: unknown, headers: headers('1.1.1.1') })).statusCode,
    ).toBe(429);

    const direct = await seeded({ TRUST_PROXY: 'false', FEED_NOT_FOUND_RATE_LIMIT: '1' });
    expect(
      (await direct.app.inject({ url: unknown, headers: headers('1.1.1.1') })).statusCode,
    ).toBe(404);
    expect(
      (await direct.app.inject({ url: unknown, headers: headers('2.2.2.2') })).statusCode,
    ).toBe(429);
  });
});

describe('feed logs', () => {
  it('never contain a feed token, an IPP token or the admin token', async () => {
    const harness = await seeded();
    const token = issue(harness, GENIE);
    const ippToken = issue(harness, undefined, 'ipp');
    const base = await harness.listen();
    for (const path of [
      `/feeds/${token}.ics`,
      `/MIAGE?token=${ippToken}`,
      `/feeds/${issueFeedToken().token}.ics`,
      `/nope/${token}`,
    ]) {
      await (await fetch(`${base}${path}`)).arrayBuffer();
    }
    const created = await fetch(`${base}/admin/create_token`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer admin-secret-0123456789abcdef',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'carol', section: 'MIAGE' }),
    });
    const createdToken = ((await created.json()) as { token: string }).token;
    await (
      await fetch(`${base}/admin/revoke_token`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer admin-secret-0123456789abcdef',
          'content-type': 'application/json',
        },
        body: `{"token": "${createdToken}`,
      })
    ).arrayBuffer();
    await harness.app.close();

    const log = harness.logLines.join('\n');
    expect(harness.logLines.length).toBeGreaterThan(5);
    expect(log).toContain('/feeds/[token].ics');
    expect(log).toContain('token=[redacted]');
    for (const secret of [token, ippToken, createdToken, 'admin-secret-0123456789abcdef']) {
      expect(log).not.toContain(secret);
      expect(log).not.toContain(secret.slice(0, 16));
    }
    expect(findSection(harness.repositories, 'MIAGE').name).toBe('MIAGE');
  });
});
