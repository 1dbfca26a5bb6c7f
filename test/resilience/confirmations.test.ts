/**
 * A confirmation must be a second look at the upstream: two scrapes fired together (the server's
 * admin scrape and a CLI scrape, real processes on one real SQLite file) read the same upstream
 * moment and count once, for a held implausible change and for a pending removal alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { startCalendarServer } from '../scraper/helpers/calendar-server.ts';
import { runCliProcess, startServerProcess } from '../helpers/processes.ts';
import { buildIcs, tomorrow } from './helpers.ts';

const ADMIN_TOKEN = 'confirmations-admin-token-0123456789';
const EVENTS = 60;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

const dir = mkdtempSync(join(tmpdir(), 'pp-confirm-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function calendar(count: number): string {
  const first = tomorrow(new Date());
  return buildIcs(
    Array.from({ length: count }, (_, index) => ({
      uid: `cours-${index}`,
      start: new Date(first.getTime() + index * 3_600_000 * 3),
      summary: `Cours ${index}`,
    })),
  );
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never happened: ${what}`);
}

function read<T>(path: string, query: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}
const statuses = (path: string) =>
  read(path, (db) =>
    (
      db.prepare('SELECT status, error_code FROM scrape_runs ORDER BY id').all() as {
        status: string;
        error_code: string | null;
      }[]
    ).map((run) => (run.status === 'failed' ? `failed(${run.error_code})` : run.status)),
  );
const changeCount = (path: string) =>
  read(path, (db) => (db.prepare('SELECT count(*) AS n FROM changes').get() as { n: number }).n);

describe('confirmations come from later scrapes only', () => {
  it(
    'an admin scrape and a CLI scrape fired together count as one look, for a held drop and a pending removal',
    { timeout: 180_000 },
    async () => {
      const site = await startCalendarServer();
      onTestFinished(() => site.close());
      site.set('/l3.ics', { body: calendar(EVENTS) });
      const path = join(dir, 'confirm.db');
      const env = {
        DATABASE_PATH: path,
        SECTIONS: `L3:${site.url('/l3.ics')}`,
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_STATIC_TOKEN: ADMIN_TOKEN,
        SCRAPE_INTERVAL: '3600',
        SCRAPE_DROP_CONFIRMATIONS: '3',
        LOG_LEVEL: 'info',
      };
      const server = startServerProcess(env);
      onTestFinished(async () => {
        if (server.child.exitCode === null && server.child.signalCode === null) {
          server.child.kill('SIGKILL');
          await server.exited;
        }
      });
      const address =
        (await server.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1] ?? '';
      await until('the baseline', () => (statuses(path).includes('baseline') ? true : undefined));

      const adminScrape = () =>
        fetch(`${address}/admin/scrape`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: '{}',
        });
      /** The server's scrape and a CLI scrape, both asking the site before either has its answer. */
      async function together(): Promise<void> {
        site.holdAnswers();
        const first = adminScrape();
        const second = runCliProcess(['scrape', '--json'], env);
        await until('both scrapes in flight', () => (site.heldCount() === 2 ? true : undefined));
        site.release(true);
        const [answer, cli] = await Promise.all([first, second]);
        expect(answer.status).toBe(200);
        expect(cli.code).toBe(0);
      }

      // Two thirds of the calendar vanish: held; the pair is one look, one later scrape is two.
      site.set('/l3.ics', { body: calendar(EVENTS / 3) });
      await together();
      expect((await adminScrape()).status).toBe(200);
      const afterDrop = statuses(path);
      console.log(`[confirmations] held drop, pair + 1 later scrape: runs ${afterDrop.join(', ')}`);
      expect(afterDrop.slice(-3)).toEqual(['held', 'held', 'held']);
      expect(changeCount(path)).toBe(0);
      // The hold is visible to the admin: why, and how many identical later scrapes remain.
      const status = (await (await fetch(`${address}/admin/status`, { headers: auth })).json()) as {
        sections: { held: unknown }[];
      };
      expect(status.sections[0]?.held).toMatchObject({
        code: 'scraper.suspicious_drop',
        reason: `${EVENTS - EVENTS / 3} of ${EVENTS} upcoming events disappeared at once`,
        confirmationsRemaining: 1,
      });

      // One class really cancelled: pending after the pair, announced by the next later scrape.
      site.set('/l3.ics', { body: calendar(EVENTS - 1) });
      await together();
      expect(changeCount(path)).toBe(0);
      expect((await adminScrape()).status).toBe(200);
      expect(changeCount(path)).toBe(1);
      const after = (await (await fetch(`${address}/admin/status`, { headers: auth })).json()) as {
        sections: { held: unknown }[];
      };
      expect(after.sections[0]?.held).toBeNull();

      server.child.kill('SIGTERM');
      await server.exited;
    },
  );
});
