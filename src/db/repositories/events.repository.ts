import { and, asc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../client.ts';
import { eventsTable } from '../schema.ts';
import type { Statement } from 'better-sqlite3';
import { toStoredEvent, type EventRow, type StoredEvent } from './rows.ts';

export type EventsRepository = ReturnType<typeof createEventsRepository>;

/**
 * listCurrent runs before every scrape over the whole timetable: drizzle's per-row mapping was
 * half of its time on 5,000 events, so it reads raw rows and maps them once, here.
 */
const CURRENT_SQL = `
  SELECT id, section_id, uid, feed_uid, starts_at, ends_at, all_day, title, location, teacher,
         description, status, category, course, groups_json, raw_json, content_hash, revision,
         created_at, changed_at, removed_at
  FROM events
  WHERE section_id = ? AND removed_at IS NULL
  ORDER BY starts_at, feed_uid`;

type RawEventRow = {
  id: number;
  section_id: number;
  uid: string;
  feed_uid: string;
  starts_at: number;
  ends_at: number;
  all_day: number;
  title: string;
  location: string;
  teacher: string;
  description: string;
  status: EventRow['status'];
  category: string;
  course: string;
  groups_json: string;
  raw_json: string;
  content_hash: string;
  revision: number;
  created_at: number;
  changed_at: number;
  removed_at: number | null;
};

function fromRawRow(row: RawEventRow): EventRow {
  return {
    id: row.id,
    sectionId: row.section_id,
    uid: row.uid,
    feedUid: row.feed_uid,
    startsAt: new Date(row.starts_at),
    endsAt: new Date(row.ends_at),
    allDay: row.all_day !== 0,
    title: row.title,
    location: row.location,
    teacher: row.teacher,
    description: row.description,
    status: row.status,
    category: row.category,
    course: row.course,
    groupsJson: row.groups_json,
    rawJson: row.raw_json,
    contentHash: row.content_hash,
    revision: row.revision,
    createdAt: new Date(row.created_at),
    changedAt: new Date(row.changed_at),
    removedAt: row.removed_at === null ? null : new Date(row.removed_at),
  };
}

/** What a feed shows: current events and those removed upstream after `removedSince`. */
function shownInFeed(sectionId: number, removedSince: Date) {
  return and(
    eq(eventsTable.sectionId, sectionId),
    or(isNull(eventsTable.removedAt), gt(eventsTable.removedAt, removedSince)),
  );
}

export function createEventsRepository(db: Database) {
  let current: Statement<[number], RawEventRow> | undefined;
  return {
    /** The section's current timetable (what the next scrape is diffed against). */
    listCurrent(sectionId: number): StoredEvent[] {
      current ??= db.$client.prepare<[number], RawEventRow>(CURRENT_SQL);
      return current.all(sectionId).map((row) => toStoredEvent(fromRawRow(row)));
    },

    /**
     * What a feed shows: current events plus those removed upstream after `removedSince` (feeds show
     * them as cancelled for a while), sorted by start then uid so rendering is deterministic.
     */
    listForFeed(sectionId: number, removedSince: Date): StoredEvent[] {
      return db
        .select()
        .from(eventsTable)
        .where(shownInFeed(sectionId, removedSince))
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
            gt(eventsTable.endsAt, from),
          ),
        )
        .orderBy(asc(eventsTable.startsAt), asc(eventsTable.feedUid))
        .all()
        .map(toStoredEvent);
    },

    /**
     * What listForFeed serves, limited to events overlapping [from, to): current ones and those
     * removed after `removedSince` (a feed link's preview).
     */
    listForFeedBetween(sectionId: number, removedSince: Date, from: Date, to: Date): StoredEvent[] {
      return db
        .select()
        .from(eventsTable)
        .where(
          and(
            shownInFeed(sectionId, removedSince),
            lt(eventsTable.startsAt, to),
            gt(eventsTable.endsAt, from),
          ),
        )
        .orderBy(asc(eventsTable.startsAt), asc(eventsTable.feedUid))
        .all()
        .map(toStoredEvent);
    },
  };
}
