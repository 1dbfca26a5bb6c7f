/**
 * web: the server-rendered pages (home, each feed link's page, admin dashboard). Registered by
 * src/feed/server.ts; data comes from the same repositories and token functions as the bot and
 * the admin API.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { hashFeedToken, safeEqual } from '../core/index.ts';
import type { FeedContext } from '../feed/context.ts';
import { FEED_TOKEN_PATTERN } from '../feed/routes/feed.route.ts';
import { registerAdminPages } from './admin-pages.ts';
import { buildFeedPage } from './feed-page.ts';
import { pickLocale } from './messages.ts';
import { createRenderer, PUBLIC_DIR, STATIC_PREFIX } from './render.ts';
import { messagesFor, sendTooMany } from './respond.ts';

export { issueAdminLoginLink } from './admin-session.ts';
export { negotiateFeedUrl } from './negotiate.ts';

export const webPages: FastifyPluginAsync<FeedContext> = async (app, context) => {
  const { deps } = context;
  const renderer = createRenderer();

  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: STATIC_PREFIX,
    // URLs carry a content hash (?v=): a year, immutable.
    maxAge: '365d',
    immutable: true,
    index: false,
    list: false,
    wildcard: false,
    setHeaders(reply) {
      reply.header('x-content-type-options', 'nosniff');
    },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 4096 });

  app.get('/', (request, reply) => {
    const t = messagesFor(request);
    return renderer.send(reply, 200, 'home', { title: t.homeTitle, t });
  });

  // Only browsers get here: negotiateFeedUrl sends every other client to `/feeds/<token>.ics`.
  // Lookups and limits are those of the calendar route: a valid link is always served (limited
  // per token, never per address: a school NAT hides hundreds of students), and an unknown or
  // revoked one costs the address one guess, refused past the guess limit.
  app.get<{ Params: { token: string } }>('/feeds/:token', async (request, reply) => {
    const token = request.params.token;
    const row = FEED_TOKEN_PATTERN.test(token)
      ? context.lookup.activeToken(hashFeedToken(token))
      : undefined;
    const section = row?.sectionId == null ? undefined : context.lookup.sectionById(row.sectionId);
    const t = messagesFor(request);
    if (row === undefined || section === undefined) {
      const { guesses } = context.limits;
      if (guesses.isBlocked(request.ip)) return sendTooMany(context, renderer, request, reply);
      guesses.hit(request.ip);
      context.metrics.countNotFound();
      return renderer.send(
        reply,
        404,
        'message',
        { title: t.notFoundTitle, t, private: true },
        {
          text: t.notFoundText,
        },
      );
    }
    if (!context.limits.feedHits.hit(String(row.id))) {
      return sendTooMany(context, renderer, request, reply);
    }
    const locale = pickLocale(request.headers['accept-language']);
    const page = await buildFeedPage({
      repositories: deps.repositories,
      publicUrl: deps.config.feed.publicUrl,
      timeZone: deps.config.timeZone,
      cancelledRetentionMs: deps.config.feed.cancelledRetentionMs,
      now: deps.clock.now(),
      token,
      row,
      section,
      locale,
      t,
    });
    return renderer.send(
      reply,
      200,
      'feed',
      { title: page.heading, t, private: true, script: true },
      page,
    );
  });

  const adminToken = deps.config.admin.token;
  if (adminToken !== undefined) {
    registerAdminPages(app, {
      context,
      renderer,
      checkToken: (candidate) => safeEqual(candidate, adminToken),
    });
  }
};
