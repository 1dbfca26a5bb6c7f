import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

/** Runs `node src/main.ts` with only the given environment (plus PATH) until it exits. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pp-start-'));
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', DATABASE_PATH: join(dir, 'start.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      resolve({ code, output });
    });
  });
}

async function occupiedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

describe('start errors a person can act on', () => {
  for (const variable of ['PORT', 'FLASK_PORT'] as const) {
    it(`a ${variable} already in use is one line naming ${variable} and the address`, async () => {
      const port = await occupiedPort();
      const { code, output } = await runMain({ [variable]: String(port), LOG_LEVEL: 'warn' });
      expect(code).toBe(1);
      expect(output.trim()).toBe(
        `Planning Proxy cannot start: ${variable}=${port} is already in use on 127.0.0.1 (another program, or another Planning Proxy, listens on 127.0.0.1:${port}): stop it or set ${variable} to a free port.`,
      );
      expect(output).not.toMatch(/\n\s+at /);
    });
  }

  it('warns once per line about a placeholder admin token and a public address without PUBLIC_URL', async () => {
    const port = await occupiedPort();
    // The port is taken so that the process exits right after its start warnings.
    const { output } = await runMain({
      ADMIN_STATIC_TOKEN: 'votre_admin_static_token',
      FLASK_HOST: '0.0.0.0',
      FLASK_PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    const warnings = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(warnings.map((line) => [line.level, line.msg.split(':')[0]])).toEqual([
      [40, 'ADMIN_STATIC_TOKEN is still a placeholder anyone can guess'],
      [40, `listening on 0.0.0.0`],
    ]);
    expect(output).not.toContain('votre_admin_static_token');
  });
});
