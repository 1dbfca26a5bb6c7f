import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { describeBackoff } from '../../src/scraper/source-identity.ts';
import { createTestClock } from '../helpers/clock.ts';
import { singleEventIcs } from '../helpers/events.ts';
import { createCapturingLogger } from '../helpers/logger.ts';

const CALENDAR = singleEventIcs('SUMMARY:Maths');

/** A loopback upstream: /ok.ics serves a calendar, anything else a 500. */
async function startUpstream(): Promise<string> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/ok.ics') {
      response.writeHead(200, { 'content-type': 'text/calendar' }).end(CALENDAR);
    } else {
      response.writeHead(500).end('down');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function databaseFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pp-backoff-'));
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return join(dir, 'backoff.db');
}

const clock = createTestClock('2026-11-21T10:00:00Z');

/** One process lifetime: open the app on the file, run `body`, stop it. */
async function withApp<T>(
  env: Record<string, string>,
  body: (app: ReturnType<typeof createApp>) => Promise<T> | T,
): Promise<{ result: T; records: Record<string, unknown>[] }> {
  const capture = createCapturingLogger('info');
  const app = createApp({
    config: parseConfig({ LOG_LEVEL: 'silent', SCRAPE_INTERVAL: '300', ...env }),
    logger: capture.logger,
    version: 'test',
    overrides: { clock },
  });
  try {
    return { result: await body(app), records: capture.records() };
  } finally {
    await app.stop();
  }
}

const sectionState = (app: ReturnType<typeof createApp>) => {
  const row = app.repositories.sections.findByKey('1a' as never);
  return { failures: row?.consecutiveFailures, nextRunAt: row?.nextRunAt?.toISOString() ?? null };
};

describe('backoff across restarts', () => {
  it('is kept while the source is unchanged, and reset when the source spec was fixed', async () => {
    const upstream = await startUpstream();
    const DATABASE_PATH = databaseFile();
    const broken = { DATABASE_PATH, SECTIONS: `1A:${upstream}/typo.ics` };

    await withApp(broken, async (app) => {
      await app.runScrape();
      await app.runScrape();
      expect(sectionState(app)).toEqual({ failures: 2, nextRunAt: '2026-11-21T10:10:00.000Z' });
    });

    // Restarted with the same broken source: still in backoff, and the start report says so.
    const again = await withApp(broken, (app) => {
      const report = describeBackoff(
        app.repositories.sections.list(),
        parseConfig(broken).sections,
        clock.now(),
        { adminApi: false },
      );
      return { state: sectionState(app), report };
    });
    expect(again.result.state).toEqual({ failures: 2, nextRunAt: '2026-11-21T10:10:00.000Z' });
    expect(again.result.report).toEqual([
      {
        section: '1A',
        until: '2026-11-21T10:10:00.000Z',
        failures: 2,
        lastError: expect.stringMatching(/^scraper\.http_status: /) as unknown,
        line: expect.stringMatching(
          /^section "1A" is in backoff until 2026-11-21T10:10:00\.000Z after 2 failed scrapes \(last error scraper\.http_status: .*\); a changed source or credentials resets it at start; to retry now: npm run cli -- scrape --section "1A"$/,
        ) as unknown,
      },
    ]);

    // Fixed: the backoff is gone, so the schedule's next tick scrapes it.
    const fixed = await withApp({ DATABASE_PATH, SECTIONS: `1A:${upstream}/ok.ics` }, (app) =>
      sectionState(app),
    );
    expect(fixed.result).toEqual({ failures: 0, nextRunAt: null });
    expect(fixed.records.map((record) => record.msg)).toContain(
      'source or credentials changed since the last failure: backoff reset, scraping it on the next tick',
    );
  });

  it('is reset when the credentials changed, and no password reaches the database', async () => {
    const DATABASE_PATH = databaseFile();
    const env = {
      DATABASE_PATH,
      SECTIONS: '1A:eleve/12345',
      WEB_USERNAME: 'prenom.nom',
      WEB_PASSWORD: 'wrong-password-1',
    };
    await withApp(env, (app) => {
      const row = app.repositories.sections.findByKey('1a' as never);
      app.repositories.sections.recordFailure(row?.id ?? 0, {
        at: clock.now(),
        code: 'scraper.auth_rejected',
        message: 'login refused',
        nextRunAt: new Date('2026-11-21T11:00:00Z'),
      });
    });
    const sameAgain = await withApp(env, (app) => sectionState(app));
    expect(sameAgain.result).toEqual({ failures: 1, nextRunAt: '2026-11-21T11:00:00.000Z' });

    const fixed = await withApp({ ...env, WEB_PASSWORD: 'right-password-2' }, (app) =>
      sectionState(app),
    );
    expect(fixed.result).toEqual({ failures: 0, nextRunAt: null });

    const bytes = readFileSync(DATABASE_PATH).toString('latin1');
    const wal = readFileSync(`${DATABASE_PATH}-wal`, { flag: 'a+' }).toString('latin1');
    for (const secret of ['wrong-password-1', 'right-password-2']) {
      expect(bytes + wal).not.toContain(secret);
    }
  });
});
