import { describe, expect, it } from 'vitest';
import { createStore, event, T0 } from './helpers.ts';

describe('changes repository', () => {
  function seeded() {
    const store = createStore();
    store.commit({ baseline: true, events: [event('a', { day: 5 }), event('b', { day: 1 })] });
    const first = store.commit({
      at: new Date(T0.getTime() + 60_000),
      changes: [
        {
          uid: 'a',
          kinds: ['moved', 'room'],
          before: event('a', { day: 5 }),
          after: event('a', { day: 6, location: 'B203' }),
        },
        { uid: 'b', kinds: ['cancelled'], before: event('b', { day: 1 }), after: undefined },
      ],
    });
    const second = store.commit({
      at: new Date(T0.getTime() + 120_000),
      changes: [{ uid: 'c', kinds: ['added'], before: undefined, after: event('c', { day: 2 }) }],
    });
    return { ...store, first: first.runId, second: second.runId };
  }

  it('lists the changes of a run by event start, with before and after as events', () => {
    const { repositories, first } = seeded();
    const changes = repositories.changes.listForRun(first);
    expect(changes.map((change) => [change.uid, change.kinds])).toEqual([
      ['b', ['cancelled']],
      ['a', ['moved', 'room']],
    ]);
    const moved = changes[1]!;
    expect(moved.before?.startsAt).toEqual(event('a', { day: 5 }).startsAt);
    expect(moved.after?.startsAt).toEqual(event('a', { day: 6 }).startsAt);
    expect(moved.after?.location).toBe('B203');
    expect(moved.after?.groups).toEqual(['L3 INFO']);
    expect(changes[0]?.after).toBeUndefined();
  });

  it('lists the changes of several runs, since a time, and the latest one', () => {
    const { repositories, sectionId, first, second } = seeded();
    expect(repositories.changes.listForRuns([])).toEqual([]);
    expect(repositories.changes.listForRuns([first, second]).map((change) => change.uid)).toEqual([
      'b',
      'c',
      'a',
    ]);
    const since = new Date(T0.getTime() + 90_000);
    expect(repositories.changes.listSince(sectionId, since).map((change) => change.uid)).toEqual([
      'c',
    ]);
    expect(repositories.changes.latest(sectionId)).toMatchObject({ uid: 'c', runId: second });
  });
});
