import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import type { Clock, Logger, RunScrape } from '../core/index.ts';
import type { Config } from '../config.ts';
import type { Repositories } from '../db/index.ts';
import type { FeedCache } from './feed-cache.ts';
import type { FeedLookup } from './lookup.ts';
import type { FeedMetrics } from './metrics.ts';
import type { WindowLimiter } from './rate-limit.ts';
import type { UsageRecorder } from './usage.ts';

/** What the feed server needs from app.ts, and nothing more. */
export type FeedDeps = {
  readonly config: Pick<Config, 'feed' | 'admin' | 'timeZone' | 'sections'>;
  readonly repositories: Repositories;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly runScrape: RunScrape;
  /** Alerts waiting for Discord delivery (exposed in /metrics when the bot runs). */
  readonly alertBacklog?: (() => number) | undefined;
  /** The Discord bot's connection, for /healthz (absent when the bot is off). */
  readonly botStatus?: (() => { connected: boolean; state: string }) | undefined;
  readonly version: string;
  /**
   * False once DATABASE_PATH no longer names the file the app writes to (deleted or replaced):
   * /healthz answers 503 and writes are refused. Checked on /healthz and before every write request.
   */
  readonly databaseFileOk?: (() => boolean) | undefined;
  /**
   * Changes when another connection of this process committed (the scrape worker's runs): the
   * token and section lookups then read again at once, not at their next PRAGMA data_version look.
   */
  readonly externalWrites?: (() => number) | undefined;
};

/** The per-request limits, synchronous (in memory, fixed one-minute windows). */
export type FeedLimits = {
  /** Unknown or revoked tokens, per client address (FEED_NOT_FOUND_RATE_LIMIT). */
  readonly guesses: WindowLimiter;
  /** Admin API authentication failures, per client address, apart from feed guesses. */
  readonly adminFailures: WindowLimiter;
  /** Feed hits per token (FEED_RATE_LIMIT): never per address, a NAT hides hundreds of students. */
  readonly feedHits: WindowLimiter;
  /** Answers 429 with Retry-After, and counts it. */
  refuse(reply: FastifyReply): FastifyReply;
};

/** Shared by the route plugins (passed as plugin options). */
export type FeedContext = {
  readonly deps: FeedDeps;
  readonly cache: FeedCache;
  /** Token and section rows, remembered while the database is unchanged. */
  readonly lookup: FeedLookup;
  readonly usage: UsageRecorder;
  readonly metrics: FeedMetrics;
  readonly limits: FeedLimits;
};

export type FeedRoutePlugin = FastifyPluginCallback<FeedContext>;
