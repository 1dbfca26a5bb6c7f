/**
 * False alerts, driven as reality does: the real scraper on a real SQLite file, fetching from a
 * loopback calendar site whose answer changes between scrapes (issue 11, "False alerts").
 */
import { describe, expect, it } from 'vitest';
import { buildCalendar } from './helpers/calendar-builder.ts';
import { createScraperHarness, WEEK } from './helpers/scraper-harness.ts';

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
