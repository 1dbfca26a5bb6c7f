import { describe, expect, it } from 'vitest';
import {
  applyFilter,
  filterToJson,
  parseEventFilter,
  type EventFilter,
  type FeedToken,
  type TimetableEvent,
} from '../../src/core/index.ts';
import { createFeedCache } from '../../src/feed/feed-cache.ts';
import { createToken, setTokenFilter } from '../../src/feed/tokens.ts';
import { createTestClock } from '../helpers/clock.ts';
import { createTestConfig } from '../helpers/config.ts';
import { createTestDatabase } from '../helpers/database.ts';
import {
  change,
  commitChanges,
  createFeedHarness,
  findSection,
  makeEvent,
  seedSection,
  type FeedHarness,
} from './helpers.ts';
import { assertWellFormedIcs, parseIcs } from './ics-assertions.ts';

const GENIE = 'Génie Info';
const T0 = new Date('2026-11-20T08:00:00Z');
const day = (n: number, hour: number) => new Date(Date.UTC(2026, 10, 23 + n, hour));

/** A week of a section with every shape a filter meets. */
const lecture = makeEvent({
  uid: 'cm-algo@ade',
  title: 'CM Algorithmique',
  course: 'Algorithmique',
  category: 'CM',
  startsAt: day(0, 8),
  endsAt: day(0, 10),
});
const tdAlgo1 = makeEvent({
  uid: 'td-algo-1@ade',
  title: 'TD Algorithmique',
  course: 'Algorithmique',
  category: 'TD',
  groups: ['TD1'],
  startsAt: day(0, 10),
  endsAt: day(0, 12),
});
const tdAlgo2 = makeEvent({
  uid: 'td-algo-2@ade',
  title: 'TD Algorithmique',
  course: 'Algorithmique',
  category: 'TD',
  groups: ['TD2'],
  startsAt: day(0, 13),
  endsAt: day(0, 15),
});
/** Group only in the title (no group field). */
const tpReseaux1 = makeEvent({
  uid: 'tp-reseaux-1@ade',
  title: 'TP1 Réseaux',
  course: 'Réseaux',
  category: 'TP',
  startsAt: day(1, 8),
  endsAt: day(1, 12),
});
const tpReseaux2 = makeEvent({
  uid: 'tp-reseaux-2@ade',
  title: 'TP2 Réseaux',
  course: 'Réseaux',
  category: 'TP',
  startsAt: day(1, 13),
  endsAt: day(1, 17),
});
/** Nothing about groups, type or course: every filter keeps it. */
const meeting = makeEvent({
  uid: 'reunion@ade',
  title: 'Réunion de rentrée',
  startsAt: day(2, 8),
  endsAt: day(2, 9),
});
const anglais1 = makeEvent({
  uid: 'anglais-1@ade',
  title: 'Anglais',
  course: 'Anglais',
  category: 'TD',
  groups: ['TD1', 'Anglais B2'],
  startsAt: day(2, 10),
  endsAt: day(2, 12),
});
const cancelledTd2 = makeEvent({
  uid: 'td-cancelled-2@ade',
  title: 'TD Algorithmique',
  course: 'Algorithmique',
  category: 'TD',
  groups: ['TD2'],
  status: 'cancelled',
  startsAt: day(3, 10),
  endsAt: day(3, 12),
});
const cancelledTd1 = makeEvent({
  uid: 'td-cancelled-1@ade',
  title: 'TD Algorithmique',
  course: 'Algorithmique',
  category: 'TD',
  groups: ['TD1'],
  status: 'cancelled',
  startsAt: day(3, 13),
  endsAt: day(3, 15),
});

const SECTION_EVENTS: TimetableEvent[] = [
  lecture,
  tdAlgo1,
  tdAlgo2,
  tpReseaux1,
  tpReseaux2,
  meeting,
  anglais1,
  cancelledTd2,
  cancelledTd1,
];

const FILTERS: Record<string, unknown> = {
  td1: { groups: ['TD1'] },
  td2AndTp2: { groups: ['td2', 'TP2'] },
  noLectures: { hideCategories: ['cm'] },
  noEnglish: { groups: ['TD1'], hideCourses: ['ANGLAIS'] },
  noTp: { hideCategories: ['TP'], hideCourses: ['Réseaux'] },
  unknownGroup: { groups: ['TD9'] },
};

async function seeded() {
  // Fresh for a week: no stale banner while the tests move the clock by days.
  const harness = await createFeedHarness({
    env: { CANCELLED_RETENTION_DAYS: '7', STALE_AFTER: String(7 * 86_400) },
  });
  seedSection(harness.repositories, harness.config, GENIE, SECTION_EVENTS, T0);
  seedSection(harness.repositories, harness.config, 'MIAGE', [lecture], T0);
  harness.clock.set('2026-11-20T08:05:00Z');
  return harness;
}

function issue(harness: FeedHarness, filter: unknown, name = 'alice'): FeedToken {
  return createToken(harness, {
    name,
    section: GENIE,
    filter: filter === undefined ? undefined : parseEventFilter(filter),
  }).token;
}

function uids(body: string): string[] {
  return parseIcs(body).events.map((event) => event.uid);
}

function reference(harness: FeedHarness, filter: EventFilter): string[] {
  const section = findSection(harness.repositories, GENIE);
  const events = harness.repositories.events.listForFeed(section.id, new Date(0));
  return applyFilter(events, filter)
    .map((event) => event.feedUid)
    .sort();
}

async function metric(harness: FeedHarness, name: string): Promise<number> {
  const text = (await harness.app.inject({ url: '/metrics' })).body;
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  if (line === undefined) throw new Error(`metric ${name} missing`);
  return Number(line.split(' ')[1]);
}

describe('filtered feeds', () => {
  it("serves exactly the section's events a reference filter keeps, cancelled ones included", async () => {
    const harness = await seeded();
    for (const [label, raw] of Object.entries(FILTERS)) {
      const filter = parseEventFilter(raw);
      const token = issue(harness, raw, label);
      const response = await harness.app.inject({ url: `/feeds/${token}.ics` });
      expect({ label, status: response.statusCode }).toEqual({ label, status: 200 });
      assertWellFormedIcs(response.body);
      expect({ label, uids: [...uids(response.body)].sort() }).toEqual({
        label,
        uids: reference(harness, filter),
      });
    }
  });

  it('keeps events without group information and applies title conventions', async () => {
    const harness = await seeded();
    const td1 = await harness.app.inject({ url: `/feeds/${issue(harness, FILTERS.td1)}.ics` });
    expect(uids(td1.body)).toEqual([
      'cm-algo@ade',
      'td-algo-1@ade',
      'reunion@ade',
      'anglais-1@ade',
      'td-cancelled-1@ade',
    ]);
    const tp2 = await harness.app.inject({
      url: `/feeds/${issue(harness, { groups: ['TP2'] }, 'bob')}.ics`,
    });
    // TP2 is read from the title; the lecture and the meeting say nothing about groups.
    expect(uids(tp2.body)).toEqual(['cm-algo@ade', 'tp-reseaux-2@ade', 'reunion@ade']);
    const cancelled = parseIcs(td1.body).events.find((e) => e.uid === 'td-cancelled-1@ade');
    expect(cancelled?.status).toBe('CANCELLED');
  });

  it('says which filter applies in the calendar description, and nothing for a whole section', async () => {
    const harness = await seeded();
    const filtered = await harness.app.inject({
      url: `/feeds/${issue(harness, FILTERS.noEnglish)}.ics`,
    });
    const whole = await harness.app.inject({ url: `/feeds/${issue(harness, undefined, 'b')}.ics` });
    const description = (body: string) =>
      String(parseIcs(body).calendar.getFirstPropertyValue('x-wr-caldesc'));
    expect(description(filtered.body)).toBe(
      'Emploi du temps Génie Info (Planning Proxy). Filtre : groupes TD1 ; cours masqués ANGLAIS',
    );
    expect(description(whole.body)).toBe('Emploi du temps Génie Info (Planning Proxy)');
  });

  it('keeps removed events as cancelled in a filtered feed when they match, and only then', async () => {
    const harness = await seeded();
    const td1 = issue(harness, FILTERS.td1);
    const td2 = issue(harness, { groups: ['TD2'] }, 'bob');
    harness.clock.set('2026-11-21T10:00:00Z');
    commitChanges(harness.repositories, GENIE, [change(tdAlgo1, undefined)], harness.clock.now());
    const mine = await harness.app.inject({ url: `/feeds/${td1}.ics` });
    const removed = parseIcs(mine.body).events.find((event) => event.uid === 'td-algo-1@ade');
    expect(removed?.status).toBe('CANCELLED');
    expect(removed?.summary).toBe('Annulé : TD Algorithmique');
    const theirs = await harness.app.inject({ url: `/feeds/${td2}.ics` });
    expect(uids(theirs.body)).not.toContain('td-algo-1@ade');
  });

  it('gives each filtered feed its own ETag, answered with 304', async () => {
    const harness = await seeded();
    const td1 = issue(harness, FILTERS.td1);
    const td2 = issue(harness, FILTERS.td2AndTp2, 'bob');
    const base = await harness.listen();
    const first = await fetch(`${base}/feeds/${td1}.ics`);
    const second = await fetch(`${base}/feeds/${td2}.ics`);
    const bytes = Buffer.from(await first.arrayBuffer());
    await second.arrayBuffer();
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{43}-(br|gz)"$/);
    expect(second.headers.get('etag')).not.toBe(etag);
    // Content from 08:00; the links were created, with their filter, at 08:05.
    expect(first.headers.get('last-modified')).toBe('Fri, 20 Nov 2026 08:05:00 GMT');

    const again = await fetch(`${base}/feeds/${td1}.ics`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('last-modified')).toBe(first.headers.get('last-modified'));
    expect(again.headers.get('cache-control')).toBe('private, max-age=300');
    // Another filter's ETag is not a match.
    const other = await fetch(`${base}/feeds/${td2}.ics`, { headers: { 'if-none-match': etag } });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
    const byDate = await fetch(`${base}/feeds/${td1}.ics`, {
      headers: { 'if-modified-since': first.headers.get('last-modified')! },
    });
    expect(byDate.status).toBe(304);
    expect(bytes.length).toBeGreaterThan(0);
  });

  it('renders one calendar per distinct filter, shared by every student with the same choice', async () => {
    const harness = await seeded();
    const same = [
      issue(harness, { groups: ['TD1', 'TD2'] }, 's1'),
      issue(harness, { groups: ['TD2', 'TD1', 'TD1'] }, 's2'),
      issue(harness, { groups: [' TD2 ', 'TD1'], hideCourses: [] }, 's3'),
    ];
    const other = issue(harness, FILTERS.noLectures, 's4');
    const bodies = new Set<string>();
    for (let round = 0; round < 3; round++) {
      for (const token of same) {
        bodies.add((await harness.app.inject({ url: `/feeds/${token}.ics` })).body);
      }
    }
    expect(bodies.size).toBe(1);
    expect(await metric(harness, 'planning_proxy_feed_cache_entries')).toBe(1);
    expect(await metric(harness, 'planning_proxy_feed_cache_renders_total')).toBe(1);
    const otherBody = (await harness.app.inject({ url: `/feeds/${other}.ics` })).body;
    expect(otherBody).not.toBe([...bodies][0]);
    expect(await metric(harness, 'planning_proxy_feed_cache_entries')).toBe(2);
    expect(await metric(harness, 'planning_proxy_feed_cache_renders_total')).toBe(2);
    // Each calendar is held as identity, gzip and brotli bytes.
    let held = 0;
    for (const token of [same[0], other]) {
      for (const encoding of ['identity', 'gzip', 'br']) {
        const response = await harness.app.inject({
          url: `/feeds/${token}.ics`,
          headers: { 'accept-encoding': encoding },
        });
        held += response.rawPayload.length;
      }
    }
    expect(await metric(harness, 'planning_proxy_feed_cache_bytes')).toBe(held);
  });

  it('follows a new filter on the same URL: Last-Modified moves forward and the old ETag gets the new content', async () => {
    const harness = await seeded();
    const created = createToken(harness, {
      name: 'alice',
      section: GENIE,
      filter: parseEventFilter(FILTERS.td1),
    });
    const url = new URL(created.url).pathname;
    const before = await harness.app.inject({ url });
    expect(uids(before.body)).toContain('td-algo-1@ade');

    harness.clock.set('2026-11-22T18:30:12Z');
    const result = setTokenFilter(
      harness,
      { prefix: created.prefix },
      parseEventFilter({ groups: ['TD2'] }),
    );
    expect(result).toEqual({
      updated: 1,
      filter: parseEventFilter({ groups: ['TD2'] }),
      description: 'Filtre : groupes TD2',
    });

    const stale = await harness.app.inject({
      url,
      headers: { 'if-none-match': before.headers.etag! },
    });
    expect(stale.statusCode).toBe(200);
    expect([...uids(stale.body)].sort()).toEqual(
      reference(harness, parseEventFilter({ groups: ['TD2'] })),
    );
    expect(stale.headers['last-modified']).toBe('Sun, 22 Nov 2026 18:30:12 GMT');
    expect(Date.parse(stale.headers['last-modified']!)).toBeGreaterThan(
      Date.parse(before.headers['last-modified']!),
    );
    // Apple revalidates by date only.
    const apple = await harness.app.inject({
      url,
      headers: { 'if-modified-since': before.headers['last-modified']! },
    });
    expect(apple.statusCode).toBe(200);
    const revalidated = await harness.app.inject({
      url,
      headers: { 'if-none-match': stale.headers.etag! },
    });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.headers['last-modified']).toBe('Sun, 22 Nov 2026 18:30:12 GMT');
  });

  it('moves Last-Modified forward on a filter change even when the bytes equal another filter', async () => {
    const harness = await seeded();
    // Two students on the same filter; one changes away and back: same bytes, later date.
    const alice = createToken(harness, {
      name: 'alice',
      section: GENIE,
      filter: parseEventFilter(FILTERS.td1),
    });
    const bob = issue(harness, FILTERS.td1, 'bob');
    const url = new URL(alice.url).pathname;
    const before = await harness.app.inject({ url });
    harness.clock.set('2026-11-22T09:00:00Z');
    setTokenFilter(harness, { prefix: alice.prefix }, parseEventFilter({ groups: ['TD2'] }));
    harness.clock.set('2026-11-22T09:05:00Z');
    setTokenFilter(harness, { prefix: alice.prefix }, parseEventFilter(FILTERS.td1));
    const after = await harness.app.inject({ url });
    expect(after.body).toBe(before.body);
    expect(after.headers.etag).toBe(before.headers.etag);
    expect(after.headers['last-modified']).toBe('Sun, 22 Nov 2026 09:05:00 GMT');
    const apple = await harness.app.inject({
      url,
      headers: { 'if-modified-since': before.headers['last-modified']! },
    });
    expect(apple.statusCode).toBe(200);
    // Bob's choice did not change: his date did not move.
    const bobs = await harness.app.inject({ url: `/feeds/${bob}.ics` });
    expect(bobs.headers['last-modified']).toBe(before.headers['last-modified']);
  });

  it('serves the whole section again when a filter is cleared, with a later Last-Modified', async () => {
    const harness = await seeded();
    const created = createToken(harness, {
      name: 'alice',
      section: GENIE,
      filter: parseEventFilter(FILTERS.td1),
    });
    harness.clock.set('2026-11-22T10:00:00Z');
    setTokenFilter(harness, { prefix: created.prefix }, parseEventFilter({}));
    const response = await harness.app.inject({ url: new URL(created.url).pathname });
    expect(uids(response.body)).toHaveLength(SECTION_EVENTS.length);
    expect(response.headers['last-modified']).toBe('Sun, 22 Nov 2026 10:00:00 GMT');
    expect(harness.repositories.feedTokens.list()[0]?.filterJson).toBeNull();
  });

  it('keeps the ETag and Last-Modified of a filtered feed when the section changes elsewhere', async () => {
    const harness = await seeded();
    const td1 = issue(harness, FILTERS.td1);
    const whole = issue(harness, undefined, 'bob');
    const mineBefore = await harness.app.inject({ url: `/feeds/${td1}.ics` });
    const wholeBefore = await harness.app.inject({ url: `/feeds/${whole}.ics` });

    harness.clock.set('2026-11-21T09:00:00Z');
    commitChanges(
      harness.repositories,
      GENIE,
      [change(tdAlgo2, { ...tdAlgo2, location: 'B204' })],
      harness.clock.now(),
    );
    const mineAfter = await harness.app.inject({ url: `/feeds/${td1}.ics` });
    const wholeAfter = await harness.app.inject({ url: `/feeds/${whole}.ics` });
    expect(wholeAfter.headers.etag).not.toBe(wholeBefore.headers.etag);
    expect(wholeAfter.headers['last-modified']).toBe('Sat, 21 Nov 2026 09:00:00 GMT');
    expect(mineAfter.headers.etag).toBe(mineBefore.headers.etag);
    expect(mineAfter.headers['last-modified']).toBe(mineBefore.headers['last-modified']);

    // A change that concerns TD1 moves its feed.
    harness.clock.set('2026-11-21T11:00:00Z');
    commitChanges(
      harness.repositories,
      GENIE,
      [change(tdAlgo1, { ...tdAlgo1, location: 'B205' })],
      harness.clock.now(),
    );
    const mineMoved = await harness.app.inject({ url: `/feeds/${td1}.ics` });
    expect(mineMoved.headers.etag).not.toBe(mineBefore.headers.etag);
    expect(mineMoved.headers['last-modified']).toBe('Sat, 21 Nov 2026 11:00:00 GMT');
  });

  it('applies a filter on the legacy route too', async () => {
    const harness = await seeded();
    const created = createToken(harness, {
      name: 'ipp',
      filter: parseEventFilter(FILTERS.td1),
    });
    const response = await harness.app.inject({
      url: `/G%C3%A9nie%20Info?token=${created.token}`,
    });
    expect(response.statusCode).toBe(200);
    expect([...uids(response.body)].sort()).toEqual(
      reference(harness, parseEventFilter(FILTERS.td1)),
    );
  });

  it('treats a corrupt stored filter as no filter rather than failing', async () => {
    const harness = await seeded();
    const created = createToken(harness, { name: 'alice', section: GENIE });
    const row = harness.repositories.feedTokens.list()[0]!;
    harness.repositories.feedTokens.setFilter(row.id, '{not json', harness.clock.now());
    const response = await harness.app.inject({ url: new URL(created.url).pathname });
    expect(response.statusCode).toBe(200);
    expect(uids(response.body)).toHaveLength(SECTION_EVENTS.length);
  });
});

describe('rendered-calendar cache bounds', () => {
  function setup(limits: { maxEntries?: number; maxBytes?: number; idleMs?: number }) {
    const database = createTestDatabase();
    const config = createTestConfig({ SECTIONS: 'Génie Info:file:./g.ics' });
    const clock = createTestClock('2026-11-20T08:05:00Z');
    seedSection(database.repositories, config, GENIE, SECTION_EVENTS, T0);
    const cache = createFeedCache({
      repositories: database.repositories,
      clock,
      timeZone: 'Europe/Paris',
      staleAfterMs: 86_400_000,
      cancelledRetentionMs: 7 * 86_400_000,
      limits,
    });
    const section = findSection(database.repositories, GENIE);
    const view = (filter: unknown) => ({
      filterJson: filterToJson(parseEventFilter(filter)),
      filterChangedAt: null,
    });
    return { cache, clock, section, view };
  }

  it('evicts the least recently used entry beyond the entry limit', () => {
    const { cache, section, view } = setup({ maxEntries: 2 });
    cache.get(section, view(FILTERS.td1));
    cache.get(section, view(FILTERS.noLectures));
    cache.get(section, view(FILTERS.td1));
    cache.get(section, view(FILTERS.noTp));
    expect(cache.stats()).toMatchObject({ entries: 2, renders: 3, evictions: 1 });
    // td1 was used last before noTp came: it is still cached; noLectures is rendered again.
    cache.get(section, view(FILTERS.td1));
    expect(cache.stats().renders).toBe(3);
    cache.get(section, view(FILTERS.noLectures));
    expect(cache.stats().renders).toBe(4);
  });

  it('stays within the byte limit', () => {
    const { cache, section, view } = setup({});
    const one = cache.get(section, view(FILTERS.td1)).body.length;
    const bounded = setup({ maxBytes: one * 2 + 10 });
    for (const filter of Object.values(FILTERS)) bounded.cache.get(bounded.section, view(filter));
    const stats = bounded.cache.stats();
    expect(stats.bytes).toBeLessThanOrEqual(one * 2 + 10);
    expect(stats.entries).toBeLessThan(Object.keys(FILTERS).length);
    expect(stats.evictions).toBe(Object.keys(FILTERS).length - stats.entries);
  });

  it('drops entries nobody asked for during the idle time, without moving Last-Modified back', () => {
    const { cache, clock, section, view } = setup({ idleMs: 600_000 });
    const first = cache.get(section, view(FILTERS.td1));
    cache.get(section, view(FILTERS.noLectures));
    clock.advance(300_000);
    cache.get(section, view(FILTERS.td1));
    clock.advance(400_000);
    cache.get(section, view(FILTERS.td1));
    expect(cache.stats()).toMatchObject({ entries: 1, evictions: 1 });
    clock.advance(700_000);
    cache.get(section, view(FILTERS.noTp));
    const again = cache.get(section, view(FILTERS.td1));
    expect(cache.stats().evictions).toBe(2);
    expect(again.etag).toBe(first.etag);
    expect(again.lastModified.getTime()).toBeGreaterThanOrEqual(first.lastModified.getTime());
  });
});
