// Content negotiation of feeds over loopback, read with undici's request (which, unlike fetch,
// hands back the bytes as sent, so the encoding on the wire is what is checked).
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { negotiateEncoding } from '../../src/feed/encoding.ts';
import { createToken } from '../../src/feed/tokens.ts';
import { createFeedHarness, makeEvent, seedSection } from './helpers.ts';

const GENIE = 'Génie Info';
const T0 = new Date('2026-11-20T08:00:00Z');

async function seeded() {
  const harness = await createFeedHarness();
  const events = Array.from({ length: 40 }, (_, index) =>
    makeEvent({
      uid: `cours-${index}@ade`,
      title: `TD Mathématiques ${index % 4}`,
      location: `Bâtiment B, salle ${100 + (index % 7)}`,
      startsAt: new Date(Date.UTC(2026, 10, 23 + (index % 5), 8 + (index % 4) * 2)),
      endsAt: new Date(Date.UTC(2026, 10, 23 + (index % 5), 9 + (index % 4) * 2)),
    }),
  );
  seedSection(harness.repositories, harness.config, GENIE, events, T0);
  harness.clock.set('2026-11-20T08:05:00Z');
  const token = createToken(harness, { name: 'alice', section: GENIE }).token;
  const base = await harness.listen();
  return { harness, url: `${base}/feeds/${token}.ics` };
}

async function get(url: string, headers: Record<string, string>) {
  const response = await request(url, { headers });
  const body = Buffer.from(await response.body.arrayBuffer());
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return { status: response.statusCode, body, header };
}

describe('feed compression', () => {
  it('negotiates br, gzip or identity from Accept-Encoding', () => {
    expect(negotiateEncoding(undefined)).toBe('identity');
    expect(negotiateEncoding('')).toBe('identity');
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br');
    expect(negotiateEncoding('gzip, deflate')).toBe('gzip');
    expect(negotiateEncoding('gzip, br;q=0.5')).toBe('gzip');
    expect(negotiateEncoding('BR;q=0.8, GZIP;q=0.8')).toBe('br');
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('*;q=0.5, br;q=0')).toBe('gzip');
    expect(negotiateEncoding('gzip;q=0, br;q=0')).toBe('identity');
    expect(negotiateEncoding('identity')).toBe('identity');
    expect(negotiateEncoding('deflate')).toBe('identity');
  });

  it('sends each encoding with its own strong ETag and Vary, all the same calendar', async () => {
    const { harness, url } = await seeded();
    const plain = await get(url, {});
    const gzip = await get(url, { 'accept-encoding': 'gzip, deflate' });
    const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });

    expect(plain.status).toBe(200);
    expect(plain.header('content-encoding')).toBeUndefined();
    expect(gzip.header('content-encoding')).toBe('gzip');
    expect(br.header('content-encoding')).toBe('br');
    for (const response of [plain, gzip, br]) {
      expect(response.header('vary')).toBe('Accept-Encoding');
      expect(response.header('content-type')).toBe('text/calendar; charset=utf-8');
      expect(response.header('content-length')).toBe(String(response.body.length));
      expect(response.header('last-modified')).toBe(plain.header('last-modified'));
    }
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(gzip.body.length).toBeLessThan(plain.body.length);
    expect(br.body.length).toBeLessThan(plain.body.length);

    const etags = [plain, gzip, br].map((response) => response.header('etag'));
    expect(etags[0]).toMatch(/^"[\w-]{43}"$/);
    expect(etags[1]).toBe(`${etags[0]?.slice(0, -1)}-gz"`);
    expect(etags[2]).toBe(`${etags[0]?.slice(0, -1)}-br"`);

    // Compressed once per rendered version, not per request.
    const metrics = await harness.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('planning_proxy_feed_cache_renders_total 1');
  });

  it('answers 304 per encoding, and 200 when the validator is of another encoding', async () => {
    const { url } = await seeded();
    const encodings = ['identity', 'gzip', 'br'];
    const etags = new Map<string, string>();
    for (const encoding of encodings) {
      etags.set(encoding, (await get(url, { 'accept-encoding': encoding })).header('etag') ?? '');
    }
    for (const encoding of encodings) {
      const etag = etags.get(encoding) ?? '';
      const same = await get(url, { 'accept-encoding': encoding, 'if-none-match': etag });
      expect(same.status).toBe(304);
      expect(same.body.length).toBe(0);
      expect(same.header('etag')).toBe(etag);
      expect(same.header('vary')).toBe('Accept-Encoding');
      expect(same.header('content-encoding')).toBeUndefined();
      expect(
        (await get(url, { 'accept-encoding': encoding, 'if-none-match': `W/${etag}` })).status,
      ).toBe(304);
      for (const other of encodings.filter((candidate) => candidate !== encoding)) {
        const changed = await get(url, { 'accept-encoding': other, 'if-none-match': etag });
        expect(changed.status).toBe(200);
        expect(changed.header('etag')).toBe(etags.get(other));
      }
    }
  });

  it('answers HEAD with the negotiated encoding and its length, without a body', async () => {
    const { url } = await seeded();
    const full = await get(url, { 'accept-encoding': 'br' });
    const response = await request(url, { method: 'HEAD', headers: { 'accept-encoding': 'br' } });
    await response.body.dump();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-length']).toBe(String(full.body.length));
    expect(response.headers.etag).toBe(full.header('etag'));
  });
});
