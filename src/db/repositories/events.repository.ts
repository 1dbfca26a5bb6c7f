import { and, asc, eq, gt, gte, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../client.ts';
import { eventsTable } from '../schema.ts';
import { toStoredEvent, type StoredEvent } from './rows.ts';

export type EventsRepository = ReturnType<typeof createEventsRepository>;

export function createEventsRepository(db: Database) {
  return {
    /** The section's current timetable (what the next scrape is diffed against). */
    listCurrent(sectionId: number): StoredEvent[] {
      return db
        .select()
        .from(eventsTable)
        .where(and(eq(eventsTable.sectionId, sectionId), isNull(eventsTable.removedAt)))
        .orderBy(asc(eventsTable.startsAt), asc(eventsTable.feedUid))
        .all()
        .map(toStoredEvent);
    },

    /**
     * What a feed shows: current events plus those removed upstream after `removedSince` (feeds show
     * them as cancelled for a while), sorted by start then uid so rendering is deterministic.
     */
    listForFeed(sectionId: number, removedSince: Date): StoredEvent[] {
      return db
        .select()
        .from(eventsTable)
        .where(
          and(
            eq(eventsTable.sectionId, sectionId),
            or(isNull(eventsTable.removedAt), gt(eventsTable.removedAt, removedSince)),
          ),
        )
        .orderBy(asc(eventsTable.startsAt), asc(eventsTable.feedUid))
        .all()
        .map(toStoredEvent);
    },

    /** Current events overlapping [from, to), sorted by start. */
    listBetween(sectionId: number, from: Date, to: Date): StoredEvent[] {
      return db
        .select()
        .from(eventsTable)
        .where(
          and(
            eq(eventsTable.sectionId, sectionId),
            isNull(eventsTable.removedAt),
            lt(eventsTable.startsAt, to),
            gte(eventsTable.endsAt, from),
          ),
        )
        .orderBy(asc(eventsTable.startsAt), asc(eventsTable.feedUid))
        .all()
        .map(toStoredEvent);
    },
  };
}
