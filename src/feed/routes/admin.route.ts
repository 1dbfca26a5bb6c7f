import { z } from 'zod';
import {
  AppError,
  describeHeld,
  parseEventFilter,
  safeEqual,
  toSectionKey,
  type EventFilter,
} from '../../core/index.ts';
import type { FeedDeps, FeedRoutePlugin } from '../context.ts';
import { readJsonWhateverContentType } from '../admin-body.ts';
import { sendJsonError } from '../error-handler.ts';
import {
  createToken,
  listFilterOptions,
  listTokens,
  revokeTokens,
  setTokenFilter,
  type TokenAdminDeps,
} from '../tokens.ts';
import { describeFreshness } from './health.route.ts';

const createTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  section: z.string().trim().max(64).optional(),
  /** Checked by parseEventFilter (filter.invalid → 400 naming the field). */
  filter: z.unknown().optional(),
});

const setFilterBody = z
  .object({
    token: z.string().trim().min(1).max(512).optional(),
    prefix: z.string().trim().min(1).max(64).optional(),
    /** null or {} clears the filter. */
    filter: z.unknown(),
  })
  .refine((body) => (body.token === undefined) !== (body.prefix === undefined), {
    message: 'give exactly one of token, prefix',
  })
  .refine((body) => body.filter !== undefined, { message: 'filter is required (null clears it)' });

const filterOptionsQuery = z.object({ section: z.string().trim().min(1).max(64) });

/** The filter of a request body: absent or null → none; anything else must parse. */
function toFilter(input: unknown): EventFilter | undefined {
  return input === undefined || input === null ? undefined : parseEventFilter(input);
}

const revokeTokenBody = z
  .object({
    token: z.string().trim().min(1).max(512).optional(),
    name: z.string().trim().min(1).max(100).optional(),
    prefix: z.string().trim().min(1).max(64).optional(),
  })
  .refine(
    (body) =>
      [body.token, body.name, body.prefix].filter((value) => value !== undefined).length === 1,
    { message: 'give exactly one of token, name, prefix' },
  );

const scrapeBody = z.object({ section: z.string().trim().min(1).max(64).optional() }).optional();

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const message = result.error.issues
      .map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`)
      .join('; ');
    throw new AppError('token.invalid_input', 'invalid admin request body', {
      publicMessage: message,
    });
  }
  return result.data;
}

/**
 * IPP-compatible admin API, only registered when ADMIN_STATIC_TOKEN is set. Bearer token compared
 * in constant time; failures count per address against a limit of their own.
 */
export const adminRoutes: FeedRoutePlugin = (app, context, done) => {
  const { deps } = context;
  const adminToken = deps.config.admin.token;
  if (adminToken === undefined) {
    done();
    return;
  }
  const tokenDeps: TokenAdminDeps = {
    repositories: deps.repositories,
    config: deps.config,
    clock: deps.clock,
  };

  readJsonWhateverContentType(app);

  // Failures are counted on their own key: they never block feeds, nor feed guesses admin calls.
  const { adminFailures } = context.limits;
  app.addHook('onRequest', (request, reply, next) => {
    if (adminFailures.isBlocked(request.ip)) {
      context.limits.refuse(reply);
      return;
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] === undefined || !safeEqual(match[1], adminToken)) {
      adminFailures.hit(request.ip);
      sendJsonError(reply, 401, 'unauthorized', 'missing or invalid bearer token').header(
        'www-authenticate',
        'Bearer',
      );
      return;
    }
    next();
  });

  app.post('/admin/create_token', (request, reply) => {
    const body = parseBody(createTokenBody, request.body);
    const created = createToken(tokenDeps, {
      name: body.name,
      section: body.section,
      filter: toFilter(body.filter),
    });
    request.log.info(
      {
        owner: created.name,
        section: created.section,
        prefix: created.prefix,
        filtered: created.filter !== null,
      },
      'feed token created',
    );
    reply.code(201).send(created);
  });

  app.post('/admin/revoke_token', (request) => {
    const body = parseBody(revokeTokenBody, request.body);
    const revoked = revokeTokens(
      tokenDeps,
      body.token !== undefined
        ? { token: body.token }
        : body.name !== undefined
          ? { name: body.name }
          : { prefix: body.prefix ?? '' },
    );
    request.log.info({ revoked }, 'feed tokens revoked');
    return { revoked };
  });

  app.get('/admin/tokens', () => ({ tokens: listTokens(tokenDeps) }));

  app.post('/admin/set_filter', (request) => {
    const body = parseBody(setFilterBody, request.body);
    const filter = toFilter(body.filter) ?? parseEventFilter({});
    const result = setTokenFilter(
      tokenDeps,
      body.token !== undefined ? { token: body.token } : { prefix: body.prefix ?? '' },
      filter,
    );
    request.log.info(
      { updated: result.updated, ...(body.prefix === undefined ? {} : { prefix: body.prefix }) },
      'feed token filter set',
    );
    return result;
  });

  app.get('/admin/filter_options', (request) => {
    const query = parseBody(filterOptionsQuery, request.query);
    return listFilterOptions(tokenDeps, query.section);
  });

  app.get('/admin/status', () => {
    const now = deps.clock.now();
    const tokens = deps.repositories.feedTokens.countActiveBySection();
    return {
      version: deps.version,
      now: now.toISOString(),
      allSectionsTokens: tokens.get(null) ?? 0,
      sections: deps.repositories.sections.list().map((row) => ({
        ...describeFreshness(row, now, deps.config.feed.staleAfterMs),
        key: row.key,
        lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
        lastErrorCode: row.lastErrorCode,
        lastErrorMessage: row.lastErrorMessage,
        nextRunAt: row.nextRunAt?.toISOString() ?? null,
        contentChangedAt: row.contentChangedAt?.toISOString() ?? null,
        events: row.eventCount,
        /** The stored calendar was over the event cap: only the events nearest in time were kept. */
        truncated: row.truncated,
        activeTokens: tokens.get(row.id) ?? 0,
        /** The latest scrape was held by the change guard (null otherwise): why, and how long. */
        held: heldStatus(deps.repositories, row.id),
      })),
    };
  });

  app.post('/admin/scrape', async (request) => {
    const body = parseBody(scrapeBody, request.body);
    const section = body?.section;
    if (section !== undefined) {
      const key = toSectionKey(section);
      if (!deps.config.sections.some((spec) => spec.key === key)) {
        throw new AppError('section.unknown', 'unknown section', {
          publicMessage: `unknown section; sections: ${deps.config.sections.map((s) => s.name).join(', ')}`,
        });
      }
    }
    const summaries = await deps.runScrape(section === undefined ? undefined : { section });
    return { summaries };
  });
  done();
};

function heldStatus(repositories: FeedDeps['repositories'], sectionId: number) {
  const latest = repositories.scrapeRuns
    .listRecent(sectionId, 5)
    .find((run) => run.status !== 'running');
  const held = describeHeld(latest);
  return held === undefined
    ? null
    : {
        code: held.code,
        reason: held.reason,
        confirmationsRemaining: held.confirmationsRemaining,
        at: held.at?.toISOString() ?? null,
      };
}
