/**
 * An unusable DATABASE_PATH stops `npm start` and `npm run cli` with one line naming it and the
 * reason (no stack trace). The processes run as an unprivileged user when the suite runs as root,
 * so permissions apply as in a real deployment.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliProcess, startServerProcess } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-dbpath-'));
chmodSync(dir, 0o777);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Case = { name: string; path: () => string; reason: RegExp };

const CASES: Case[] = [
  {
    name: 'a directory',
    path: () => {
      const path = join(dir, 'a-directory.db');
      mkdirSync(path, { recursive: true });
      return path;
    },
    reason: /it is a directory/,
  },
  {
    name: 'a read-only file',
    path: () => {
      const path = join(dir, 'read-only.db');
      writeFileSync(path, '');
      chmodSync(path, 0o444);
      return path;
    },
    reason: /the file is not writable \(permission denied/,
  },
  {
    name: 'a file in an unwritable folder',
    path: () => {
      const folder = join(dir, 'locked-folder');
      mkdirSync(folder, { recursive: true });
      chmodSync(folder, 0o555);
      return join(folder, 'planning.db');
    },
    reason: /its folder .*locked-folder is not writable \(permission denied/,
  },
  {
    name: 'a file under a file',
    path: () => {
      const file = join(dir, 'plain-file');
      writeFileSync(file, 'x');
      return join(file, 'planning.db');
    },
    reason: /a part of the path is a file, not a folder/,
  },
  {
    name: 'a file that is not a database',
    path: () => {
      const path = join(dir, 'notes.db');
      writeFileSync(path, 'these are my notes, not a database\n'.repeat(200));
      chmodSync(path, 0o666);
      return path;
    },
    reason: /the file is not a SQLite database/,
  },
];

function expectOneLine(output: string, path: string, reason: RegExp): void {
  const lines = output.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`DATABASE_PATH (${path})`);
  expect(lines[0]).toMatch(reason);
  expect(output).not.toMatch(/\n\s+at /);
}

describe('an unusable DATABASE_PATH', () => {
  for (const testCase of CASES) {
    it(`stops the app and the CLI with one line when it is ${testCase.name}`, async () => {
      const path = testCase.path();
      const env = { DATABASE_PATH: path, PORT: '0', HOST: '127.0.0.1' };
      const server = startServerProcess(env, { unprivileged: true });
      const [serverCode, cli] = await Promise.all([
        server.exited,
        runCliProcess(['token', 'list'], env, { unprivileged: true }),
      ]);
      expect(serverCode).toBe(1);
      expectOneLine(server.output(), path, testCase.reason);
      expect(server.output()).toMatch(/^Planning Proxy cannot start: /);
      expect(cli.code).toBe(1);
      expectOneLine(cli.output, path, testCase.reason);
    });
  }
});
