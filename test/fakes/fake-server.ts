/**
 * Plumbing shared by the fake school sites: a node:http server on 127.0.0.1:0 that records every
 * request (order, session, concurrency), can hang or slow down, and injects one-shot faults.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RecordedRequest<Route extends string> = {
  readonly seq: number;
  readonly route: Route | 'unknown';
  readonly method: string;
  /** Path without the context path, query included. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Form fields (url-encoded bodies) and query parameters. */
  readonly params: Readonly<Record<string, string>>;
  readonly rawBody: string;
  /** The session cookie the request carried, if any. */
  readonly sessionId: string | undefined;
};

/** Faults every fake site can play on any route. */
export type CommonFault =
  | { readonly type: 'status'; readonly status: number; readonly body?: string }
  | { readonly type: 'maintenance' }
  | { readonly type: 'hang' }
  | { readonly type: 'slow'; readonly ms: number };

export type FakeRequestContext<Route extends string> = {
  readonly request: RecordedRequest<Route>;
  readonly response: ServerResponse;
};

export const MAINTENANCE_PAGE =
  '<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>Site en maintenance</h1>' +
  '<p>Le service est temporairement indisponible. Merci de réessayer plus tard.</p></body></html>';

export function createFaultQueue<Route extends string, Fault>() {
  const queues = new Map<Route, Fault[]>();
  return {
    add(route: Route, fault: Fault, times = 1) {
      const queue = queues.get(route) ?? [];
      for (let index = 0; index < times; index += 1) queue.push(fault);
      queues.set(route, queue);
    },
    take(route: Route): Fault | undefined {
      return queues.get(route)?.shift();
    },
    clear() {
      queues.clear();
    },
  };
}

export async function startFakeServer<Route extends string>(options: {
  route(method: string, path: string, params: Record<string, string>): Route | 'unknown';
  sessionCookie: string;
  handle(context: FakeRequestContext<Route>): Promise<void>;
}) {
  const requests: RecordedRequest<Route>[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      const params: Record<string, string> = {};
      for (const [key, value] of url.searchParams) params[key] = value;
      if (/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
        for (const [key, value] of new URLSearchParams(rawBody)) params[key] = value;
      }
      const path = `${url.pathname}${url.search}`;
      const request: RecordedRequest<Route> = {
        seq: requests.length,
        route: options.route(req.method ?? 'GET', url.pathname, params),
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        params,
        rawBody,
        sessionId: readCookie(req.headers.cookie, options.sessionCookie),
      };
      requests.push(request);
      options.handle({ request, response: res }).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake server error: ${String(error)}`);
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    maxConcurrent: () => maxInFlight,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}

/** Plays a common fault; returns true when the response is taken care of. */
export async function playCommonFault(
  fault: CommonFault,
  response: ServerResponse,
): Promise<boolean> {
  switch (fault.type) {
    case 'status':
      response.writeHead(fault.status, { 'content-type': 'text/html; charset=UTF-8' });
      response.end(fault.body ?? `<html><body><h1>Error ${fault.status}</h1></body></html>`);
      return true;
    case 'maintenance':
      response.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' });
      response.end(MAINTENANCE_PAGE);
      return true;
    case 'hang':
      // Accept the request and never answer; close() destroys the socket.
      return true;
    case 'slow':
      await sleep(fault.ms);
      return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const [key, ...rest] = pair.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Wall-clock fields of an instant in Europe/Paris, and its UTC offset in minutes. */
export function toParisFields(at: Date) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Paris',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const field = (type: string) => parts.find((part) => part.type === type)?.value ?? '00';
  const local = {
    year: field('year'),
    month: field('month'),
    day: field('day'),
    hour: field('hour'),
    minute: field('minute'),
    second: field('second'),
  };
  const asUtc = Date.UTC(
    Number(local.year),
    Number(local.month) - 1,
    Number(local.day),
    Number(local.hour),
    Number(local.minute),
    Number(local.second),
  );
  const offsetMinutes = Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  return { ...local, offsetMinutes };
}
