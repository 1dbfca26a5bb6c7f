/**
 * False alerts, driven as reality does: the real scraper on a real SQLite file, fetching from a
 * loopback calendar site whose answer changes between scrapes (issue 11, "False alerts").
 */
import { describe, expect, it } from 'vitest';
import { buildCalendar, type IcsEventSpec } from './helpers/calendar-builder.ts';
import {
  createBaselineHarness,
  createScraperHarness,
  edit,
  WEEK,
} from './helpers/scraper-harness.ts';

describe('false alerts: one invalid UTF-8 byte', () => {
  it('spoils at most its own event, and its repair is that one change again', async () => {
    const h = await createScraperHarness({ recordAlerts: true });
    h.serve(WEEK);
    await h.scrape();
    const titles = () => h.rows.events().map((row) => row.title);
    const before = titles();
    expect(before).toContain('Algorithmique avancée');

    // A hand edit leaves one stray 0xFF byte in the English class's title.
    const text = buildCalendar(WEEK, { exportedAt: h.clock.now().toISOString() });
    const cut = Buffer.from(text).indexOf('SUMMARY:Anglais') + 'SUMMARY:Angl'.length;
    const bytes = Buffer.from(text);
    h.site.set('/l3.ics', {
      body: Buffer.concat([bytes.subarray(0, cut), Buffer.from([0xff]), bytes.subarray(cut)]),
    });
    const glitch = await h.scrape();
    expect(glitch).toMatchObject({ status: 'ok', changes: { renamed: 1 } });
    expect(h.rows.changes().map((row) => row.uid)).toEqual(['ADE-english']);
    expect(titles()).toEqual(
      before.map((title) => (title === 'Anglais' ? 'Angl\uFFFDais' : title)),
    );

    h.serve(WEEK);
    expect(await h.scrape()).toMatchObject({ status: 'ok', changes: { renamed: 1 } });
    expect(titles()).toEqual(before);
    expect(h.rows.changes()).toHaveLength(2);
  });
});

/** `count` upcoming classes, one a day from 23 November (all in sight at START). */
function term(count: number, prefix = 'ADE-term'): IcsEventSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    uid: `${prefix}-${index}`,
    start: new Date(Date.UTC(2026, 10, 23 + index, 8)).toISOString(),
    end: new Date(Date.UTC(2026, 10, 23 + index, 10)).toISOString(),
    summary: `Cours ${index}`,
    location: 'B203',
    description: ['L3 INFO', 'DUPONT Marie'],
  }));
}

/** WEEK plus a series without end, every hour from Monday: capped at 2,000 instances. */
function withRunawaySeries(exportedAt: string): string {
  const runaway = [
    'BEGIN:VEVENT',
    'UID:runaway-office-hours',
    'DTSTAMP:20261121T100000Z',
    'DTSTART:20261123T070000Z',
    'DTEND:20261123T080000Z',
    'RRULE:FREQ=HOURLY',
    'SUMMARY:Permanence',
    'END:VEVENT',
  ].join('\r\n');
  return buildCalendar(WEEK, { exportedAt }).replace(
    'END:VCALENDAR',
    `${runaway}\r\nEND:VCALENDAR`,
  );
}

describe('false alerts: flapping partial drops', () => {
  it.each([
    ['one class', 1],
    ['45% of the calendar', 18],
    ['almost all of it (held as a drop too)', 39],
  ])('a source flapping by %s over 20 scrapes announces nothing', async (_name, missing) => {
    const h = await createScraperHarness({ recordAlerts: true });
    const full = term(40);
    h.serve(full);
    await h.scrape();
    const events = h.rows.events();
    for (let scrape = 1; scrape <= 20; scrape += 1) {
      // Odd scrapes lose the last `missing` classes, even ones bring them back.
      h.serve(scrape % 2 === 1 ? full.slice(0, 40 - missing) : full);
      const summary = await h.scrape();
      expect(summary.changes).toEqual({});
    }
    expect(h.rows.changes()).toEqual([]);
    expect(h.rows.outbox()).toEqual([]);
    expect(h.alertsCalled()).toBe(0);
    expect(h.rows.events()).toEqual(events);
  });

  it('still announces a real cancellation of two classes on the second scrape', async () => {
    const h = await createScraperHarness({ recordAlerts: true });
    h.serve(WEEK);
    await h.scrape();
    h.serve(edit({ 'ADE-project': null, 'ADE-english': null }));
    const first = await h.scrape();
    expect(first).toMatchObject({ status: 'unchanged', changes: {} });
    expect(h.rows.outbox()).toEqual([]);
    const second = await h.scrape();
    expect(second).toMatchObject({ status: 'ok', changes: { cancelled: 2 } });
    expect(h.rows.outbox()).toHaveLength(1);
    expect(h.rows.changes().map((row) => [row.uid, row.kinds])).toEqual([
      ['ADE-project', 'cancelled'],
      ['ADE-english', 'cancelled'],
    ]);
    // Announced and kept in feeds as cancelled: they were real classes.
    expect(h.rows.events().filter((row) => row.removed_at !== null)).toHaveLength(2);
  });

  it('waits for a successful scrape: a failure in between neither confirms nor forgets', async () => {
    const h = await createScraperHarness({ recordAlerts: true });
    h.serve(WEEK);
    await h.scrape();
    h.serve(edit({ 'ADE-project': null }));
    expect((await h.scrape()).changes).toEqual({});
    h.site.set('/l3.ics', { status: 503, body: 'busy' });
    expect((await h.scrape()).status).toBe('failed');
    h.serve(edit({ 'ADE-project': null }));
    h.clock.advance(3_600_000);
    expect(await h.scrape()).toMatchObject({ status: 'ok', changes: { cancelled: 1 } });
  });
});

describe('false alerts: implausible increases', () => {
  it('holds a runaway series back, and the real calendar after it announces nothing', async () => {
    const h = await createBaselineHarness({
      recordAlerts: true,
      settings: { dropConfirmations: 3 },
    });
    const events = h.rows.events();
    h.site.set('/l3.ics', { body: withRunawaySeries(h.clock.now().toISOString()) });
    const held = await h.scrape();
    expect(held).toMatchObject({
      status: 'held',
      errorCode: 'scraper.suspicious_increase',
      events: 6,
    });
    expect(held.errorMessage).toMatch(/2000 new events appeared at once/);
    expect(h.rows.runs().at(-1)).toMatchObject({
      status: 'held',
      error_code: 'scraper.suspicious_increase',
    });
    for (let scrape = 0; scrape < 5; scrape += 1) {
      h.serve(WEEK);
      expect(await h.scrape()).toMatchObject({ status: 'unchanged', changes: {} });
    }
    expect(h.rows.changes()).toEqual([]);
    expect(h.rows.outbox()).toEqual([]);
    expect(h.rows.events()).toEqual(events);
  });

  it('holds a calendar grown several-fold until identical scrapes confirm it', async () => {
    const h = await createScraperHarness({
      recordAlerts: true,
      settings: { dropConfirmations: 2 },
    });
    h.serve(WEEK);
    await h.scrape();
    h.serve([...WEEK, ...term(30)]);
    expect(await h.scrape()).toMatchObject({
      status: 'held',
      errorCode: 'scraper.suspicious_increase',
    });
    expect(h.rows.changes()).toEqual([]);
    expect(await h.scrape()).toMatchObject({ status: 'ok', changes: { added: 30 } });
    expect(h.rows.outbox()).toHaveLength(1);
  });

  it('adds a few classes at once', async () => {
    const h = await createScraperHarness({ recordAlerts: true });
    h.serve(WEEK);
    await h.scrape();
    h.serve([...WEEK, ...term(3)]);
    expect(await h.scrape()).toMatchObject({ status: 'ok', changes: { added: 3 } });
  });
});

describe('false alerts: an event seen by a single scrape is never kept as cancelled', () => {
  const feed = (h: Awaited<ReturnType<typeof createScraperHarness>>) =>
    h.database.repositories.events
      .listForFeed(h.rows.section().id as number, new Date(0))
      .map((event) => event.uid);

  it('deletes a class that appeared for one scrape when its removal is confirmed', async () => {
    const h = await createScraperHarness({ recordAlerts: true });
    h.serve(WEEK);
    await h.scrape();
    const [extra] = term(1, 'ADE-mistake');
    h.serve([...WEEK, extra!]);
    expect(await h.scrape()).toMatchObject({ status: 'ok', changes: { added: 1 } });
    h.serve(WEEK);
    expect((await h.scrape()).changes).toEqual({});
    // Those who read "added" learn it is gone; feeds drop it instead of showing "Annulé" for days.
    expect(await h.scrape()).toMatchObject({ status: 'ok', changes: { cancelled: 1 } });
    expect(feed(h)).not.toContain('ADE-mistake-0');
    expect(h.rows.events().map((row) => row.uid)).not.toContain('ADE-mistake-0');
  });

  it('keeps a class seen by two scrapes as cancelled', async () => {
    const h = await createScraperHarness();
    h.serve(WEEK);
    await h.scrape();
    const [extra] = term(1, 'ADE-real');
    h.serve([...WEEK, extra!]);
    await h.scrape();
    await h.scrape();
    h.serve(WEEK);
    await h.scrape();
    expect(await h.scrape()).toMatchObject({ changes: { cancelled: 1 } });
    expect(feed(h)).toContain('ADE-real-0');
  });

  it('purges a confirmed runaway series when the real calendar comes back', async () => {
    const h = await createScraperHarness({ settings: { dropConfirmations: 2 } });
    h.serve(WEEK);
    await h.scrape();
    h.site.set('/l3.ics', { body: withRunawaySeries(h.clock.now().toISOString()) });
    expect((await h.scrape()).status).toBe('held');
    // The runaway lasts: confirmed by a second identical scrape, it is stored (2,000 additions).
    expect(await h.scrape()).toMatchObject({ status: 'ok', changes: { added: 2000 } });
    h.serve(WEEK);
    expect((await h.scrape()).status).toBe('held');
    const back = await h.scrape();
    expect(back).toMatchObject({ status: 'ok', events: 6 });
    // Not a week of 2,000 "Annulé : Permanence" in every feed.
    expect(feed(h).filter((uid) => uid.startsWith('runaway'))).toEqual([]);
    expect(feed(h)).toHaveLength(6);
  });
});
