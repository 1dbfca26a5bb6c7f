import { describe, expect, it } from 'vitest';
import type { TimetableChange } from '../../src/core/index.ts';
import { describeImplausibleChange, settleRemovals } from '../../src/scraper/change-guard.ts';
import { diffTimetables } from '../../src/scraper/diff.ts';
import { makeEvent } from './helpers/events.ts';

const now = new Date('2026-11-21T10:00:00Z');
const upcoming = (count: number, prefix = 'e') =>
  Array.from({ length: count }, (_, index) =>
    makeEvent({
      uid: `${prefix}${index}`,
      startsAt: new Date(Date.UTC(2026, 10, 23, 8) + index * 3_600_000),
      endsAt: new Date(Date.UTC(2026, 10, 23, 9) + index * 3_600_000),
    }),
  );

describe('describeImplausibleChange', () => {
  const check = (previous: ReturnType<typeof upcoming>, next: ReturnType<typeof upcoming>) =>
    describeImplausibleChange(previous, next, diffTimetables(previous, next, { now }), { now });

  it('calls a calendar that triples at least 20 additions an implausible increase', () => {
    expect(check(upcoming(10), [...upcoming(10), ...upcoming(20, 'n')])).toMatchObject({
      kind: 'increase',
      code: 'scraper.suspicious_increase',
    });
    expect(check(upcoming(10), [...upcoming(10), ...upcoming(19, 'n')])).toBeUndefined();
    expect(check(upcoming(100), [...upcoming(100), ...upcoming(199, 'n')])).toBeUndefined();
  });

  it('calls a thousand additions at once implausible whatever the size', () => {
    expect(check(upcoming(3000), [...upcoming(3000), ...upcoming(1000, 'n')])).toMatchObject({
      kind: 'increase',
    });
  });

  it('still calls half of the upcoming events gone a drop', () => {
    expect(check(upcoming(10), upcoming(5))).toMatchObject({
      kind: 'drop',
      code: 'scraper.suspicious_drop',
    });
  });
});

describe('settleRemovals', () => {
  const [a, b] = upcoming(2);
  const removal = (event: typeof a): TimetableChange => ({
    uid: event!.uid,
    kinds: ['cancelled'],
    before: event,
    after: undefined,
  });
  const added: TimetableChange = { uid: 'n', kinds: ['added'], before: undefined, after: a };
  const base = {
    pending: new Map(),
    confirmedByHold: false,
    createdAt: new Map([
      ['e0', new Date('2026-11-01T00:00:00Z')],
      ['e1', new Date('2026-11-21T09:55:00Z')],
    ]),
    lastSuccessAt: new Date('2026-11-21T09:55:00Z'),
    baselineAt: new Date('2026-11-01T00:00:00Z'),
    at: now,
  };

  it('defers a first removal and applies everything else', () => {
    const settled = settleRemovals({ ...base, changes: [added, removal(a), removal(b)] });
    expect(settled.changes).toEqual([added]);
    expect(settled.pending).toEqual([
      { uid: 'e0', firstMissedAt: now, singleSighting: false },
      { uid: 'e1', firstMissedAt: now, singleSighting: true },
    ]);
  });

  it('applies a pending removal, deleting one sighted once', () => {
    const pending = new Map([
      ['e0', { uid: 'e0', firstMissedAt: now, singleSighting: false }],
      ['e1', { uid: 'e1', firstMissedAt: now, singleSighting: true }],
    ]);
    const settled = settleRemovals({ ...base, pending, changes: [removal(a), removal(b)] });
    expect(settled.changes.map((change) => change.uid)).toEqual(['e0', 'e1']);
    expect(settled.pending).toEqual([]);
    expect(settled.purgeUids).toEqual(['e1']);
  });

  it('applies removals a hold already confirmed', () => {
    const settled = settleRemovals({ ...base, confirmedByHold: true, changes: [removal(a)] });
    expect(settled.changes).toHaveLength(1);
    expect(settled.purgeUids).toEqual([]);
  });

  it('never calls an event of the first import sighted once', () => {
    const settled = settleRemovals({
      ...base,
      lastSuccessAt: base.baselineAt,
      confirmedByHold: true,
      changes: [removal(a)],
    });
    expect(settled.purgeUids).toEqual([]);
  });
});
