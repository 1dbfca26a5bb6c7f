import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { backupCommand } from '../../src/cli/backup.command.ts';
import { toSectionKey } from '../../src/core/index.ts';
import { createTestDatabase } from '../helpers/database.ts';

describe('backup command', () => {
  it('writes a consistent copy that opens and holds the same rows', async () => {
    const handle = createTestDatabase();
    handle.repositories.sections.sync(
      [{ key: toSectionKey('A'), name: 'A', source: { kind: 'file', path: 'a.ics' } }],
      new Date('2026-11-21T08:00:00Z'),
    );
    const target = join(handle.dir, 'copy', 'backup.db');
    const lines: string[] = [];

    await backupCommand([target], { database: handle, print: (line) => lines.push(line) });

    const copy = new BetterSqlite3(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('select name from sections').all()).toEqual([{ name: 'A' }]);
    } finally {
      copy.close();
    }
    expect(lines).toEqual([`backup written to ${target}`]);
    await expect(
      backupCommand([target], { database: handle, print: () => undefined }),
    ).rejects.toThrow(/exists already/);
  });
});
