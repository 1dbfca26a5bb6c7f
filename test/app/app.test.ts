import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createCapturingLogger } from '../helpers/logger.ts';
import { createTestClock } from '../helpers/clock.ts';
import { createTestDatabase } from '../helpers/database.ts';

const ADMIN_TOKEN = 'admin-token-for-app-tests-0123456789';

function calendar(events: { uid: string; start: string; summary: string; location: string }[]) {
  const body = events.flatMap((event) => [
    'BEGIN:VEVENT',
    `UID:${event.uid}`,
    'DTSTAMP:20261121T080000Z',
    `DTSTART:${event.start}`,
    `DTEND:${event.start.replace(/T(\d\d)/, (_, hour: string) => `T${String(Number(hour) + 2).padStart(2, '0')}`)}`,
    `SUMMARY:${event.summary}`,
    `LOCATION:${event.location}`,
    'END:VEVENT',
  ]);
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    ...body,
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

async function startUpstream(initial: string) {
  let current = initial;
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8' });
    response.end(current);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cal.ics`,
    set(next: string) {
      current = next;
    },
  };
}

describe('app', () => {
  it('scrapes a section, serves it through an admin-issued link and follows upstream changes', async () => {
    const upstream = await startUpstream(
      calendar([
        { uid: 'a', start: '20261123T080000Z', summary: 'Algèbre', location: 'A1' },
        { uid: 'b', start: '20261124T080000Z', summary: 'Physique', location: 'B2' },
      ]),
    );
    const { dir } = createTestDatabase();
    const { logger, lines } = createCapturingLogger('info');
    const clock = createTestClock('2026-11-21T08:00:00Z');
    const config = parseConfig({
      SECTIONS: `1A:${upstream.url}`,
      DATABASE_PATH: join(dir, 'app.db'),
      PORT: '0',
      ADMIN_STATIC_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'info',
    });
    const app = createApp({ config, logger, version: 'test', overrides: { clock } });
    onTestFinished(() => app.stop());
    const { address } = await app.start({ schedule: false });
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const [first] = await app.runScrape();
    expect(first).toMatchObject({ section: '1A', status: 'baseline', events: 2 });

    const created = await fetch(`${address}/admin/create_token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice', section: '1a' }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string; url: string };
    const feedUrl = `${address}/feeds/${token}.ics`;

    const before = await fetch(feedUrl);
    expect(before.status).toBe(200);
    const etag = before.headers.get('etag')!;
    const lastModified = before.headers.get('last-modified')!;
    expect(await before.text()).toContain('SUMMARY:Algèbre');
    expect((await fetch(feedUrl, { headers: { 'if-none-match': etag } })).status).toBe(304);

    clock.advance(3_600_000);
    upstream.set(
      calendar([
        { uid: 'a', start: '20261123T080000Z', summary: 'Algèbre', location: 'C3' },
        { uid: 'b', start: '20261124T080000Z', summary: 'Physique', location: 'B2' },
      ]),
    );
    const [second] = await app.runScrape({ section: '1A' });
    expect(second).toMatchObject({ status: 'ok', changes: { room: 1 } });

    const after = await fetch(feedUrl, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(Date.parse(after.headers.get('last-modified')!)).toBeGreaterThan(
      Date.parse(lastModified),
    );
    expect(await after.text()).toContain('LOCATION:C3');

    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).not.toContain(ADMIN_TOKEN);
  });
});
