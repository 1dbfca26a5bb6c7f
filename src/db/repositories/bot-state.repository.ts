import { and, eq, gte, isNotNull, isNull, sql, sum } from 'drizzle-orm';
import type { DiscordUserId } from '../../core/index.ts';
import type { Database } from '../client.ts';
import { appStateTable, feedTokensTable, feedUsageTable, notifyPrefsTable } from '../schema.ts';

export type NotifyPrefRow = typeof notifyPrefsTable.$inferSelect;
export type BotStateRepository = ReturnType<typeof createBotStateRepository>;

/** Small bot-owned state: key/value settings, /notify preferences, feed usage for /status. */
export function createBotStateRepository(db: Database) {
  return {
    getValue(key: string): string | undefined {
      return db.select().from(appStateTable).where(eq(appStateTable.key, key)).get()?.value;
    },

    setValue(key: string, value: string, at: Date): void {
      db.insert(appStateTable)
        .values({ key, value, updatedAt: at })
        .onConflictDoUpdate({ target: appStateTable.key, set: { value, updatedAt: at } })
        .run();
    },

    findNotifyPref(discordUserId: DiscordUserId): NotifyPrefRow | undefined {
      return db
        .select()
        .from(notifyPrefsTable)
        .where(eq(notifyPrefsTable.discordUserId, discordUserId))
        .get();
    },

    setNotifyPref(pref: {
      discordUserId: DiscordUserId;
      enabled: boolean;
      locale: string | null;
      at: Date;
    }): void {
      const values = { enabled: pref.enabled, locale: pref.locale, updatedAt: pref.at };
      db.insert(notifyPrefsTable)
        .values({ discordUserId: pref.discordUserId, ...values })
        .onConflictDoUpdate({ target: notifyPrefsTable.discordUserId, set: values })
        .run();
    },

    /** Discord refused a DM to this user (50007): alert DMs stop until they interact again. */
    markDmClosed(discordUserId: DiscordUserId, at: Date): void {
      db.update(notifyPrefsTable)
        .set({ dmClosedAt: at })
        .where(eq(notifyPrefsTable.discordUserId, discordUserId))
        .run();
    },

    /** The user interacted with the bot: alert DMs may be tried again. True when a mark was lifted. */
    clearDmClosed(discordUserId: DiscordUserId): boolean {
      return (
        db
          .update(notifyPrefsTable)
          .set({ dmClosedAt: null })
          .where(
            and(
              eq(notifyPrefsTable.discordUserId, discordUserId),
              isNotNull(notifyPrefsTable.dmClosedAt),
            ),
          )
          .run().changes > 0
      );
    },

    /** Users who opted in to DM alerts, hold a live link to this section and accept DMs. */
    listNotifyRecipients(
      sectionId: number,
    ): { discordUserId: DiscordUserId; locale: string | null }[] {
      return db
        .selectDistinct({
          discordUserId: notifyPrefsTable.discordUserId,
          locale: notifyPrefsTable.locale,
        })
        .from(notifyPrefsTable)
        .innerJoin(
          feedTokensTable,
          and(
            eq(feedTokensTable.owner, notifyPrefsTable.discordUserId),
            eq(feedTokensTable.ownerKind, 'discord'),
            eq(feedTokensTable.sectionId, sectionId),
            isNull(feedTokensTable.revokedAt),
          ),
        )
        .where(and(eq(notifyPrefsTable.enabled, true), isNull(notifyPrefsTable.dmClosedAt)))
        .orderBy(notifyPrefsTable.discordUserId)
        .all();
    },

    /** Feed requests per section counted since `since` (hourly buckets starting at or after it). */
    feedHitsSince(since: Date): Map<number, number> {
      const rows = db
        .select({
          sectionId: feedUsageTable.sectionId,
          hits: sql<number>`coalesce(${sum(feedUsageTable.hits)}, 0)`,
        })
        .from(feedUsageTable)
        .where(gte(feedUsageTable.hourAt, since))
        .groupBy(feedUsageTable.sectionId)
        .all();
      return new Map(rows.map((row) => [row.sectionId, row.hits]));
    },
  };
}
