/**
 * A loopback calendar site (node:http on 127.0.0.1): every path answers what the test set, and the
 * server records requests, counts connections in flight, can hang, and can be stopped (an outage)
 * and started again on the same port.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Reply =
  | {
      readonly status?: number;
      readonly body: string | Buffer;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Accept the request and never answer. */
  | 'hang';

export type RecordedRequest = {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
};

export type CalendarServer = Awaited<ReturnType<typeof startCalendarServer>>;

export async function startCalendarServer() {
  const replies = new Map<string, Reply>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;
  /** Requests whose answer is held until `release()` (to observe concurrency). */
  const held: (() => void)[] = [];
  let holdAnswers = false;

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    requests.push({
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
    });
    const reply = replies.get((request.url ?? '/').split('?')[0] ?? '/');
    if (reply === 'hang') return;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (holdAnswers) await new Promise<void>((resolve) => held.push(resolve));
    inFlight -= 1;
    if (reply === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response
      .writeHead(reply.status ?? 200, {
        'content-type': 'text/calendar; charset=utf-8',
        ...reply.headers,
      })
      .end(reply.body);
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  async function stop(): Promise<void> {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections();
    await closed;
  }

  return {
    port,
    requests,
    url: (path: string, credentials = '') => `http://${credentials}127.0.0.1:${port}${path}`,
    /** What `path` answers from now on. */
    set(path: string, reply: Reply): void {
      replies.set(path, reply);
    },
    /** Highest number of requests being answered at the same time so far. */
    maxInFlight: () => maxInFlight,
    /** Open TCP connections right now. */
    openConnections: () => sockets.size,
    /** Hold every answer until `release()`. */
    holdAnswers(): void {
      holdAnswers = true;
    },
    /** Requests waiting for `release()`. */
    heldCount: () => held.length,
    /** Lets one held answer go (or all of them and stop holding). */
    release(all = false): void {
      if (all) {
        holdAnswers = false;
        for (const resolve of held.splice(0)) resolve();
        return;
      }
      held.shift()?.();
    },
    /** An outage: the port refuses connections until `start()`. */
    stop,
    async start(): Promise<void> {
      if (server.listening) return;
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    async close(): Promise<void> {
      holdAnswers = false;
      for (const resolve of held.splice(0)) resolve();
      await stop();
    },
  };
}
