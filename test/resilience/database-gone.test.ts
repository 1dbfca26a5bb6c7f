/**
 * What the running app answers once its database file is gone, tried as an operator meets it: a
 * real server process (`node src/main.ts`) on a real SQLite file, the file deleted under it, a CLI
 * command (`node src/cli/main.ts`) creating a fresh file at the same path, real HTTP requests.
 * Also: a feed token sent in an odd query form never reaches the server's log.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/processes.ts';
import { serverSuite } from './process-helpers.ts';

const ADMIN_TOKEN = 'database-gone-admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

const suite = serverSuite('pp-db-gone-', ADMIN_TOKEN);
const dir = suite.dir;

async function startServer(path: string) {
  const env = suite.env(path, 'Demo:file:./samples/demo.ics');
  const { server, address } = await suite.start(env);
  await server.waitFor(/planning proxy started/);
  return { server, address, env };
}

async function createFeed(address: string): Promise<string> {
  const created = await fetch(`${address}/admin/create_token`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Alice', section: 'Demo' }),
  });
  expect(created.status).toBe(201);
  const { url } = (await created.json()) as { url: string };
  return new URL(url).pathname;
}

async function databaseUp(address: string): Promise<string | undefined> {
  const text = await (await fetch(`${address}/metrics`)).text();
  return /^planning_proxy_database_up (\d)$/m.exec(text)?.[1];
}

describe('the database file gone under the running server', () => {
  it(
    'deleted, then recreated by a CLI command: feeds never answer 500, metrics and health agree, no stack logged',
    { timeout: 120_000 },
    async () => {
      const path = join(dir, 'recreated.db');
      const { server, address, env } = await startServer(path);
      // The startup scrape is done: what follows is only what requests meet.
      await server.waitFor(/"status":"baseline"/);
      const feed = await createFeed(address);
      // Issued before the loss but never fetched: not in the feed cache, read from the database.
      const unfetched = await createFeed(address);
      expect((await fetch(`${address}${feed}`)).status).toBe(200);
      expect(await databaseUp(address)).toBe('1');

      // `rm planning.db`: the -wal and -shm files stay, the fresh file meets them.
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });

      // An operator runs a CLI command: it creates a fresh file at the same path, which meets the
      // old -wal and -shm files the server still uses (the CLI itself fails on them).
      await runCliProcess(['token', 'create', '--name', 'Bob', '--section', 'Demo'], env);
      expect(statSync(path).isFile()).toBe(true);

      const answers: number[] = [];
      const retryAfter: (string | null)[] = [];
      const unknown = `/feeds/${'0'.repeat(64)}.ics`;
      for (const each of [feed, unfetched, unfetched, feed, unknown]) {
        const answer = await fetch(`${address}${each}`);
        answers.push(answer.status);
        if (answer.status === 503) retryAfter.push(answer.headers.get('retry-after'));
      }
      console.log(
        `[database-gone] feed answers after the file was recreated: ${answers.join(', ')}`,
      );
      expect(answers.every((status) => [200, 404, 503].includes(status))).toBe(true);
      expect(answers).not.toContain(500);
      expect(retryAfter).not.toContain(null);
      const status = await fetch(`${address}/admin/status`, { headers: auth });
      expect(status.status).not.toBe(500);
      expect(await databaseUp(address)).toBe('0');
      expect((await fetch(`${address}/healthz`)).status).toBe(503);

      const output = server.output();
      // No stack per request: nothing logged at error level with a stack trace after the loss.
      const lost = output.slice(output.indexOf('database file at DATABASE_PATH was deleted'));
      expect(lost.split('\n').filter((line) => /"level":50.*"stack"/.test(line))).toEqual([]);
      expect(lost).not.toContain('feed request failed');
      server.child.kill('SIGTERM');
      await server.exited;
    },
  );

  it('a feed token in an odd query form never reaches the log', { timeout: 60_000 }, async () => {
    const { server, address } = await startServer(join(dir, 'redact.db'));
    const feed = await createFeed(address);
    const token = /([0-9a-f]{64})/i.exec(feed)?.[1] ?? '';
    expect(token).toHaveLength(64);
    for (const url of [`/E?token%3D${token}`, `/E?${token}`, `/E?x=1&token${token}`]) {
      const answer = await fetch(`${address}${url}`);
      expect(answer.status).toBeLessThan(500);
    }
    await fetch(`${address}/healthz`);
    const output = server.output();
    expect(output).toContain('/E?token[redacted]');
    expect(output).not.toContain(token.slice(0, 24));
    server.child.kill('SIGTERM');
    await server.exited;
  });
});
