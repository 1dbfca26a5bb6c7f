import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../../src/feed/error-handler.ts';

const SqliteError = Database.SqliteError;
type Logged = { level: number; msg: string; err?: unknown };

/**
 * The error policy on a real Fastify server on loopback. The SQLite errors are better-sqlite3's
 * own SqliteError class (what a statement throws once the file under the connection is gone):
 * producing a real SQLITE_IOERR on demand needs a failing disk, so the route throws it.
 */
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(error: Error): Promise<{ address: string; logs: Logged[] }> {
  const logs: Logged[] = [];
  const server: FastifyInstance = Fastify({
    logger: {
      level: 'debug',
      stream: { write: (line: string) => logs.push(JSON.parse(line) as Logged) },
    },
  });
  app = server;
  registerErrorHandler(server);
  server.get('/boom', () => {
    throw error;
  });
  const address = await server.listen({ host: '127.0.0.1', port: 0 });
  return { address, logs };
}

describe('error handler: an unavailable database is a 503, logged once', () => {
  for (const code of [
    'SQLITE_IOERR',
    'SQLITE_IOERR_SHORT_READ',
    'SQLITE_IOERR_FSTAT',
    'SQLITE_READONLY_DBMOVED',
    'SQLITE_CANTOPEN',
    'SQLITE_NOTADB',
    'SQLITE_BUSY',
  ]) {
    it(`${code} answers 503 with Retry-After, one error line without a stack`, async () => {
      const { address, logs } = await serve(new SqliteError('disk I/O error', code));
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const answer = await fetch(`${address}/boom`);
        expect(answer.status).toBe(503);
        expect(answer.headers.get('retry-after')).toBe('30');
        expect(await answer.json()).toEqual({
          error: 'db.unavailable',
          message: 'database unavailable, retry later',
        });
      }
      const errors = logs.filter((line) => line.level >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.err).toBeUndefined();
      expect(errors[0]?.msg).toContain(code);
    });
  }

  it('any other error stays a 500', async () => {
    const { address } = await serve(new SqliteError('constraint', 'SQLITE_CONSTRAINT_UNIQUE'));
    expect((await fetch(`${address}/boom`)).status).toBe(500);
  });
});
