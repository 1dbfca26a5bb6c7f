import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
/** What the issue asks of a stop: the port is free again within 10 s. */
const STOP_DEADLINE_MS = 10_000;

/**
 * Runs the real `npm start` (npm, its shell, node) in its own process group, as a terminal would,
 * with stdout and stderr on pipes read by this test.
 */
function npmStart(options: { sharedPipe?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pp-stop-'));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('npm_')) env[name] = value;
  }
  Object.assign(env, {
    DATABASE_PATH: join(dir, 'stop.db'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SECTIONS: '',
  });
  // sharedPipe: `npm start 2>&1 | ...`, stdout and stderr on one pipe (sh execs npm).
  const [command, args] = options.sharedPipe
    ? ['sh', ['-c', 'exec npm start 2>&1']]
    : ['npm', ['start']];
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as unknown as ChildProcessWithoutNullStreams;
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => {
      resolve();
    });
  });
  onTestFinished(() => {
    // Whatever the test found, nothing it started outlives it.
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {
      // the group is already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const listening = async (): Promise<number> => {
    for (let i = 0; i < 600; i += 1) {
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1] !== undefined && output.includes('Demo feed')) return Number(match[1]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`npm start never listened:\n${output}`);
  };
  return { child, exited, listening, output: () => output };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/** Polls until nothing accepts connections on the port; false when the deadline passed first. */
async function portFreedWithin(port: number, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (!(await accepts(port))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('stopping npm start', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm's own pid (not its group) stops node and frees the port`, async () => {
      const run = npmStart();
      const port = await run.listening();
      expect(await accepts(port)).toBe(true);

      process.kill(run.child.pid ?? 0, signal);

      expect(await portFreedWithin(port, STOP_DEADLINE_MS)).toBe(true);
      await run.exited;
      await expect.poll(() => groupAlive(run.child.pid ?? 0)).toBe(false);
      expect(run.output()).toContain('"msg":"stopped"');
    });
  }

  it('stops when npm itself dies first (npm start | head -1, kill -9 of npm)', async () => {
    const run = npmStart();
    const port = await run.listening();

    // npm exits without forwarding anything (a closed pipe it writes to, or SIGKILL): node is
    // re-parented and must notice on its own rather than keep the port and the database lock.
    process.kill(run.child.pid ?? 0, 'SIGKILL');

    expect(await portFreedWithin(port, STOP_DEADLINE_MS)).toBe(true);
    await expect.poll(() => groupAlive(run.child.pid ?? 0), { timeout: 10_000 }).toBe(false);
    expect(run.output()).toContain('"msg":"stopped"');
  });

  it('Ctrl-C (the terminal and npm both deliver SIGINT) still stops gracefully', async () => {
    const run = npmStart();
    const port = await run.listening();

    process.kill(-(run.child.pid ?? 0), 'SIGINT');

    expect(await portFreedWithin(port, STOP_DEADLINE_MS)).toBe(true);
    await run.exited;
    // npm's forwarded copy of the same SIGINT is not a second "exit now" request.
    expect(run.output()).toContain('"msg":"stopped"');
    expect(run.output()).not.toContain('second stop signal');
  });

  it('stops on Ctrl-C after the reader of its output quit (npm start 2>&1 | tee, then Ctrl-C)', async () => {
    const run = npmStart({ sharedPipe: true });
    const port = await run.listening();
    // tee dies first: every later write of npm and node hits a closed pipe (EPIPE).
    run.child.stdout.destroy();
    run.child.stderr.destroy();

    // Ctrl-C: the terminal signals the whole foreground group (npm and node).
    process.kill(-(run.child.pid ?? 0), 'SIGINT');

    expect(await portFreedWithin(port, STOP_DEADLINE_MS)).toBe(true);
    await expect.poll(() => groupAlive(run.child.pid ?? 0), { timeout: 10_000 }).toBe(false);
  });

  it("stops on SIGTERM to npm's pid after the reader of its output quit", async () => {
    const run = npmStart();
    const port = await run.listening();
    run.child.stdout.destroy();
    run.child.stderr.destroy();

    process.kill(run.child.pid ?? 0, 'SIGTERM');

    expect(await portFreedWithin(port, STOP_DEADLINE_MS)).toBe(true);
    await expect.poll(() => groupAlive(run.child.pid ?? 0), { timeout: 10_000 }).toBe(false);
  });
});
