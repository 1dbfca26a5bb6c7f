import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, gt, isNotNull, isNull, lte, notLike, or, sql } from 'drizzle-orm';
import type { DiscordUserId } from '../../core/index.ts';
import type { Database } from '../client.ts';
import { alertDeliveriesTable, alertOutboxTable, alertRoutesTable } from '../schema.ts';

export type OutboxRow = typeof alertOutboxTable.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveriesTable.$inferSelect;
export type AlertRouteRow = typeof alertRoutesTable.$inferSelect;
export type AlertTargetKind = AlertDeliveryRow['targetKind'];
export type AlertsRepository = ReturnType<typeof createAlertsRepository>;

/**
 * A delivery nonce: random, so that a restored backup (whose row ids are reused) or another
 * installation never sends a nonce Discord already saw (it would return the old message instead).
 * Discord accepts up to 25 characters.
 */
export function newDeliveryNonce(): string {
  return `a${randomBytes(15).toString('base64url')}`;
}

/**
 * The alert outbox (written by the scraper with its changes), what was posted for each entry
 * (one row per target and message part, so nothing is posted twice), and where alerts go.
 */
export function createAlertsRepository(db: Database) {
  const undelivered = isNull(alertOutboxTable.deliveredAt);
  return {
    /** Undelivered entries whose next attempt is due, oldest first. */
    listDue(now: Date, limit: number): OutboxRow[] {
      return db
        .select()
        .from(alertOutboxTable)
        .where(and(undelivered, lte(alertOutboxTable.nextAttemptAt, now)))
        .orderBy(asc(alertOutboxTable.id))
        .limit(limit)
        .all();
    },

    /**
     * Undelivered entries the channel lane has not finished, oldest first (due or not: a
     * section's alerts go out in the order they were recorded, so a later one waits for its elders).
     */
    listChannelPending(limit: number): OutboxRow[] {
      return db
        .select()
        .from(alertOutboxTable)
        .where(and(undelivered, isNull(alertOutboxTable.channelDoneAt)))
        .orderBy(asc(alertOutboxTable.id))
        .limit(limit)
        .all();
    },

    /** The channel lane is done with this entry; it is delivered once its DMs are settled. */
    markChannelDone(id: number, at: Date): void {
      db.update(alertOutboxTable)
        .set({ channelDoneAt: at, lastError: null })
        .where(eq(alertOutboxTable.id, id))
        .run();
    },

    /** Marks delivered every entry whose channel part is done and which has no pending DM left. */
    completeSettled(at: Date): number {
      return db
        .update(alertOutboxTable)
        .set({ deliveredAt: at })
        .where(
          and(
            undelivered,
            isNotNull(alertOutboxTable.channelDoneAt),
            sql`not exists (select 1 from ${alertDeliveriesTable} where ${alertDeliveriesTable.outboxId} = ${alertOutboxTable.id} and ${alertDeliveriesTable.status} = 'pending' and ${alertDeliveriesTable.targetKind} = 'dm')`,
          ),
        )
        .run().changes;
    },

    /**
     * Discord answered again: entries and DM parts backing off become due now (DM parts whose
     * last error starts with `keepPrefix`, e.g. put off by a rate limit, keep their time).
     */
    makeBackoffDue(now: Date, keepPrefix: string): number {
      const entries = db
        .update(alertOutboxTable)
        .set({ nextAttemptAt: now })
        .where(and(undelivered, gt(alertOutboxTable.nextAttemptAt, now)))
        .run().changes;
      const parts = db
        .update(alertDeliveriesTable)
        .set({ nextAttemptAt: now })
        .where(
          and(
            eq(alertDeliveriesTable.status, 'pending'),
            eq(alertDeliveriesTable.targetKind, 'dm'),
            gt(alertDeliveriesTable.nextAttemptAt, now),
            or(
              isNull(alertDeliveriesTable.lastError),
              notLike(alertDeliveriesTable.lastError, `${keepPrefix}%`),
            ),
          ),
        )
        .run().changes;
      return entries + parts;
    },

    /** Pending DM parts due now, oldest first. */
    listDueDms(now: Date, limit: number): AlertDeliveryRow[] {
      return db
        .select()
        .from(alertDeliveriesTable)
        .where(
          and(
            eq(alertDeliveriesTable.status, 'pending'),
            eq(alertDeliveriesTable.targetKind, 'dm'),
            or(
              isNull(alertDeliveriesTable.nextAttemptAt),
              lte(alertDeliveriesTable.nextAttemptAt, now),
            ),
          ),
        )
        .orderBy(asc(alertDeliveriesTable.id))
        .limit(limit)
        .all();
    },

    countPendingDms(): number {
      return (
        db
          .select({ n: count() })
          .from(alertDeliveriesTable)
          .where(
            and(
              eq(alertDeliveriesTable.status, 'pending'),
              eq(alertDeliveriesTable.targetKind, 'dm'),
            ),
          )
          .get()?.n ?? 0
      );
    },

    /** A DM part that failed for now: retried at `nextAttemptAt`. */
    rescheduleDelivery(id: number, retry: { nextAttemptAt: Date; error: string; at: Date }): void {
      db.update(alertDeliveriesTable)
        .set({ nextAttemptAt: retry.nextAttemptAt, lastError: retry.error, updatedAt: retry.at })
        .where(eq(alertDeliveriesTable.id, id))
        .run();
    },

    /** Every pending DM part for this user fails (their DMs are closed). */
    failPendingDms(targetId: string, error: { message: string; at: Date }): number {
      return db
        .update(alertDeliveriesTable)
        .set({ status: 'failed', lastError: error.message, updatedAt: error.at })
        .where(
          and(
            eq(alertDeliveriesTable.status, 'pending'),
            eq(alertDeliveriesTable.targetKind, 'dm'),
            eq(alertDeliveriesTable.targetId, targetId),
          ),
        )
        .run().changes;
    },

    findOutbox(id: number): OutboxRow | undefined {
      return db.select().from(alertOutboxTable).where(eq(alertOutboxTable.id, id)).get();
    },

    countUndelivered(): number {
      return db.select({ n: count() }).from(alertOutboxTable).where(undelivered).get()?.n ?? 0;
    },

    markDelivered(id: number, at: Date): void {
      db.update(alertOutboxTable)
        .set({ deliveredAt: at, lastError: null })
        .where(eq(alertOutboxTable.id, id))
        .run();
    },

    /** A failed pass: counts the attempt and schedules the next one. */
    markRetry(id: number, retry: { nextAttemptAt: Date; error: string }): void {
      db.update(alertOutboxTable)
        .set({
          attempts: sql`${alertOutboxTable.attempts} + 1`,
          nextAttemptAt: retry.nextAttemptAt,
          lastError: retry.error,
        })
        .where(eq(alertOutboxTable.id, id))
        .run();
    },

    /** The delivery row of one message part, created as pending the first time it is asked for. */
    ensureDelivery(key: {
      outboxId: number;
      targetKind: AlertTargetKind;
      targetId: string;
      part: number;
      at: Date;
      /** DM parts: the rendered message, kept for the DM lane. */
      payloadJson?: string;
    }): AlertDeliveryRow {
      db.insert(alertDeliveriesTable)
        .values({
          outboxId: key.outboxId,
          targetKind: key.targetKind,
          targetId: key.targetId,
          part: key.part,
          status: 'pending',
          updatedAt: key.at,
          nonce: newDeliveryNonce(),
          payloadJson: key.payloadJson ?? null,
          nextAttemptAt: key.payloadJson === undefined ? null : key.at,
        })
        .onConflictDoNothing()
        .run();
      const row = db
        .select()
        .from(alertDeliveriesTable)
        .where(
          and(
            eq(alertDeliveriesTable.outboxId, key.outboxId),
            eq(alertDeliveriesTable.targetKind, key.targetKind),
            eq(alertDeliveriesTable.targetId, key.targetId),
            eq(alertDeliveriesTable.part, key.part),
          ),
        )
        .get();
      if (row === undefined) throw new Error('alert delivery row vanished after insert');
      if (row.nonce !== null) return row;
      // A row from before nonces were stored: draw one now and keep it for its retries.
      const nonce = newDeliveryNonce();
      db.update(alertDeliveriesTable)
        .set({ nonce })
        .where(eq(alertDeliveriesTable.id, row.id))
        .run();
      return { ...row, nonce };
    },

    /** Recorded before posting: a crash after this point retries the same part (same nonce). */
    markDeliveryAttempt(id: number, at: Date): void {
      db.update(alertDeliveriesTable)
        .set({ attempts: sql`${alertDeliveriesTable.attempts} + 1`, updatedAt: at })
        .where(eq(alertDeliveriesTable.id, id))
        .run();
    },

    markDeliverySent(id: number, sent: { messageId: string; at: Date }): void {
      db.update(alertDeliveriesTable)
        .set({ status: 'sent', messageId: sent.messageId, lastError: null, updatedAt: sent.at })
        .where(eq(alertDeliveriesTable.id, id))
        .run();
    },

    /** `permanent`: never retried (e.g. closed DMs); otherwise the part stays pending. */
    markDeliveryError(id: number, error: { message: string; permanent: boolean; at: Date }): void {
      db.update(alertDeliveriesTable)
        .set({
          lastError: error.message,
          updatedAt: error.at,
          ...(error.permanent ? { status: 'failed' as const } : {}),
        })
        .where(eq(alertDeliveriesTable.id, id))
        .run();
    },

    listDeliveries(outboxId: number): AlertDeliveryRow[] {
      return db
        .select()
        .from(alertDeliveriesTable)
        .where(eq(alertDeliveriesTable.outboxId, outboxId))
        .orderBy(asc(alertDeliveriesTable.id))
        .all();
    },

    findRoute(sectionId: number): AlertRouteRow | undefined {
      return db
        .select()
        .from(alertRoutesTable)
        .where(eq(alertRoutesTable.sectionId, sectionId))
        .get();
    },

    setRoute(route: {
      sectionId: number;
      channelId: string;
      roleId: string | null;
      at: Date;
      by: DiscordUserId | null;
    }): void {
      const values = {
        channelId: route.channelId,
        roleId: route.roleId,
        updatedAt: route.at,
        updatedBy: route.by,
      };
      db.insert(alertRoutesTable)
        .values({ sectionId: route.sectionId, ...values })
        .onConflictDoUpdate({ target: alertRoutesTable.sectionId, set: values })
        .run();
    },
  };
}
