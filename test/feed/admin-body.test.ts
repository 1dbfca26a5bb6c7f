import { describe, expect, it } from 'vitest';
import { SEND_JSON_MESSAGE } from '../../src/feed/admin-body.ts';
import { ADMIN_TOKEN, createFeedHarness } from './helpers.ts';

describe('admin API bodies (IPP compatibility)', () => {
  it("accepts IPP's documented curl -d call, sent as application/x-www-form-urlencoded", async () => {
    const harness = await createFeedHarness();
    const base = await harness.listen();
    // Exactly what `curl -X POST .../admin/create_token -H "Authorization: Bearer ..."
    // -d '{"name":"jean.dupont"}'` puts on the wire.
    const response = await fetch(`${base}/admin/create_token`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'curl/8.14.1',
        accept: '*/*',
      },
      body: '{"name":"jean.dupont"}',
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { name: string; token: string };
    expect(created.name).toBe('jean.dupont');
    expect(created.token).toMatch(/^[0-9a-f]{64}$/);
    expect(harness.repositories.feedTokens.list().map((row) => row.owner)).toEqual(['jean.dupont']);
  });

  it.each([
    ['text/plain', '{"name": "jean.dupont"}'],
    ['application/octet-stream', '{"name": "jean.dupont"}'],
    [undefined, '{"name": "jean.dupont"}'],
    ['application/json; charset=utf-8', '{"name": "jean.dupont"}'],
  ])('reads a JSON body sent as %s', async (type, payload) => {
    const harness = await createFeedHarness();
    const response = await harness.app.inject({
      method: 'POST',
      url: '/admin/create_token',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(type === undefined ? {} : { 'content-type': type }),
      },
      payload,
    });
    expect(response.statusCode).toBe(201);
  });

  it('answers 400 saying to send JSON to a body that is not JSON, never echoing it', async () => {
    const harness = await createFeedHarness();
    for (const [type, payload] of [
      ['application/x-www-form-urlencoded', 'name=jean.dupont&secret=hunter2-hunter2'],
      ['application/json', '{"name": '],
      ['text/plain', 'jean.dupont'],
    ] as const) {
      const response = await harness.app.inject({
        method: 'POST',
        url: '/admin/create_token',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': type },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'token.invalid_input', message: SEND_JSON_MESSAGE });
      expect(response.body).not.toContain('hunter2');
    }
    expect(harness.repositories.feedTokens.list()).toEqual([]);
  });

  it('keeps an empty body meaning "no body" for /admin/scrape', async () => {
    const harness = await createFeedHarness();
    const response = await harness.app.inject({
      method: 'POST',
      url: '/admin/scrape',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: '',
    });
    expect(response.statusCode).toBe(200);
    expect(harness.scrapeCalls).toEqual([undefined]);
  });

  it('parses nothing before the bearer token is checked', async () => {
    const harness = await createFeedHarness();
    const response = await harness.app.inject({
      method: 'POST',
      url: '/admin/create_token',
      headers: { 'content-type': 'text/plain' },
      payload: 'not json',
    });
    expect(response.statusCode).toBe(401);
  });
});
