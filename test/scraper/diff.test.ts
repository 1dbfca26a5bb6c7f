import { describe, expect, it } from 'vitest';
import type { TimetableEvent } from '../../src/core/index.ts';
import { diffTimetables, isInSight } from '../../src/scraper/diff.ts';
import { makeEvent, parseFixture } from './helpers/events.ts';

const now = new Date('2026-11-21T10:00:00Z');
const lecture = makeEvent({ uid: 'lecture' });
const tutorial = makeEvent({
  uid: 'tutorial',
  title: 'TD Algorithmique avancée',
  location: 'C012',
  startsAt: new Date('2026-11-23T10:15:00Z'),
  endsAt: new Date('2026-11-23T12:15:00Z'),
});

function diff(previous: TimetableEvent[], next: TimetableEvent[], options = { now }) {
  return diffTimetables(previous, next, options);
}

describe('diffTimetables', () => {
  it('reports nothing for the same timetable, whatever the order and raw fields', () => {
    const reexported = [{ ...tutorial, raw: { sequence: '2142001800' } }, lecture];
    const result = diff([lecture, tutorial], reexported);
    expect(result).toEqual({ changes: [], remaps: [], unchanged: 2, outOfSight: 0 });
  });

  it('reports a new event as added', () => {
    const result = diff([lecture], [lecture, tutorial]);
    expect(result.changes).toEqual([
      { uid: 'tutorial', kinds: ['added'], before: undefined, after: tutorial },
    ]);
    expect(result.unchanged).toBe(1);
  });

  it('reports an upcoming event that disappeared as cancelled', () => {
    const result = diff([lecture, tutorial], [lecture]);
    expect(result.changes).toEqual([
      { uid: 'tutorial', kinds: ['cancelled'], before: tutorial, after: undefined },
    ]);
  });

  it('reports STATUS:CANCELLED as cancelled, keeping before and after', () => {
    const cancelled = { ...tutorial, status: 'cancelled' as const };
    const result = diff([lecture, tutorial], [lecture, cancelled]);
    expect(result.changes).toEqual([
      { uid: 'tutorial', kinds: ['cancelled'], before: tutorial, after: cancelled },
    ]);
  });

  it('reports a cancelled event that is back as added', () => {
    const cancelled = { ...tutorial, status: 'cancelled' as const };
    expect(diff([cancelled], [tutorial]).changes[0]?.kinds).toEqual(['added']);
  });

  it('reports a new time or a new date as moved', () => {
    const later = {
      ...lecture,
      startsAt: new Date('2026-11-23T09:00:00Z'),
      endsAt: new Date('2026-11-23T11:00:00Z'),
    };
    const otherDay = {
      ...tutorial,
      startsAt: new Date('2026-11-25T10:15:00Z'),
      endsAt: new Date('2026-11-25T12:15:00Z'),
    };
    const result = diff([lecture, tutorial], [later, otherDay]);
    expect(result.changes.map((change) => [change.uid, change.kinds])).toEqual([
      ['lecture', ['moved']],
      ['tutorial', ['moved']],
    ]);
    expect(result.changes[0]?.before?.startsAt.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(result.changes[0]?.after?.startsAt.toISOString()).toBe('2026-11-23T09:00:00.000Z');
  });

  it('reports a longer class (same start) as moved', () => {
    const longer = { ...lecture, endsAt: new Date('2026-11-23T11:00:00Z') };
    expect(diff([lecture], [longer]).changes[0]?.kinds).toEqual(['moved']);
  });

  it('reports a class turned into an all-day event as moved', () => {
    const allDay = {
      ...lecture,
      allDay: true,
      startsAt: new Date('2026-11-23T00:00:00Z'),
      endsAt: new Date('2026-11-24T00:00:00Z'),
    };
    expect(diff([lecture], [allDay]).changes[0]?.kinds).toEqual(['moved']);
  });

  it('reports a new room, teacher and title each as its own kind', () => {
    const result = diff(
      [makeEvent({ uid: 'a' }), makeEvent({ uid: 'b' }), makeEvent({ uid: 'c' })],
      [
        makeEvent({ uid: 'a', location: 'B203' }),
        makeEvent({ uid: 'b', teacher: 'MARTIN Paul' }),
        makeEvent({ uid: 'c', title: 'Algorithmique' }),
      ],
    );
    expect(result.changes.map((change) => [change.uid, change.kinds])).toEqual([
      ['a', ['room']],
      ['b', ['teacher']],
      ['c', ['renamed']],
    ]);
    expect(result.changes[0]?.before?.location).toBe('Amphi A');
    expect(result.changes[0]?.after?.location).toBe('B203');
  });

  it('makes one change with every kind when several fields of one event change', () => {
    const changed = {
      ...lecture,
      startsAt: new Date('2026-11-24T08:00:00Z'),
      endsAt: new Date('2026-11-24T10:00:00Z'),
      location: 'B203',
      teacher: 'MARTIN Paul',
      title: 'Algorithmique',
    };
    const result = diff([lecture], [changed]);
    expect(result.changes).toEqual([
      {
        uid: 'lecture',
        kinds: ['moved', 'room', 'teacher', 'renamed'],
        before: lecture,
        after: changed,
      },
    ]);
  });

  it('reports a description-only change as details', () => {
    const changed = { ...lecture, description: 'L3 INFO\nL3 MIAGE\nDUPONT Marie' };
    expect(diff([lecture], [changed]).changes[0]?.kinds).toEqual(['details']);
  });

  it('matches an event whose uid was regenerated with the same content, without a change', () => {
    const churned = { ...lecture, uid: 'lecture-v2' };
    const result = diff([lecture, tutorial], [churned, tutorial]);
    expect(result.changes).toEqual([]);
    expect(result.remaps).toEqual([{ fromUid: 'lecture', toUid: 'lecture-v2' }]);
    expect(result.unchanged).toBe(2);
  });

  it('matches a regenerated uid with a new room as one room change', () => {
    const churned = { ...lecture, uid: 'lecture-v2', location: 'B203' };
    const result = diff([lecture, tutorial], [churned, tutorial]);
    expect(result.remaps).toEqual([{ fromUid: 'lecture', toUid: 'lecture-v2' }]);
    expect(result.changes).toEqual([
      { uid: 'lecture-v2', kinds: ['room'], before: lecture, after: churned },
    ]);
  });

  it('matches identical classes with regenerated uids one to one', () => {
    const monday = makeEvent({ uid: 'x1' });
    const twin = makeEvent({ uid: 'x2' });
    const result = diff(
      [monday, twin],
      [
        { ...monday, uid: 'y1' },
        { ...twin, uid: 'y2' },
      ],
    );
    expect(result.changes).toEqual([]);
    expect(result.remaps.map((remap) => remap.fromUid).sort()).toEqual(['x1', 'x2']);
    expect(result.remaps.map((remap) => remap.toUid).sort()).toEqual(['y1', 'y2']);
  });

  it('keeps past events that are no longer exported out of sight, not cancelled', () => {
    const past = makeEvent({
      uid: 'past',
      startsAt: new Date('2026-11-20T13:00:00Z'),
      endsAt: new Date('2026-11-20T15:00:00Z'),
    });
    const result = diff([past, lecture], [lecture]);
    expect(result.changes).toEqual([]);
    expect(result.outOfSight).toBe(1);
  });

  it('cancels a class that has started but not ended', () => {
    const ongoing = makeEvent({
      uid: 'ongoing',
      startsAt: new Date('2026-11-21T09:00:00Z'),
      endsAt: new Date('2026-11-21T11:00:00Z'),
    });
    expect(diff([ongoing], []).changes[0]?.kinds).toEqual(['cancelled']);
  });

  it('keeps events outside the window a windowed source answered for out of sight', () => {
    const december = makeEvent({
      uid: 'december',
      startsAt: new Date('2026-12-14T08:00:00Z'),
      endsAt: new Date('2026-12-14T10:00:00Z'),
    });
    const coverage = {
      from: new Date('2026-11-16T00:00:00Z'),
      to: new Date('2026-12-07T00:00:00Z'),
    };
    const result = diffTimetables([lecture, december], [], { now, coverage });
    expect(result.changes.map((change) => change.uid)).toEqual(['lecture']);
    expect(result.outOfSight).toBe(1);
  });

  it('does not announce again an already cancelled event that disappears', () => {
    const cancelled = { ...tutorial, status: 'cancelled' as const };
    expect(diff([cancelled], []).changes[0]?.kinds).toEqual(['details']);
  });

  it('does not announce a new event that arrives already cancelled', () => {
    const cancelled = { ...tutorial, status: 'cancelled' as const };
    expect(diff([], [cancelled]).changes[0]?.kinds).toEqual(['details']);
  });

  it('leaves its inputs untouched', () => {
    const previous = [lecture, tutorial];
    const next = [{ ...lecture, location: 'B203' }];
    const copy = structuredClone({ previous, next });
    diff(previous, next);
    expect({ previous, next }).toEqual(copy);
  });

  it('finds no change between two reads of the Europe/Paris DST weekend', () => {
    const first = parseFixture('dst-weekend.ics').events;
    const second = parseFixture('dst-weekend.ics').events;
    const atChange = new Date('2026-10-25T01:30:00Z');
    const result = diffTimetables(first, second, { now: atChange });
    expect(result.changes).toEqual([]);
    expect(result.unchanged).toBe(7);
  });
});

describe('isInSight', () => {
  const event = makeEvent({
    uid: 'night',
    // 02:30 → 03:30 Paris on 25 October 2026: 00:30Z → 02:30Z.
    startsAt: new Date('2026-10-25T00:30:00Z'),
    endsAt: new Date('2026-10-25T02:30:00Z'),
  });

  it('is true until the event ends, across the repeated hour of the October change', () => {
    expect(isInSight(event, { now: new Date('2026-10-25T01:30:00Z') })).toBe(true);
    expect(isInSight(event, { now: new Date('2026-10-25T02:30:00Z') })).toBe(false);
  });

  it('is false outside the coverage window', () => {
    const coverage = {
      from: new Date('2026-10-26T00:00:00Z'),
      to: new Date('2026-11-02T00:00:00Z'),
    };
    expect(isInSight(event, { now: new Date('2026-10-01T00:00:00Z'), coverage })).toBe(false);
    expect(
      isInSight(event, {
        now: new Date('2026-10-01T00:00:00Z'),
        coverage: { from: new Date('2026-10-25T00:00:00Z'), to: new Date('2026-10-26T00:00:00Z') },
      }),
    ).toBe(true);
  });
});
