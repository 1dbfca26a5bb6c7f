import { and, asc, count, eq, isNull, lte, sql } from 'drizzle-orm';
import type { DiscordUserId } from '../../core/index.ts';
import type { Database } from '../client.ts';
import { alertDeliveriesTable, alertOutboxTable, alertRoutesTable } from '../schema.ts';

export type OutboxRow = typeof alertOutboxTable.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveriesTable.$inferSelect;
export type AlertRouteRow = typeof alertRoutesTable.$inferSelect;
export type AlertTargetKind = AlertDeliveryRow['targetKind'];
export type AlertsRepository = ReturnType<typeof createAlertsRepository>;

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
    }): AlertDeliveryRow {
      db.insert(alertDeliveriesTable)
        .values({
          outboxId: key.outboxId,
          targetKind: key.targetKind,
          targetId: key.targetId,
          part: key.part,
          status: 'pending',
          updatedAt: key.at,
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
      return row;
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
