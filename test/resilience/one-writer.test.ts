/**
 * One writer per database, and records that stay true, with the real processes: `node src/main.ts`
 * servers and `node src/cli/main.ts` commands on one DATABASE_PATH (a real SQLite file), a
 * loopback calendar site that holds its answers so runs are caught in flight, real HTTP requests.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startCalendarServer } from '../scraper/helpers/calendar-server.ts';
import { runCliProcess, startServerProcess, type RunningProcess } from '../helpers/processes.ts';
import { changeCount, classesIcs, readDatabase, serverSuite, until } from './process-helpers.ts';

const ADMIN_TOKEN = 'one-writer-admin-token-0123456789';
const EVENTS = 300;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

const suite = serverSuite('pp-one-writer-', ADMIN_TOKEN);
const dir = suite.dir;

function calendar(version: number): string {
  return classesIcs(EVENTS, (index) =>
    version === 1 ? `Cours ${index}` : `Cours ${index} (salle changée)`,
  );
}

type Run = { id: number; status: string; error_code: string | null; error_message: string | null };

const runs = (path: string) =>
  readDatabase(path, (db) => db.prepare('SELECT * FROM scrape_runs ORDER BY id').all() as Run[]);

async function startServer(env: Record<string, string>): Promise<{
  server: RunningProcess;
  address: string;
}> {
  const started = await suite.start(env);
  await started.server.waitFor(/planning proxy started/);
  return started;
}

function expectRefusal(output: string, path: string): void {
  expect(output).toContain(`Planning Proxy cannot start: DATABASE_PATH (${path}) is in use`);
  expect(output).not.toMatch(/\n\s+at /);
}

describe('one writer per database', () => {
  it(
    'refuses a second server, lets the CLI work without touching the live run, records a change once, and restarts after SIGKILL',
    { timeout: 180_000 },
    async () => {
      const site = await startCalendarServer();
      onTestFinished(() => site.close());
      site.set('/l3.ics', { body: calendar(1) });
      const path = join(dir, 'shared.db');
      const env = suite.env(path, `L3:${site.url('/l3.ics')}`);

      const first = await startServer(env);
      await until('the baseline', () =>
        runs(path).some((run) => run.status === 'baseline') ? true : undefined,
      );

      // A second server on the same file stops at once, naming DATABASE_PATH.
      const second = startServerProcess(env);
      expect(await second.exited).toBe(1);
      expectRefusal(second.output(), path);

      // The server's next scrape is caught in flight (the site holds its answer).
      site.set('/l3.ics', { body: calendar(2) });
      site.holdAnswers();
      const serverScrape = fetch(`${first.address}/admin/scrape`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{}',
      });
      await until('the server run in flight', () => (site.heldCount() === 1 ? true : undefined));
      const live = runs(path).at(-1);
      expect(live?.status).toBe('running');

      // CLI commands work alongside, and none closes the server's live run.
      const backup = await runCliProcess(['backup', join(dir, 'copy.db')], env);
      expect(backup).toMatchObject({ code: 0 });
      const token = await runCliProcess(
        ['token', 'create', '--name', 'Alice', '--section', 'L3'],
        env,
      );
      expect(token.code).toBe(0);
      expect(runs(path).find((run) => run.id === live?.id)).toMatchObject({
        status: 'running',
        error_code: null,
      });

      // A manual CLI scrape of the same change races the server's: the change is stored once.
      const cliScrape = runCliProcess(['scrape', '--json'], env);
      await until('the CLI run in flight', () => (site.heldCount() === 2 ? true : undefined));
      site.release(true);
      const [serverAnswer, cli] = await Promise.all([serverScrape, cliScrape]);
      expect(serverAnswer.status).toBe(200);
      expect(cli.code).toBe(0);
      const after = runs(path);
      console.log(
        `[one-writer] server and CLI scrapes of ${EVENTS} renames released together: ` +
          `${changeCount(path)} change rows; runs ${after.map((run) => `${run.status}${run.error_code === null ? '' : `(${run.error_code})`}`).join(', ')}`,
      );
      expect(changeCount(path)).toBe(EVENTS);
      expect(after.filter((run) => run.status === 'running')).toEqual([]);
      expect(after.filter((run) => run.status === 'ok')).toHaveLength(1);
      for (const run of after.filter((each) =>
        ['ok', 'unchanged', 'baseline'].includes(each.status),
      )) {
        expect(run).toMatchObject({ error_code: null, error_message: null });
      }

      // SIGKILL leaves no stale lock: a new server starts at once, and then holds the lock itself.
      first.server.child.kill('SIGKILL');
      await first.server.exited;
      const restarted = await startServer(env);
      const third = startServerProcess(env);
      expect(await third.exited).toBe(1);
      expectRefusal(third.output(), path);
      restarted.server.child.kill('SIGTERM');
      expect(await restarted.server.exited).toBe(0);
    },
  );

  it(
    'a database error while recording a failure answers 200 and the run is closed afterwards',
    { timeout: 120_000 },
    async () => {
      const site = await startCalendarServer();
      onTestFinished(() => site.close());
      site.set('/l3.ics', { body: calendar(1) });
      const path = join(dir, 'busy.db');
      const env = suite.env(path, `L3:${site.url('/l3.ics')}`);
      const { server, address } = await startServer(env);
      await until('the baseline', () =>
        runs(path).some((run) => run.status === 'baseline') ? true : undefined,
      );
      // The site fails, and its answer is held until the lock below is taken.
      site.set('/l3.ics', { status: 500, body: 'Internal Server Error' });
      site.holdAnswers();
      const scrape = fetch(`${address}/admin/scrape`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{}',
      });
      await until('the run in flight', () => (site.heldCount() === 1 ? true : undefined));
      // Another process (this test) holds the write lock longer than the app's busy timeout while
      // the failure is recorded: the app cannot record it.
      const locker = new Database(path);
      locker.exec('BEGIN IMMEDIATE');
      site.release(true);
      const answer = await scrape;
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { summaries: { status: string }[] };
      expect(body.summaries).toMatchObject([{ status: 'failed' }]);
      await server.waitFor(/the database refused the record of a failed scrape/);
      locker.exec('ROLLBACK');
      locker.close();
      // The next scrape closes the run the database refused.
      site.set('/l3.ics', { body: calendar(1) });
      const next = await fetch(`${address}/admin/scrape`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(next.status).toBe(200);
      const all = runs(path);
      expect(all.filter((run) => run.status === 'running')).toEqual([]);
      expect(all.filter((run) => run.status === 'failed')).toMatchObject([
        { error_code: 'scraper.http_status' },
      ]);
    },
  );

  it(
    'a symlink to the database file, or a symlinked folder, meets the same writer lock',
    { timeout: 120_000 },
    async () => {
      const path = join(dir, 'real.db');
      const env = suite.env(path, 'Demo:file:./samples/demo.ics');
      const first = await startServer(env);
      const link = join(dir, 'link.db');
      symlinkSync(path, link);
      const folderLink = join(dir, 'folder-link');
      symlinkSync(dir, folderLink);
      mkdirSync(join(dir, 'sub'), { recursive: true });
      for (const other of [link, join(folderLink, 'real.db'), join(dir, 'sub', '..', 'real.db')]) {
        const second = startServerProcess({ ...env, DATABASE_PATH: other });
        expect(await second.exited).toBe(1);
        expectRefusal(second.output(), other);
      }
      first.server.child.kill('SIGTERM');
      expect(await first.server.exited).toBe(0);
    },
  );

  for (const what of ['deleted', 'replaced'] as const) {
    it(
      `a database file ${what} under the running app turns health 503 and refuses writes`,
      { timeout: 120_000 },
      async () => {
        const path = join(dir, `${what}.db`);
        const env = suite.env(path, 'Demo:file:./samples/demo.ics');
        const { server, address } = await startServer(env);
        const create = (name: string) =>
          fetch(`${address}/admin/create_token`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({ name }),
          });
        expect((await create('before')).status).toBe(201);
        expect((await fetch(`${address}/healthz`)).status).toBe(200);

        if (what === 'deleted') {
          for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
        } else {
          // An operator restores a backup by moving it over the live file.
          const restored = await runCliProcess(['backup', join(dir, `${what}-copy.db`)], env);
          if (restored.code !== 0) throw new Error(`backup failed: ${restored.output}`);
          renameSync(join(dir, `${what}-copy.db`), path);
        }

        const write = await create('after');
        expect(write.status).toBe(503);
        const health = await fetch(`${address}/healthz`);
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({ status: 'unavailable' });
        await server.waitFor(new RegExp(`database file at DATABASE_PATH was ${what}`));
        // Feeds already issued are still read from the open file; nothing claims a write.
        server.child.kill('SIGTERM');
        await server.exited;
      },
    );
  }
});
