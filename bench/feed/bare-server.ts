// The ceiling of `bench/feed.bench.ts`, in a process of its own: Fastify with one route sending the
// bytes and headers it is given (BARE_BODY_FILE, BARE_HEADERS as JSON), or 304 when If-None-Match
// equals their ETag. Prints one JSON line {"url"} when listening; stops on SIGTERM.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

const body = readFileSync(process.env.BARE_BODY_FILE ?? '');
const headers = JSON.parse(process.env.BARE_HEADERS ?? '{}') as Record<string, string>;
const etag = headers.etag ?? '';

const app = Fastify({ logger: false });
app.get('/bare.ics', (request, reply) => {
  reply.headers(headers);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.send(body);
});
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` }));
process.once('SIGTERM', () => void app.close());
