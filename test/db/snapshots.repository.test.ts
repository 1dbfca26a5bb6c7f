import { describe, expect, it } from 'vitest';
import { countChanges, isAlertable } from '../../src/db/index.ts';
import { createStore, event, T0 } from './helpers.ts';

const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe('snapshots repository: commitScrape', () => {
  it('stores a baseline whole, with no change history even if changes are passed', () => {
    const store = createStore();
    const result = store.commit({
      baseline: true,
      events: [event('a'), event('b', { day: 1 })],
      changes: [{ uid: 'a', kinds: ['added'], before: undefined, after: event('a') }],
      recordAlert: true,
    });
    expect(result).toMatchObject({ status: 'baseline', eventCount: 2, outboxId: undefined });
    expect(store.eventRows()).toMatchObject([
      { uid: 'a', feed_uid: 'a', revision: 0, removed_at: null, groups_json: '["L3 INFO"]' },
      { uid: 'b', feed_uid: 'b', revision: 0, removed_at: null },
    ]);
    expect(store.changeRows()).toEqual([]);
    expect(store.outboxRows()).toEqual([]);
    expect(store.sectionRow()).toMatchObject({
      baseline_at: T0.getTime(),
      content_version: 1,
      event_count: 2,
      last_success_at: T0.getTime(),
    });
    expect(store.runRows()).toMatchObject([
      { status: 'baseline', event_count: 2, change_count: 0, duration_ms: 12 },
    ]);
  });

  it('stores a big baseline across insert chunks', () => {
    const store = createStore();
    const events = Array.from({ length: 1_234 }, (_, index) => event(`e${index}`, { day: index }));
    expect(store.commit({ baseline: true, events }).eventCount).toBe(1_234);
    expect(store.eventRows()).toHaveLength(1_234);
  });

  it('updates rows already there when a baseline is stored again', () => {
    const store = createStore();
    store.commit({ baseline: true, events: [event('a')] });
    store.commit({
      baseline: true,
      events: [event('a', { title: 'Algorithmique', location: 'B203' }), event('b')],
      at: later(5),
    });
    expect(store.eventRows()).toMatchObject([
      { uid: 'a', title: 'Algorithmique', location: 'B203', changed_at: later(5).getTime() },
      { uid: 'b' },
    ]);
  });

  it('applies changes: adds, updates with a new revision, marks removed, and keeps history', () => {
    const store = createStore();
    store.commit({ baseline: true, events: [event('a'), event('b', { day: 1 })] });
    const moved = event('a', { day: 2 });
    const added = event('c', { day: 3 });
    const at = later(5);
    const { runId, ...result } = store.commit({
      at,
      events: [moved, added],
      changes: [
        { uid: 'a', kinds: ['moved'], before: event('a'), after: moved },
        { uid: 'b', kinds: ['cancelled'], before: event('b', { day: 1 }), after: undefined },
        { uid: 'c', kinds: ['added'], before: undefined, after: added },
      ],
    });
    expect(result).toMatchObject({
      status: 'ok',
      eventCount: 2,
      changeCounts: { moved: 1, cancelled: 1, added: 1 },
    });
    expect(store.eventRows()).toMatchObject([
      { uid: 'a', starts_at: moved.startsAt.getTime(), revision: 1, changed_at: at.getTime() },
      { uid: 'b', removed_at: at.getTime(), revision: 1 },
      { uid: 'c', revision: 0, created_at: at.getTime() },
    ]);
    const history = store.changeRows();
    expect(history.map((row) => [row.uid, row.kinds, row.run_id])).toEqual([
      ['a', 'moved', runId],
      ['b', 'cancelled', runId],
      ['c', 'added', runId],
    ]);
    // The earliest of before/after start: an alert window filters on it.
    expect(history[0]?.event_starts_at).toBe(event('a').startsAt.getTime());
    expect(history[1]?.after_json).toBeNull();
    expect(JSON.parse(history[0]?.after_json as string)).not.toHaveProperty('raw');
    expect(store.sectionRow()).toMatchObject({ content_version: 2, event_count: 2 });
  });

  it('brings a removed event back when it reappears', () => {
    const store = createStore();
    store.commit({ baseline: true, events: [event('a')] });
    store.commit({
      at: later(5),
      changes: [{ uid: 'a', kinds: ['cancelled'], before: event('a'), after: undefined }],
    });
    store.commit({
      at: later(10),
      events: [event('a')],
      changes: [{ uid: 'a', kinds: ['added'], before: undefined, after: event('a') }],
    });
    expect(store.eventRows()).toMatchObject([{ uid: 'a', removed_at: null, revision: 2 }]);
  });

  it('writes only the run and the section state when nothing changed', () => {
    const store = createStore();
    store.commit({ baseline: true, events: [event('a')] });
    const before = store.eventRows();
    const result = store.commit({ at: later(5), events: [event('a')] });
    expect(result.status).toBe('unchanged');
    expect(store.eventRows()).toEqual(before);
    expect(store.sectionRow()).toMatchObject({
      content_version: 1,
      content_changed_at: T0.getTime(),
      last_success_at: later(5).getTime(),
    });
  });

  it('moves a row to its regenerated uid, keeping its feed uid and revision', () => {
    const store = createStore();
    store.commit({ baseline: true, events: [event('old'), event('gone', { day: 4 })] });
    // "gone" was removed earlier; the source now reuses that uid for the "old" class.
    store.commit({
      at: later(5),
      changes: [
        { uid: 'gone', kinds: ['cancelled'], before: event('gone', { day: 4 }), after: undefined },
      ],
    });
    store.commit({ at: later(10), remaps: [{ fromUid: 'old', toUid: 'gone' }] });
    expect(store.eventRows()).toMatchObject([
      { uid: 'gone', feed_uid: 'old', revision: 0, removed_at: null },
    ]);
  });

  it('writes one outbox row for alertable changes only', () => {
    const store = createStore();
    store.commit({ baseline: true, events: [event('a')] });
    const details = event('a', { description: 'L3 INFO\nL3 MIAGE' });
    const quiet = store.commit({
      at: later(5),
      recordAlert: true,
      changes: [{ uid: 'a', kinds: ['details'], before: event('a'), after: details }],
    });
    expect(quiet.outboxId).toBeUndefined();
    const room = event('a', { location: 'B203' });
    const loud = store.commit({
      at: later(10),
      recordAlert: true,
      changes: [{ uid: 'a', kinds: ['room'], before: details, after: room }],
    });
    expect(store.outboxRows()).toMatchObject([{ id: loud.outboxId, run_id: loud.runId }]);
  });

  it('never moves content_changed_at backwards', () => {
    const store = createStore();
    store.commit({ baseline: true, events: [event('a')], at: later(60) });
    store.commit({
      at: later(30),
      changes: [{ uid: 'b', kinds: ['added'], before: undefined, after: event('b') }],
    });
    expect(store.sectionRow().content_changed_at).toBe(later(60).getTime());
  });

  it('rolls the whole run back when a write fails midway', () => {
    const store = createStore();
    store.commit({ baseline: true, events: [event('a'), event('b', { day: 1 })] });
    const events = store.eventRows();
    const section = store.sectionRow();
    store.sqlite.exec(`
      CREATE TRIGGER fail_on_b BEFORE INSERT ON changes WHEN NEW.uid = 'b'
      BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;
    `);
    expect(() =>
      store.commit({
        at: later(5),
        recordAlert: true,
        changes: [
          { uid: 'a', kinds: ['room'], before: event('a'), after: event('a', { location: 'X' }) },
          { uid: 'b', kinds: ['cancelled'], before: event('b', { day: 1 }), after: undefined },
        ],
      }),
    ).toThrow(/simulated failure/);
    expect(store.eventRows()).toEqual(events);
    expect(store.changeRows()).toEqual([]);
    expect(store.outboxRows()).toEqual([]);
    expect(store.sectionRow()).toEqual(section);
    expect(store.runRows().at(-1)).toMatchObject({ status: 'running' });
  });
});

describe('snapshots repository: held drops', () => {
  it('counts identical drops and starts again on a different one', () => {
    const store = createStore();
    const { repositories, sectionId } = store;
    const hold = (fingerprint: string) => {
      const runId = repositories.scrapeRuns.start(sectionId, 'schedule', T0);
      return repositories.snapshots.recordHeld({
        sectionId,
        runId,
        at: T0,
        durationMs: 5,
        fingerprint,
        eventCount: 0,
        nextRunAt: later(5),
        message: 'the calendar is suddenly empty',
      });
    };
    expect(repositories.snapshots.nextHeldCount(sectionId, 'empty')).toBe(1);
    expect(hold('empty')).toBe(1);
    expect(repositories.snapshots.nextHeldCount(sectionId, 'empty')).toBe(2);
    expect(hold('empty')).toBe(2);
    expect(hold('half')).toBe(1);
    expect(store.runRows().at(-1)).toMatchObject({
      status: 'held',
      error_code: 'scraper.suspicious_drop',
      event_count: 0,
    });
    store.commit({ baseline: true, events: [event('a')] });
    expect(store.sectionRow()).toMatchObject({ held_count: 0, held_fingerprint: null });
  });
});

describe('countChanges and isAlertable', () => {
  it('count every kind of every change, and alert on anything but details', () => {
    const changes = [
      { uid: 'a', kinds: ['moved', 'room'] as const, before: event('a'), after: event('a') },
      { uid: 'b', kinds: ['room'] as const, before: event('b'), after: event('b') },
      { uid: 'c', kinds: ['details'] as const, before: event('c'), after: event('c') },
    ];
    expect(countChanges(changes)).toEqual({ moved: 1, room: 2, details: 1 });
    expect(changes.map(isAlertable)).toEqual([true, true, false]);
  });
});
