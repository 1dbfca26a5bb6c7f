import { describe, expect, it } from 'vitest';
import { AppError, type RunScrape } from '../../src/core/index.ts';
import {
  ADMIN_TOKEN,
  createFeedHarness,
  makeEvent,
  seedSection,
  seedTwoClasses,
} from './helpers.ts';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const T0 = new Date('2026-11-20T08:00:00Z');

type Created = { name: string; token: string; url: string; urls: Record<string, string> };

describe('admin API', () => {
  it('is not registered when ADMIN_STATIC_TOKEN is unset', async () => {
    const harness = await createFeedHarness({ env: { ADMIN_STATIC_TOKEN: undefined } });
    for (const url of ['/admin/tokens', '/admin/status']) {
      const response = await harness.app.inject({ url, headers: auth });
      expect(response.statusCode).toBe(404);
    }
    const create = await harness.app.inject({
      method: 'POST',
      url: '/admin/create_token',
      headers: auth,
      payload: { name: 'x' },
    });
    expect(create.statusCode).toBe(404);
  });

  it('answers 401 to a missing, malformed or wrong bearer token on every route', async () => {
    const harness = await createFeedHarness({ env: { FEED_NOT_FOUND_RATE_LIMIT: '100' } });
    const routes = [
      { method: 'POST' as const, url: '/admin/create_token', payload: { name: 'x' } },
      { method: 'POST' as const, url: '/admin/revoke_token', payload: { name: 'x' } },
      { method: 'GET' as const, url: '/admin/tokens' },
      { method: 'GET' as const, url: '/admin/status' },
      { method: 'POST' as const, url: '/admin/scrape', payload: {} },
    ];
    const wrongHeaders = [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: `Bearer ${ADMIN_TOKEN}x` },
      { authorization: ADMIN_TOKEN },
      { authorization: `Basic ${ADMIN_TOKEN}` },
    ];
    for (const route of routes) {
      for (const headers of wrongHeaders) {
        const response = await harness.app.inject({ ...route, headers });
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual({
          error: 'unauthorized',
          message: 'missing or invalid bearer token',
        });
      }
    }
    expect(harness.scrapeCalls).toEqual([]);
    expect(harness.repositories.feedTokens.list()).toEqual([]);
  });

  it('rate limits repeated authentication failures', async () => {
    const harness = await createFeedHarness({ env: { FEED_NOT_FOUND_RATE_LIMIT: '2' } });
    const statuses = [];
    for (let index = 0; index < 3; index++) {
      statuses.push((await harness.app.inject({ url: '/admin/status' })).statusCode);
    }
    statuses.push((await harness.app.inject({ url: '/admin/status', headers: auth })).statusCode);
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it('creates a section token whose URL serves the feed', async () => {
    const harness = await createFeedHarness();
    seedSection(harness.repositories, harness.config, 'MIAGE', [makeEvent({ uid: 'a' })], T0);
    const response = await harness.app.inject({
      method: 'POST',
      url: '/admin/create_token',
      headers: auth,
      payload: { name: 'Alice', section: 'miage' },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json<Created>();
    expect(body.name).toBe('Alice');
    expect(body.token).toMatch(/^[0-9a-f]{64}$/);
    expect(body.url).toBe(`https://planning.example/feeds/${body.token}.ics`);
    const feed = await harness.app.inject({ url: new URL(body.url).pathname });
    expect(feed.statusCode).toBe(200);
    const [row] = harness.repositories.feedTokens.list();
    expect(row).toMatchObject({
      owner: 'Alice',
      ownerKind: 'admin',
      prefix: body.token.slice(0, 8),
    });
    expect(JSON.stringify(row)).not.toContain(body.token);
  });

  it('creates an all-sections token with IPP-style links when no section is given', async () => {
    const harness = await createFeedHarness();
    seedSection(harness.repositories, harness.config, 'MIAGE', [makeEvent({ uid: 'a' })], T0);
    const response = await harness.app.inject({
      method: 'POST',
      url: '/admin/create_token',
      headers: auth,
      payload: { name: 'ipp user' },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json<Created>();
    expect(body.url).toBe(`https://planning.example/G%C3%A9nie%20Info?token=${body.token}`);
    expect(body.urls).toEqual({
      'Génie Info': `https://planning.example/G%C3%A9nie%20Info?token=${body.token}`,
      MIAGE: `https://planning.example/MIAGE?token=${body.token}`,
    });
    const url = new URL(body.urls.MIAGE!);
    expect((await harness.app.inject({ url: url.pathname + url.search })).statusCode).toBe(200);
  });

  it('refuses bad create requests with a JSON 4xx', async () => {
    const harness = await createFeedHarness();
    const cases = [
      { payload: '{"name": ', type: 'application/json', status: 400 },
      { payload: {}, type: 'application/json', status: 400 },
      { payload: { name: '   ' }, type: 'application/json', status: 400 },
      { payload: { name: 'x', section: 'Nope' }, type: 'application/json', status: 400 },
      { payload: 'name=x', type: 'application/x-www-form-urlencoded', status: 400 },
      { payload: { name: 'x'.repeat(20_000) }, type: 'application/json', status: 413 },
    ];
    for (const { payload, type, status } of cases) {
      const response = await harness.app.inject({
        method: 'POST',
        url: '/admin/create_token',
        headers: { ...auth, 'content-type': type },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toContain('application/json');
      expect(response.json<{ error: string }>().error).toBeTypeOf('string');
    }
    const unknownSection = await harness.app.inject({
      method: 'POST',
      url: '/admin/create_token',
      headers: auth,
      payload: { name: 'x', section: 'Nope' },
    });
    expect(unknownSection.json()).toEqual({
      error: 'section.unknown',
      message: 'unknown section; sections: Génie Info, MIAGE',
    });
    expect(harness.repositories.feedTokens.list()).toEqual([]);
  });

  it('revokes by token and by name, immediately', async () => {
    const harness = await createFeedHarness();
    seedSection(harness.repositories, harness.config, 'MIAGE', [makeEvent({ uid: 'a' })], T0);
    const create = async (name: string) =>
      (
        await harness.app.inject({
          method: 'POST',
          url: '/admin/create_token',
          headers: auth,
          payload: { name, section: 'MIAGE' },
        })
      ).json<Created>();
    const alice = await create('alice');
    const bob1 = await create('bob');
    const bob2 = await create('bob');
    const feedPath = (created: Created) => new URL(created.url).pathname;
    expect((await harness.app.inject({ url: feedPath(alice) })).statusCode).toBe(200);

    const byToken = await harness.app.inject({
      method: 'POST',
      url: '/admin/revoke_token',
      headers: auth,
      payload: { token: alice.token },
    });
    expect(byToken.json()).toEqual({ revoked: 1 });
    expect((await harness.app.inject({ url: feedPath(alice) })).statusCode).toBe(404);

    const byName = await harness.app.inject({
      method: 'POST',
      url: '/admin/revoke_token',
      headers: auth,
      payload: { name: 'bob' },
    });
    expect(byName.json()).toEqual({ revoked: 2 });
    expect((await harness.app.inject({ url: feedPath(bob1) })).statusCode).toBe(404);
    expect((await harness.app.inject({ url: feedPath(bob2) })).statusCode).toBe(404);

    const again = await harness.app.inject({
      method: 'POST',
      url: '/admin/revoke_token',
      headers: auth,
      payload: { name: 'bob' },
    });
    expect(again.json()).toEqual({ revoked: 0 });

    const neither = await harness.app.inject({
      method: 'POST',
      url: '/admin/revoke_token',
      headers: auth,
      payload: {},
    });
    expect(neither.statusCode).toBe(400);
    const both = await harness.app.inject({
      method: 'POST',
      url: '/admin/revoke_token',
      headers: auth,
      payload: { name: 'bob', token: alice.token },
    });
    expect(both.statusCode).toBe(400);
  });

  it('lists tokens without their secret', async () => {
    const harness = await createFeedHarness();
    seedSection(harness.repositories, harness.config, 'MIAGE', [makeEvent({ uid: 'a' })], T0);
    const created = (
      await harness.app.inject({
        method: 'POST',
        url: '/admin/create_token',
        headers: auth,
        payload: { name: 'alice', section: 'MIAGE' },
      })
    ).json<Created>();
    await harness.app.inject({ url: new URL(created.url).pathname });
    const response = await harness.app.inject({ url: '/admin/tokens', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(created.token);
    expect(response.json()).toEqual({
      tokens: [
        {
          id: 1,
          owner: 'alice',
          ownerKind: 'admin',
          section: 'MIAGE',
          prefix: created.token.slice(0, 8),
          createdAt: '2026-11-21T13:05:00.000Z',
          revokedAt: null,
          lastUsedAt: null,
          uses: 0,
          lastUserAgent: null,
          filter: null,
          filterChangedAt: null,
        },
      ],
    });
  });

  it('reports per-section status', async () => {
    const harness = await createFeedHarness();
    seedTwoClasses(harness, 'MIAGE', new Date('2026-11-21T13:00:00Z'));
    await harness.app.inject({
      method: 'POST',
      url: '/admin/create_token',
      headers: auth,
      payload: { name: 'alice', section: 'MIAGE' },
    });
    const response = await harness.app.inject({ url: '/admin/status', headers: auth });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ sections: Record<string, unknown>[] }>();
    expect(body.sections).toHaveLength(2);
    expect(body.sections.find((section) => section.name === 'MIAGE')).toEqual({
      name: 'MIAGE',
      key: 'miage',
      lastSuccessAt: '2026-11-21T13:00:00.000Z',
      ageSeconds: 300,
      stale: false,
      consecutiveFailures: 0,
      lastErrorAt: null,
      lastErrorCode: null,
      lastErrorMessage: null,
      nextRunAt: '2026-11-21T13:05:00.000Z',
      contentChangedAt: '2026-11-21T13:00:00.000Z',
      events: 2,
      truncated: false,
      activeTokens: 1,
      held: null,
    });
    expect(body.sections.find((section) => section.name === 'Génie Info')).toMatchObject({
      lastSuccessAt: null,
      stale: false,
      events: 0,
    });
  });

  it('runs a scrape now and returns the summaries', async () => {
    const harness = await createFeedHarness();
    const all = await harness.app.inject({ method: 'POST', url: '/admin/scrape', headers: auth });
    expect(all.statusCode).toBe(200);
    expect(
      all.json<{ summaries: { section: string }[] }>().summaries.map((summary) => summary.section),
    ).toEqual(['Génie Info', 'MIAGE']);

    const one = await harness.app.inject({
      method: 'POST',
      url: '/admin/scrape',
      headers: auth,
      payload: { section: 'MIAGE' },
    });
    expect(one.json()).toMatchObject({ summaries: [{ section: 'MIAGE', status: 'unchanged' }] });

    const unknown = await harness.app.inject({
      method: 'POST',
      url: '/admin/scrape',
      headers: auth,
      payload: { section: 'Nope' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(harness.scrapeCalls).toEqual([undefined, 'MIAGE']);
  });

  it('maps an expected scrape error to 4xx and an unexpected one to a bare 500', async () => {
    let failure: Error = new AppError('section.unknown', 'gone', { publicMessage: 'gone' });
    const runScrape: RunScrape = () => Promise.reject(failure);
    const harness = await createFeedHarness({ runScrape });
    const expected = await harness.app.inject({
      method: 'POST',
      url: '/admin/scrape',
      headers: auth,
    });
    expect(expected.statusCode).toBe(400);
    failure = new Error('database exploded with secret details');
    const unexpected = await harness.app.inject({
      method: 'POST',
      url: '/admin/scrape',
      headers: auth,
    });
    expect(unexpected.statusCode).toBe(500);
    expect(unexpected.json()).toEqual({ error: 'internal', message: 'Internal Server Error' });
  });
});
