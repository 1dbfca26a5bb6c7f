import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/core/index.ts';

/** A real pino logger whose lines are kept in memory, so tests can assert on (and scan) them. */
export function createCapturingLogger(level: 'debug' | 'info' | 'trace' = 'debug'): {
  logger: Logger;
  lines: string[];
  records: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      callback();
    },
  });
  const logger = createLogger({ level, destination });
  return {
    logger,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function createSilentLogger(): Logger {
  return createLogger({ level: 'silent' });
}
