// The app scrapes in a worker thread (src/scraper/worker/) unless a test injects a clock or an
// HTTP dispatcher. Both paths run on real SQLite files and real calendar files; the worker must
// report the same summaries and errors as the app's own thread, relay its logs, and its commits
// must show in feeds as soon as a run is answered.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { isAppError, type ScrapeSummary } from '../../src/core/index.ts';
import { createCapturingLogger } from '../helpers/logger.ts';

const ADMIN_TOKEN = 'admin-token-for-worker-tests-0123456789';
const FIXTURES = new URL('../fixtures/ics/', import.meta.url).pathname;

function calendar(titles: readonly string[]): string {
  const events = titles.flatMap((title, index) => [
    'BEGIN:VEVENT',
    `UID:cours-${index}@test`,
    'DTSTAMP:20261121T080000Z',
    `DTSTART:202611${String(23 + index).padStart(2, '0')}T080000Z`,
    `DTEND:202611${String(23 + index).padStart(2, '0')}T100000Z`,
    `SUMMARY:${title}`,
    'END:VEVENT',
  ]);
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    ...events,
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function makeApp(options: { threaded: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), 'pp-worker-'));
  const good = join(dir, 'good.ics');
  writeFileSync(good, calendar(['Algèbre', 'Physique']));
  const config = parseConfig({
    SECTIONS: [
      `Good:file:${good}`,
      `Missing:file:${join(dir, 'missing.ics')}`,
      `Html:file:${join(FIXTURES, 'html-login.html')}`,
      `Broken:file:${join(FIXTURES, 'malformed.ics')}`,
    ].join(','),
    DATABASE_PATH: join(dir, 'app.db'),
    PORT: '0',
    ADMIN_STATIC_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'info',
  });
  const capture = createCapturingLogger('info');
  // A dispatcher override is what keeps scrapes on the app's thread (tests that fake upstreams).
  const app = createApp({
    config,
    logger: capture.logger,
    version: 'test',
    ...(options.threaded ? {} : { overrides: { dispatcher: new Agent() } }),
  });
  onTestFinished(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, good, capture };
}

function comparable(summaries: readonly ScrapeSummary[]) {
  return summaries.map(({ section, status, errorCode, errorMessage, events, changes }) => ({
    section,
    status,
    errorCode,
    errorMessage: errorMessage?.replace(/\/tmp\/pp-worker-\w+/g, '<dir>'),
    events,
    changes,
  }));
}

describe('scrapes in a worker thread', () => {
  it('give the same summaries and errors as on the app thread, with their logs relayed', async () => {
    const threaded = makeApp({ threaded: true });
    const inline = makeApp({ threaded: false });
    await threaded.app.start({ schedule: false, bot: false });
    await inline.app.start({ schedule: false, bot: false });

    const fromWorker = await threaded.app.runScrape();
    const fromThread = await inline.app.runScrape();
    expect(comparable(fromWorker)).toEqual(comparable(fromThread));
    expect(fromWorker.map((summary) => [summary.status, summary.errorCode])).toEqual([
      ['baseline', undefined],
      ['failed', 'scraper.file_unreadable'],
      ['failed', 'scraper.not_calendar'],
      // Its broken events are skipped, the others stored (as on the app thread, checked above).
      ['baseline', undefined],
    ]);

    // An error thrown by a run (not a source failure) is the same AppError on both paths.
    const refusals = await Promise.all(
      [threaded, inline].map(({ app }) =>
        app.runScrape({ section: 'Nope' }).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    for (const refusal of refusals) {
      expect(isAppError(refusal) && refusal.code).toBe('section.unknown');
      expect(isAppError(refusal) && refusal.publicMessage).toBe('unknown section "Nope"');
    }

    // The worker's log lines reach the app's logger, at their level, secrets redacted as before.
    const workerRecords = threaded.capture
      .records()
      .filter((record) => record.thread === 'scrape-worker');
    expect(workerRecords.some((record) => record.msg === 'scrape failed')).toBe(true);
    expect(workerRecords.find((record) => record.msg === 'scrape failed')?.level).toBe(40);
    expect(inline.capture.records().some((record) => record.thread === 'scrape-worker')).toBe(
      false,
    );
  });

  it('shows a run committed by the worker in the feed as soon as the run is answered', async () => {
    const { app, good } = makeApp({ threaded: true });
    const { address } = await app.start({ schedule: false, bot: false });
    await app.runScrape({ section: 'Good' });
    const created = await fetch(`${address}/admin/create_token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice', section: 'Good' }),
    });
    const { token } = (await created.json()) as { token: string };
    const feedUrl = `${address}/feeds/${token}.ics`;
    expect(await (await fetch(feedUrl)).text()).toContain('SUMMARY:Algèbre');

    for (const title of ['Analyse', 'Géométrie', 'Topologie']) {
      writeFileSync(good, calendar([title, 'Physique']));
      const [summary] = await app.runScrape({ section: 'Good' });
      expect(summary).toMatchObject({ status: 'ok', changes: { renamed: 1 } });
      expect(await (await fetch(feedUrl)).text()).toContain(`SUMMARY:${title}`);
    }
  });

  it('starts no run when the app stops after a scrape (the stop only waits for the one in progress)', async () => {
    const { app, good } = makeApp({ threaded: true });
    await app.start({ schedule: false, bot: false });
    await app.runScrape({ section: 'Good' });
    await app.stop();
    const database = new Database(join(dirname(good), 'app.db'), { readonly: true });
    try {
      const runs = database.prepare('SELECT status, error_code FROM scrape_runs').all();
      expect(runs).toEqual([{ status: 'baseline', error_code: null }]);
    } finally {
      database.close();
    }
  });
});
