/**
 * The app against a school site on loopback that compresses its exports or redirects: a gzip or
 * deflate calendar is stored like a plain one; a redirect to another host fails the run with an
 * error naming that host, and the other host never sees a request.
 */
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createTestApp } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { singleEventIcs } from '../helpers/events.ts';
import { createCapturingLogger } from '../helpers/logger.ts';
import { startCalendarServer } from '../scraper/helpers/calendar-server.ts';

const CALENDAR = singleEventIcs('SUMMARY:Mathématiques', 'LOCATION:A1');

function appFor(sections: string) {
  const { dir } = createTestDatabase();
  const { logger } = createCapturingLogger('info');
  const config = parseConfig({
    SECTIONS: sections,
    DATABASE_PATH: join(dir, 'app.db'),
    PORT: '0',
    LOG_LEVEL: 'info',
  });
  return createTestApp(config, logger);
}

describe('upstream HTTP details', () => {
  it('stores gzip and deflate exports like plain ones', async () => {
    const site = await startCalendarServer();
    onTestFinished(() => site.close());
    site.set('/gz.ics', { body: gzipSync(CALENDAR), headers: { 'content-encoding': 'gzip' } });
    site.set('/df.ics', {
      body: deflateSync(CALENDAR),
      headers: { 'content-encoding': 'deflate' },
    });
    const app = appFor(`GZ:${site.url('/gz.ics')},DF:${site.url('/df.ics')}`);
    const summaries = await app.runScrape();
    expect(summaries).toMatchObject([
      { section: 'GZ', status: 'baseline', events: 1 },
      { section: 'DF', status: 'baseline', events: 1 },
    ]);
    const row = app.repositories.sections.findByKey(summaries[0]!.sectionKey);
    expect(app.repositories.events.listCurrent(row!.id)).toMatchObject([
      { title: 'Mathématiques' },
    ]);
  });

  it('fails a run redirected to another host, naming it, and never fetches there', async () => {
    const site = await startCalendarServer();
    const internal = await startCalendarServer();
    onTestFinished(() => site.close());
    onTestFinished(() => internal.close());
    internal.set('/latest/meta-data', { body: CALENDAR });
    site.set('/cal.ics', {
      status: 302,
      body: '',
      headers: { location: internal.url('/latest/meta-data') },
    });
    const app = appFor(`L3:${site.url('/cal.ics')}`);
    const [summary] = await app.runScrape();
    expect(summary).toMatchObject({ status: 'failed', errorCode: 'scraper.redirect_elsewhere' });
    expect(summary?.errorMessage).toContain(`127.0.0.1:${internal.port}`);
    expect(internal.requests).toEqual([]);
  });
});
