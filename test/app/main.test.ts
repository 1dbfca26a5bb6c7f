import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

/** Runs `node src/main.ts` with only the given environment (plus PATH). */
function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
    }),
  );
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 200; i += 1) {
      const match = pattern.exec(output);
      if (match) return match;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`never printed ${pattern}:\n${output}`);
  };
  return { child, exited, waitFor, output: () => output };
}

describe('main', () => {
  it('lists every configuration problem, naming each variable, and exits 1', async () => {
    const run = startMain({
      SECTIONS: 'A:eleve/1,a:promo/2,B',
      PORT: 'eighty',
      TIMEZONE: 'Mars/Olympus',
      PUBLIC_URL: 'ftp://x',
    });
    expect(await run.exited).toBe(1);
    const output = run.output();
    for (const name of ['PORT', 'TIMEZONE', 'PUBLIC_URL', 'WEB_USERNAME', 'WEB_PASSWORD']) {
      expect(output).toContain(`${name}:`);
    }
    expect(output).toMatch(/SECTIONS: entry 2 .*used twice/);
    expect(output).toMatch(/SECTIONS: entry 3 .*expected NAME:SPEC/);
  });

  it('serves the demo feed with no configuration and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-main-'));
    try {
      const run = startMain({ DATABASE_PATH: join(dir, 'demo.db'), PORT: '0', LOG_LEVEL: 'info' });
      const [, feedPath] = await run.waitFor(
        /Demo feed[^:]*: http:\/\/127\.0\.0\.1:0(\/feeds\/[0-9a-f]{64}\.ics)/,
      );
      const [, address] = await run.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
      const response = await fetch(`${address}${feedPath}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^BEGIN:VCALENDAR\r\n/);

      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.output()).toContain('"msg":"stopped"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
