/**
 * A runaway series accepted in a section's first import (there is no baseline to hold it against)
 * must not be announced as thousands of cancellations when it goes: a real server process, a
 * loopback calendar site, a real SQLite file.
 */
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startCalendarServer } from '../scraper/helpers/calendar-server.ts';
import { tomorrow } from './helpers.ts';
import { classesIcs, readDatabase, serverSuite } from './process-helpers.ts';

const ADMIN_TOKEN = 'runaway-baseline-admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const suite = serverSuite('pp-runaway-', ADMIN_TOKEN);
const dir = suite.dir;

/** The same calendar plus a series without end (every hour from tomorrow on). */
function withRunaway(count: number): string {
  const start = tomorrow(new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return classesIcs(count).replace(
    'END:VCALENDAR',
    `BEGIN:VEVENT\r\nUID:runaway\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:${start}\r\n` +
      'DURATION:PT1H\r\nRRULE:FREQ=HOURLY\r\nSUMMARY:Permanence\r\nEND:VEVENT\r\nEND:VCALENDAR',
  );
}

function count(path: string, sql: string): number {
  return readDatabase(path, (db) => (db.prepare(sql).get() as { n: number }).n);
}

describe('a runaway series in the first import', () => {
  it('goes away without a single cancellation announced', { timeout: 120_000 }, async () => {
    const site = await startCalendarServer();
    onTestFinished(() => site.close());
    site.set('/l3.ics', { body: withRunaway(40) });
    const path = join(dir, 'runaway.db');
    const { server, address } = await suite.start(
      suite.env(path, `L3:${site.url('/l3.ics')}`, { SCRAPE_DROP_CONFIRMATIONS: '2' }),
    );
    await server.waitFor(/"status":"baseline"/);
    const imported = count(path, 'SELECT count(*) AS n FROM events');
    expect(imported).toBeGreaterThan(1_040);

    const created = await fetch(`${address}/admin/create_token`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Alice', section: 'L3' }),
    });
    const feed = new URL(((await created.json()) as { url: string }).url).pathname;
    expect(await (await fetch(`${address}${feed}`)).text()).toContain('SUMMARY:Permanence');

    // The series is fixed upstream: the drop is held, then confirmed by a later identical scrape.
    site.set('/l3.ics', { body: classesIcs(40) });
    const scrape = async () => {
      const answer = await fetch(`${address}/admin/scrape`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(answer.status).toBe(200);
      return ((await answer.json()) as { summaries: { status: string }[] }).summaries[0]?.status;
    };
    expect(await scrape()).toBe('held');
    const confirmed = await scrape();
    const changes = count(path, 'SELECT count(*) AS n FROM changes');
    const left = count(path, 'SELECT count(*) AS n FROM events');
    console.log(
      `[runaway-baseline] first import ${imported} events; after the series went (${confirmed}): ` +
        `${left} events, ${changes} change rows, ` +
        `${count(path, 'SELECT count(*) AS n FROM alert_outbox')} alerts queued`,
    );
    // Nothing announced: the run stored no change, the junk is gone from the feed all the same.
    expect(confirmed).toBe('unchanged');
    const served = await (await fetch(`${address}${feed}`)).text();
    expect(served).not.toContain('Permanence');
    expect(served).toContain('SUMMARY:Cours 39');
    expect(changes).toBe(0);
    expect(left).toBe(40);
    await server.waitFor(/deleted without announcing them/);
    server.child.kill('SIGTERM');
    await server.exited;
  });
});
