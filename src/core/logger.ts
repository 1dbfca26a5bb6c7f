import { writeSync } from 'node:fs';
import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Paths pino blanks in every log line. Secrets also never reach a logger on purpose; this is the
 * safety net for headers and config objects.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'token',
  'password',
  '*.token',
  '*.password',
  'config.discord.token',
  'config.admin.token',
];

export function createLogger(options: {
  level: LogLevel;
  pretty?: boolean;
  base?: Record<string, unknown>;
  destination?: NodeJS.WritableStream;
}): Logger {
  const settings: LoggerOptions = {
    level: options.level,
    base: options.base ?? {},
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (options.pretty === true && options.destination === undefined) {
    return pino({
      ...settings,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss' },
      },
    });
  }
  return options.destination === undefined
    ? pino(settings, createFdDestination(1))
    : pino(settings, options.destination as pino.DestinationStream);
}

/** Waits without a timer (the write path is synchronous, like pino's own sync destination). */
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * A synchronous log destination that gives up on a file descriptor nobody reads any more. pino's
 * default destination retries a write that failed with EPIPE every 100 ms, forever, in a blocking
 * loop: `npm start | tee app.log` then Ctrl-C left the process alive and deaf to signals. Here
 * EPIPE, EBADF or any other write error drops this line and every later one; a full pipe (EAGAIN)
 * is waited on for at most about a second, then the line is dropped.
 */
export function createFdDestination(fd: number): pino.DestinationStream {
  let open = true;
  return {
    write(line: string): void {
      if (!open) return;
      let pending = Buffer.from(line, 'utf8');
      let waits = 0;
      while (pending.length > 0) {
        try {
          pending = pending.subarray(writeSync(fd, pending));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN' && waits < 100) {
            waits += 1;
            pause(10);
            continue;
          }
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') open = false;
          return;
        }
      }
    },
  };
}
