import { and, asc, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import type { FeedTokenHash } from '../../core/index.ts';
import type { Database } from '../client.ts';
import { feedClientUsageTable, feedTokensTable, feedUsageTable } from '../schema.ts';

export type FeedTokenRow = typeof feedTokensTable.$inferSelect;
export type FeedTokenOwnerKind = FeedTokenRow['ownerKind'];
export type FeedTokensRepository = ReturnType<typeof createFeedTokensRepository>;

export type NewFeedToken = {
  readonly tokenHash: FeedTokenHash;
  readonly prefix: string;
  readonly ownerKind: FeedTokenOwnerKind;
  readonly owner: string;
  /** null: every section, through the legacy route (IPP-style token). */
  readonly sectionId: number | null;
  readonly filterJson?: string | null;
  readonly at: Date;
};

/** Requests to one section in one hour, counted in memory between two flushes. */
export type SectionUsage = {
  readonly sectionId: number;
  readonly hourAt: Date;
  readonly hits: number;
  readonly notModified: number;
};

/** Requests to one section in one hour from one kind of calendar app. */
export type ClientUsage = {
  readonly sectionId: number;
  readonly hourAt: Date;
  readonly client: string;
  readonly hits: number;
};

/** Usage counted in memory between two flushes. */
export type TokenUsage = {
  readonly hits: number;
  readonly lastUsedAt: Date;
  readonly userAgent: string | null;
};

function toRow(token: NewFeedToken) {
  return {
    tokenHash: token.tokenHash,
    prefix: token.prefix,
    ownerKind: token.ownerKind,
    owner: token.owner,
    sectionId: token.sectionId,
    filterJson: token.filterJson ?? null,
    filterChangedAt: token.filterJson == null ? null : token.at,
    createdAt: token.at,
  };
}

export function createFeedTokensRepository(db: Database) {
  const active = isNull(feedTokensTable.revokedAt);
  // Prepared once, on first use (after migrations): every feed request runs it, and building the
  // query each time costs ~20x the SQLite lookup itself.
  let activeByHash: ReturnType<typeof prepareActiveByHash> | undefined;
  function prepareActiveByHash() {
    return db
      .select()
      .from(feedTokensTable)
      .where(and(eq(feedTokensTable.tokenHash, sql.placeholder('tokenHash')), active))
      .prepare();
  }
  return {
    create(token: NewFeedToken): FeedTokenRow {
      return db.insert(feedTokensTable).values(toRow(token)).returning().get();
    },

    /** Inserts unless the same hash exists already (importing twice changes nothing). */
    createIfAbsent(token: NewFeedToken): boolean {
      const result = db
        .insert(feedTokensTable)
        .values(toRow(token))
        .onConflictDoNothing({ target: feedTokensTable.tokenHash })
        .run();
      return result.changes > 0;
    },

    /** A live token by its hash (revoked tokens are not found: revocation is immediate). */
    findActiveByHash(tokenHash: FeedTokenHash): FeedTokenRow | undefined {
      activeByHash ??= prepareActiveByHash();
      return activeByHash.get({ tokenHash });
    },

    findById(id: number): FeedTokenRow | undefined {
      return db.select().from(feedTokensTable).where(eq(feedTokensTable.id, id)).get();
    },

    listActiveByOwner(owner: string, sectionId?: number): FeedTokenRow[] {
      return db
        .select()
        .from(feedTokensTable)
        .where(
          and(
            eq(feedTokensTable.owner, owner),
            active,
            sectionId === undefined ? undefined : eq(feedTokensTable.sectionId, sectionId),
          ),
        )
        .orderBy(asc(feedTokensTable.createdAt))
        .all();
    },

    list(options: { includeRevoked?: boolean } = {}): FeedTokenRow[] {
      return db
        .select()
        .from(feedTokensTable)
        .where(options.includeRevoked === true ? undefined : active)
        .orderBy(asc(feedTokensTable.createdAt), asc(feedTokensTable.id))
        .all();
    },

    countActiveBySection(): Map<number | null, number> {
      const rows = db
        .select({ sectionId: feedTokensTable.sectionId, n: sql<number>`count(*)` })
        .from(feedTokensTable)
        .where(active)
        .groupBy(feedTokensTable.sectionId)
        .all();
      return new Map(rows.map((row) => [row.sectionId, row.n]));
    },

    /** Revokes the given live tokens; returns the rows that were revoked. */
    revoke(
      criteria:
        | { tokenHash: FeedTokenHash }
        | { owner: string; sectionId?: number }
        | { prefix: string }
        | { ids: readonly number[] },
      at: Date,
    ): FeedTokenRow[] {
      const where =
        'tokenHash' in criteria
          ? eq(feedTokensTable.tokenHash, criteria.tokenHash)
          : 'prefix' in criteria
            ? eq(feedTokensTable.prefix, criteria.prefix)
            : 'ids' in criteria
              ? inArray(feedTokensTable.id, [...criteria.ids])
              : and(
                  eq(feedTokensTable.owner, criteria.owner),
                  criteria.sectionId === undefined
                    ? undefined
                    : eq(feedTokensTable.sectionId, criteria.sectionId),
                );
      return db
        .update(feedTokensTable)
        .set({ revokedAt: at })
        .where(and(where, active))
        .returning()
        .all();
    },

    setFilter(id: number, filterJson: string | null, at: Date): void {
      db.update(feedTokensTable)
        .set({ filterJson, filterChangedAt: at })
        .where(eq(feedTokensTable.id, id))
        .run();
    },

    /** One transaction for a whole batch of counted requests. */
    recordUsage(usage: ReadonlyMap<number, TokenUsage>): void {
      if (usage.size === 0) return;
      db.transaction((tx) => {
        for (const [id, entry] of usage) {
          tx.update(feedTokensTable)
            .set({
              useCount: sql`${feedTokensTable.useCount} + ${entry.hits}`,
              lastUsedAt: entry.lastUsedAt,
              // A batch whose requests sent no User-Agent keeps the one known before, as a batch
              // already does within itself: the result must not depend on when usage was flushed.
              lastUserAgent: sql`coalesce(${entry.userAgent}, ${feedTokensTable.lastUserAgent})`,
            })
            .where(eq(feedTokensTable.id, id))
            .run();
        }
      });
    },

    /** Adds a batch of hourly counters to feed_usage (one transaction). */
    recordSectionUsage(rows: readonly SectionUsage[]): void {
      if (rows.length === 0) return;
      db.transaction((tx) => {
        for (const row of rows) {
          tx.insert(feedUsageTable)
            .values(row)
            .onConflictDoUpdate({
              target: [feedUsageTable.sectionId, feedUsageTable.hourAt],
              set: {
                hits: sql`${feedUsageTable.hits} + ${row.hits}`,
                notModified: sql`${feedUsageTable.notModified} + ${row.notModified}`,
              },
            })
            .run();
        }
      });
    },

    /** Adds a batch of hourly per-app counters to feed_client_usage (one transaction). */
    recordClientUsage(rows: readonly ClientUsage[]): void {
      if (rows.length === 0) return;
      db.transaction((tx) => {
        for (const row of rows) {
          tx.insert(feedClientUsageTable)
            .values(row)
            .onConflictDoUpdate({
              target: [
                feedClientUsageTable.sectionId,
                feedClientUsageTable.hourAt,
                feedClientUsageTable.client,
              ],
              set: { hits: sql`${feedClientUsageTable.hits} + ${row.hits}` },
            })
            .run();
        }
      });
    },

    /** Hourly per-app counters from `since` on (every section). */
    listClientUsageSince(since: Date): ClientUsage[] {
      return db
        .select()
        .from(feedClientUsageTable)
        .where(gte(feedClientUsageTable.hourAt, since))
        .orderBy(asc(feedClientUsageTable.hourAt))
        .all();
    },
  };
}
