import type { FastifyInstance, FastifyReply } from 'fastify';
import { isAppError, type ErrorCode } from '../core/index.ts';

// The whole policy: which expected failures map to which status. Everything else is a 500.
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  'feed.token_unknown': 404,
  'token.not_found': 404,
  'token.invalid_input': 400,
  'section.unknown': 400,
  'filter.invalid': 400,
};

const GENERIC_MESSAGES: Partial<Record<number, string>> = {
  400: 'bad request',
  404: 'not found',
  405: 'method not allowed',
  413: 'request body too large',
  415: 'unsupported media type',
};

export function sendJsonError(
  reply: FastifyReply,
  status: number,
  error: string,
  message: string,
): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error, message });
}

/** Unknown and revoked tokens look identical: same status, same body. */
export function sendFeedNotFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('text/plain; charset=utf-8').send('Not Found');
}

/** SQLite codes that mean "the database cannot serve now", not a bug of ours. */
const UNAVAILABLE_PREFIXES = [
  'SQLITE_BUSY',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_FULL',
];
const DATABASE_LOG_EVERY_MS = 60_000;

function isDatabaseUnavailable(code: string): boolean {
  return UNAVAILABLE_PREFIXES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`));
}

export function registerErrorHandler(app: FastifyInstance): void {
  const lastDatabaseLog = new Map<string, number>();
  app.setErrorHandler((error, request, reply) => {
    if (isAppError(error)) {
      const status = STATUS_BY_CODE[error.code];
      if (status !== undefined) {
        request.log.info({ code: error.code }, 'request refused');
        return sendJsonError(reply, status, error.code, error.publicMessage ?? 'bad request');
      }
    }
    // Fastify's own 4xx (bad JSON, body too large, rate limit) keep their status.
    const status = statusOf(error);
    if (status !== undefined && status >= 400 && status < 500) {
      if (status === 429) {
        return reply
          .code(429)
          .type('application/json; charset=utf-8')
          .send({ error: 'rate_limited', message: 'too many requests, retry later' });
      }
      // Never echo the error text: a JSON parse error quotes the body, which may hold a token.
      return sendJsonError(
        reply,
        status,
        codeOf(error) ?? 'bad_request',
        GENERIC_MESSAGES[status] ?? 'request refused',
      );
    }
    // The database refused (locked past the busy timeout, read-only since its file vanished, or an
    // I/O error because the file under the connection was deleted or replaced): nothing was
    // written, the client may retry; not a crash of ours. Every request would meet it, so it is
    // logged once a minute per code at error level (no stack), the others at debug.
    const sqliteCode = codeOf(error);
    if (sqliteCode !== undefined && isDatabaseUnavailable(sqliteCode)) {
      const now = Date.now();
      const family = sqliteCode.split('_').slice(0, 2).join('_');
      if (now - (lastDatabaseLog.get(family) ?? -Infinity) >= DATABASE_LOG_EVERY_MS) {
        lastDatabaseLog.set(family, now);
        request.log.error(
          { code: sqliteCode },
          `database unavailable (${sqliteCode}): requests answer 503 until it is back; if its ` +
            'file was deleted or replaced, /healthz says so and the app needs a restart',
        );
      } else {
        request.log.debug({ code: sqliteCode }, 'database refused the request');
      }
      reply.header('retry-after', '30');
      return sendJsonError(reply, 503, 'db.unavailable', 'database unavailable, retry later');
    }
    request.log.error({ err: error }, 'feed request failed');
    return sendJsonError(reply, 500, 'internal', 'Internal Server Error');
  });
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
