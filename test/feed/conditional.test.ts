import { describe, expect, it } from 'vitest';
import {
  computeEtag,
  isNotModified,
  matchesIfNoneMatch,
  parseHttpDate,
  toWholeSeconds,
} from '../../src/feed/conditional.ts';
import { toContentDisposition } from '../../src/feed/feed-cache.ts';
import { startOfLocalDay, startOfNextLocalDay, toLocalDay } from '../../src/core/index.ts';

describe('conditional requests', () => {
  const etag = computeEtag(Buffer.from('BEGIN:VCALENDAR'));
  const lastModified = new Date('2026-11-20T08:00:00Z');

  it('makes a strong, quoted ETag from the bytes', () => {
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    expect(computeEtag(Buffer.from('BEGIN:VCALENDAR'))).toBe(etag);
    expect(computeEtag(Buffer.from('BEGIN:VCALENDAR '))).not.toBe(etag);
  });

  it('compares If-None-Match weakly', () => {
    expect(matchesIfNoneMatch(etag, etag)).toBe(true);
    expect(matchesIfNoneMatch(`W/${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch(`"a", W/${etag} ,"b"`, etag)).toBe(true);
    expect(matchesIfNoneMatch('*', etag)).toBe(true);
    expect(matchesIfNoneMatch('"a"', etag)).toBe(false);
  });

  it('prefers If-None-Match over If-Modified-Since', () => {
    const future = 'Fri, 01 Jan 2100 00:00:00 GMT';
    expect(
      isNotModified({ ifNoneMatch: '"x"', ifModifiedSince: future }, { etag, lastModified }),
    ).toBe(false);
    const now = Date.parse('2026-11-21T00:00:00Z');
    expect(
      isNotModified(
        { ifModifiedSince: 'Fri, 20 Nov 2026 08:00:00 GMT' },
        { etag, lastModified },
        now,
      ),
    ).toBe(true);
    // A date in the future, or what Date.parse accepts but HTTP does not, counts for nothing.
    expect(isNotModified({ ifModifiedSince: future }, { etag, lastModified }, now)).toBe(false);
    expect(isNotModified({ ifModifiedSince: '2026-11-20' }, { etag, lastModified }, now)).toBe(
      false,
    );
    expect(
      isNotModified({ ifModifiedSince: 'Fri, 20 Nov 2026 07:59:59 GMT' }, { etag, lastModified }),
    ).toBe(false);
    expect(isNotModified({ ifModifiedSince: 'nonsense' }, { etag, lastModified })).toBe(false);
    expect(isNotModified({}, { etag, lastModified })).toBe(false);
  });

  it('reads the three HTTP-date forms and nothing else', () => {
    const at = Date.parse('1994-11-06T08:49:37Z');
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(at);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(at);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(at);
    for (const bad of ['9999', '1', 'yesterday', 'Sun, 31 Feb 2026 08:00:00 GMT', '2026-11-20']) {
      expect(parseHttpDate(bad)).toBeUndefined();
    }
  });

  it('drops milliseconds from HTTP dates', () => {
    expect(toWholeSeconds(new Date('2026-11-20T08:00:00.999Z')).toISOString()).toBe(
      '2026-11-20T08:00:00.000Z',
    );
  });

  it('builds ASCII and UTF-8 Content-Disposition file names', () => {
    expect(toContentDisposition('MIAGE')).toBe('inline; filename="MIAGE.ics"');
    expect(toContentDisposition("L'École")).toBe(
      `inline; filename="L_Ecole.ics"; filename*=UTF-8''L%27%C3%89cole.ics`,
    );
  });
});

describe('zoned time (Europe/Paris)', () => {
  const zone = 'Europe/Paris';

  it('finds the local day of an instant', () => {
    expect(toLocalDay(new Date('2026-11-20T23:30:00Z'), zone)).toBe('2026-11-21');
    expect(toLocalDay(new Date('2026-07-20T21:59:00Z'), zone)).toBe('2026-07-20');
  });

  it('finds local midnights across DST changes', () => {
    expect(startOfLocalDay('2026-10-25', zone).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(startOfLocalDay('2026-10-26', zone).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(startOfLocalDay('2027-03-28', zone).toISOString()).toBe('2027-03-27T23:00:00.000Z');
    expect(startOfLocalDay('2027-03-29', zone).toISOString()).toBe('2027-03-28T22:00:00.000Z');
    expect(startOfNextLocalDay(new Date('2026-10-25T12:00:00Z'), zone).toISOString()).toBe(
      '2026-10-25T23:00:00.000Z',
    );
  });
});
