import { accessSync, constants, mkdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { AppError } from '../core/index.ts';
import * as schema from './schema.ts';

export type Database = BetterSQLite3Database<typeof schema> & { $client: BetterSqlite3.Database };

/** Whether the path still names the file this process opened (see `checkFile`). */
export type DatabaseFileState = 'ok' | 'deleted' | 'replaced';

export type DatabaseHandle = {
  readonly db: Database;
  readonly sqlite: BetterSqlite3.Database;
  /** A consistent copy of the live database (SQLite's online backup API). */
  backup(destination: string): Promise<void>;
  /**
   * Takes the single-writer lock of this database (the server process that owns the schedule), or
   * throws db.locked naming DATABASE_PATH when another live process holds it. The lock is an
   * exclusive SQLite lock on a small `<path>.writer-lock` file: the kernel releases it when its
   * process dies, even by SIGKILL, so a crash never blocks a restart.
   */
  acquireWriterLock(): void;
  /**
   * Compares the file at the path with the one opened. Once it is deleted or replaced, the
   * connection turns read-only (writes would land in an orphaned file and vanish at restart).
   */
  checkFile(): DatabaseFileState;
  close(): void;
};

/**
 * Opens (and creates) the SQLite file with WAL, foreign keys and a busy timeout. A path that
 * cannot hold a database (a directory, a read-only or unwritable place) fails with db.unusable,
 * one line naming DATABASE_PATH and the reason.
 */
export function openDatabase(options: { path: string }): DatabaseHandle {
  const { path } = options;
  const inMemory = path === ':memory:';
  if (!inMemory) checkDatabasePath(path);
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
  } catch (error) {
    throw toUnusable(path, error);
  }
  const opened = inMemory ? undefined : statSync(path);
  const db = drizzle(sqlite, { schema });
  let closed = false;
  let lock: BetterSqlite3.Database | undefined;
  let fileState: DatabaseFileState = 'ok';
  return {
    db,
    sqlite,
    async backup(destination) {
      mkdirSync(dirname(destination), { recursive: true });
      await sqlite.backup(destination);
    },
    acquireWriterLock() {
      if (inMemory || lock !== undefined) return;
      // Keyed on the file's real path: a symlink (or `..`, or a symlinked folder) to the same file
      // must meet the same lock, or a second server would start beside the first.
      const lockPath = `${realDatabasePath(path)}.writer-lock`;
      let candidate: BetterSqlite3.Database | undefined;
      try {
        candidate = new BetterSqlite3(lockPath, { timeout: 0 });
        candidate.pragma('journal_mode = MEMORY'); // no -journal file beside it
        // Held until close (or death): no other connection can even read this file meanwhile.
        candidate.exec('BEGIN EXCLUSIVE');
        lock = candidate;
      } catch (error) {
        candidate?.close();
        if (sqliteCode(error) === 'SQLITE_BUSY' || sqliteCode(error) === 'SQLITE_LOCKED') {
          throw new AppError(
            'db.locked',
            `DATABASE_PATH (${path}) is in use by another running Planning Proxy server: two ` +
              'servers on one database would scrape and announce every change twice. Stop the ' +
              'other one, or give this one its own DATABASE_PATH (CLI commands may run alongside).',
            { cause: error },
          );
        }
        throw toUnusable(lockPath, error);
      }
    },
    checkFile() {
      if (opened === undefined || fileState !== 'ok' || closed) return fileState;
      const now = statSync(path, { throwIfNoEntry: false });
      if (now === undefined) fileState = 'deleted';
      else if (now.ino !== opened.ino || now.dev !== opened.dev) fileState = 'replaced';
      // Every later write fails with SQLITE_READONLY instead of being acknowledged and lost.
      if (fileState !== 'ok') sqlite.pragma('query_only = ON');
      return fileState;
    },
    close() {
      if (closed) return;
      closed = true;
      lock?.close();
      lock = undefined;
      sqlite.close();
    },
  };
}

/**
 * The real path of the database file (symlinks resolved), or of its folder plus its name when
 * the file does not exist yet. Hard links cannot be resolved from a path; they are not covered.
 */
export function realDatabasePath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/** The error SQLite code of a better-sqlite3 error (`SQLITE_BUSY`…), if any. */
export function sqliteCode(error: unknown): string | undefined {
  return error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('SQLITE_')
    ? error.code
    : undefined;
}

function unusable(path: string, reason: string, cause?: unknown): AppError {
  return new AppError('db.unusable', `DATABASE_PATH (${path}) cannot be used: ${reason}`, {
    cause,
  });
}

/** Checks what SQLite would otherwise report as a bare "unable to open database file". */
function checkDatabasePath(path: string): void {
  const folder = dirname(path);
  try {
    createFolder(folder);
  } catch (error) {
    throw unusable(path, `its folder ${folder} cannot be created (${fsReason(error)})`, error);
  }
  let stat;
  try {
    stat = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw unusable(path, fsReason(error), error);
  }
  if (stat?.isDirectory() === true) {
    throw unusable(path, 'it is a directory; give the path of a file, e.g. ./data/planning.db');
  }
  // WAL mode writes <path>-wal and <path>-shm next to the file: the folder must be writable too.
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw unusable(path, `its folder ${folder} is not writable (${fsReason(error)})`, error);
  }
  if (stat !== undefined) {
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch (error) {
      throw unusable(path, `the file is not writable (${fsReason(error)})`, error);
    }
  }
}

/**
 * mkdir -p one level at a time: Node's recursive mkdir never returns on some special file systems
 * (it loops on /proc), which would hang the start instead of explaining it.
 */
function createFolder(folder: string): void {
  const missing: string[] = [];
  let current = resolve(folder);
  while (statSync(current, { throwIfNoEntry: false }) === undefined) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const path of missing) mkdirSync(path);
  if (!statSync(resolve(folder)).isDirectory()) {
    throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  }
}

function fsReason(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied for ${currentUser()}`;
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a part of the path is a file, not a folder';
    case 'ENOENT':
      return 'a part of the path does not exist';
    default:
      return code === '' ? 'unexpected error' : code;
  }
}

function currentUser(): string {
  return typeof process.getuid === 'function' ? `user id ${process.getuid()}` : 'this user';
}

function toUnusable(path: string, error: unknown): AppError {
  const code = sqliteCode(error);
  const reasons: Record<string, string> = {
    SQLITE_CANTOPEN: 'SQLite cannot open or create the file there',
    SQLITE_READONLY: 'the file or its folder is read-only',
    SQLITE_NOTADB: 'the file is not a SQLite database',
    SQLITE_CORRUPT: 'the file is corrupt',
    SQLITE_IOERR: 'an input/output error',
    SQLITE_PERM: 'permission denied',
    SQLITE_FULL: 'the disk is full',
  };
  const reason =
    (code === undefined ? undefined : reasons[code.split('_').slice(0, 2).join('_')]) ??
    code ??
    fsReason(error);
  return unusable(path, reason, error);
}
