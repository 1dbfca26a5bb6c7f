import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { FailureLimiter, FeedContext, FeedDeps } from './context.ts';
import { registerErrorHandler, sendFeedNotFound } from './error-handler.ts';
import { createFeedCache, type FeedCacheLimits } from './feed-cache.ts';
import { createFeedMetrics } from './metrics.ts';
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
    trustProxy: config.feed.trustProxy,
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
  await app.register(rateLimit, {
    global: false,
    onExceeded: () => {
      metrics.countRateLimited();
    },
  });
  const failureLimit = app.createRateLimit({
    max: config.feed.notFoundRateLimitPerMinute,
    timeWindow: MINUTE_MS,
    keyGenerator: (request) => `failures:${request.ip}`,
  });
  const failures: FailureLimiter = {
    async isBlocked(request) {
      const state = await failureLimit(request, { increment: false });
      return !state.isAllowed && state.remaining === 0;
    },
    async hit(request) {
      await failureLimit(request);
    },
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
    usage,
    metrics,
    failures,
    feedRateLimit: {
      max: config.feed.rateLimitPerMinute,
      timeWindow: MINUTE_MS,
      keyGenerator: (request: FastifyRequest) => `feed:${request.ip}`,
    },
  };

  registerErrorHandler(app);
  app.setNotFoundHandler(async (request, reply) => {
    if (await failures.isBlocked(request)) return failures.refuse(reply);
    await failures.hit(request);
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
