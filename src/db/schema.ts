import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { DiscordUserId, FeedTokenHash, SectionKey } from '../core/domain.ts';

// Times are integer milliseconds since the epoch (`timestamp_ms`), named `..._at`.

/** One row per configured section; also carries the scheduler's and the guard's state. */
export const sectionsTable = sqliteTable('sections', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').$type<SectionKey>().notNull().unique(),
  name: text('name').notNull(),
  sourceKind: text('source_kind').notNull(),
  /** URL (credentials removed), path or suffix; informative only. */
  sourceRef: text('source_ref').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** Set by the first successful import: later imports are diffed and announced. */
  baselineAt: integer('baseline_at', { mode: 'timestamp_ms' }),
  lastRunAt: integer('last_run_at', { mode: 'timestamp_ms' }),
  lastSuccessAt: integer('last_success_at', { mode: 'timestamp_ms' }),
  lastErrorAt: integer('last_error_at', { mode: 'timestamp_ms' }),
  lastErrorCode: text('last_error_code'),
  lastErrorMessage: text('last_error_message'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  nextRunAt: integer('next_run_at', { mode: 'timestamp_ms' }),
  /** Last time the stored timetable changed (never moves backwards). */
  contentChangedAt: integer('content_changed_at', { mode: 'timestamp_ms' }),
  /** Bumped on every content change: feed caches key on it. */
  contentVersion: integer('content_version').notNull().default(0),
  eventCount: integer('event_count').notNull().default(0),
  /** Consecutive scrapes that showed the same implausible drop (held back until confirmed). */
  heldCount: integer('held_count').notNull().default(0),
  heldFingerprint: text('held_fingerprint'),
  /** The stored timetable came from a calendar over the event cap (the farthest events left out). */
  truncated: integer('truncated', { mode: 'boolean' }).notNull().default(false),
});

/**
 * The current timetable of each section. Rows removed upstream keep `removed_at` so feeds can show
 * them as cancelled for a while; they are deleted by retention.
 */
export const eventsTable = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sectionId: integer('section_id')
      .notNull()
      .references(() => sectionsTable.id, { onDelete: 'cascade' }),
    /** The source's current uid (matched on the next scrape). */
    uid: text('uid').notNull(),
    /** The uid feeds publish: kept when the source regenerates its uids, so clients see no duplicate. */
    feedUid: text('feed_uid').notNull(),
    startsAt: integer('starts_at', { mode: 'timestamp_ms' }).notNull(),
    endsAt: integer('ends_at', { mode: 'timestamp_ms' }).notNull(),
    allDay: integer('all_day', { mode: 'boolean' }).notNull(),
    title: text('title').notNull(),
    location: text('location').notNull(),
    teacher: text('teacher').notNull(),
    description: text('description').notNull(),
    status: text('status', { enum: ['confirmed', 'tentative', 'cancelled'] }).notNull(),
    category: text('category').notNull(),
    course: text('course').notNull(),
    groupsJson: text('groups_json').notNull(),
    rawJson: text('raw_json').notNull(),
    /** Fingerprint of every compared field: equal fingerprints mean nothing to write. */
    contentHash: text('content_hash').notNull(),
    /** RFC 5545 SEQUENCE: bumped on real content changes only. */
    revision: integer('revision').notNull().default(0),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    changedAt: integer('changed_at', { mode: 'timestamp_ms' }).notNull(),
    removedAt: integer('removed_at', { mode: 'timestamp_ms' }),
  },
  (table) => [
    uniqueIndex('events_section_id_uid_key').on(table.sectionId, table.uid),
    index('events_section_id_starts_at_idx').on(table.sectionId, table.startsAt),
  ],
);

export const scrapeRunsTable = sqliteTable(
  'scrape_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sectionId: integer('section_id')
      .notNull()
      .references(() => sectionsTable.id, { onDelete: 'cascade' }),
    trigger: text('trigger', { enum: ['schedule', 'manual', 'startup'] }).notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
    status: text('status', {
      enum: ['running', 'ok', 'unchanged', 'baseline', 'held', 'failed', 'skipped'],
    }).notNull(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    eventCount: integer('event_count'),
    changeCount: integer('change_count').notNull().default(0),
    /** Changes by kind, e.g. {"moved":2,"added":1}. */
    changeCountsJson: text('change_counts_json').notNull().default('{}'),
    issueCount: integer('issue_count').notNull().default(0),
    durationMs: integer('duration_ms'),
    /** The calendar had more events than the cap: only the nearest in time were kept. */
    truncated: integer('truncated', { mode: 'boolean' }).notNull().default(false),
  },
  (table) => [index('scrape_runs_section_id_started_at_idx').on(table.sectionId, table.startedAt)],
);

/**
 * Stored events one scrape found missing: the removal is applied (and announced) only when the next
 * scrape confirms it, so a source that flaps between two versions announces nothing. Replaced as a
 * whole by every committed scrape.
 */
export const pendingRemovalsTable = sqliteTable(
  'pending_removals',
  {
    sectionId: integer('section_id')
      .notNull()
      .references(() => sectionsTable.id, { onDelete: 'cascade' }),
    /** The stored event's current uid. */
    uid: text('uid').notNull(),
    firstMissedAt: integer('first_missed_at', { mode: 'timestamp_ms' }).notNull(),
    /** Only one committed scrape ever showed the event: once removed it is deleted, not shown as cancelled. */
    singleSighting: integer('single_sighting', { mode: 'boolean' }).notNull(),
  },
  (table) => [uniqueIndex('pending_removals_section_id_uid_key').on(table.sectionId, table.uid)],
);

export const changesTable = sqliteTable(
  'changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sectionId: integer('section_id')
      .notNull()
      .references(() => sectionsTable.id, { onDelete: 'cascade' }),
    runId: integer('run_id')
      .notNull()
      .references(() => scrapeRunsTable.id, { onDelete: 'cascade' }),
    uid: text('uid').notNull(),
    /** Comma-separated ChangeKind list, most important first. */
    kinds: text('kinds').notNull(),
    beforeJson: text('before_json'),
    afterJson: text('after_json'),
    /** The earliest start among before/after: alert windows filter on it. */
    eventStartsAt: integer('event_starts_at', { mode: 'timestamp_ms' }).notNull(),
    changedAt: integer('changed_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    index('changes_section_id_changed_at_idx').on(table.sectionId, table.changedAt),
    index('changes_run_id_idx').on(table.runId),
  ],
);

/**
 * Written in the same transaction as the changes it announces; the bot delivers from here, so a
 * Discord outage or a restart loses no alert.
 */
export const alertOutboxTable = sqliteTable(
  'alert_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sectionId: integer('section_id')
      .notNull()
      .references(() => sectionsTable.id, { onDelete: 'cascade' }),
    runId: integer('run_id')
      .notNull()
      .references(() => scrapeRunsTable.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    deliveredAt: integer('delivered_at', { mode: 'timestamp_ms' }),
    lastError: text('last_error'),
    /** The channel lane is done with this entry (its DMs are queued in alert_deliveries). */
    channelDoneAt: integer('channel_done_at', { mode: 'timestamp_ms' }),
  },
  (table) => [index('alert_outbox_delivered_at_idx').on(table.deliveredAt, table.nextAttemptAt)],
);

/** One row per target (channel or DM) of an outbox entry: what was already posted is never re-posted. */
export const alertDeliveriesTable = sqliteTable(
  'alert_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    outboxId: integer('outbox_id')
      .notNull()
      .references(() => alertOutboxTable.id, { onDelete: 'cascade' }),
    targetKind: text('target_kind', { enum: ['channel', 'dm'] }).notNull(),
    targetId: text('target_id').notNull(),
    /** Index of the message part (long alerts are split). */
    part: integer('part').notNull().default(0),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    messageId: text('message_id'),
    lastError: text('last_error'),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    /** Random, drawn once per row: unique across installations and restored backups. */
    nonce: text('nonce'),
    /** DM parts: the rendered message, fixed when the channel lane queued it. */
    payloadJson: text('payload_json'),
    /** DM parts: not before this time (one student's backoff does not hold the others). */
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }),
  },
  (table) => [
    uniqueIndex('alert_deliveries_outbox_id_target_kind_target_id_part_key').on(
      table.outboxId,
      table.targetKind,
      table.targetId,
      table.part,
    ),
  ],
);

/** Personal feed links. Only the SHA-256 of a token is stored. */
export const feedTokensTable = sqliteTable(
  'feed_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: text('token_hash').$type<FeedTokenHash>().notNull(),
    /** First characters of the token, to tell links apart in admin views. */
    prefix: text('prefix').notNull(),
    ownerKind: text('owner_kind', { enum: ['discord', 'admin', 'ipp'] }).notNull(),
    /** Discord user id, or the name an admin gave. */
    owner: text('owner').notNull(),
    /** null: opens every section through IPP's legacy route. */
    sectionId: integer('section_id').references(() => sectionsTable.id, { onDelete: 'cascade' }),
    /** Personal filter (JSON), null for the whole section. */
    filterJson: text('filter_json'),
    filterChangedAt: integer('filter_changed_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    useCount: integer('use_count').notNull().default(0),
    lastUserAgent: text('last_user_agent'),
  },
  (table) => [
    uniqueIndex('feed_tokens_token_hash_key').on(table.tokenHash),
    index('feed_tokens_owner_idx').on(table.owner),
  ],
);

/** Feed requests per section and hour, flushed in batches (for /status and metrics). */
export const feedUsageTable = sqliteTable(
  'feed_usage',
  {
    sectionId: integer('section_id')
      .notNull()
      .references(() => sectionsTable.id, { onDelete: 'cascade' }),
    hourAt: integer('hour_at', { mode: 'timestamp_ms' }).notNull(),
    hits: integer('hits').notNull().default(0),
    notModified: integer('not_modified').notNull().default(0),
  },
  (table) => [uniqueIndex('feed_usage_section_id_hour_at_key').on(table.sectionId, table.hourAt)],
);

/** Where a section's change alerts go (set with /alerts); absent: ALERTS_CHANNEL_ID. */
export const alertRoutesTable = sqliteTable('alert_routes', {
  sectionId: integer('section_id')
    .primaryKey()
    .references(() => sectionsTable.id, { onDelete: 'cascade' }),
  channelId: text('channel_id').notNull(),
  roleId: text('role_id'),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  updatedBy: text('updated_by').$type<DiscordUserId>(),
});

/** Students who opted in to DM alerts with /notify. */
export const notifyPrefsTable = sqliteTable('notify_prefs', {
  discordUserId: text('discord_user_id').$type<DiscordUserId>().primaryKey(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull(),
  locale: text('locale'),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  /** Discord refused a DM (50007): no alert DMs until the student interacts with the bot again. */
  dmClosedAt: integer('dm_closed_at', { mode: 'timestamp_ms' }),
});

/** Small persistent settings (e.g. the hash of the last registered command set). */
export const appStateTable = sqliteTable('app_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch() * 1000)`),
});

/** Feed requests per section, hour and calendar app (classified from the User-Agent), for the dashboard. */
export const feedClientUsageTable = sqliteTable(
  'feed_client_usage',
  {
    sectionId: integer('section_id')
      .notNull()
      .references(() => sectionsTable.id, { onDelete: 'cascade' }),
    hourAt: integer('hour_at', { mode: 'timestamp_ms' }).notNull(),
    /** google, apple, outlook, thunderbird or other. */
    client: text('client').notNull(),
    hits: integer('hits').notNull().default(0),
  },
  (table) => [
    uniqueIndex('feed_client_usage_section_id_hour_at_client_key').on(
      table.sectionId,
      table.hourAt,
      table.client,
    ),
  ],
);
