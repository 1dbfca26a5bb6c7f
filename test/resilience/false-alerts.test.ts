/**
 * False alerts through the real app (createApp, feed server on loopback, real SQLite file, test
 * clock): a fake webdbf serving Latin-1 and a plain ICS site play the school. Checked from outside:
 * change and outbox rows, the personal feed over HTTP, GET /admin/status.
 */
import { Agent, fetch } from 'undici';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { startFakeWebdbf, type FakeWebdbfEvent } from '../fakes/fake-webdbf.ts';
import { buildCalendar, type IcsEventSpec } from '../scraper/helpers/calendar-builder.ts';
import { startCalendarServer } from '../scraper/helpers/calendar-server.ts';
import { ADMIN_TOKEN, startAppHarness, type AppHarness } from './app-harness.ts';

const START = '2026-09-14T06:00:00Z';
const WEB_PASSWORD = 'Été-2026!webdbf-secret';
const DAY = 86_400_000;
/**
 * No keep-alive: a scrape of 20,000 events keeps the app's event loop busy for seconds, and a
 * reused connection can meet the server's keep-alive timeout (ECONNRESET, a test artefact).
 */
const client = new Agent({ pipelining: 0 });
afterAll(() => client.close());

/** Settings shared by every app of this file (alerts are written: a bot is configured, never started). */
const ENV = {
  SCRAPE_DROP_CONFIRMATIONS: '3',
  DISCORD_TOKEN: 'false-alerts-discord-token-unused',
  DISCORD_API_URL: 'http://127.0.0.1:9/api',
  ALERTS_CHANNEL_ID: '1300000000000000001',
  FEED_RATE_LIMIT: '100000',
};

function count(harness: AppHarness, table: 'changes' | 'alert_outbox'): number {
  return (
    harness.app.database.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }
  ).n;
}

async function feedOf(harness: AppHarness, token: string): Promise<string> {
  const response = await fetch(`${harness.address}/feeds/${token}.ics`, { dispatcher: client });
  expect(response.status).toBe(200);
  return response.text();
}

async function scrape(harness: AppHarness, section: string) {
  harness.clock.advance(5 * 60_000);
  const [summary] = await harness.app.runScrape({ section });
  if (summary === undefined) throw new Error('no summary');
  return summary;
}

describe('false alerts from outside', () => {
  it('a Latin-1 webdbf source flapping by 45% over 20 scrapes announces nothing; a real cancellation is announced on the second scrape', async () => {
    const webdbf = await startFakeWebdbf({
      password: WEB_PASSWORD,
      charset: 'latin1',
      now: () => harness.clock.now().getTime(),
    });
    onTestFinished(() => webdbf.close());
    const harness = await startAppHarness(
      {
        ...ENV,
        SECTIONS: 'WEB:eleve/12345',
        LOGIN_URL: webdbf.loginUrl,
        WEBDBF_ICS_BASE_URL: webdbf.icsBaseUrl,
        WEB_USERNAME: 'prenom.nom',
        WEB_PASSWORD,
      },
      { start: START },
    );
    const base = new Date(START).getTime() + DAY;
    const full: FakeWebdbfEvent[] = Array.from({ length: 40 }, (_, index) => ({
      uid: `web-${index}`,
      summary: `Mécanique des fluides n°${index}`,
      startsAt: new Date(base + index * DAY),
      endsAt: new Date(base + index * DAY + 2 * 3_600_000),
      location: 'Salle Génie',
    }));
    webdbf.setEvents('eleve/12345', full);
    expect((await scrape(harness, 'WEB')).status).toBe('baseline');
    const token = await harness.createToken('flap', 'WEB');

    for (let flip = 1; flip <= 20; flip += 1) {
      webdbf.setEvents('eleve/12345', flip % 2 === 1 ? full.slice(0, 22) : full);
      expect((await scrape(harness, 'WEB')).changes).toEqual({});
      const body = await feedOf(harness, token);
      expect(body).not.toContain('Annulé');
      expect(body).toContain('SUMMARY:Mécanique des fluides n°39');
    }
    expect(count(harness, 'changes')).toBe(0);
    expect(count(harness, 'alert_outbox')).toBe(0);

    // A real cancellation of two classes: nothing on the first scrape, announced on the second.
    const cancelled = full.filter((event) => !['web-3', 'web-4'].includes(event.uid));
    webdbf.setEvents('eleve/12345', cancelled);
    expect((await scrape(harness, 'WEB')).changes).toEqual({});
    expect(await scrape(harness, 'WEB')).toMatchObject({
      status: 'ok',
      changes: { cancelled: 2 },
    });
    expect(count(harness, 'changes')).toBe(2);
    expect(count(harness, 'alert_outbox')).toBe(1);
    const body = await feedOf(harness, token);
    expect(body).toContain('SUMMARY:Annulé : Mécanique des fluides n°3');
    expect(body).toContain('SUMMARY:Annulé : Mécanique des fluides n°4');
  });

  it('an ICS site: one invalid byte, a runaway series, then a calendar over the cap', async () => {
    const site = await startCalendarServer();
    onTestFinished(() => site.close());
    const harness = await startAppHarness(
      { ...ENV, SECTIONS: `ICS:${site.url('/l3.ics')}` },
      { start: START },
    );
    const base = new Date(START).getTime() + DAY;
    const week: IcsEventSpec[] = Array.from({ length: 6 }, (_, index) => ({
      uid: `ade-${index}`,
      start: new Date(base + index * DAY).toISOString(),
      end: new Date(base + index * DAY + 2 * 3_600_000).toISOString(),
      summary: `Électronique numérique ${index}`,
      location: 'Amphi Lumière',
    }));
    const serve = (body: string | Buffer) => {
      site.set('/l3.ics', { body });
    };
    serve(buildCalendar(week));
    expect((await scrape(harness, 'ICS')).status).toBe('baseline');
    const token = await harness.createToken('ics', 'ICS');

    // One stray byte in one title: that class only, then its repair.
    const text = Buffer.from(buildCalendar(week));
    const cut = text.indexOf('SUMMARY:Électronique numérique 2') + 'SUMMARY:'.length;
    serve(Buffer.concat([text.subarray(0, cut), Buffer.from([0xff]), text.subarray(cut)]));
    expect((await scrape(harness, 'ICS')).changes).toEqual({ renamed: 1 });
    expect(await feedOf(harness, token)).toContain('SUMMARY:Électronique numérique 1');
    serve(buildCalendar(week));
    expect((await scrape(harness, 'ICS')).changes).toEqual({ renamed: 1 });
    expect(count(harness, 'changes')).toBe(2);

    // A series without end (2,000 hourly instances): held; the real calendar after it is quiet.
    const runaway = buildCalendar(week).replace(
      'END:VCALENDAR',
      'BEGIN:VEVENT\r\nUID:runaway\r\nDTSTART:20260915T070000Z\r\nDURATION:PT1H\r\n' +
        'RRULE:FREQ=HOURLY\r\nSUMMARY:Permanence\r\nEND:VEVENT\r\nEND:VCALENDAR',
    );
    serve(runaway);
    expect(await scrape(harness, 'ICS')).toMatchObject({
      status: 'held',
      errorCode: 'scraper.suspicious_increase',
    });
    expect(await feedOf(harness, token)).not.toContain('Permanence');
    serve(buildCalendar(week));
    for (let again = 0; again < 4; again += 1) {
      expect((await scrape(harness, 'ICS')).changes).toEqual({});
    }
    expect(count(harness, 'changes')).toBe(2);
    expect(await feedOf(harness, token)).not.toContain('Permanence');

    // Over the cap: 10 old hourly series first in the file, this week's classes last.
    const old = Array.from(
      { length: 10 },
      (_, index) =>
        `BEGIN:VEVENT\r\nUID:old-${index}\r\nDTSTART:20251201T070000Z\r\nDURATION:PT1H\r\n` +
        `RRULE:FREQ=HOURLY;COUNT=2000\r\nSUMMARY:Archive ${index}\r\nEND:VEVENT\r\n`,
    ).join('');
    const huge = buildCalendar(week).replace('BEGIN:VEVENT', `${old}BEGIN:VEVENT`);
    serve(huge);
    const status = async () => {
      const response = await fetch(`${harness.address}/admin/status`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        dispatcher: client,
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { sections: { name: string; truncated: boolean }[] })
        .sections;
    };
    expect(await status()).toMatchObject([{ name: 'ICS', truncated: false }]);
    // Held first (20,000 new events at once), confirmed by identical scrapes.
    let summary = await scrape(harness, 'ICS');
    for (let tries = 0; summary.status === 'held' && tries < 5; tries += 1) {
      summary = await scrape(harness, 'ICS');
    }
    expect(summary.status).toBe('ok');
    expect(summary.events).toBe(20_000);
    const run = harness.app.database.sqlite
      .prepare('SELECT truncated FROM scrape_runs ORDER BY id DESC LIMIT 1')
      .get() as { truncated: number };
    expect(run.truncated).toBe(1);
    expect(await status()).toMatchObject([{ name: 'ICS', truncated: true }]);
    const body = await feedOf(harness, token);
    for (let index = 0; index < 6; index += 1) {
      expect(body).toContain(`SUMMARY:Électronique numérique ${index}`);
    }
  });
});
