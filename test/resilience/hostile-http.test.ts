/**
 * Hostile clients against the real feed server: malformed requests on raw sockets, oversized
 * headers, slow clients, path traversal on IPP's legacy route, token guessing.
 */
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppHarness, ADMIN_TOKEN, type AppHarness } from './app-harness.ts';
import { buildIcs, findSecrets, median, startUpstream, tomorrow } from './helpers.ts';

type RawAnswer = { status: number | undefined; text: string; closed: boolean };

/** Writes raw bytes, returns what came back before the server closed (or 3 s of silence). */
function raw(address: string, payload: string | Buffer, waitMs = 3_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(address);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), text, closed });
    };
    let timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A whole head arrived: give the body a moment, then stop waiting for a close.
      if (Buffer.concat(chunks).includes('\r\n\r\n')) {
        clearTimeout(timer);
        timer = setTimeout(finish, 200);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(payload);
  });
}

function comparable(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name === 'date' || name.startsWith('x-ratelimit') || name === 'keep-alive') return;
    headers[name] = value;
  });
  return headers;
}

describe('hostile HTTP', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let harness: AppHarness;
  let sectionToken: string;
  let legacyToken: string;
  const secrets: string[] = [ADMIN_TOKEN];
  const logLines: string[] = [];

  beforeAll(async () => {
    const day = tomorrow(new Date('2026-09-14T06:00:00Z'));
    upstream = await startUpstream(() => ({
      body: buildIcs([
        { uid: 'a', start: new Date(day.getTime() + 8 * 3_600_000), summary: 'Algèbre' },
      ]),
    }));
    harness = await startAppHarness(
      {
        SECTIONS: `1A:${upstream.origin}/1a.ics`,
        FEED_RATE_LIMIT: '100000',
        FEED_NOT_FOUND_RATE_LIMIT: '100000',
      },
      { cleanup: 'manual' },
    );
    await harness.app.runScrape();
    sectionToken = await harness.createToken('alice', '1A');
    legacyToken = await harness.createToken('ipp-user');
    secrets.push(sectionToken, legacyToken);
  });
  afterAll(async () => {
    await harness.stop();
    await upstream.close();
  });

  it('answers malformed requests with a 4xx (or closes) and keeps serving', async () => {
    const payloads: [string, string | Buffer][] = [
      ['garbage', 'GARBAGE\r\n\r\n'],
      ['binary', randomBytes(512)],
      ['unknown version', 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n'],
      ['no host', 'GET /healthz HTTP/1.1\r\n\r\n'],
      ['header without colon', 'GET /healthz HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n'],
      ['nul in path', 'GET /fe\0eds/x.ics HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['space in path', 'GET /feeds/a b.ics HTTP/1.1\r\nHost: x\r\n\r\n'],
      [
        'smuggling (CL + TE)',
        'POST /admin/create_token HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ],
      [
        'bad chunk size',
        'POST /admin/create_token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n',
      ],
      [
        'huge content-length',
        `POST /admin/create_token HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{}`,
      ],
      [
        'body over the limit',
        `POST /admin/create_token HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 40000\r\n\r\n{"name":"${'x'.repeat(39_980)}"}`,
      ],
      [
        'bad json',
        `POST /admin/create_token HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"a":`,
      ],
      ['absolute URI', 'GET http://evil.example/feeds/x.ics HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['CONNECT', 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n'],
      ['TRACE', 'TRACE /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['lone LF', 'GET /healthz HTTP/1.1\nHost: x\n\n'],
      ['percent junk', 'GET /%zz%00%ff?token=%zz HTTP/1.1\r\nHost: x\r\n\r\n'],
      [
        'long URL',
        `GET /${'a'.repeat(15_000)}?token=${'b'.repeat(64)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      ],
    ];
    const outcomes: string[] = [];
    for (const [name, payload] of payloads) {
      const answer = await raw(harness.address, payload);
      outcomes.push(`${name}: ${answer.status ?? (answer.closed ? 'closed' : 'silent')}`);
      // Never a server error, never a hang: a 2xx (lenient parsing of a harmless request), a 4xx,
      // or the connection closed.
      expect(
        answer.status === undefined ? answer.closed : answer.status < 500,
        `${name}: ${answer.text.slice(0, 200)}`,
      ).toBe(true);
    }
    console.log(`[hostile] malformed requests → ${outcomes.join('; ')}`);
    expect((await fetch(`${harness.address}/healthz`)).status).toBe(200);
    expect((await fetch(`${harness.address}/feeds/${sectionToken}.ics`)).status).toBe(200);
  });

  it('answers oversized headers with 431', async () => {
    const big = await raw(
      harness.address,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(big.status).toBe(431);
    const many = await raw(
      harness.address,
      `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 2_000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
    );
    expect(many.status).toBe(431);
    const cookie = await fetch(`${harness.address}/feeds/${sectionToken}.ics`, {
      headers: { cookie: 'c'.repeat(20_000) },
    }).catch(() => undefined);
    expect(cookie?.status ?? 431).toBe(431);
    expect((await fetch(`${harness.address}/healthz`)).status).toBe(200);
  });

  it.each([
    '/..%2f..%2fetc%2fpasswd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2e%2e%2f%2e%2e%2fsrc%2fmain.ts',
    '/..%5c..%5cetc%5cpasswd',
    '/%252e%252e%252fetc%252fpasswd',
    '/1A%2f..%2f..%2fpackage.json',
    '/....//....//etc/passwd',
  ])('path traversal on the legacy route %s?token= serves no file', async (path) => {
    for (const token of [legacyToken, 'x'.repeat(64), '']) {
      const answer = await raw(
        harness.address,
        `GET ${path}?token=${token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.text).not.toMatch(/root:|"name": "planning-proxy"|import |BEGIN:VCALENDAR/);
    }
  });

  it('the raw traversal of a literal ../ never leaves the routes', async () => {
    const answer = await raw(
      harness.address,
      `GET /../../etc/passwd?token=${legacyToken} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.text).not.toContain('root:');
  });

  it('answers unknown and revoked tokens identically (status, headers, body) on both routes', async () => {
    const revoked = await harness.createToken('bob', '1A');
    const revokedLegacy = await harness.createToken('ipp-bob');
    secrets.push(revoked, revokedLegacy);
    await harness.revokeToken(revoked);
    await harness.revokeToken(revokedLegacy);
    const unknown = (): string => randomBytes(32).toString('hex');
    const latencies = {
      unknownFeed: [] as number[],
      revokedFeed: [] as number[],
      unknownLegacy: [] as number[],
      revokedLegacy: [] as number[],
    };
    const shapes = new Set<string>();
    const legacyShapes = new Set<string>();
    for (let round = 0; round < 200; round += 1) {
      const targets: [keyof typeof latencies, string, Set<string>][] = [
        ['unknownFeed', `/feeds/${unknown()}.ics`, shapes],
        ['revokedFeed', `/feeds/${revoked}.ics`, shapes],
        ['unknownLegacy', `/1A?token=${unknown()}`, legacyShapes],
        ['revokedLegacy', `/1A?token=${revokedLegacy}`, legacyShapes],
      ];
      for (const [kind, path, set] of targets) {
        const started = performance.now();
        const response = await fetch(`${harness.address}${path}`);
        const body = await response.text();
        latencies[kind].push(performance.now() - started);
        set.add(JSON.stringify({ status: response.status, headers: comparable(response), body }));
      }
    }
    expect([...shapes]).toHaveLength(1);
    expect([...legacyShapes]).toHaveLength(1);
    expect(JSON.parse([...shapes][0] ?? '{}')).toMatchObject({ status: 404 });
    console.log(
      `[hostile] median latency over 200 requests each (reported, not asserted): ` +
        Object.entries(latencies)
          .map(([kind, values]) => `${kind} ${median(values).toFixed(2)} ms`)
          .join(', '),
    );
  });

  it('engages the rate limit on token guessing', async () => {
    const limited = await startAppHarness({
      SECTIONS: `1A:${upstream.origin}/1a.ics`,
      FEED_NOT_FOUND_RATE_LIMIT: '20',
    });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const response = await fetch(
        `${limited.address}/feeds/${randomBytes(32).toString('hex')}.ics`,
      );
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const response = await fetch(
        `${limited.address}/1A?token=${randomBytes(32).toString('hex')}`,
      );
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 20).every((status) => status === 404)).toBe(true);
    expect(statuses.slice(20).every((status) => status === 429)).toBe(true);
    console.log(`[hostile] token guessing: 20 × 404, then ${statuses.length - 20} × 429`);
    logLines.push(...limited.logs.lines);
  });

  it(
    'closes idle and slow (slowloris) clients, and keeps serving meanwhile',
    { timeout: 120_000 },
    async () => {
      const { hostname, port } = new URL(harness.address);
      const started = Date.now();
      const open = (trickle: boolean) =>
        new Promise<{ ms: number; byUs: boolean }>((resolve) => {
          let byUs = false;
          const socket = connect({ host: hostname, port: Number(port) });
          let timer: NodeJS.Timeout | undefined;
          const header = `GET /feeds/${'a'.repeat(64)}.ics HTTP/1.1\r\nHost: x\r\nX-Slow: ${'z'.repeat(200)}`;
          let sent = 0;
          socket.on('connect', () => {
            if (!trickle) return;
            timer = setInterval(() => {
              if (sent < header.length) socket.write(header[sent] ?? '');
              sent += 1;
            }, 1_000);
          });
          socket.on('error', () => undefined);
          socket.on('close', () => {
            clearInterval(timer);
            resolve({ ms: Date.now() - started, byUs });
          });
          // A bound of our own, far beyond the server's 30 s timeouts (checked every 30 s by Node).
          setTimeout(() => {
            byUs = true;
            socket.destroy();
          }, 95_000).unref();
        });
      const idle = Array.from({ length: 5 }, () => open(false));
      const slow = Array.from({ length: 5 }, () => open(true));
      const served: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        served.push((await fetch(`${harness.address}/healthz`)).status);
      }
      const closedAfter = await Promise.all([...idle, ...slow]);
      console.log(
        `[hostile] idle clients closed after ${closedAfter
          .slice(0, 5)
          .map(({ ms }) => (ms / 1000).toFixed(0))
          .join('/')} s, ` +
          `slowloris clients after ${closedAfter
            .slice(5)
            .map(({ ms }) => (ms / 1000).toFixed(0))
            .join('/')} s`,
      );
      expect(served).toEqual([200, 200, 200, 200, 200]);
      // Closed by the server, not by our own 95 s bound.
      expect(closedAfter.filter(({ byUs }) => byUs)).toEqual([]);
    },
  );

  it('logged no admin token and no feed token', () => {
    logLines.push(...harness.logs.lines);
    expect(logLines.length).toBeGreaterThan(0);
    expect(findSecrets(logLines, secrets)).toEqual([]);
  });
});
