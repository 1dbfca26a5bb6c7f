/**
 * Shared plumbing of the resilience tests that drive real server and CLI processes on one SQLite
 * file (kept apart from helpers.ts, which child-process drivers import without vitest).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, onTestFinished } from 'vitest';
import { startServerProcess, type RunningProcess } from '../helpers/processes.ts';
import { buildIcs, tomorrow } from './helpers.ts';

/** `count` classes three hours apart from tomorrow on, `cours-<index>`, named by `summary`. */
export function classesIcs(
  count: number,
  summary: (index: number) => string = (index) => `Cours ${index}`,
): string {
  const first = tomorrow(new Date());
  return buildIcs(
    Array.from({ length: count }, (_, index) => ({
      uid: `cours-${index}`,
      start: new Date(first.getTime() + index * 3_600_000 * 3),
      summary: summary(index),
    })),
  );
}

/** Polls `probe` every 50 ms (up to a minute) until it returns a value. */
export async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never happened: ${what}`);
}

/** Runs `query` on a read-only connection to the SQLite file at `path`, then closes it. */
export function readDatabase<T>(path: string, query: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

/**
 * A file of server-process tests: a temporary folder (removed after the file's tests), the
 * environment of a server on one of its databases, and a server start that waits for its address
 * (the process is killed after the test).
 */
export function serverSuite(prefix: string, adminToken: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    env: (path: string, sections: string, extra: Record<string, string> = {}) => ({
      DATABASE_PATH: path,
      SECTIONS: sections,
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_STATIC_TOKEN: adminToken,
      SCRAPE_INTERVAL: '3600',
      LOG_LEVEL: 'info',
      ...extra,
    }),
    async start(env: Record<string, string>): Promise<{ server: RunningProcess; address: string }> {
      const server = startServerProcess(env);
      onTestFinished(async () => {
        if (server.child.exitCode === null && server.child.signalCode === null) {
          server.child.kill('SIGKILL');
          await server.exited;
        }
      });
      const address =
        (await server.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1] ?? '';
      return { server, address };
    },
  };
}

/** How many changes the SQLite file at `path` records. */
export const changeCount = (path: string): number =>
  readDatabase(
    path,
    (db) => (db.prepare('SELECT count(*) AS n FROM changes').get() as { n: number }).n,
  );
