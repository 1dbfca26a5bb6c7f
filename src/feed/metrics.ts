import { Counter, Gauge, Registry } from 'prom-client';
import type { Repositories } from '../db/index.ts';
import type { FeedCacheStats } from './feed-cache.ts';

export type FeedMetrics = ReturnType<typeof createFeedMetrics>;

const PREFIX = 'planning_proxy_';

/**
 * Prometheus metrics on a registry of our own (not prom-client's global one, so several servers in
 * one process — tests, the bench — never collide). Database-backed values are read at scrape time.
 */
export function createFeedMetrics(deps: {
  repositories: Pick<Repositories, 'sections' | 'scrapeRuns' | 'feedTokens'>;
  alertBacklog?: (() => number) | undefined;
  feedCache?: (() => FeedCacheStats) | undefined;
  /** False once the database file was deleted or replaced (the /healthz detection). */
  databaseFileOk?: (() => boolean) | undefined;
}) {
  const registry = new Registry();
  const { sections, scrapeRuns, feedTokens } = deps.repositories;

  // A label lookup in prom-client costs more than the rest of a 304: requests are counted per
  // section in two maps and folded into the counter at collection.
  const pendingOk = new Map<string, number>();
  const pendingNotModified = new Map<string, number>();
  new Counter({
    name: `${PREFIX}feed_requests_total`,
    help: 'Feed requests answered with a calendar (200) or not modified (304), by section',
    labelNames: ['section', 'status'] as const,
    registers: [registry],
    collect() {
      for (const [status, counts] of [
        ['200', pendingOk],
        ['304', pendingNotModified],
      ] as const) {
        for (const [section, n] of counts) this.inc({ section, status }, n);
        counts.clear();
      }
    },
  });
  const feedNotFound = new Counter({
    name: `${PREFIX}feed_not_found_total`,
    help: 'Feed requests with an unknown or revoked token',
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: `${PREFIX}feed_rate_limited_total`,
    help: 'Requests refused by the per-address rate limits',
    registers: [registry],
  });

  const databaseUp = new Gauge({
    name: `${PREFIX}database_up`,
    help: '1 when the database answered the last metrics collection and its file was not deleted or replaced',
    registers: [registry],
  });
  const scrapeRunsGauge = new Gauge({
    name: `${PREFIX}scrape_runs`,
    help: 'Scrape runs kept in the database, by section and status (failed = failures)',
    labelNames: ['section', 'status'] as const,
    registers: [registry],
  });
  const eventsGauge = new Gauge({
    name: `${PREFIX}section_events`,
    help: 'Current events per section',
    labelNames: ['section'] as const,
    registers: [registry],
  });
  const failuresGauge = new Gauge({
    name: `${PREFIX}section_consecutive_failures`,
    help: 'Consecutive failed scrapes per section',
    labelNames: ['section'] as const,
    registers: [registry],
  });
  const lastSuccessGauge = new Gauge({
    name: `${PREFIX}section_last_success_timestamp_seconds`,
    help: 'Unix time of the last successful scrape per section (0: never)',
    labelNames: ['section'] as const,
    registers: [registry],
  });
  const tokensGauge = new Gauge({
    name: `${PREFIX}feed_tokens_active`,
    help: 'Live feed tokens per section ("*": tokens opening every section)',
    labelNames: ['section'] as const,
    registers: [registry],
  });
  if (deps.alertBacklog !== undefined) {
    const alertBacklog = deps.alertBacklog;
    new Gauge({
      name: `${PREFIX}alert_backlog`,
      help: 'Alerts waiting to be delivered to Discord',
      registers: [registry],
      collect() {
        this.set(alertBacklog());
      },
    });
  }

  if (deps.feedCache !== undefined) {
    const stats = deps.feedCache;
    new Gauge({
      name: `${PREFIX}feed_cache_entries`,
      help: 'Rendered calendars in memory (one per section and distinct filter)',
      registers: [registry],
      collect() {
        this.set(stats().entries);
      },
    });
    new Gauge({
      name: `${PREFIX}feed_cache_bytes`,
      help: 'Bytes of the rendered calendars in memory',
      registers: [registry],
      collect() {
        this.set(stats().bytes);
      },
    });
    // Counters read at scrape time: increase by what happened since the last collection.
    let reportedRenders = 0;
    new Counter({
      name: `${PREFIX}feed_cache_renders_total`,
      help: 'Calendars rendered (once per content change per section and distinct filter)',
      registers: [registry],
      collect() {
        const { renders } = stats();
        this.inc(renders - reportedRenders);
        reportedRenders = renders;
      },
    });
    let reportedEvictions = 0;
    new Counter({
      name: `${PREFIX}feed_cache_evictions_total`,
      help: 'Rendered calendars dropped (unused for a while, or beyond the cache bounds)',
      registers: [registry],
      collect() {
        const { evictions } = stats();
        this.inc(evictions - reportedEvictions);
        reportedEvictions = evictions;
      },
    });
  }

  /** Reads the database-backed gauges; called right before rendering the metrics text. */
  function collectDatabase(): void {
    try {
      const rows = sections.list();
      const names = new Map(rows.map((row) => [row.id, row.name]));
      const runCounts = scrapeRuns.countBySectionAndStatus();
      const tokenCounts = feedTokens.countActiveBySection();
      scrapeRunsGauge.reset();
      eventsGauge.reset();
      failuresGauge.reset();
      lastSuccessGauge.reset();
      tokensGauge.reset();
      for (const row of rows) {
        eventsGauge.set({ section: row.name }, row.eventCount);
        failuresGauge.set({ section: row.name }, row.consecutiveFailures);
        lastSuccessGauge.set(
          { section: row.name },
          Math.floor((row.lastSuccessAt?.getTime() ?? 0) / 1000),
        );
      }
      for (const run of runCounts) {
        const section = names.get(run.sectionId);
        if (section !== undefined) scrapeRunsGauge.set({ section, status: run.status }, run.runs);
      }
      for (const [sectionId, n] of tokenCounts) {
        const section = sectionId === null ? '*' : names.get(sectionId);
        if (section !== undefined) tokensGauge.set({ section }, n);
      }
      // The orphaned file still answers reads: up only while the path names the file in use.
      databaseUp.set(deps.databaseFileOk?.() === false ? 0 : 1);
    } catch {
      databaseUp.set(0);
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    /** Counted in a plain map, added to the Prometheus counter when /metrics is read. */
    countFeed(section: string, status: 200 | 304): void {
      const counts = status === 304 ? pendingNotModified : pendingOk;
      counts.set(section, (counts.get(section) ?? 0) + 1);
    },
    countNotFound(): void {
      feedNotFound.inc();
    },
    countRateLimited(): void {
      rateLimited.inc();
    },
    async render(): Promise<string> {
      collectDatabase();
      return registry.metrics();
    },
  };
}
