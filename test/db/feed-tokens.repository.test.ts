import { describe, expect, it } from 'vitest';
import { hashFeedToken } from '../../src/core/index.ts';
import type { FeedTokenOwnerKind, NewFeedToken } from '../../src/db/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { section, T0 } from './helpers.ts';

const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const HOUR = 3_600_000;

/** A migrated database with two sections (L3, M1) and a builder of new tokens. */
function setup() {
  const database = createTestDatabase();
  const { repositories, sqlite } = database;
  const [l3, m1] = repositories.sections.sync([section('L3'), section('M1')], T0);
  let serial = 0;
  function token(
    fields: {
      owner?: string;
      ownerKind?: FeedTokenOwnerKind;
      sectionId?: number | null;
      prefix?: string;
      filterJson?: string | null;
      at?: Date;
    } = {},
  ): NewFeedToken {
    serial += 1;
    return {
      tokenHash: hashFeedToken(`secret-${serial}`),
      prefix: fields.prefix ?? `pfx${String(serial).padStart(5, '0')}`,
      ownerKind: fields.ownerKind ?? 'discord',
      owner: fields.owner ?? '111111111111111111',
      sectionId: fields.sectionId === undefined ? l3!.id : fields.sectionId,
      filterJson: fields.filterJson,
      at: fields.at ?? minutes(serial),
    };
  }
  const usageRows = () =>
    sqlite
      .prepare('select section_id, hour_at, hits, not_modified from feed_usage order by hour_at')
      .all();
  return { tokens: repositories.feedTokens, l3: l3!.id, m1: m1!.id, token, usageRows };
}

describe('feed tokens repository', () => {
  it('creates a token with its filter time and finds it by hash until it is revoked', () => {
    const { tokens, token, l3 } = setup();
    const plain = tokens.create(token({ at: minutes(1) }));
    const filtered = tokens.create(token({ filterJson: '{"groups":["TD1"]}', at: minutes(2) }));
    expect(plain).toMatchObject({
      sectionId: l3,
      filterJson: null,
      filterChangedAt: null,
      createdAt: minutes(1),
      revokedAt: null,
      useCount: 0,
      lastUsedAt: null,
    });
    expect(filtered).toMatchObject({
      filterJson: '{"groups":["TD1"]}',
      filterChangedAt: minutes(2),
    });

    expect(tokens.findActiveByHash(plain.tokenHash)?.id).toBe(plain.id);
    expect(tokens.findActiveByHash(hashFeedToken('never issued'))).toBeUndefined();
    tokens.revoke({ tokenHash: plain.tokenHash }, minutes(10));
    expect(tokens.findActiveByHash(plain.tokenHash)).toBeUndefined();
    expect(tokens.findActiveByHash(filtered.tokenHash)?.id).toBe(filtered.id);
    // Still there for the record, with the time of revocation.
    expect(tokens.findById(plain.id)).toMatchObject({ id: plain.id, revokedAt: minutes(10) });
    expect(tokens.findById(plain.id + 100)).toBeUndefined();
  });

  it('refuses a second token with the same hash', () => {
    const { tokens, token } = setup();
    const first = token();
    tokens.create(first);
    expect(() => tokens.create({ ...first, owner: 'someone else' })).toThrow(/UNIQUE/);
  });

  it('imports a token once: createIfAbsent is idempotent and keeps the first row', () => {
    const { tokens, token } = setup();
    const imported = token({ ownerKind: 'ipp', owner: 'ipp-import', sectionId: null });
    expect(tokens.createIfAbsent(imported)).toBe(true);
    expect(tokens.createIfAbsent({ ...imported, owner: 'changed', at: minutes(99) })).toBe(false);
    expect(tokens.list()).toMatchObject([
      {
        tokenHash: imported.tokenHash,
        owner: 'ipp-import',
        sectionId: null,
        createdAt: imported.at,
      },
    ]);
  });

  it('createIfAbsent does not bring a revoked token back', () => {
    const { tokens, token } = setup();
    const imported = token({ ownerKind: 'ipp', owner: 'ipp-import', sectionId: null });
    tokens.createIfAbsent(imported);
    tokens.revoke({ tokenHash: imported.tokenHash }, minutes(5));
    expect(tokens.createIfAbsent(imported)).toBe(false);
    expect(tokens.findActiveByHash(imported.tokenHash)).toBeUndefined();
  });

  it('lists live tokens of an owner, optionally of one section, oldest first', () => {
    const { tokens, token, l3, m1 } = setup();
    const owner = '222222222222222222';
    const newer = tokens.create(token({ owner, sectionId: l3, at: minutes(20) }));
    const older = tokens.create(token({ owner, sectionId: m1, at: minutes(10) }));
    const revoked = tokens.create(token({ owner, sectionId: l3, at: minutes(5) }));
    tokens.create(token({ owner: '333333333333333333', sectionId: l3 }));
    tokens.revoke({ ids: [revoked.id] }, minutes(30));

    expect(tokens.listActiveByOwner(owner).map((row) => row.id)).toEqual([older.id, newer.id]);
    expect(tokens.listActiveByOwner(owner, l3).map((row) => row.id)).toEqual([newer.id]);
    expect(tokens.listActiveByOwner(owner, m1).map((row) => row.id)).toEqual([older.id]);
    expect(tokens.listActiveByOwner('nobody')).toEqual([]);
  });

  it('lists live tokens, or every token, by creation time then id', () => {
    const { tokens, token } = setup();
    const late = tokens.create(token({ at: minutes(30) }));
    const tieA = tokens.create(token({ at: minutes(10) }));
    const tieB = tokens.create(token({ at: minutes(10) }));
    const gone = tokens.create(token({ at: minutes(1) }));
    tokens.revoke({ tokenHash: gone.tokenHash }, minutes(40));

    expect(tokens.list().map((row) => row.id)).toEqual([tieA.id, tieB.id, late.id]);
    expect(tokens.list({ includeRevoked: true }).map((row) => row.id)).toEqual([
      gone.id,
      tieA.id,
      tieB.id,
      late.id,
    ]);
  });

  it('counts live tokens per section, legacy all-section tokens under null', () => {
    const { tokens, token, l3, m1 } = setup();
    tokens.create(token({ sectionId: l3 }));
    tokens.create(token({ sectionId: l3 }));
    const revoked = tokens.create(token({ sectionId: l3 }));
    tokens.create(token({ sectionId: m1 }));
    tokens.create(token({ ownerKind: 'ipp', owner: 'ipp', sectionId: null }));
    tokens.revoke({ ids: [revoked.id] }, minutes(50));

    expect(tokens.countActiveBySection()).toEqual(
      new Map<number | null, number>([
        [l3, 2],
        [m1, 1],
        [null, 1],
      ]),
    );
    tokens.revoke({ sectionId: m1, owner: '111111111111111111' }, minutes(51));
    expect(tokens.countActiveBySection().has(m1)).toBe(false);
  });

  describe('revoke', () => {
    it('by hash touches that live token only and returns it', () => {
      const { tokens, token } = setup();
      const target = tokens.create(token());
      const other = tokens.create(token());
      expect(tokens.revoke({ tokenHash: target.tokenHash }, minutes(60))).toMatchObject([
        { id: target.id, revokedAt: minutes(60) },
      ]);
      // Revoking again changes nothing: the first revocation time stays.
      expect(tokens.revoke({ tokenHash: target.tokenHash }, minutes(70))).toEqual([]);
      expect(tokens.findById(target.id)?.revokedAt).toEqual(minutes(60));
      expect(tokens.findById(other.id)?.revokedAt).toBeNull();
    });

    it('by owner revokes every live token of that owner, or only those of one section', () => {
      const { tokens, token, l3, m1 } = setup();
      const owner = '444444444444444444';
      const a = tokens.create(token({ owner, sectionId: l3 }));
      const b = tokens.create(token({ owner, sectionId: m1 }));
      const c = tokens.create(token({ owner, sectionId: m1 }));
      const earlier = tokens.create(token({ owner, sectionId: m1 }));
      const stranger = tokens.create(token({ owner: '555555555555555555', sectionId: m1 }));
      tokens.revoke({ ids: [earlier.id] }, minutes(60));

      const bySection = tokens.revoke({ owner, sectionId: m1 }, minutes(61));
      expect(bySection.map((row) => row.id).sort()).toEqual([b.id, c.id].sort());
      expect(bySection.every((row) => row.revokedAt?.getTime() === minutes(61).getTime())).toBe(
        true,
      );
      expect(tokens.findById(earlier.id)?.revokedAt).toEqual(minutes(60));
      expect(tokens.findById(a.id)?.revokedAt).toBeNull();
      expect(tokens.findById(stranger.id)?.revokedAt).toBeNull();

      expect(tokens.revoke({ owner }, minutes(62)).map((row) => row.id)).toEqual([a.id]);
      expect(tokens.listActiveByOwner(owner)).toEqual([]);
      expect(tokens.findById(stranger.id)?.revokedAt).toBeNull();
    });

    it('by prefix revokes the live tokens with exactly that prefix', () => {
      const { tokens, token } = setup();
      const target = tokens.create(token({ prefix: 'abcd1234' }));
      const longer = tokens.create(token({ prefix: 'abcd12345' }));
      const shorter = tokens.create(token({ prefix: 'abcd123' }));
      expect(tokens.revoke({ prefix: 'abcd1234' }, minutes(60)).map((row) => row.id)).toEqual([
        target.id,
      ]);
      expect(tokens.findById(longer.id)?.revokedAt).toBeNull();
      expect(tokens.findById(shorter.id)?.revokedAt).toBeNull();
      expect(tokens.revoke({ prefix: 'abcd1234' }, minutes(61))).toEqual([]);
    });

    it('by ids revokes only the listed live tokens', () => {
      const { tokens, token } = setup();
      const [a, b, c] = [token(), token(), token()].map((row) => tokens.create(row));
      tokens.revoke({ ids: [a!.id] }, minutes(60));
      const revoked = tokens.revoke({ ids: [a!.id, c!.id, 9_999] }, minutes(61));
      expect(revoked).toMatchObject([{ id: c!.id, revokedAt: minutes(61) }]);
      expect(tokens.findById(a!.id)?.revokedAt).toEqual(minutes(60));
      expect(tokens.findById(b!.id)?.revokedAt).toBeNull();
      expect(tokens.revoke({ ids: [] }, minutes(62))).toEqual([]);
      expect(tokens.list().map((row) => row.id)).toEqual([b!.id]);
    });
  });

  it('sets and clears a filter, stamping filterChangedAt each time, on that token only', () => {
    const { tokens, token } = setup();
    const target = tokens.create(token());
    const other = tokens.create(token({ filterJson: '{"groups":["TP2"]}', at: minutes(3) }));
    tokens.setFilter(target.id, '{"groups":["TD1"]}', minutes(10));
    expect(tokens.findById(target.id)).toMatchObject({
      filterJson: '{"groups":["TD1"]}',
      filterChangedAt: minutes(10),
    });
    tokens.setFilter(target.id, null, minutes(20));
    expect(tokens.findById(target.id)).toMatchObject({
      filterJson: null,
      filterChangedAt: minutes(20),
    });
    expect(tokens.findById(other.id)).toMatchObject({
      filterJson: '{"groups":["TP2"]}',
      filterChangedAt: minutes(3),
    });
  });

  it('adds usage batches up and keeps the last user agent and time of use', () => {
    const { tokens, token } = setup();
    const used = tokens.create(token());
    const idle = tokens.create(token());
    tokens.recordUsage(
      new Map([[used.id, { hits: 3, lastUsedAt: minutes(10), userAgent: 'Google-Calendar/1.0' }]]),
    );
    tokens.recordUsage(
      new Map([
        [used.id, { hits: 2, lastUsedAt: minutes(15), userAgent: 'iOS/17.1 dataaccessd/1.0' }],
      ]),
    );
    tokens.recordUsage(new Map());
    expect(tokens.findById(used.id)).toMatchObject({
      useCount: 5,
      lastUsedAt: minutes(15),
      lastUserAgent: 'iOS/17.1 dataaccessd/1.0',
    });
    expect(tokens.findById(idle.id)).toMatchObject({
      useCount: 0,
      lastUsedAt: null,
      lastUserAgent: null,
    });
  });

  it('keeps the known user agent when a later batch has none', () => {
    const { tokens, token } = setup();
    const used = tokens.create(token());
    tokens.recordUsage(
      new Map([[used.id, { hits: 1, lastUsedAt: minutes(10), userAgent: 'Thunderbird' }]]),
    );
    tokens.recordUsage(new Map([[used.id, { hits: 1, lastUsedAt: minutes(20), userAgent: null }]]));
    expect(tokens.findById(used.id)).toMatchObject({
      useCount: 2,
      lastUsedAt: minutes(20),
      lastUserAgent: 'Thunderbird',
    });
  });

  it('writes a usage batch for several tokens at once', () => {
    const { tokens, token } = setup();
    const a = tokens.create(token());
    const b = tokens.create(token());
    tokens.recordUsage(
      new Map([
        [a.id, { hits: 1, lastUsedAt: minutes(10), userAgent: 'Thunderbird' }],
        [b.id, { hits: 7, lastUsedAt: minutes(11), userAgent: null }],
      ]),
    );
    expect([tokens.findById(a.id), tokens.findById(b.id)]).toMatchObject([
      { useCount: 1, lastUsedAt: minutes(10), lastUserAgent: 'Thunderbird' },
      { useCount: 7, lastUsedAt: minutes(11), lastUserAgent: null },
    ]);
  });

  it('upserts section usage per section and hour, adding to existing counters', () => {
    const { tokens, l3, m1, usageRows } = setup();
    const hour = new Date(Math.floor(T0.getTime() / HOUR) * HOUR);
    const nextHour = new Date(hour.getTime() + HOUR);
    tokens.recordSectionUsage([
      { sectionId: l3, hourAt: hour, hits: 4, notModified: 3 },
      { sectionId: m1, hourAt: hour, hits: 1, notModified: 0 },
    ]);
    tokens.recordSectionUsage([
      { sectionId: l3, hourAt: hour, hits: 2, notModified: 1 },
      { sectionId: l3, hourAt: nextHour, hits: 5, notModified: 5 },
    ]);
    tokens.recordSectionUsage([]);
    expect(usageRows()).toEqual(
      expect.arrayContaining([
        { section_id: l3, hour_at: hour.getTime(), hits: 6, not_modified: 4 },
        { section_id: m1, hour_at: hour.getTime(), hits: 1, not_modified: 0 },
        { section_id: l3, hour_at: nextHour.getTime(), hits: 5, not_modified: 5 },
      ]),
    );
    expect(usageRows()).toHaveLength(3);
  });

  it('writes a usage batch all or nothing', () => {
    const { tokens, l3, usageRows } = setup();
    // The second row breaks the section foreign key: the first must not be kept either.
    expect(() => {
      tokens.recordSectionUsage([
        { sectionId: l3, hourAt: T0, hits: 1, notModified: 0 },
        { sectionId: 9_999, hourAt: T0, hits: 1, notModified: 0 },
      ]);
    }).toThrow(/FOREIGN KEY/);
    expect(usageRows()).toEqual([]);
  });
});
