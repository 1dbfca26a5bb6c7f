import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashFeedToken, toSectionKey } from '../../core/index.ts';
import type { FeedTokenRow, SectionRow } from '../../db/index.ts';
import { isNotModified } from '../conditional.ts';
import type { FeedContext, FeedRoutePlugin } from '../context.ts';
import { sendFeedNotFound } from '../error-handler.ts';
import { negotiateEncoding, pickRepresentation } from '../encoding.ts';

/** Tokens we issue: 256 bits as lowercase hex. */
export const FEED_TOKEN_PATTERN = /^[0-9a-f]{64}$/;
/** IPP-era tokens (imported as they were, 16+ characters) may use any printable alphabet. */
const LEGACY_TOKEN_PATTERN = /^[\x21-\x7e]{8,512}$/;
export const CACHE_CONTROL = 'private, max-age=300';

/**
 * GET/HEAD `/feeds/<token>.ics` and IPP's `GET /<Section>?token=<token>`.
 *
 * The handlers are synchronous (no I/O is awaited: SQLite reads are synchronous and the calendar
 * bytes are cached), so a request costs no promise hop. A valid token is always served, whatever
 * its address did before (hundreds of students share one school NAT); only answers to unknown
 * tokens count against, and are refused by, the per-address guess limit.
 */
export const feedRoutes: FeedRoutePlugin = (app, context, done) => {
  const { lookup } = context;

  app.get<{ Params: { token: string } }>('/feeds/:token.ics', (request, reply) => {
    const token = request.params.token;
    const row = FEED_TOKEN_PATTERN.test(token)
      ? lookup.activeToken(hashFeedToken(token))
      : undefined;
    const section = row?.sectionId == null ? undefined : lookup.sectionById(row.sectionId);
    if (row === undefined || section === undefined) return unknownToken(context, request, reply);
    return serveFeed(context, request, reply, row, section);
  });

  app.get<{ Params: { section: string }; Querystring: { token?: unknown } }>(
    '/:section',
    (request, reply) => {
      const token = request.query.token;
      // `/favicon.ico`, `/robots.txt`, `/apple-touch-icon.png`: no token, so no guess to count.
      if (token === undefined) return sendFeedNotFound(reply);
      const key = toSectionKey(request.params.section);
      const configured = context.deps.config.sections.some((spec) => spec.key === key);
      const row =
        typeof token === 'string' && LEGACY_TOKEN_PATTERN.test(token) && configured
          ? lookup.activeToken(hashFeedToken(token))
          : undefined;
      const section = row === undefined ? undefined : lookup.sectionByKey(key);
      // A token without section opens every section (IPP); one with a section opens only that one.
      if (
        row === undefined ||
        section === undefined ||
        (row.sectionId !== null && row.sectionId !== section.id)
      ) {
        return unknownToken(context, request, reply);
      }
      return serveFeed(context, request, reply, row, section);
    },
  );
  done();
};

/** An unknown or revoked token (the same answer for both): one guess for the client's address. */
export function unknownToken(
  context: FeedContext,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const { guesses } = context.limits;
  const key = request.ip;
  if (guesses.isBlocked(key)) return context.limits.refuse(reply);
  guesses.hit(key);
  context.metrics.countNotFound();
  return sendFeedNotFound(reply);
}

function serveFeed(
  context: FeedContext,
  request: FastifyRequest,
  reply: FastifyReply,
  token: FeedTokenRow,
  section: SectionRow,
): FastifyReply {
  // Per token, not per address: a NAT's hundreds of students each poll their own link.
  if (!context.limits.feedHits.hit(String(token.id))) return context.limits.refuse(reply);
  // The token's own filter (and when it changed) picks the shared rendered calendar.
  const feed = context.cache.get(section, token);
  const representation = pickRepresentation(
    feed,
    negotiateEncoding(request.headers['accept-encoding']),
  );
  const notModified = isNotModified(
    {
      ifNoneMatch: request.headers['if-none-match'],
      ifModifiedSince: request.headers['if-modified-since'],
    },
    { etag: representation.etag, lastModified: feed.lastModified },
    context.deps.clock.now().getTime(),
  );
  context.usage.record({
    tokenId: token.id,
    sectionId: section.id,
    userAgent: request.headers['user-agent'],
    notModified,
  });
  context.metrics.countFeed(section.name, notModified ? 304 : 200);
  reply
    .header('etag', representation.etag)
    .header('last-modified', feed.lastModifiedHeader)
    .header('cache-control', CACHE_CONTROL)
    // `/feeds/<token>` (no extension) answers a browser with the link's page: that answer varies
    // on Accept too, so no cache hands the calendar to a later page visit.
    .header(
      'vary',
      request.originalUrl === request.url ? 'Accept-Encoding' : 'Accept-Encoding, Accept',
    );
  if (notModified) return reply.code(304).send();
  if (representation.encoding !== 'identity') {
    reply.header('content-encoding', representation.encoding);
  }
  return reply
    .code(200)
    .header('content-type', 'text/calendar; charset=utf-8')
    .header('content-disposition', feed.contentDisposition)
    .send(representation.body);
}
