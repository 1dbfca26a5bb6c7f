import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { toSectionKey } from '../../src/core/index.ts';
import { createScraper, describeSuspiciousDrop } from '../../src/scraper/scraper.ts';
import { createSilentLogger } from '../helpers/logger.ts';
import { diffTimetables } from '../../src/scraper/diff.ts';
import { fixtureBytes, makeEvent } from './helpers/events.ts';
import {
  createBaselineHarness,
  createScraperHarness,
  edit,
  WEEK,
} from './helpers/scraper-harness.ts';

const EMPTY = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ADE/version 6.0\r\nEND:VCALENDAR\r\n';

describe('scraper: first import', () => {
  it('stores the whole calendar as a baseline and records no change', async () => {
    const h = await createScraperHarness({ recordAlerts: true });
    h.serve(WEEK);
    const summary = await h.scrape();
    expect(summary).toMatchObject({ section: 'L3-INFO', status: 'baseline', events: 6 });
    expect(summary.changes).toEqual({});
    expect(h.rows.events()).toHaveLength(6);
    expect(h.rows.changes()).toEqual([]);
    expect(h.rows.outbox()).toEqual([]);
    expect(h.rows.runs()).toMatchObject([{ status: 'baseline', event_count: 6, change_count: 0 }]);
    expect(h.rows.section()).toMatchObject({ event_count: 6, content_version: 1 });
    expect(h.rows.section().baseline_at).not.toBeNull();
  });

  it('reads a file section from disk', async () => {
    const path = fileURLToPath(new URL('../fixtures/ics/ade-like.ics', import.meta.url));
    const h = await createScraperHarness({
      extraSections: [{ key: toSectionKey('Demo'), name: 'Demo', source: { kind: 'file', path } }],
    });
    const [summary] = await h.scraper.runOnce({ section: 'demo' });
    expect(summary).toMatchObject({ section: 'Demo', status: 'baseline', events: 6 });
  });

  it('fails a file section whose file is missing with scraper.file_unreadable', async () => {
    const h = await createScraperHarness({
      extraSections: [
        {
          key: toSectionKey('Gone'),
          name: 'Gone',
          source: { kind: 'file', path: '/nonexistent.ics' },
        },
      ],
    });
    const [summary] = await h.scraper.runOnce({ section: 'Gone' });
    expect(summary).toMatchObject({ status: 'failed', errorCode: 'scraper.file_unreadable' });
  });

  it('refuses an unknown section name', async () => {
    const h = await createScraperHarness();
    await expect(h.scraper.runOnce({ section: 'M2' })).rejects.toMatchObject({
      code: 'section.unknown',
    });
  });
});

describe('scraper: changes between scrapes', () => {
  it('records each change with before, after and the run that saw it', async () => {
    const h = await createScraperHarness();
    h.serve(WEEK);
    await h.scrape();
    h.serve([
      ...edit({
        'ADE-tutorial': { location: 'C014' },
        'ADE-english': { start: '2026-11-27T08:00:00Z', end: '2026-11-27T10:00:00Z' },
        'ADE-project': null,
      }),
      {
        uid: 'ADE-extra',
        start: '2026-11-25T13:00:00Z',
        end: '2026-11-25T15:00:00Z',
        summary: 'Séance de rattrapage',
        location: 'B203',
        description: ['L3 INFO', 'DUPONT Marie'],
      },
    ]);
    const summary = await h.scrape();
    // A class missing from one scrape is only pending: the next scrape confirms its cancellation.
    const confirmed = await h.scrape();

    expect(summary.status).toBe('ok');
    expect(summary.changes).toEqual({ added: 1, moved: 1, room: 1 });
    expect(confirmed.changes).toEqual({ cancelled: 1 });
    const changes = h.rows.changes();
    expect(changes.map((row) => [row.uid, row.kinds, row.run_id])).toEqual(
      expect.arrayContaining([
        ['ADE-tutorial', 'room', summary.runId],
        ['ADE-english', 'moved', summary.runId],
        ['ADE-project', 'cancelled', confirmed.runId],
        ['ADE-extra', 'added', summary.runId],
      ]),
    );
    expect(changes).toHaveLength(4);
    const room = changes.find((row) => row.uid === 'ADE-tutorial')!;
    expect(JSON.parse(room.before_json as string)).toMatchObject({ location: 'C012' });
    expect(JSON.parse(room.after_json as string)).toMatchObject({ location: 'C014' });
    const cancelled = changes.find((row) => row.uid === 'ADE-project')!;
    expect(cancelled.after_json).toBeNull();

    const events: Record<string, Record<string, unknown>> = Object.fromEntries(
      h.rows.events().map((row) => [String(row.uid), row]),
    );
    expect(events['ADE-tutorial']).toMatchObject({ location: 'C014', revision: 1 });
    expect(events['ADE-english']).toMatchObject({
      starts_at: Date.parse('2026-11-27T08:00:00Z'),
      revision: 1,
    });
    expect(events['ADE-project']?.removed_at).toBe(h.clock.now().getTime());
    expect(events['ADE-extra']).toMatchObject({ revision: 0, removed_at: null });
    expect(events['ADE-lecture']).toMatchObject({ revision: 0 });
    expect(h.rows.section()).toMatchObject({ event_count: 6, content_version: 3 });
  });

  it('writes only a run record for an unchanged re-export', async () => {
    const h = await createScraperHarness();
    h.serve(WEEK);
    await h.scrape();
    const events = h.rows.events();
    const section = h.rows.section();

    // New DTSTAMP, LAST-MODIFIED, SEQUENCE and "(Exporté le …)", events in another order.
    h.serve([...WEEK].reverse(), '2026-11-22T06:30:00Z');
    const summary = await h.scrape();

    expect(summary).toMatchObject({ status: 'unchanged', events: 6 });
    expect(h.rows.events()).toEqual(events);
    expect(h.rows.changes()).toEqual([]);
    expect(h.rows.runs().map((run) => run.status)).toEqual(['baseline', 'unchanged']);
    expect(h.rows.section()).toMatchObject({
      content_version: section.content_version,
      content_changed_at: section.content_changed_at,
    });
  });

  it('keeps one identity for an event whose uid the source regenerated', async () => {
    const h = await createScraperHarness();
    h.serve(WEEK);
    await h.scrape();
    h.serve(edit({ 'ADE-lecture': { uid: 'ADE-lecture-regenerated' } }));
    const summary = await h.scrape();

    expect(summary.status).toBe('unchanged');
    expect(h.rows.changes()).toEqual([]);
    const row = h.rows.events().find((event) => event.feed_uid === 'ADE-lecture');
    expect(row).toMatchObject({ uid: 'ADE-lecture-regenerated', revision: 0, removed_at: null });
    expect(h.rows.events()).toHaveLength(6);
  });

  it('records a regenerated uid with a new room as one room change on the same feed event', async () => {
    const h = await createScraperHarness();
    h.serve(WEEK);
    await h.scrape();
    h.serve(edit({ 'ADE-lecture': { uid: 'ADE-lecture-2', location: 'Amphi B' } }));
    const summary = await h.scrape();

    expect(summary.changes).toEqual({ room: 1 });
    const row = h.rows.events().find((event) => event.feed_uid === 'ADE-lecture');
    expect(row).toMatchObject({ uid: 'ADE-lecture-2', location: 'Amphi B', revision: 1 });
    expect(h.rows.events()).toHaveLength(6);
  });

  it('does not cancel a past class the export no longer lists', async () => {
    const h = await createScraperHarness();
    h.serve(WEEK);
    await h.scrape();
    h.serve(edit({ 'ADE-past': null }));
    const summary = await h.scrape();
    expect(summary.status).toBe('unchanged');
    expect(h.rows.changes()).toEqual([]);
  });

  it('writes exactly one outbox row, in the run of its changes, when alerts are on', async () => {
    const h = await createScraperHarness({ recordAlerts: true });
    h.serve(WEEK);
    await h.scrape();
    h.serve(
      edit({ 'ADE-tutorial': { location: 'C014' }, 'ADE-english': { summary: 'Anglais (B2)' } }),
    );
    const summary = await h.scrape();

    const outbox = h.rows.outbox();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.run_id).toBe(summary.runId);
    expect(new Set(h.rows.changes().map((row) => row.run_id))).toEqual(new Set([summary.runId]));
    expect(h.alertsCalled()).toBe(1);
  });

  it('writes no outbox row for a description-only change', async () => {
    const h = await createScraperHarness({ recordAlerts: true });
    h.serve(WEEK);
    await h.scrape();
    h.serve(edit({ 'ADE-exam': { description: ['L3 INFO', 'L3 MIAGE', 'DUPONT Marie'] } }));
    const summary = await h.scrape();
    expect(summary.changes).toEqual({ details: 1 });
    expect(h.rows.outbox()).toEqual([]);
    expect(h.alertsCalled()).toBe(0);
  });
});

describe('scraper: unchanged re-exports', () => {
  const skipped = (logs: Record<string, unknown>[]) =>
    logs.filter((line) => line.msg === 'scrape finished (same calendar as stored)').length;

  it('records a re-export with only new stamps without parsing it again', async () => {
    const h = await createScraperHarness();
    h.serve(WEEK);
    await h.scrape();
    h.serve(WEEK, '2026-11-22T06:30:00Z');
    const summary = await h.scrape();
    expect(summary).toMatchObject({ status: 'unchanged', events: 6 });
    expect(skipped(h.logs())).toBe(1);
    expect(h.rows.runs().at(-1)).toMatchObject({ status: 'unchanged', event_count: 6 });
    h.serve(edit({ 'ADE-lecture': { location: 'Amphi B' } }), '2026-11-22T07:00:00Z');
    expect((await h.scrape()).changes).toEqual({ room: 1 });
  });

  it('diffs again when another process changed the stored timetable since', async () => {
    const h = await createScraperHarness();
    h.serve(WEEK);
    await h.scrape();
    // A second scraper on the same database (the CLI) stores a room change…
    const cli = createScraper({ ...h.deps, logger: createSilentLogger() });
    h.serve(edit({ 'ADE-lecture': { location: 'Amphi B' } }));
    expect((await cli.runOnce({ section: 'L3-INFO' }))[0]?.changes).toEqual({ room: 1 });
    // …and upstream goes back to what the first scraper stored last.
    h.serve(WEEK);
    expect((await h.scrape()).changes).toEqual({ room: 1 });
    expect(skipped(h.logs())).toBe(0);
  });

  it('expands recurring events again on every scrape, as the horizon moves', async () => {
    const h = await createScraperHarness({ settings: { horizonDays: 3 } });
    h.site.set('/l3.ics', {
      body: [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'BEGIN:VEVENT',
        'UID:daily-office-hours',
        'DTSTAMP:20261121T100000Z',
        'DTSTART:20261122T120000Z',
        'DTEND:20261122T130000Z',
        'RRULE:FREQ=DAILY;COUNT=30',
        'SUMMARY:Permanence',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    });
    expect(await h.scrape()).toMatchObject({ status: 'baseline', events: 2 });
    h.clock.advance(86_400_000);
    expect(await h.scrape()).toMatchObject({ status: 'ok', changes: { added: 1 }, events: 3 });
    expect(skipped(h.logs())).toBe(0);
  });
});

describe('scraper: failures keep the last good data', () => {
  async function baseline(options: Parameters<typeof createScraperHarness>[0] = {}) {
    const h = await createScraperHarness(options);
    h.serve(WEEK);
    await h.scrape();
    return { h, events: h.rows.events() };
  }

  it('keeps the events when the site is down and backs off, doubling up to the cap', async () => {
    const { h, events } = await baseline({
      settings: { intervalSeconds: 300, backoffMaxMs: 3_600_000 },
    });
    await h.site.stop();

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      const summary = await h.scrape(0);
      expect(summary).toMatchObject({ status: 'failed', errorCode: 'scraper.network', events: 6 });
      const section = h.rows.section();
      expect(section.consecutive_failures).toBe(attempt);
      delays.push((section.next_run_at as number) - (section.last_run_at as number));
      // A run before the backoff is over is skipped without a request.
      expect((await h.scrape(1_000)).status).toBe('skipped');
      h.clock.set(new Date(section.next_run_at as number));
    }
    expect(delays).toEqual([300_000, 600_000, 1_200_000, 2_400_000, 3_600_000, 3_600_000]);
    expect(h.rows.events()).toEqual(events);
    expect(h.rows.changes()).toEqual([]);
    expect(h.rows.section()).toMatchObject({ last_error_code: 'scraper.network', event_count: 6 });

    await h.site.start();
    expect((await h.scrape(0)).status).toBe('unchanged');
    expect(h.rows.section()).toMatchObject({ consecutive_failures: 0 });
  });

  it('runs a forced scrape during the backoff', async () => {
    const { h } = await baseline();
    h.site.set('/l3.ics', { status: 503, body: 'busy' });
    await h.scrape();
    h.serve(WEEK);
    expect((await h.scraper.runOnce({ section: 'L3-INFO' }))[0]?.status).toBe('skipped');
    expect((await h.scraper.runOnce({ section: 'L3-INFO', force: true }))[0]?.status).toBe(
      'unchanged',
    );
  });

  it.each([
    ['a 500 answer', { status: 500, body: 'Internal Server Error' }, 'scraper.http_status'],
    [
      'an HTML login page served with 200',
      { body: fixtureBytes('html-login.html'), headers: { 'content-type': 'text/html' } },
      'scraper.not_calendar',
    ],
    ['a truncated calendar', { body: fixtureBytes('truncated.ics') }, 'scraper.parse_failed'],
    [
      'a calendar whose every event is broken',
      {
        body: fixtureBytes('malformed.ics')
          .toString('utf8')
          .replace(/DTSTART:2026/g, 'DTSTART:x'),
      },
      'scraper.parse_failed',
    ],
  ] as const)('fails the run on %s and changes nothing', async (_name, reply, code) => {
    const { h, events } = await baseline({ recordAlerts: true });
    h.site.set('/l3.ics', reply);
    const summary = await h.scrape();
    expect(summary).toMatchObject({ status: 'failed', errorCode: code, events: 6 });
    expect(h.rows.events()).toEqual(events);
    expect(h.rows.changes()).toEqual([]);
    expect(h.rows.outbox()).toEqual([]);
    expect(h.rows.runs().at(-1)).toMatchObject({ status: 'failed', error_code: code });
  });

  it('ends the run with scraper.timeout when the site accepts and never answers', async () => {
    const { h, events } = await baseline({ timeoutMs: 300 });
    h.site.set('/l3.ics', 'hang');
    const summary = await h.scrape();
    expect(summary).toMatchObject({ status: 'failed', errorCode: 'scraper.timeout' });
    expect(h.rows.events()).toEqual(events);
    expect(h.rows.runs().at(-1)?.finished_at).not.toBeNull();
  });

  it('fails with scraper.too_large on a response over the size cap', async () => {
    const { h, events } = await baseline({ maxBytes: 8_192 });
    const many = Array.from({ length: 40 }, (_, index) => ({
      ...WEEK[1]!,
      uid: `ADE-bulk-${index}`,
    }));
    h.serve(many);
    const summary = await h.scrape();
    expect(summary).toMatchObject({ status: 'failed', errorCode: 'scraper.too_large' });
    expect(h.rows.events()).toEqual(events);
  });

  it('does not count a run cancelled on shutdown as a failure of the source', async () => {
    const { h, events } = await baseline();
    h.site.set('/l3.ics', 'hang');
    const stopping = new AbortController();
    h.clock.advance(300_000);
    const pending = h.scraper.runOnce({ section: 'L3-INFO', signal: stopping.signal });
    await vi.waitFor(() => {
      expect(h.site.requests).toHaveLength(2);
    });
    stopping.abort();
    const [summary] = await pending;
    expect(summary).toMatchObject({ status: 'failed', errorCode: 'scraper.aborted' });
    expect(h.rows.runs().at(-1)).toMatchObject({ status: 'failed', error_code: 'scraper.aborted' });
    expect(h.rows.section()).toMatchObject({ consecutive_failures: 0, last_error_code: null });
    expect(h.rows.events()).toEqual(events);
    h.serve(WEEK);
    expect((await h.scrape(1_000)).status).toBe('unchanged');
  });

  it('sends the credentials of the URL as basic auth and never logs them', async () => {
    const h = await createScraperHarness({ credentials: 'l3info:pl%40nning-s3cret@' });
    h.site.set('/l3.ics', { status: 401, body: 'Unauthorized' });
    const summary = await h.scrape();
    expect(h.site.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('l3info:pl@nning-s3cret').toString('base64')}`,
    );
    expect(summary.errorMessage).not.toMatch(/s3cret/);
    expect(JSON.stringify(h.logs())).not.toMatch(/s3cret/);
    expect(JSON.stringify(h.rows.runs())).not.toMatch(/s3cret/);
  });
});

describe('scraper: implausible drops', () => {
  it('holds a suddenly empty calendar back until identical scrapes confirm it', async () => {
    const h = await createBaselineHarness({
      recordAlerts: true,
      settings: { dropConfirmations: 3 },
    });
    const events = h.rows.events();
    h.site.set('/l3.ics', { body: EMPTY });

    for (const count of [1, 2]) {
      const summary = await h.scrape();
      expect(summary).toMatchObject({
        status: 'held',
        errorCode: 'scraper.suspicious_drop',
        events: 6,
      });
      expect(h.rows.section()).toMatchObject({ held_count: count, event_count: 6 });
      expect(h.rows.events()).toEqual(events);
      expect(h.rows.changes()).toEqual([]);
      expect(h.rows.outbox()).toEqual([]);
    }
    expect(h.rows.runs().map((run) => run.status)).toEqual(['baseline', 'held', 'held']);

    const applied = await h.scrape();
    expect(applied.status).toBe('ok');
    // Five upcoming classes cancelled; the past one is out of sight.
    expect(applied.changes).toEqual({ cancelled: 5 });
    expect(h.rows.outbox()).toHaveLength(1);
    expect(h.rows.section()).toMatchObject({ held_count: 0, event_count: 1 });
  });

  it('holds "most events gone" back the same way', async () => {
    const h = await createScraperHarness({ settings: { dropConfirmations: 2 } });
    h.serve(WEEK);
    await h.scrape();
    h.serve(edit({ 'ADE-lecture': null, 'ADE-tutorial': null, 'ADE-project': null }));
    expect((await h.scrape()).status).toBe('held');
    expect(h.rows.changes()).toEqual([]);
    const applied = await h.scrape();
    expect(applied).toMatchObject({ status: 'ok', changes: { cancelled: 3 } });
  });

  it('starts counting again when the drop it holds back changes', async () => {
    const h = await createScraperHarness({ settings: { dropConfirmations: 2 } });
    h.serve(WEEK);
    await h.scrape();
    h.site.set('/l3.ics', { body: EMPTY });
    expect((await h.scrape()).status).toBe('held');
    h.serve(edit({ 'ADE-lecture': null, 'ADE-tutorial': null, 'ADE-project': null }));
    expect((await h.scrape()).status).toBe('held');
    expect(h.rows.section()).toMatchObject({ held_count: 1 });
  });

  it('forgets a held drop when the calendar comes back whole', async () => {
    const h = await createScraperHarness({ settings: { dropConfirmations: 2 } });
    h.serve(WEEK);
    await h.scrape();
    h.site.set('/l3.ics', { body: EMPTY });
    expect((await h.scrape()).status).toBe('held');
    h.serve(WEEK);
    expect((await h.scrape()).status).toBe('unchanged');
    h.site.set('/l3.ics', { body: EMPTY });
    expect((await h.scrape()).status).toBe('held');
  });

  it('applies a small removal when the next scrape confirms it', async () => {
    const h = await createScraperHarness();
    h.serve(WEEK);
    await h.scrape();
    h.serve(edit({ 'ADE-project': null, 'ADE-english': null }));
    expect(await h.scrape()).toMatchObject({ status: 'unchanged', changes: {} });
    expect(await h.scrape()).toMatchObject({ status: 'ok', changes: { cancelled: 2 } });
  });
});

describe('describeSuspiciousDrop', () => {
  const now = new Date('2026-11-21T10:00:00Z');
  const upcoming = Array.from({ length: 10 }, (_, index) =>
    makeEvent({
      uid: `e${index}`,
      startsAt: new Date(Date.UTC(2026, 10, 23 + index, 8)),
      endsAt: new Date(Date.UTC(2026, 10, 23 + index, 10)),
    }),
  );
  const check = (next: typeof upcoming) =>
    describeSuspiciousDrop(upcoming, next, diffTimetables(upcoming, next, { now }), { now });

  it('calls an empty calendar implausible', () => {
    expect(check([])).toMatch(/suddenly empty/);
  });

  it('calls half of the upcoming events gone implausible, and fewer not', () => {
    expect(check(upcoming.slice(5))).toMatch(/5 of 10/);
    expect(check(upcoming.slice(4))).toBeUndefined();
  });

  it('never calls a drop implausible when nothing upcoming was stored', () => {
    const past = upcoming.map((event) => ({
      ...event,
      startsAt: new Date('2026-11-01T08:00:00Z'),
      endsAt: new Date('2026-11-01T10:00:00Z'),
    }));
    expect(describeSuspiciousDrop(past, [], diffTimetables(past, [], { now }), { now })).toBe(
      undefined,
    );
  });
});

describe('scraper: one run at a time', () => {
  it('makes a second run wait for the first', async () => {
    const h = await createScraperHarness();
    h.serve(WEEK);
    h.site.holdAnswers();
    const first = h.scraper.runOnce({ section: 'L3-INFO' });
    const second = h.scraper.runOnce({ section: 'L3-INFO', trigger: 'manual' });
    await vi.waitFor(() => {
      expect(h.site.heldCount()).toBe(1);
    });
    expect(h.site.requests).toHaveLength(1);
    h.site.release();
    await vi.waitFor(() => {
      expect(h.site.heldCount()).toBe(1);
    });
    h.site.release(true);
    const [[a], [b]] = await Promise.all([first, second]);
    expect([a?.status, b?.status]).toEqual(['baseline', 'unchanged']);
    expect(h.site.maxInFlight()).toBe(1);
    expect(h.rows.runs().map((run) => run.trigger)).toEqual(['schedule', 'manual']);
  });
});

describe('scraper: crash safety', () => {
  it('leaves the previous snapshot intact when the commit fails midway', async () => {
    const h = await createScraperHarness({ recordAlerts: true });
    h.serve(WEEK);
    await h.scrape();
    const events = h.rows.events();
    const section = h.rows.section();
    // The change history insert of the second changed event fails, after the first was applied.
    h.database.sqlite.exec(`
      CREATE TRIGGER fail_midway BEFORE INSERT ON changes
      WHEN NEW.uid = 'ADE-tutorial'
      BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END;
    `);
    h.serve(edit({ 'ADE-lecture': { location: 'Amphi B' }, 'ADE-tutorial': { location: 'C014' } }));
    const summary = await h.scrape();

    expect(summary).toMatchObject({ status: 'failed', errorCode: 'scraper.unexpected' });
    expect(summary.errorMessage).toMatch(/disk full/);
    expect(h.rows.events()).toEqual(events);
    expect(h.rows.changes()).toEqual([]);
    expect(h.rows.outbox()).toEqual([]);
    expect(h.rows.section()).toMatchObject({
      content_version: section.content_version,
      event_count: 6,
      consecutive_failures: 1,
    });
    expect(h.rows.runs().at(-1)).toMatchObject({ status: 'failed' });

    h.database.sqlite.exec('DROP TRIGGER fail_midway');
    h.clock.advance(3_600_000);
    expect(await h.scrape()).toMatchObject({ status: 'ok', changes: { room: 2 } });
  });
});

describe('scraper: ADE fixtures end to end', () => {
  it('finds no change between the ADE export and its re-export', async () => {
    const h = await createScraperHarness();
    h.site.set('/l3.ics', { body: fixtureBytes('ade-like.ics') });
    expect((await h.scrape()).status).toBe('baseline');
    h.site.set('/l3.ics', { body: fixtureBytes('ade-like-reexport.ics') });
    expect(await h.scrape()).toMatchObject({ status: 'unchanged', events: 6 });
  });

  it('reads a Latin-1 export without mojibake', async () => {
    const h = await createScraperHarness();
    h.site.set('/l3.ics', { body: fixtureBytes('latin1.ics') });
    await h.scrape();
    expect(h.rows.events().map((row) => row.title)).toEqual([
      'Mécanique des fluides',
      "Économie d'entreprise",
    ]);
  });
});
