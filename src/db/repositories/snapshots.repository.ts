import { and, count, eq, isNull, sql } from 'drizzle-orm';
import {
  AppError,
  eventFingerprint,
  type ChangeKind,
  type TimetableChange,
  type TimetableEvent,
  type UidRemap,
} from '../../core/index.ts';
import type { Statement } from 'better-sqlite3';
import type { Database } from '../client.ts';
import {
  alertOutboxTable,
  changesTable,
  eventsTable,
  scrapeRunsTable,
  sectionsTable,
} from '../schema.ts';
import { replacePendingRemovals, type PendingRemoval } from './pending-removals.repository.ts';
import { toChangeAfterJson, toEventColumns, toEventJson } from './rows.ts';

export type CommitScrapeInput = {
  readonly sectionId: number;
  readonly runId: number;
  readonly at: Date;
  readonly durationMs: number;
  /** The whole new timetable (stored as is on a baseline). */
  readonly events: readonly TimetableEvent[];
  /** Changes against the stored timetable (ignored on a baseline). */
  readonly changes: readonly TimetableChange[];
  /** Events whose uid the source regenerated (matched by content). */
  readonly remaps: readonly UidRemap[];
  readonly baseline: boolean;
  readonly issueCount: number;
  /** Write an alert to the outbox when alertable changes exist. */
  readonly recordAlert: boolean;
  readonly nextRunAt: Date;
  /** Removed events deleted outright instead of kept as cancelled (seen by a single scrape). */
  readonly purgeUids?: readonly string[];
  /** Removals this scrape found and deferred to the next one (replaces the stored set). */
  readonly pendingRemovals?: readonly PendingRemoval[];
  /** The calendar was over the event cap (only the nearest events kept). */
  readonly truncated?: boolean;
  /**
   * sections.content_version the diff was computed against: when another process (a second
   * server, `npm run cli -- scrape`) stored this section since, the commit is refused with
   * scraper.superseded and writes nothing, instead of recording the same changes twice.
   */
  readonly expectedContentVersion?: number | undefined;
};

export type CommitScrapeResult = {
  readonly status: 'ok' | 'unchanged' | 'baseline';
  readonly changeCounts: Partial<Record<ChangeKind, number>>;
  readonly eventCount: number;
  readonly outboxId: number | undefined;
};

export type SnapshotsRepository = ReturnType<typeof createSnapshotsRepository>;

/**
 * A baseline stores the whole timetable (5,000 events for a big ADE export): drizzle's per-row
 * query building and value mapping cost ~200 ms of CPU there, so it runs one prepared statement.
 * Same columns and conflict rule as `toEventColumns` + upsert; the repository tests pin the rows.
 */
const BASELINE_INSERT_SQL = `
  INSERT INTO events (section_id, uid, feed_uid, starts_at, ends_at, all_day, title, location,
    teacher, description, status, category, course, groups_json, raw_json, content_hash,
    created_at, changed_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (section_id, uid) DO UPDATE SET
    starts_at = excluded.starts_at, ends_at = excluded.ends_at, all_day = excluded.all_day,
    title = excluded.title, location = excluded.location, teacher = excluded.teacher,
    description = excluded.description, status = excluded.status, category = excluded.category,
    course = excluded.course, groups_json = excluded.groups_json, raw_json = excluded.raw_json,
    content_hash = excluded.content_hash, removed_at = NULL, changed_at = excluded.changed_at`;

/** Kinds that deserve an alert (a `details`-only change updates feeds silently). */
export function isAlertable(change: TimetableChange): boolean {
  return change.kinds.some((kind) => kind !== 'details');
}

export function countChanges(
  changes: readonly TimetableChange[],
): Partial<Record<ChangeKind, number>> {
  const counts: Partial<Record<ChangeKind, number>> = {};
  for (const change of changes) {
    for (const kind of change.kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

export function createSnapshotsRepository(db: Database) {
  let baselineInsert: Statement | undefined;

  /**
   * Stores one successful scrape in a single transaction: events, change history, outbox entry,
   * section state and the run record. A crash before COMMIT leaves the previous snapshot intact.
   * With `expectedContentVersion`, it applies only if the section did not change since the diff.
   * BEGIN IMMEDIATE takes the write lock first, so the version check reads the latest commit.
   */
  function commitScrape(input: CommitScrapeInput): CommitScrapeResult {
    return db.$client.transaction(() => applyScrape(input)).immediate();
  }

  function applyScrape(input: CommitScrapeInput): CommitScrapeResult {
    return db.transaction((tx) => {
      const { sectionId, at } = input;
      if (input.expectedContentVersion !== undefined) {
        const stored = tx
          .select({ contentVersion: sectionsTable.contentVersion })
          .from(sectionsTable)
          .where(eq(sectionsTable.id, sectionId))
          .get();
        if (stored !== undefined && stored.contentVersion !== input.expectedContentVersion) {
          throw new AppError(
            'scraper.superseded',
            'another process stored this section since this scrape read it; nothing written',
          );
        }
      }
      let contentChanged: boolean;
      const changes = input.baseline ? [] : input.changes;
      const purge = new Set(input.purgeUids ?? []);
      replacePendingRemovals(tx, sectionId, input.pendingRemovals ?? []);

      if (input.baseline) {
        baselineInsert ??= db.$client.prepare(BASELINE_INSERT_SQL);
        const when = at.getTime();
        for (const event of input.events) {
          const columns = toEventColumns(event, eventFingerprint(event));
          baselineInsert.run(
            sectionId,
            columns.uid,
            event.uid,
            columns.startsAt.getTime(),
            columns.endsAt.getTime(),
            columns.allDay ? 1 : 0,
            columns.title,
            columns.location,
            columns.teacher,
            columns.description,
            columns.status,
            columns.category,
            columns.course,
            columns.groupsJson,
            columns.rawJson,
            columns.contentHash,
            when,
            when,
          );
        }
        contentChanged = input.events.length > 0;
      } else {
        for (const remap of input.remaps) {
          // A removed row may still hold the new uid: it is superseded by the remapped one.
          tx.delete(eventsTable)
            .where(and(eq(eventsTable.sectionId, sectionId), eq(eventsTable.uid, remap.toUid)))
            .run();
          tx.update(eventsTable)
            .set({ uid: remap.toUid })
            .where(and(eq(eventsTable.sectionId, sectionId), eq(eventsTable.uid, remap.fromUid)))
            .run();
        }
        for (const change of changes) {
          applyChange(change);
          tx.insert(changesTable)
            .values({
              sectionId,
              runId: input.runId,
              uid: change.uid,
              kinds: change.kinds.join(','),
              beforeJson: toEventJson(change.before),
              afterJson: toChangeAfterJson(change),
              eventStartsAt: earliestStart(change),
              changedAt: at,
            })
            .run();
        }
        // Purged without a change row: removed events never announced (see settleRemovals).
        const announced = new Set(changes.map((change) => change.uid));
        let silent = 0;
        for (const uid of purge) {
          if (announced.has(uid)) continue;
          silent += tx
            .delete(eventsTable)
            .where(and(eq(eventsTable.sectionId, sectionId), eq(eventsTable.uid, uid)))
            .run().changes;
        }
        contentChanged = changes.length > 0 || silent > 0;
      }

      function applyChange(change: TimetableChange): void {
        const where = and(eq(eventsTable.sectionId, sectionId), eq(eventsTable.uid, change.uid));
        if (change.after === undefined && purge.has(change.uid)) {
          tx.delete(eventsTable).where(where).run();
          return;
        }
        if (change.after === undefined) {
          tx.update(eventsTable)
            .set({ removedAt: at, changedAt: at, revision: sql`${eventsTable.revision} + 1` })
            .where(where)
            .run();
          return;
        }
        const columns = toEventColumns(change.after, eventFingerprint(change.after));
        tx.insert(eventsTable)
          .values({
            ...columns,
            sectionId,
            feedUid: change.after.uid,
            createdAt: at,
            changedAt: at,
          })
          .onConflictDoUpdate({
            target: [eventsTable.sectionId, eventsTable.uid],
            set: {
              ...columns,
              removedAt: null,
              changedAt: at,
              revision: sql`${eventsTable.revision} + 1`,
            },
          })
          .run();
      }

      const eventCount =
        tx
          .select({ n: count() })
          .from(eventsTable)
          .where(and(eq(eventsTable.sectionId, sectionId), isNull(eventsTable.removedAt)))
          .get()?.n ?? 0;

      const section = tx.select().from(sectionsTable).where(eq(sectionsTable.id, sectionId)).get();
      const previousChange = section?.contentChangedAt?.getTime() ?? 0;
      tx.update(sectionsTable)
        .set({
          lastRunAt: at,
          lastSuccessAt: at,
          consecutiveFailures: 0,
          nextRunAt: input.nextRunAt,
          eventCount,
          heldCount: 0,
          heldFingerprint: null,
          truncated: input.truncated ?? false,
          baselineAt: section?.baselineAt ?? at,
          ...(contentChanged
            ? {
                // Never backwards: Last-Modified of every feed derives from this.
                contentChangedAt: new Date(Math.max(previousChange, at.getTime())),
                contentVersion: (section?.contentVersion ?? 0) + 1,
              }
            : {}),
        })
        .where(eq(sectionsTable.id, sectionId))
        .run();

      const changeCounts = countChanges(changes);
      const status = input.baseline ? 'baseline' : changes.length > 0 ? 'ok' : 'unchanged';
      tx.update(scrapeRunsTable)
        .set({
          finishedAt: at,
          status,
          // A run marked aborted meanwhile (by an older version's CLI) did finish: say so.
          errorCode: null,
          errorMessage: null,
          eventCount: input.events.length,
          changeCount: changes.length,
          changeCountsJson: JSON.stringify(changeCounts),
          issueCount: input.issueCount,
          durationMs: input.durationMs,
          truncated: input.truncated ?? false,
        })
        .where(eq(scrapeRunsTable.id, input.runId))
        .run();

      let outboxId: number | undefined;
      if (input.recordAlert && changes.some(isAlertable)) {
        outboxId = tx
          .insert(alertOutboxTable)
          .values({ sectionId, runId: input.runId, createdAt: at, nextAttemptAt: at })
          .returning({ id: alertOutboxTable.id })
          .get().id;
      }
      return { status, changeCounts, eventCount, outboxId };
    });
  }

  /** Records a scrape whose implausible drop is held back until confirmed; stores nothing else. */
  function recordHeld(input: {
    sectionId: number;
    runId: number;
    at: Date;
    durationMs: number;
    fingerprint: string;
    eventCount: number;
    nextRunAt: Date;
    message: string;
    /** Why it is held (default: an implausible drop). */
    errorCode?: string;
    truncated?: boolean;
    /** The count the caller decided (a scrape alongside the previous hold does not add one). */
    heldCount?: number;
  }): number {
    return db.transaction((tx) => {
      const section = tx
        .select()
        .from(sectionsTable)
        .where(eq(sectionsTable.id, input.sectionId))
        .get();
      const heldCount =
        input.heldCount ??
        (section?.heldFingerprint === input.fingerprint ? section.heldCount + 1 : 1);
      tx.update(sectionsTable)
        .set({
          lastRunAt: input.at,
          heldCount,
          heldFingerprint: input.fingerprint,
          nextRunAt: input.nextRunAt,
        })
        .where(eq(sectionsTable.id, input.sectionId))
        .run();
      tx.update(scrapeRunsTable)
        .set({
          finishedAt: input.at,
          status: 'held',
          errorCode: input.errorCode ?? 'scraper.suspicious_drop',
          errorMessage: input.message,
          truncated: input.truncated ?? false,
          eventCount: input.eventCount,
          durationMs: input.durationMs,
        })
        .where(eq(scrapeRunsTable.id, input.runId))
        .run();
      return heldCount;
    });
  }

  /** Held count the next identical drop would reach (1 for a different or first drop). */
  function nextHeldCount(sectionId: number, fingerprint: string): number {
    const section = db.select().from(sectionsTable).where(eq(sectionsTable.id, sectionId)).get();
    return section?.heldFingerprint === fingerprint ? section.heldCount + 1 : 1;
  }

  return { commitScrape, recordHeld, nextHeldCount };
}

function earliestStart(change: TimetableChange): Date {
  const starts = [change.before?.startsAt, change.after?.startsAt].filter(
    (value): value is Date => value !== undefined,
  );
  return new Date(Math.min(...starts.map((date) => date.getTime())));
}
