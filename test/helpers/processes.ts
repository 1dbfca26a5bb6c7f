/**
 * The app and the CLI as real child processes (`node src/main.ts`, `node src/cli/main.ts`), with
 * only the given environment (plus PATH and TZ), their output captured.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;

export type RunningProcess = {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
  /** Resolves with the first match in the output so far or to come; rejects if the process exits. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
};

export type ProcessOptions = {
  /**
   * Run as an unprivileged user (nobody) when the tests run as root, so that file permissions
   * apply as they do for a real deployment's user.
   */
  readonly unprivileged?: boolean;
};

const NOBODY = 65_534;

function start(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  options: ProcessOptions = {},
) {
  const asNobody = options.unprivileged === true && process.getuid?.() === 0;
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const wake of waiters) wake();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exitedYet = false;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      exitedYet = true;
      for (const wake of waiters) wake();
      resolve(code);
    });
  });
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(output);
        if (match !== null) {
          waiters.delete(check);
          resolve(match);
        } else if (exitedYet) {
          waiters.delete(check);
          reject(new Error(`exited without printing ${String(pattern)}:\n${output}`));
        }
      };
      waiters.add(check);
      check();
    });
  const running: RunningProcess = { child, exited, output: () => output, waitFor };
  return running;
}

/** `npm start`: node src/main.ts. */
export function startServerProcess(
  env: Record<string, string>,
  options: ProcessOptions = {},
): RunningProcess {
  return start(MAIN, [], env, options);
}

/** `npm run cli -- ...args`, run to its end. */
export async function runCliProcess(
  args: readonly string[],
  env: Record<string, string>,
  options: ProcessOptions = {},
): Promise<{ code: number | null; output: string }> {
  const run = start(CLI, args, env, options);
  const code = await run.exited;
  return { code, output: run.output() };
}
