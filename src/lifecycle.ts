/**
 * How the process meets the machine it runs on: output that may vanish (a closed pipe), stop
 * signals that may arrive twice, and the start errors an operator must be able to act on. Used by
 * src/main.ts only.
 */

/** Output errors that mean "nobody reads this any more": never a reason to crash or to wait. */
const GONE_OUTPUT_CODES = new Set(['EPIPE', 'EBADF', 'EIO', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

/**
 * `npm start | tee app.log` then Ctrl-C kills tee first: every later write to stdout/stderr fails
 * with EPIPE. Such errors are swallowed so that console output can never crash the process or keep
 * it alive; the logger has its own safe destination (createFdDestination in core/logger.ts).
 */
export function guardOutputs(
  streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (GONE_OUTPUT_CODES.has(error.code ?? '')) return;
      // Any other output error is not worth dying for either: there is nowhere to report it.
    });
  }
}

/**
 * A repeat of the first stop signal within this window is the same request delivered twice: on
 * Ctrl-C the terminal signals node, and npm forwards its own copy.
 */
export const DUPLICATE_SIGNAL_WINDOW_MS = 2_000;

export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * Calls `stop` on the first SIGINT/SIGTERM. A repeat within DUPLICATE_SIGNAL_WINDOW_MS is ignored
 * (see above); a later one means "stop now" and calls `force`.
 */
export function onStopSignals(options: {
  stop: (signal: StopSignal) => void;
  force: (signal: StopSignal) => void;
  now?: () => number;
  target?: Pick<NodeJS.Process, 'on'>;
}): void {
  const now = options.now ?? Date.now;
  const target = options.target ?? process;
  let firstAt: number | undefined;
  const handle = (signal: StopSignal) => {
    if (firstAt === undefined) {
      firstAt = now();
      options.stop(signal);
      return;
    }
    if (now() - firstAt < DUPLICATE_SIGNAL_WINDOW_MS) return;
    options.force(signal);
  };
  target.on('SIGINT', () => {
    handle('SIGINT');
  });
  target.on('SIGTERM', () => {
    handle('SIGTERM');
  });
}

/** Which variable set the port, for messages (the same precedence as src/config.ts). */
export function portVariable(env: Readonly<Record<string, string | undefined>>): string {
  if ((env.CONTAINER_PORT ?? '').trim() !== '') return 'CONTAINER_PORT';
  if ((env.PORT ?? '').trim() !== '') return 'PORT';
  if ((env.FLASK_PORT ?? '').trim() !== '') return 'FLASK_PORT';
  return 'PORT';
}

/** Which variable set the host (the same precedence as src/config.ts). */
export function hostVariable(env: Readonly<Record<string, string | undefined>>): string {
  if ((env.CONTAINER_HOST ?? '').trim() !== '') return 'CONTAINER_HOST';
  if ((env.HOST ?? '').trim() !== '') return 'HOST';
  if ((env.FLASK_HOST ?? '').trim() !== '') return 'FLASK_HOST';
  return 'HOST';
}

/**
 * One line for an error of `listen`, naming the variable to change; undefined when the error is
 * not a listen error an operator can fix.
 */
export function describeListenError(
  error: unknown,
  listen: { host: string; port: number; portVariable: string; hostVariable: string },
): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${listen.host}:${listen.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `${listen.portVariable}=${listen.port} is already in use on ${listen.host} (another program, or another Planning Proxy, listens on ${where}): stop it or set ${listen.portVariable} to a free port.`;
    case 'EACCES':
      return `${listen.portVariable}=${listen.port} needs privileges on ${listen.host} (ports below 1024 are reserved): use a port of 1024 or more and a reverse proxy in front.`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${listen.hostVariable}=${listen.host} is not an address of this machine, so ${where} cannot be listened on: use 127.0.0.1 (behind a reverse proxy) or 0.0.0.0.`;
    case undefined:
    default:
      return undefined;
  }
}

/** How often a process started by npm checks that npm is still its parent. */
const PARENT_CHECK_EVERY_MS = 1_000;

/**
 * Under `npm start`, npm forwards SIGINT/SIGTERM to the app; if npm itself dies first (SIGKILL,
 * or a closed pipe in `npm start | head -1`), nothing would ever stop the app, which would keep
 * the port and the database lock. This notices the re-parenting and stops once. Only for a
 * process npm started: `node src/main.ts` run from a shell that exits (nohup) keeps running.
 */
export function stopWhenParentExits(options: {
  readonly startedByNpm: boolean;
  readonly stop: () => void;
  readonly parentPid?: () => number;
  readonly intervalMs?: number;
}): { cancel(): void } {
  if (!options.startedByNpm) return { cancel: () => undefined };
  const parentPid = options.parentPid ?? (() => process.ppid);
  const first = parentPid();
  const timer = setInterval(() => {
    if (parentPid() === first) return;
    clearInterval(timer);
    options.stop();
  }, options.intervalMs ?? PARENT_CHECK_EVERY_MS);
  timer.unref();
  return {
    cancel: () => {
      clearInterval(timer);
    },
  };
}
