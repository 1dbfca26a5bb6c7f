import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock, Logger, RunScrape } from '../core/index.ts';
import type { Config } from '../config.ts';
import type { Repositories } from '../db/index.ts';
import type { FeedCache } from './feed-cache.ts';
import type { FeedMetrics } from './metrics.ts';
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
};

/** Counts failed requests (unknown tokens, bad admin credentials) per client address. */
export type FailureLimiter = {
  /** True when this address already used up its failures for the window. */
  isBlocked(request: FastifyRequest): Promise<boolean>;
  /** Counts one failure. */
  hit(request: FastifyRequest): Promise<void>;
  /** Answers 429 with Retry-After. */
  refuse(reply: FastifyReply): FastifyReply;
};

/** Shared by the route plugins (passed as plugin options). */
export type FeedContext = {
  readonly deps: FeedDeps;
  readonly cache: FeedCache;
  readonly usage: UsageRecorder;
  readonly metrics: FeedMetrics;
  readonly failures: FailureLimiter;
  /** Route-level rate limit (per client address) for feed hits. */
  readonly feedRateLimit: {
    max: number;
    timeWindow: number;
    keyGenerator: (request: FastifyRequest) => string;
  };
};

export type FeedRoutePlugin = FastifyPluginCallback<FeedContext>;
