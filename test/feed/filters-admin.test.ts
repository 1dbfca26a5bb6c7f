import { describe, expect, it } from 'vitest';
import { parseIcs } from './ics-assertions.ts';
import {
  ADMIN_TOKEN,
  createFeedHarness,
  createTokenCommandHarness,
  makeEvent,
  seedSection,
} from './helpers.ts';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const T0 = new Date('2026-11-20T08:00:00Z');
const GENIE = 'Génie Info';

type Created = {
  name: string;
  token: string;
  url: string;
  prefix: string;
  section: string | null;
  filter: unknown;
};

const EVENTS = [
  makeEvent({ uid: 'cm@ade', title: 'CM Algo', course: 'Algo', category: 'CM' }),
  makeEvent({ uid: 'td1@ade', title: 'TD Algo', course: 'Algo', category: 'TD', groups: ['TD1'] }),
  makeEvent({ uid: 'td2@ade', title: 'TD Algo', course: 'Algo', category: 'TD', groups: ['TD2'] }),
  makeEvent({ uid: 'en1@ade', title: 'Anglais', course: 'Anglais', groups: ['TD1'] }),
];

async function seeded() {
  // Fresh for a week: no stale banner in these calendars.
  const harness = await createFeedHarness({ env: { STALE_AFTER: String(7 * 86_400) } });
  seedSection(harness.repositories, harness.config, GENIE, EVENTS, T0);
  return harness;
}

describe('admin API filters', () => {
  it('creates a filtered token whose link serves the filtered calendar, and lists its filter', async () => {
    const harness = await seeded();
    const response = await harness.app.inject({
      method: 'POST',
      url: '/admin/create_token',
      headers: auth,
      payload: {
        name: 'alice',
        section: 'génie info',
        filter: { groups: ['TD1', 'TD1'], hideCourses: ['Anglais'] },
      },
    });
    expect(response.statusCode).toBe(201);
    const created = response.json<Created>();
    expect(created.filter).toEqual({
      groups: ['TD1'],
      hideCourses: ['Anglais'],
      hideCategories: [],
    });
    const feed = await harness.app.inject({ url: new URL(created.url).pathname });
    expect(parseIcs(feed.body).events.map((event) => event.uid)).toEqual(['cm@ade', 'td1@ade']);

    await harness.app.inject({
      method: 'POST',
      url: '/admin/create_token',
      headers: auth,
      payload: { name: 'bob', section: GENIE },
    });
    const list = await harness.app.inject({ url: '/admin/tokens', headers: auth });
    expect(list.body).not.toContain(created.token);
    expect(
      list.json<{ tokens: { owner: string; filter: unknown; filterChangedAt: unknown }[] }>()
        .tokens,
    ).toEqual([
      expect.objectContaining({
        owner: 'alice',
        filter: { groups: ['TD1'], hideCourses: ['Anglais'], hideCategories: [] },
        filterChangedAt: '2026-11-21T13:05:00.000Z',
      }),
      expect.objectContaining({ owner: 'bob', filter: null, filterChangedAt: null }),
    ]);
  });

  it("keeps IPP's create_token with only a name working as before", async () => {
    const harness = await seeded();
    const response = await harness.app.inject({
      method: 'POST',
      url: '/admin/create_token',
      headers: auth,
      payload: { name: 'ipp' },
    });
    expect(response.statusCode).toBe(201);
    const created = response.json<Created>();
    expect(created).toMatchObject({ name: 'ipp', section: null, filter: null });
    const link = new URL(created.url);
    const legacy = await harness.app.inject({ url: `${link.pathname}${link.search}` });
    expect(legacy.statusCode).toBe(200);
    expect(parseIcs(legacy.body).events).toHaveLength(EVENTS.length);
  });

  it('refuses an invalid filter with 400 and a message naming the problem, creating nothing', async () => {
    const harness = await seeded();
    const invalid: [unknown, RegExp][] = [
      [{ colour: 'red' }, /unrecognized key/i],
      [{ groups: 'TD1' }, /^groups: /],
      ['TD1', /^filter: /],
      [{ groups: [''] }, /^groups\.0: /],
      [{ hideCourses: Array.from({ length: 51 }, (_, i) => `C${i}`) }, /^hideCourses: /],
    ];
    for (const [filter, message] of invalid) {
      const response = await harness.app.inject({
        method: 'POST',
        url: '/admin/create_token',
        headers: auth,
        payload: { name: 'alice', section: GENIE, filter },
      });
      expect({ filter, status: response.statusCode }).toEqual({ filter, status: 400 });
      const body = response.json<{ error: string; message: string }>();
      expect(body.error).toBe('filter.invalid');
      expect(body.message).toMatch(message);
    }
    expect(harness.repositories.feedTokens.list()).toEqual([]);
  });

  it('changes the filter of a link by prefix or token: same URL, new content', async () => {
    const harness = await seeded();
    const created = (
      await harness.app.inject({
        method: 'POST',
        url: '/admin/create_token',
        headers: auth,
        payload: { name: 'alice', section: GENIE },
      })
    ).json<Created>();
    const url = new URL(created.url).pathname;
    const before = await harness.app.inject({ url });
    expect(parseIcs(before.body).events).toHaveLength(4);

    harness.clock.set('2026-11-21T14:00:00Z');
    const byPrefix = await harness.app.inject({
      method: 'POST',
      url: '/admin/set_filter',
      headers: auth,
      payload: { prefix: created.prefix, filter: { groups: ['TD2'] } },
    });
    expect(byPrefix.statusCode).toBe(200);
    expect(byPrefix.json()).toEqual({
      updated: 1,
      filter: { groups: ['TD2'], hideCourses: [], hideCategories: [] },
      description: 'Filtre : groupes TD2',
    });
    const after = await harness.app.inject({
      url,
      headers: { 'if-none-match': before.headers.etag! },
    });
    expect(after.statusCode).toBe(200);
    expect(parseIcs(after.body).events.map((event) => event.uid)).toEqual(['cm@ade', 'td2@ade']);
    expect(after.headers['last-modified']).toBe('Sat, 21 Nov 2026 14:00:00 GMT');

    harness.clock.set('2026-11-21T15:00:00Z');
    const cleared = await harness.app.inject({
      method: 'POST',
      url: '/admin/set_filter',
      headers: auth,
      payload: { token: created.token, filter: null },
    });
    expect(cleared.json()).toEqual({ updated: 1, filter: null, description: 'Aucun filtre' });
    const whole = await harness.app.inject({ url });
    expect(whole.body).toBe(before.body);
    expect(whole.headers['last-modified']).toBe('Sat, 21 Nov 2026 15:00:00 GMT');
    // The token never reaches the logs, even when it is how the link was named.
    expect(harness.logLines.join('\n')).not.toContain(created.token);
  });

  it('refuses bad set_filter requests', async () => {
    const harness = await seeded();
    const created = (
      await harness.app.inject({
        method: 'POST',
        url: '/admin/create_token',
        headers: auth,
        payload: { name: 'alice', section: GENIE },
      })
    ).json<Created>();
    const cases: [unknown, number, string][] = [
      [{ prefix: created.prefix, filter: { groups: 'TD1' } }, 400, 'filter.invalid'],
      [{ prefix: created.prefix }, 400, 'token.invalid_input'],
      [{ filter: { groups: ['TD1'] } }, 400, 'token.invalid_input'],
      [
        { prefix: created.prefix, token: created.token, filter: { groups: ['TD1'] } },
        400,
        'token.invalid_input',
      ],
      [{ prefix: 'ffffffff', filter: { groups: ['TD1'] } }, 404, 'token.not_found'],
      [{ token: 'f'.repeat(64), filter: { groups: ['TD1'] } }, 404, 'token.not_found'],
    ];
    for (const [payload, status, error] of cases) {
      const response = await harness.app.inject({
        method: 'POST',
        url: '/admin/set_filter',
        headers: auth,
        payload: payload as Record<string, unknown>,
      });
      expect({ payload, status: response.statusCode }).toEqual({ payload, status });
      expect(response.json<{ error: string }>().error).toBe(error);
    }
    expect(harness.repositories.feedTokens.list()[0]?.filterJson).toBeNull();
    // A revoked token cannot be given a filter.
    await harness.app.inject({
      method: 'POST',
      url: '/admin/revoke_token',
      headers: auth,
      payload: { token: created.token },
    });
    const revoked = await harness.app.inject({
      method: 'POST',
      url: '/admin/set_filter',
      headers: auth,
      payload: { prefix: created.prefix, filter: { groups: ['TD1'] } },
    });
    expect(revoked.statusCode).toBe(404);
  });

  it("lists a section's filter options from its current events", async () => {
    const harness = await seeded();
    const response = await harness.app.inject({
      url: `/admin/filter_options?section=${encodeURIComponent('génie info')}`,
      headers: auth,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      section: GENIE,
      options: {
        groups: [
          { value: 'TD1', count: 2 },
          { value: 'TD2', count: 1 },
        ],
        courses: [
          { value: 'Algo', count: 3 },
          { value: 'Anglais', count: 1 },
        ],
        categories: [
          { value: 'TD', count: 2 },
          { value: 'CM', count: 1 },
        ],
      },
    });
    const unknown = await harness.app.inject({
      url: '/admin/filter_options?section=Nope',
      headers: auth,
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ error: string }>().error).toBe('section.unknown');
    const missing = await harness.app.inject({ url: '/admin/filter_options', headers: auth });
    expect(missing.statusCode).toBe(400);
  });

  it('answers 401 on the filter routes without the admin token', async () => {
    const harness = await seeded();
    const setFilter = await harness.app.inject({
      method: 'POST',
      url: '/admin/set_filter',
      payload: { prefix: 'abcdefgh', filter: null },
    });
    const options = await harness.app.inject({ url: `/admin/filter_options?section=MIAGE` });
    expect([setFilter.statusCode, options.statusCode]).toEqual([401, 401]);
  });
});

describe('token command filters', () => {
  const setup = createTokenCommandHarness;

  it('creates a filtered token and shows its filter in the list', async () => {
    const { run, lines, repositories } = setup();
    const code = await run(
      'create',
      '--name',
      'alice',
      '--section',
      'MIAGE',
      '--groups',
      'TD2,TD1',
      '--hide-courses',
      'Anglais',
      '--hide-courses',
      'Sport, collectif',
      '--hide-types',
      'CM',
    );
    expect(code).toBe(0);
    expect(lines).toContain(
      'Filter: groups TD1, TD2; hidden courses Anglais, collectif, Sport; hidden types CM',
    );
    expect(repositories.feedTokens.list()[0]?.filterJson).toBe(
      JSON.stringify({
        groups: ['TD1', 'TD2'],
        hideCourses: ['Anglais', 'collectif', 'Sport'],
        hideCategories: ['CM'],
      }),
    );
    const token = lines.find((line) => line.startsWith('token: '))?.slice('token: '.length) ?? '';
    lines.length = 0;
    await run('list');
    expect(lines[0]).toBe(
      `${token.slice(0, 8)}…  alice (admin)  MIAGE  created 2026-11-21T13:05:00.000Z  last used never  0 uses  Filter: groups TD1, TD2; hidden courses Anglais, collectif, Sport; hidden types CM`,
    );
    await run('list', '--json');
    expect(JSON.parse(lines[1] ?? '')).toMatchObject([
      { owner: 'alice', filter: { groups: ['TD1', 'TD2'], hideCategories: ['CM'] } },
    ]);
  });

  it('replaces and clears the filter of a link by prefix', async () => {
    const { run, lines, repositories, clock } = setup();
    await run('create', '--name', 'alice', '--section', 'MIAGE');
    const prefix = repositories.feedTokens.list()[0]?.prefix ?? '';
    lines.length = 0;
    clock.set('2026-11-22T08:00:00Z');
    expect(await run('filter', '--prefix', prefix, '--hide-types', 'TP,TD')).toBe(0);
    expect(lines).toEqual(['filter set on 1 token(s): Filter: hidden types TD, TP']);
    expect(repositories.feedTokens.list()[0]).toMatchObject({
      filterJson: JSON.stringify({ groups: [], hideCourses: [], hideCategories: ['TD', 'TP'] }),
      filterChangedAt: new Date('2026-11-22T08:00:00Z'),
    });
    expect(await run('filter', '--prefix', prefix, '--clear')).toBe(0);
    expect(repositories.feedTokens.list()[0]?.filterJson).toBeNull();
  });

  it('fails with a message on bad filter input', async () => {
    const { run, lines, repositories } = setup();
    await run('create', '--name', 'alice', '--section', 'MIAGE');
    const prefix = repositories.feedTokens.list()[0]?.prefix ?? '';
    lines.length = 0;
    expect(await run('create', '--name', 'bob', '--section', 'MIAGE', '--groups', ',')).toBe(1);
    expect(await run('filter', '--prefix', prefix)).toBe(1);
    expect(await run('filter', '--prefix', prefix, '--clear', '--groups', 'TD1')).toBe(1);
    expect(await run('filter', '--groups', 'TD1')).toBe(1);
    expect(await run('filter', '--prefix', 'ffffffff', '--groups', 'TD1')).toBe(1);
    expect(lines.filter((line) => line.startsWith('error:'))).toHaveLength(5);
    expect(lines[0]).toMatch(/^error: groups\.0: /);
    expect(lines).toContain('error: no live token matches');
    expect(repositories.feedTokens.list()).toHaveLength(1);
  });
});
