import type { SectionRow } from '../../db/index.ts';
import type { FeedRoutePlugin } from '../context.ts';

/** Freshness of one section as /healthz and /admin/status report it. */
export function describeFreshness(section: SectionRow, now: Date, staleAfterMs: number) {
  const since = section.lastSuccessAt ?? section.createdAt;
  return {
    name: section.name,
    lastSuccessAt: section.lastSuccessAt?.toISOString() ?? null,
    ageSeconds:
      section.lastSuccessAt === null
        ? null
        : Math.max(0, Math.floor((now.getTime() - section.lastSuccessAt.getTime()) / 1000)),
    stale: now.getTime() - since.getTime() > staleAfterMs,
    consecutiveFailures: section.consecutiveFailures,
  };
}

function botHealth(
  status: () => { connected: boolean; state: string },
  backlog: (() => number) | undefined,
) {
  const { connected, state } = status();
  return { connected, state, ...(backlog === undefined ? {} : { alertBacklog: backlog() }) };
}

/** GET /healthz (200 while the database answers, else 503) and GET /metrics. */
export const healthRoutes: FeedRoutePlugin = (app, context, done) => {
  const { deps } = context;

  app.get('/healthz', (request, reply) => {
    if (deps.databaseFileOk?.() === false) {
      reply.code(503).header('cache-control', 'no-store').send({
        status: 'unavailable',
        version: deps.version,
        reason: 'the database file was deleted or replaced while the app runs; restart it',
      });
      return;
    }
    let sections: SectionRow[];
    try {
      sections = deps.repositories.sections.list();
    } catch (error) {
      request.log.error({ err: error }, 'health check failed');
      reply.code(503).send({ status: 'unavailable', version: deps.version });
      return;
    }
    const now = deps.clock.now();
    // Rows of sections removed from SECTIONS are kept (their history); health is about today's.
    const configured = new Set<string>(deps.config.sections.map((section) => section.key));
    reply.header('cache-control', 'no-store').send({
      status: 'ok',
      version: deps.version,
      sections: sections
        .filter((row) => configured.has(row.key))
        .map((row) => describeFreshness(row, now, deps.config.feed.staleAfterMs)),
      // Discord being down never makes the feeds unhealthy: reported, status stays ok.
      ...(deps.botStatus === undefined
        ? {}
        : { bot: botHealth(deps.botStatus, deps.alertBacklog) }),
    });
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await context.metrics.render();
    return reply.header('cache-control', 'no-store').type(context.metrics.contentType).send(text);
  });
  done();
};
