import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { FeedContext, FeedDeps, FeedLimits } from './context.ts';
import { registerErrorHandler, sendFeedNotFound } from './error-handler.ts';
import { createFeedCache, type FeedCacheLimits } from './feed-cache.ts';
import { createFeedLookup } from './lookup.ts';
import { createFeedMetrics } from './metrics.ts';
import { createWindowLimiter } from './rate-limit.ts';
import { serializeRequest } from './redact.ts';
import { adminRoutes } from './routes/admin.route.ts';
import { feedRoutes } from './routes/feed.route.ts';
import { healthRoutes } from './routes/health.route.ts';
import { createUsageRecorder } from './usage.ts';
import { negotiateFeedUrl, webPages } from '../web/index.ts';

const MINUTE_MS = 60_000;

export type FeedServerOptions = {
  /** How often batched usage statistics are written (default 5 s). */
  readonly usageFlushIntervalMs?: number;
  /** Bounds of the rendered-calendar cache (defaults: 1,000 entries, 256 MiB, 1 hour idle). */
  readonly feedCache?: Partial<FeedCacheLimits>;
  /** How often commits of other processes are looked for by the token lookup (default 100 ms). */
  readonly otherWritersCheckMs?: number;
};

/**
 * Builds the Fastify instance (never listens: app.ts does). Closing it flushes the batched usage
 * statistics.
 */
export async function buildFeedServer(
  deps: FeedDeps,
  options: FeedServerOptions = {},
): Promise<FastifyInstance> {
  const { config } = deps;
  const logger = deps.logger.child({ module: 'feed' }, { serializers: { req: serializeRequest } });
  // Typed as Fastify's logger interface so the instance is a plain FastifyInstance.
  const fastifyLogger: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance: fastifyLogger,
    trustProxy: toFastifyTrustProxy(config.feed.trustProxy),
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    // `/feeds/<token>`: browsers get the link's page (src/web), everything else the calendar.
    rewriteUrl: (request) => negotiateFeedUrl(request.url ?? '/', request.headers.accept),
  });

  const cache = createFeedCache({
    repositories: deps.repositories,
    clock: deps.clock,
    timeZone: config.timeZone,
    staleAfterMs: config.feed.staleAfterMs,
    cancelledRetentionMs: config.feed.cancelledRetentionMs,
    limits: options.feedCache,
  });
  const metrics = createFeedMetrics({
    repositories: deps.repositories,
    alertBacklog: deps.alertBacklog,
    feedCache: () => cache.stats(),
    databaseFileOk: deps.databaseFileOk,
  });
  const usage = createUsageRecorder({
    repositories: deps.repositories,
    clock: deps.clock,
    logger,
    ...(options.usageFlushIntervalMs === undefined
      ? {}
      : { flushIntervalMs: options.usageFlushIntervalMs }),
  });
  const window = { windowMs: MINUTE_MS };
  const limits: FeedLimits = {
    guesses: createWindowLimiter({ ...window, max: config.feed.notFoundRateLimitPerMinute }),
    adminFailures: createWindowLimiter({ ...window, max: config.feed.notFoundRateLimitPerMinute }),
    feedHits: createWindowLimiter({ ...window, max: config.feed.rateLimitPerMinute }),
    refuse(reply) {
      metrics.countRateLimited();
      return reply
        .code(429)
        .header('retry-after', String(MINUTE_MS / 1000))
        .type('application/json; charset=utf-8')
        .send({ error: 'rate_limited', message: 'too many requests, retry later' });
    },
  };
  const context: FeedContext = {
    deps,
    cache,
    lookup: createFeedLookup({
      repositories: deps.repositories,
      externalWrites: deps.externalWrites,
      ...(options.otherWritersCheckMs === undefined
        ? {}
        : { otherWritersCheckMs: options.otherWritersCheckMs }),
    }),
    usage,
    metrics,
    limits,
  };

  registerErrorHandler(app);
  // Only a path that can carry a token is a guess: `/`, `/favicon.ico`, `/robots.txt`... are not.
  app.setNotFoundHandler((request, reply) => {
    if (!couldCarryToken(request.url)) return sendFeedNotFound(reply);
    if (limits.guesses.isBlocked(request.ip)) return limits.refuse(reply);
    limits.guesses.hit(request.ip);
    return sendFeedNotFound(reply);
  });

  await app.register(feedRoutes, context);
  await app.register(adminRoutes, context);
  await app.register(healthRoutes, context);
  await app.register(webPages, context);

  app.addHook('onReady', (done) => {
    usage.start();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    usage.stop();
    done();
  });
  return app;
}

/** `/feeds/...` or any `token=` query: what a token guess looks like. */
function couldCarryToken(url: string): boolean {
  return url.startsWith('/feeds/') || /[?&]token=/.test(url);
}

/**
 * TRUST_PROXY as Fastify takes it: a hop count becomes "trust the first n hops" (the address n
 * hops from the socket is the client's); a list is matched by address/CIDR; never "trust all".
 */
function toFastifyTrustProxy(
  setting: false | number | readonly string[],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (setting === false || setting === 0) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return [...setting];
}
