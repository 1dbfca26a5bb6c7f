import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema.ts';

export type Database = BetterSQLite3Database<typeof schema> & { $client: BetterSqlite3.Database };

export type DatabaseHandle = {
  readonly db: Database;
  readonly sqlite: BetterSqlite3.Database;
  /** A consistent copy of the live database (SQLite's online backup API). */
  backup(destination: string): Promise<void>;
  close(): void;
};

/** Opens (and creates) the SQLite file with WAL, foreign keys and a busy timeout. */
export function openDatabase(options: { path: string }): DatabaseHandle {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const sqlite = new BetterSqlite3(options.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  let closed = false;
  return {
    db,
    sqlite,
    async backup(destination) {
      mkdirSync(dirname(destination), { recursive: true });
      await sqlite.backup(destination);
    },
    close() {
      if (closed) return;
      closed = true;
      sqlite.close();
    },
  };
}
