import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  addDays,
  describeFilter,
  safeEqual,
  startOfDay,
  toCalendarDate,
  toLocalDay,
  type EventFilter,
} from '../core/index.ts';
import type { FeedContext } from '../feed/context.ts';
import { describeFreshness } from '../feed/routes/health.route.ts';
import { listTokens } from '../feed/tokens.ts';
import {
  consumeAdminLoginLink,
  createSessionStore,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  type AdminSession,
} from './admin-session.ts';
import { fetchesChart, outcomeOf, runsChart, type DayClientCounts } from './charts.ts';
import { CALENDAR_CLIENTS, type CalendarClient } from './clients.ts';
import { messagesFor, sendTooMany } from './respond.ts';
import { pickLocale, type WebMessages } from './messages.ts';
import type { Renderer } from './render.ts';

const DAY_MS = 86_400_000;
const MAX_RUNS = 5_000;

type LoginBody = { token?: unknown; code?: unknown; csrf?: unknown; id?: unknown };

/** /admin (login page or dashboard), POST /admin/login, /admin/login/<code>, logout, revoke. */
export function registerAdminPages(
  app: FastifyInstance,
  options: { context: FeedContext; renderer: Renderer; checkToken: (candidate: string) => boolean },
): void {
  const { context, renderer } = options;
  const { deps } = context;
  const sessions = createSessionStore(deps.clock);
  const secure = deps.config.feed.publicUrl.startsWith('https://');

  function sessionOf(request: FastifyRequest): AdminSession | undefined {
    return sessions.find(request.cookies[SESSION_COOKIE]);
  }

  function loginPage(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    data: { error?: string; code?: string } = {},
  ): FastifyReply {
    const t = messagesFor(request);
    return renderer.send(reply, status, 'login', { title: t.loginTitle, t, private: true }, data);
  }

  function startSession(reply: FastifyReply): FastifyReply {
    const { id } = sessions.create();
    return reply
      .setCookie(SESSION_COOKIE, id, {
        path: '/admin',
        httpOnly: true,
        sameSite: 'strict',
        secure,
        maxAge: SESSION_TTL_MS / 1000,
      })
      .header('cache-control', 'no-store')
      .redirect('/admin', 303);
  }

  function csrfOk(session: AdminSession, body: LoginBody): boolean {
    return typeof body.csrf === 'string' && safeEqual(body.csrf, session.csrf);
  }

  app.get<{ Querystring: { revoked?: string; stale?: string } }>('/admin', (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return loginPage(request, reply, 200);
    const t = messagesFor(request);
    const locale = pickLocale(request.headers['accept-language']);
    let flash: string | undefined;
    const revokedId = Number(request.query.revoked);
    if (Number.isSafeInteger(revokedId) && revokedId > 0) {
      const row = deps.repositories.feedTokens.findById(revokedId);
      if (row?.revokedAt != null) flash = t.dashRevoked(row.prefix);
    }
    return renderer.send(
      reply,
      200,
      'dashboard',
      { title: t.dashTitle, t, private: true, logoutCsrf: session.csrf },
      {
        ...dashboardData(context, t, locale),
        csrf: session.csrf,
        flash,
        flashError: request.query.stale === undefined ? undefined : t.dashRevokeStale,
      },
    );
  });

  app.get<{ Params: { code: string } }>('/admin/login/:code', (request, reply) =>
    // A page with a button, not a login: link previews (Discord's unfurler) must not use it up.
    loginPage(request, reply, 200, { code: request.params.code.slice(0, 100) }),
  );

  app.post<{ Body: LoginBody | undefined }>('/admin/login', async (request, reply) => {
    // Failed logins are counted on the admin key, like the admin API's: they never block feeds.
    const { adminFailures } = context.limits;
    if (adminFailures.isBlocked(request.ip)) {
      return sendTooMany(context, renderer, request, reply);
    }
    const body = request.body ?? {};
    const t = messagesFor(request);
    if (typeof body.code === 'string') {
      if (consumeAdminLoginLink(deps, body.code)) {
        request.log.info('admin logged in with a one-time link');
        return startSession(reply);
      }
      adminFailures.hit(request.ip);
      return loginPage(request, reply, 401, { error: t.loginLinkInvalid });
    }
    if (typeof body.token === 'string' && options.checkToken(body.token)) {
      request.log.info('admin logged in');
      return startSession(reply);
    }
    adminFailures.hit(request.ip);
    request.log.info('admin login refused');
    return loginPage(request, reply, 401, { error: t.loginFailed });
  });

  app.post<{ Body: LoginBody | undefined }>('/admin/logout', (request, reply) => {
    const session = sessionOf(request);
    // Without the form's CSRF token nothing happens: another site on the same host must not be
    // able to log the admin out (SameSite does not separate ports of one host).
    if (session !== undefined && !csrfOk(session, request.body ?? {})) {
      return reply.redirect('/admin', 303);
    }
    if (session !== undefined) sessions.destroy(request.cookies[SESSION_COOKIE]);
    return reply
      .clearCookie(SESSION_COOKIE, { path: '/admin', httpOnly: true, sameSite: 'strict', secure })
      .redirect('/admin', 303);
  });

  app.post<{ Body: LoginBody | undefined }>('/admin/revoke', (request, reply) => {
    const session = sessionOf(request);
    const t = messagesFor(request);
    if (session === undefined) return loginPage(request, reply, 401);
    const body = request.body ?? {};
    if (!csrfOk(session, body)) {
      request.log.info('dashboard revoke refused: bad form token');
      return reply.redirect('/admin?stale=1', 303);
    }
    const id = Number(body.id);
    if (!Number.isSafeInteger(id) || id <= 0) {
      return renderer.send(
        reply,
        400,
        'message',
        { title: t.dashRevokeStale, t, private: true },
        {
          text: t.dashRevokeStale,
        },
      );
    }
    const revoked = deps.repositories.feedTokens.revoke({ ids: [id] }, deps.clock.now());
    request.log.info(
      { revoked: revoked.length, prefix: revoked[0]?.prefix },
      'feed token revoked from the dashboard',
    );
    return reply.redirect(`/admin?revoked=${id}`, 303);
  });
}

function filterWords(filter: EventFilter | null, t: WebMessages, locale: 'fr' | 'en'): string {
  return filter === null ? t.dashNoFilter : describeFilter(filter, locale);
}

/** What the dashboard shows, from the same repositories and token functions as /admin/status. */
export function dashboardData(context: FeedContext, t: WebMessages, locale: 'fr' | 'en') {
  const { deps } = context;
  const { repositories, config } = deps;
  const now = deps.clock.now();
  const intlLocale = locale === 'fr' ? 'fr-FR' : 'en-GB';
  const when = new Intl.DateTimeFormat(intlLocale, {
    timeZone: config.timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const shortDay = new Intl.DateTimeFormat(intlLocale, {
    timeZone: config.timeZone,
    weekday: 'short',
    day: 'numeric',
  });
  const format = (at: Date | null | undefined, fallback: string): string =>
    at == null ? fallback : when.format(at);

  const today = toCalendarDate(now, config.timeZone);
  const firstDay = addDays(today, -6);
  const dayKeys = Array.from({ length: 7 }, (_, index) =>
    toLocalDay(startOfDay(addDays(firstDay, index), config.timeZone), config.timeZone),
  );
  const usage = repositories.feedTokens.listClientUsageSince(startOfDay(firstDay, config.timeZone));
  const links = repositories.feedTokens.countActiveBySection();
  const backlog = deps.alertBacklog?.() ?? repositories.alerts.countUndelivered();

  const sections = repositories.sections.list().map((row) => {
    const freshness = describeFreshness(row, now, config.feed.staleAfterMs);
    const runs = repositories.scrapeRuns
      .listRecent(row.id, MAX_RUNS)
      .filter((run) => run.startedAt.getTime() >= now.getTime() - 7 * DAY_MS)
      .reverse();
    const failed = runs.filter((run) => outcomeOf(run.status) === 'failed').length;
    const counts = new Map<string, Record<CalendarClient, number>>(
      dayKeys.map((day) => [
        day,
        Object.fromEntries(CALENDAR_CLIENTS.map((client) => [client, 0])) as Record<
          CalendarClient,
          number
        >,
      ]),
    );
    for (const entry of usage) {
      if (entry.sectionId !== row.id) continue;
      const bucket = counts.get(toLocalDay(entry.hourAt, config.timeZone));
      const client = (CALENDAR_CLIENTS as readonly string[]).includes(entry.client)
        ? (entry.client as CalendarClient)
        : 'other';
      if (bucket !== undefined) bucket[client] += entry.hits;
    }
    const days: DayClientCounts[] = dayKeys.map((day) => ({
      day,
      counts: counts.get(day) ?? ({} as Record<CalendarClient, number>),
    }));
    const total = days.reduce(
      (sum, day) => sum + CALENDAR_CLIENTS.reduce((inner, client) => inner + day.counts[client], 0),
      0,
    );
    const lastError =
      row.lastErrorCode === null
        ? t.dashNone
        : `${t.errorWords[row.lastErrorCode] ?? row.lastErrorCode} (${format(row.lastErrorAt, '')})`;
    return {
      name: row.name,
      stale: freshness.stale,
      state: freshness.stale ? t.dashStale : t.dashFresh,
      lastSuccess: format(row.lastSuccessAt, t.dashNever),
      lastError,
      failures: row.consecutiveFailures,
      nextRun: format(row.nextRunAt, t.dashNone),
      events: row.eventCount,
      links: links.get(row.id) ?? 0,
      lastChange: format(
        repositories.changes.latest(row.id)?.changedAt ?? row.contentChangedAt,
        t.dashNone,
      ),
      runsChart: runsChart({
        id: `runs-${row.id}`,
        runs,
        now,
        title: t.dashRunsChart(row.name),
        description: t.dashRunsChartDesc(runs.length, failed),
        axisLabel: t.dashRunsAxis,
        dayLabel: (day) => shortDay.format(day),
        outcomeLabels: t.dashOutcome,
      }),
      fetchesChart: fetchesChart({
        id: `fetches-${row.id}`,
        days,
        title: t.dashFetchesChart(row.name),
        description: t.dashFetchesChartDesc(total),
        dayLabel: (day) => shortDay.format(new Date(`${day}T12:00:00Z`)),
        clientLabels: t.dashClients,
      }),
    };
  });

  const tokens = listTokens({ repositories, config, clock: deps.clock }).map((token) => ({
    id: token.id,
    prefix: token.prefix,
    owner: token.owner,
    section: token.section ?? t.dashAllSections,
    filter: filterWords(token.filter, t, locale),
    lastUsed: token.lastUsedAt === null ? t.dashNever : when.format(new Date(token.lastUsedAt)),
    uses: token.uses,
  }));

  return { summary: t.dashSummary(deps.version, backlog), sections, tokens };
}
