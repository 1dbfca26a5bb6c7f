import { describe, expect, it } from 'vitest';
import { toSectionKey } from '../../src/core/index.ts';
import { createStore, event, T0 } from './helpers.ts';

describe('events repository', () => {
  function seeded() {
    const store = createStore();
    store.commit({
      baseline: true,
      events: [
        event('late', { day: 2 }),
        event('b-same-time', { day: 1 }),
        event('a-same-time', { day: 1 }),
        event('removed', { day: 3 }),
      ],
    });
    store.commit({
      at: new Date(T0.getTime() + 60_000),
      changes: [
        {
          uid: 'removed',
          kinds: ['cancelled'],
          before: event('removed', { day: 3 }),
          after: undefined,
        },
      ],
    });
    return store;
  }

  it('lists the current timetable by start then feed uid, without removed events', () => {
    const { repositories, sectionId } = seeded();
    const current = repositories.events.listCurrent(sectionId);
    expect(current.map((row) => row.uid)).toEqual(['a-same-time', 'b-same-time', 'late']);
    expect(current[0]).toMatchObject({
      feedUid: 'a-same-time',
      revision: 0,
      removedAt: null,
      groups: ['L3 INFO'],
      raw: { summary: 'Algorithmique avancée' },
    });
    expect(current[0]?.startsAt).toEqual(new Date('2026-11-24T08:00:00Z'));
  });

  it('lists for feeds the events removed after a given time too', () => {
    const { repositories, sectionId } = seeded();
    const withRemoved = repositories.events.listForFeed(sectionId, T0);
    expect(withRemoved.map((row) => row.uid)).toEqual([
      'a-same-time',
      'b-same-time',
      'late',
      'removed',
    ]);
    expect(withRemoved.at(-1)?.removedAt).toEqual(new Date(T0.getTime() + 60_000));
    const later = new Date(T0.getTime() + 120_000);
    expect(repositories.events.listForFeed(sectionId, later).map((row) => row.uid)).not.toContain(
      'removed',
    );
  });

  it('lists the current events overlapping a window', () => {
    const { repositories, sectionId } = seeded();
    const tuesday = repositories.events.listBetween(
      sectionId,
      new Date('2026-11-24T00:00:00Z'),
      new Date('2026-11-25T00:00:00Z'),
    );
    expect(tuesday.map((row) => row.uid)).toEqual(['a-same-time', 'b-same-time']);
  });

  it('leaves out an event that ends exactly when the window starts', () => {
    const { repositories, sectionId } = seeded();
    const [first] = repositories.events.listCurrent(sectionId);
    const fromItsEnd = repositories.events.listBetween(
      sectionId,
      first!.endsAt,
      new Date(first!.endsAt.getTime() + 60_000),
    );
    expect(fromItsEnd.map((row) => row.uid)).not.toContain(first!.uid);
  });

  it('never mixes sections', () => {
    const store = seeded();
    const [other] = store.repositories.sections.sync(
      [{ key: toSectionKey('M1'), name: 'M1', source: { kind: 'aurion' } }],
      T0,
    );
    expect(store.repositories.events.listCurrent(other!.id)).toEqual([]);
  });
});
