import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashFeedToken, toSectionKey } from '../../core/index.ts';
import type { FeedTokenRow, SectionRow } from '../../db/index.ts';
import { isNotModified } from '../conditional.ts';
import type { FeedContext, FeedRoutePlugin } from '../context.ts';
import { sendFeedNotFound } from '../error-handler.ts';

/** Tokens we issue: 256 bits as lowercase hex. */
export const FEED_TOKEN_PATTERN = /^[0-9a-f]{64}$/;
/** IPP-era tokens (imported as they were, 16+ characters) may use any printable alphabet. */
const LEGACY_TOKEN_PATTERN = /^[\x21-\x7e]{8,512}$/;
export const CACHE_CONTROL = 'private, max-age=300';

/** GET/HEAD `/feeds/<token>.ics` and IPP's `GET /<Section>?token=<token>`. */
export const feedRoutes: FeedRoutePlugin = (app, context, done) => {
  const { repositories } = context.deps;
  const rateLimit = context.feedRateLimit;

  app.get<{ Params: { token: string } }>(
    '/feeds/:token.ics',
    { config: { rateLimit } },
    async (request, reply) => {
      if (await context.failures.isBlocked(request)) return context.failures.refuse(reply);
      const token = request.params.token;
      const row = FEED_TOKEN_PATTERN.test(token)
        ? repositories.feedTokens.findActiveByHash(hashFeedToken(token))
        : undefined;
      const section =
        row?.sectionId == null ? undefined : repositories.sections.findById(row.sectionId);
      if (row === undefined || section === undefined) return notFound(context, request, reply);
      return serveFeed(context, request, reply, row, section);
    },
  );

  app.get<{ Params: { section: string }; Querystring: { token?: unknown } }>(
    '/:section',
    { config: { rateLimit } },
    async (request, reply) => {
      if (await context.failures.isBlocked(request)) return context.failures.refuse(reply);
      const token = request.query.token;
      const key = toSectionKey(request.params.section);
      const configured = context.deps.config.sections.some((spec) => spec.key === key);
      const row =
        typeof token === 'string' && LEGACY_TOKEN_PATTERN.test(token) && configured
          ? repositories.feedTokens.findActiveByHash(hashFeedToken(token))
          : undefined;
      const section = row === undefined ? undefined : repositories.sections.findByKey(key);
      // A token without section opens every section (IPP); one with a section opens only that one.
      if (
        row === undefined ||
        section === undefined ||
        (row.sectionId !== null && row.sectionId !== section.id)
      ) {
        return notFound(context, request, reply);
      }
      return serveFeed(context, request, reply, row, section);
    },
  );
  done();
};

async function notFound(
  context: FeedContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  context.metrics.countNotFound();
  await context.failures.hit(request);
  return sendFeedNotFound(reply);
}

function serveFeed(
  context: FeedContext,
  request: FastifyRequest,
  reply: FastifyReply,
  token: FeedTokenRow,
  section: SectionRow,
): FastifyReply {
  // The token's own filter (and when it changed) picks the shared rendered calendar.
  const feed = context.cache.get(section, token);
  const notModified = isNotModified(
    {
      ifNoneMatch: request.headers['if-none-match'],
      ifModifiedSince: request.headers['if-modified-since'],
    },
    feed,
  );
  context.usage.record({
    tokenId: token.id,
    sectionId: section.id,
    userAgent: request.headers['user-agent'],
    notModified,
  });
  context.metrics.countFeed(section.name, notModified ? 304 : 200);
  reply
    .header('etag', feed.etag)
    .header('last-modified', feed.lastModifiedHeader)
    .header('cache-control', CACHE_CONTROL);
  if (notModified) return reply.code(304).send();
  return reply
    .code(200)
    .header('content-type', 'text/calendar; charset=utf-8')
    .header('content-disposition', feed.contentDisposition)
    .send(feed.body);
}
