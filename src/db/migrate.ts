import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { AppError } from '../core/index.ts';
import { sqliteCode, type Database } from './client.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** SQLite answers that mean the file cannot hold this app's database at all. */
const UNUSABLE: Record<string, string> = {
  SQLITE_READONLY: 'the file or its folder is read-only',
  SQLITE_NOTADB: 'the file is not a SQLite database',
  SQLITE_CORRUPT: 'the file is corrupt',
  SQLITE_FULL: 'the disk is full',
  SQLITE_CANTOPEN: 'SQLite cannot open or create the file there',
};

/** Applies the committed migrations in ./drizzle (idempotent). */
export function runMigrations(db: Database): void {
  try {
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error) {
    const reason = UNUSABLE[(sqliteCode(error) ?? '').split('_').slice(0, 2).join('_')];
    if (reason === undefined) throw error;
    throw new AppError(
      'db.unusable',
      `DATABASE_PATH (${db.$client.name}) cannot be used: ${reason}`,
      { cause: error },
    );
  }
}
