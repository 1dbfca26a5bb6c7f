/** Shared plumbing of the resilience suite: seeded randomness, loopback upstreams, secret scans. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** mulberry32: a small seeded PRNG, so every failure reproduces from the printed seed. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    chance: (p: number): boolean => next() < p,
  };
}
export type Random = ReturnType<typeof createRandom>;

/** The seed of a run: RESILIENCE_SEED when set (to replay a failure), else a fresh one. */
export function suiteSeed(): number {
  const fromEnv = Number(process.env.RESILIENCE_SEED);
  return Number.isInteger(fromEnv) && fromEnv > 0
    ? fromEnv
    : Math.floor(Math.random() * 2 ** 31) + 1;
}

export type IcsEvent = {
  readonly uid: string;
  readonly start: Date;
  readonly minutes?: number;
  readonly summary: string;
  readonly location?: string;
  readonly description?: string;
};

function utc(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** A plain RFC 5545 calendar (UTC times, CRLF). */
export function buildIcs(events: readonly IcsEvent[]): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//resilience//EN'];
  for (const event of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${event.uid}`,
      'DTSTAMP:20260101T000000Z',
      `DTSTART:${utc(event.start)}`,
      `DTEND:${utc(new Date(event.start.getTime() + (event.minutes ?? 120) * 60_000))}`,
      `SUMMARY:${event.summary}`,
      `LOCATION:${event.location ?? 'B12'}`,
    );
    if (event.description !== undefined) lines.push(`DESCRIPTION:${event.description}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR', '');
  return lines.join('\r\n');
}

/** Midnight UTC of the day after `now`. */
export function tomorrow(now: Date): Date {
  const day = new Date(now);
  day.setUTCHours(0, 0, 0, 0);
  return new Date(day.getTime() + 86_400_000);
}

/**
 * A loopback ICS server: `handler(path)` answers each request; returns a status and a body, or
 * 'hang' (the socket is held until close).
 */
export async function startUpstream(
  handler: (
    path: string,
    request: IncomingMessage,
  ) => { status?: number; type?: string; body: string | Buffer } | 'hang',
) {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests += 1;
    const answer = handler(request.url ?? '/', request);
    if (answer === 'hang') return;
    response.writeHead(answer.status ?? 200, {
      'content-type': answer.type ?? 'text/calendar; charset=utf-8',
    });
    response.end(answer.body);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Every secret found in the lines (with the line), to assert an empty list. */
export function findSecrets(
  lines: readonly string[],
  secrets: readonly (string | undefined)[],
): { secret: string; line: string }[] {
  const found: { secret: string; line: string }[] = [];
  const wanted = secrets.filter(
    (secret): secret is string => secret !== undefined && secret !== '',
  );
  for (const line of lines) {
    for (const secret of wanted) {
      if (line.includes(secret))
        found.push({ secret: `${secret.slice(0, 6)}…`, line: line.slice(0, 300) });
    }
  }
  return found;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
