import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import {
  createRepositories,
  openDatabase,
  runMigrations,
  type DatabaseHandle,
} from '../../src/db/index.ts';

/** A real SQLite file in a fresh temp folder, migrated, closed and deleted when the test ends. */
export function createTestDatabase(options: { keep?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pp-db-'));
  const path = join(dir, 'test.db');
  const handle: DatabaseHandle = openDatabase({ path });
  runMigrations(handle.db);
  const repositories = createRepositories(handle.db);
  if (options.keep !== true) {
    onTestFinished(() => {
      handle.close();
      rmSync(dir, { recursive: true, force: true });
    });
  }
  return { ...handle, path, dir, repositories };
}
