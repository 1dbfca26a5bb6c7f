import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  createCookieJar,
  createHttpClient,
  describeUrl,
  isSameSite,
  type HttpClientOptions,
} from '../../src/scraper/http-client.ts';
import { startCalendarServer, type CalendarServer } from './helpers/calendar-server.ts';

const CALENDAR = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n';

let servers: CalendarServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function server(): Promise<CalendarServer> {
  const started = await startCalendarServer();
  servers.push(started);
  return started;
}

function client(options: Partial<HttpClientOptions> = {}) {
  const http = createHttpClient({
    userAgent: 'PlanningProxy-test/1.0 (+https://example.edu/contact)',
    timeoutMs: 2_000,
    maxBytes: 100_000,
    ...options,
  });
  onTestFinished(() => http.close());
  return http;
}

async function failure(promise: Promise<unknown>): Promise<{ code: unknown; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
  return { code: 'no error', message: '' };
}

describe('http client', () => {
  it('sends the configured User-Agent and returns the bytes', async () => {
    const site = await server();
    site.set('/cal.ics', { body: CALENDAR });
    const response = await client().getBytes(site.url('/cal.ics'));
    expect(response.status).toBe(200);
    expect(response.body.toString('utf8')).toBe(CALENDAR);
    expect(site.requests[0]?.headers['user-agent']).toBe(
      'PlanningProxy-test/1.0 (+https://example.edu/contact)',
    );
  });

  it('turns credentials in the URL into a basic Authorization header', async () => {
    const site = await server();
    site.set('/private.ics', { body: CALENDAR });
    await client().getBytes(site.url('/private.ics', 'planning:s3cr%40t@'));
    const expected = `Basic ${Buffer.from('planning:s3cr@t').toString('base64')}`;
    expect(site.requests[0]?.headers.authorization).toBe(expected);
  });

  it('reports a non-2xx answer as scraper.http_status without the credentials', async () => {
    const site = await server();
    site.set('/cal.ics', { status: 500, body: 'Internal Server Error' });
    const result = await failure(
      client().getBytes(site.url('/cal.ics?token=abc', 'planning:s3cret@')),
    );
    expect(result.code).toBe('scraper.http_status');
    expect(result.message).toContain('500');
    expect(result.message).not.toMatch(/s3cret|token=abc/);
  });

  it('returns a redirect as is unless asked to follow it', async () => {
    const site = await server();
    site.set('/old.ics', { status: 301, body: '', headers: { location: '/new.ics' } });
    site.set('/new.ics', { body: CALENDAR });
    const http = client();
    expect((await http.request({ url: site.url('/old.ics') })).status).toBe(301);
    const followed = await http.getBytes(site.url('/old.ics'), { maxRedirects: 2 });
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(site.url('/new.ics'));
  });

  it('decodes gzip and deflate (zlib or raw) answers and says it accepts them', async () => {
    const site = await server();
    site.set('/gzip.ics', {
      body: gzipSync(CALENDAR),
      headers: { 'content-encoding': 'gzip' },
    });
    site.set('/zlib.ics', {
      body: deflateSync(CALENDAR),
      headers: { 'content-encoding': 'deflate' },
    });
    site.set('/raw.ics', {
      body: deflateRawSync(CALENDAR),
      headers: { 'content-encoding': 'Deflate' },
    });
    const http = client();
    for (const path of ['/gzip.ics', '/zlib.ics', '/raw.ics']) {
      const response = await http.getBytes(site.url(path));
      expect({ path, body: response.body.toString('utf8') }).toEqual({ path, body: CALENDAR });
      expect(response.headers['content-encoding']).toBeUndefined();
    }
    expect(site.requests[0]?.headers['accept-encoding']).toBe('gzip, deflate');
  });

  it('returns an empty body that announces an encoding as is (HEAD, 304, redirects)', async () => {
    const site = await server();
    site.set('/moved.ics', {
      status: 302,
      body: '',
      headers: { 'content-encoding': 'gzip', location: '/gz.ics' },
    });
    site.set('/gz.ics', { body: gzipSync(CALENDAR), headers: { 'content-encoding': 'gzip' } });
    const http = client();
    const followed = await http.getBytes(site.url('/moved.ics'), { maxRedirects: 1 });
    expect(followed.body.toString('utf8')).toBe(CALENDAR);
    const head = await http.request({ url: site.url('/gz.ics'), method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: Buffer.alloc(0) });
  });

  it('applies the size cap to the decoded bytes (a small gzip bomb is refused)', async () => {
    const site = await server();
    const bomb = gzipSync(Buffer.alloc(50_000_000, 0x41));
    expect(bomb.length).toBeLessThan(100_000);
    site.set('/bomb.ics', { body: bomb, headers: { 'content-encoding': 'gzip' } });
    const result = await failure(client({ maxBytes: 100_000 }).getBytes(site.url('/bomb.ics')));
    expect(result.code).toBe('scraper.too_large');
    expect(result.message).toContain('decoded');
  });

  it('reports a body that does not decode as scraper.bad_encoding', async () => {
    const site = await server();
    site.set('/liar.ics', { body: CALENDAR, headers: { 'content-encoding': 'gzip' } });
    site.set('/zstd.ics', { body: CALENDAR, headers: { 'content-encoding': 'zstd' } });
    const http = client();
    expect((await failure(http.getBytes(site.url('/liar.ics')))).code).toBe('scraper.bad_encoding');
    const unsupported = await failure(http.getBytes(site.url('/zstd.ics')));
    expect(unsupported.code).toBe('scraper.bad_encoding');
    expect(unsupported.message).toContain('zstd');
  });

  it('refuses a redirect to another origin, naming its host, and never fetches it', async () => {
    const site = await server();
    const internal = await server();
    internal.set('/admin', { body: 'secret' });
    site.set('/cal.ics', {
      status: 302,
      body: '',
      headers: { location: internal.url('/admin') },
    });
    site.set('/named.ics', {
      status: 301,
      body: '',
      headers: { location: 'http://intranet.invalid/x.ics' },
    });
    const http = client();
    const result = await failure(http.getBytes(site.url('/cal.ics'), { maxRedirects: 3 }));
    expect(result.code).toBe('scraper.redirect_elsewhere');
    expect(result.message).toContain(`127.0.0.1:${internal.port}`);
    expect(result.message).toContain('SECTIONS');
    expect(internal.requests).toEqual([]);
    const named = await failure(http.getBytes(site.url('/named.ics'), { maxRedirects: 3 }));
    expect(named.message).toContain('intranet.invalid');
  });

  it('follows an http to https upgrade of the same host', async () => {
    const site = await server();
    site.set('/cal.ics', {
      status: 301,
      body: '',
      headers: { location: `https://127.0.0.1:${site.port}/cal.ics` },
    });
    // The loopback site speaks no TLS: the upgrade was followed when the TLS handshake fails.
    const result = await failure(client().getBytes(site.url('/cal.ics'), { maxRedirects: 3 }));
    expect(result.code).toBe('scraper.network');
    expect(result.message).toContain('https://127.0.0.1');
    expect(
      isSameSite(new URL('http://ade.example.edu/a'), new URL('https://ade.example.edu/b')),
    ).toBe(true);
    expect(
      isSameSite(new URL('https://ade.example.edu/a'), new URL('http://ade.example.edu/b')),
    ).toBe(false);
    expect(
      isSameSite(new URL('https://ade.example.edu/a'), new URL('https://ade.example.edu.evil/b')),
    ).toBe(false);
    expect(isSameSite(new URL('https://ade.example.edu/a'), new URL('file:///etc/passwd'))).toBe(
      false,
    );
  });

  it('gives up on a server that accepts and never answers with scraper.timeout', async () => {
    const site = await server();
    site.set('/hang.ics', 'hang');
    const result = await failure(client({ timeoutMs: 200 }).getBytes(site.url('/hang.ics')));
    expect(result.code).toBe('scraper.timeout');
  });

  it('stops reading a body over the size cap with scraper.too_large', async () => {
    const site = await server();
    site.set('/huge.ics', { body: `${CALENDAR}${'X'.repeat(20_000)}` });
    const result = await failure(client({ maxBytes: 4_096 }).getBytes(site.url('/huge.ics')));
    expect(result.code).toBe('scraper.too_large');
  });

  it('reports a refused connection as scraper.network', async () => {
    const site = await server();
    await site.stop();
    const result = await failure(client().getBytes(site.url('/cal.ics')));
    expect(result.code).toBe('scraper.network');
  });

  it('reports a request cancelled by the caller as scraper.aborted', async () => {
    const site = await server();
    site.set('/hang.ics', 'hang');
    const controller = new AbortController();
    const pending = failure(
      client().getBytes(site.url('/hang.ics'), { signal: controller.signal }),
    );
    await vi.waitFor(() => {
      expect(site.requests).toHaveLength(1);
    });
    controller.abort();
    expect((await pending).code).toBe('scraper.aborted');
  });

  it('sends one request at a time to a host', async () => {
    const site = await server();
    site.set('/a.ics', { body: CALENDAR });
    site.set('/b.ics', { body: CALENDAR });
    site.set('/c.ics', { body: CALENDAR });
    site.holdAnswers();
    const http = client();
    const all = Promise.all(
      ['/a.ics', '/b.ics', '/c.ics'].map((path) => http.getBytes(site.url(path))),
    );
    for (const expected of [1, 2, 3]) {
      await vi.waitFor(() => {
        expect(site.heldCount()).toBe(1);
      });
      expect(site.requests).toHaveLength(expected);
      site.release();
    }
    await all;
    expect(site.requests.map((request) => request.path)).toEqual(['/a.ics', '/b.ics', '/c.ics']);
    expect(site.maxInFlight()).toBe(1);
  });

  it('lets a failed request free the queue of its host', async () => {
    const site = await server();
    site.set('/broken.ics', { status: 503, body: 'busy' });
    site.set('/cal.ics', { body: CALENDAR });
    const http = client();
    const [first, second] = await Promise.allSettled([
      http.getBytes(site.url('/broken.ics')),
      http.getBytes(site.url('/cal.ics')),
    ]);
    expect(first.status).toBe('rejected');
    expect(second.status).toBe('fulfilled');
  });

  it('talks to two hosts at the same time', async () => {
    const first = await server();
    const second = await server();
    for (const site of [first, second]) {
      site.set('/cal.ics', { body: CALENDAR });
      site.holdAnswers();
    }
    const http = client();
    const both = Promise.all([first, second].map((site) => http.getBytes(site.url('/cal.ics'))));
    await vi.waitFor(() => {
      expect([first.heldCount(), second.heldCount()]).toEqual([1, 1]);
    });
    first.release(true);
    second.release(true);
    await both;
  });

  it('carries cookies of a jar and updates it from Set-Cookie', async () => {
    const site = await server();
    site.set('/login', {
      status: 302,
      body: '',
      headers: { location: '/cal.ics', 'set-cookie': 'JSESSIONID=abc123; Path=/; HttpOnly' },
    });
    site.set('/cal.ics', { body: CALENDAR });
    const jar = createCookieJar();
    await client().request({ url: site.url('/login'), cookies: jar, maxRedirects: 1 });
    expect(jar.get('JSESSIONID')).toBe('abc123');
    expect(site.requests[1]?.headers.cookie).toBe('JSESSIONID=abc123');
  });
});

describe('cookie jar', () => {
  it('forgets a cookie that the server expires', () => {
    const jar = createCookieJar();
    jar.absorb(['a=1; Path=/', 'b=2']);
    expect(jar.header()).toBe('a=1; b=2');
    jar.absorb('a=deleted; Max-Age=0');
    jar.absorb('b=x; expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.header()).toBeUndefined();
  });
});

describe('describeUrl', () => {
  it('drops credentials and query string', () => {
    expect(describeUrl('https://user:pw@ade.example.edu/jsp/cal.jsp?resources=12&data=abc')).toBe(
      'https://ade.example.edu/jsp/cal.jsp',
    );
  });
});
