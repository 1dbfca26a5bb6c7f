import { describe, expect, it } from 'vitest';
import { hashFeedToken, toDiscordUserId } from '../../src/core/index.ts';
import type { FeedTokenOwnerKind } from '../../src/db/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { section, T0 } from './helpers.ts';

const HOUR = 3_600_000;
const later = (ms: number) => new Date(T0.getTime() + ms);

function setup() {
  const database = createTestDatabase();
  const { repositories } = database;
  const [l3, m1] = repositories.sections.sync([section('L3'), section('M1')], T0);
  let serial = 0;
  /** A feed link for `owner`, as /subscribe (discord), the admin API or the IPP import makes it. */
  function link(
    owner: string,
    sectionId: number | null,
    ownerKind: FeedTokenOwnerKind = 'discord',
  ) {
    serial += 1;
    return repositories.feedTokens.create({
      tokenHash: hashFeedToken(`link-${serial}`),
      prefix: `link${serial}`,
      ownerKind,
      owner,
      sectionId,
      at: T0,
    });
  }
  function optIn(id: string, enabled = true, locale: string | null = null) {
    repositories.botState.setNotifyPref({
      discordUserId: toDiscordUserId(id),
      enabled,
      locale,
      at: T0,
    });
  }
  return { ...database, state: repositories.botState, l3: l3!.id, m1: m1!.id, link, optIn };
}

describe('bot state repository', () => {
  it('stores key/value settings and overwrites them in place', () => {
    const { state, sqlite } = setup();
    expect(state.getValue('commands.hash')).toBeUndefined();
    state.setValue('commands.hash', 'aaa', later(1_000));
    state.setValue('other', 'x', later(1_000));
    state.setValue('commands.hash', 'bbb', later(2_000));
    expect(state.getValue('commands.hash')).toBe('bbb');
    expect(state.getValue('other')).toBe('x');
    expect(
      sqlite.prepare('select key, value, updated_at from app_state order by key').all(),
    ).toEqual([
      { key: 'commands.hash', value: 'bbb', updated_at: later(2_000).getTime() },
      { key: 'other', value: 'x', updated_at: later(1_000).getTime() },
    ]);
  });

  it('upserts /notify preferences per user', () => {
    const { state } = setup();
    const user = toDiscordUserId('100000000000000001');
    expect(state.findNotifyPref(user)).toBeUndefined();
    state.setNotifyPref({ discordUserId: user, enabled: true, locale: 'fr', at: later(1_000) });
    state.setNotifyPref({
      discordUserId: toDiscordUserId('100000000000000002'),
      enabled: true,
      locale: 'en-GB',
      at: later(1_000),
    });
    state.setNotifyPref({ discordUserId: user, enabled: false, locale: null, at: later(2_000) });
    expect(state.findNotifyPref(user)).toEqual({
      discordUserId: user,
      enabled: false,
      locale: null,
      dmClosedAt: null,
      updatedAt: later(2_000),
    });
    expect(state.findNotifyPref(toDiscordUserId('100000000000000002'))).toMatchObject({
      enabled: true,
      locale: 'en-GB',
    });
  });

  describe('listNotifyRecipients', () => {
    it('lists opted-in users with a live discord link to that section, once each, by id', () => {
      const { state, l3, m1, link, optIn, repositories } = setup();
      // Two live links to L3: listed once, with the locale of the preference.
      optIn('300000000000000003', true, 'en-US');
      link('300000000000000003', l3);
      link('300000000000000003', l3);
      optIn('100000000000000001', true, 'fr');
      link('100000000000000001', l3);
      link('100000000000000001', m1);
      // Opted in, but the L3 link was revoked.
      optIn('200000000000000002');
      const revoked = link('200000000000000002', l3);
      repositories.feedTokens.revoke({ ids: [revoked.id] }, later(1_000));
      // Opted in, link to another section only.
      optIn('400000000000000004');
      link('400000000000000004', m1);
      // Opted out, live L3 link.
      optIn('500000000000000005', false);
      link('500000000000000005', l3);
      // Never opted in, live L3 link.
      link('600000000000000006', l3);
      // Opted in, but the only L3 link is one an admin issued under that name, or an IPP link.
      optIn('700000000000000007');
      link('700000000000000007', l3, 'admin');
      link('700000000000000007', null, 'ipp');

      expect(state.listNotifyRecipients(l3)).toEqual([
        { discordUserId: '100000000000000001', locale: 'fr' },
        { discordUserId: '300000000000000003', locale: 'en-US' },
      ]);
      expect(state.listNotifyRecipients(m1)).toEqual([
        { discordUserId: '100000000000000001', locale: 'fr' },
        { discordUserId: '400000000000000004', locale: null },
      ]);
    });

    it('follows opting out and revoking the last link', () => {
      const { state, l3, link, optIn, repositories } = setup();
      optIn('100000000000000001');
      link('100000000000000001', l3);
      optIn('200000000000000002');
      link('200000000000000002', l3);
      expect(state.listNotifyRecipients(l3).map((row) => row.discordUserId)).toEqual([
        '100000000000000001',
        '200000000000000002',
      ]);
      optIn('100000000000000001', false);
      repositories.feedTokens.revoke({ owner: '200000000000000002' }, later(1_000));
      expect(state.listNotifyRecipients(l3)).toEqual([]);
    });
  });

  describe('feedHitsSince', () => {
    it('sums hourly buckets per section from the bucket starting at `since` on', () => {
      const { state, repositories, l3, m1 } = setup();
      const hour = new Date(Math.floor(T0.getTime() / HOUR) * HOUR);
      const bucket = (offset: number) => new Date(hour.getTime() + offset * HOUR);
      repositories.feedTokens.recordSectionUsage([
        { sectionId: l3, hourAt: bucket(-1), hits: 100, notModified: 0 },
        { sectionId: l3, hourAt: bucket(0), hits: 7, notModified: 7 },
        { sectionId: l3, hourAt: bucket(1), hits: 5, notModified: 0 },
        { sectionId: m1, hourAt: bucket(-2), hits: 9, notModified: 0 },
      ]);

      expect(state.feedHitsSince(bucket(0))).toEqual(new Map([[l3, 12]]));
      expect(state.feedHitsSince(bucket(-1))).toEqual(new Map([[l3, 112]]));
      expect(state.feedHitsSince(bucket(-2))).toEqual(
        new Map([
          [l3, 112],
          [m1, 9],
        ]),
      );
      // A bucket that starts a millisecond before `since` is left out entirely.
      expect(state.feedHitsSince(new Date(bucket(0).getTime() + 1))).toEqual(new Map([[l3, 5]]));
      expect(state.feedHitsSince(bucket(2))).toEqual(new Map());
    });
  });
});
