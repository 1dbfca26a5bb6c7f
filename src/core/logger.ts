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
    ? pino(settings)
    : pino(settings, options.destination as pino.DestinationStream);
}
