import type { Clock, Logger } from '../core/index.ts';
import type { ClientUsage, Repositories, SectionUsage, TokenUsage } from '../db/index.ts';
import { classifyUserAgent, type CalendarClient } from '../web/clients.ts';

export const USAGE_FLUSH_INTERVAL_MS = 5_000;
const HOUR_MS = 3_600_000;
const MAX_USER_AGENT_LENGTH = 200;

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;

/**
 * Counts feed requests in memory and writes them in one transaction every few seconds (and on
 * close), so serving a feed never waits on a database write.
 */
export function createUsageRecorder(deps: {
  repositories: Pick<Repositories, 'feedTokens' | 'maintenance'>;
  clock: Clock;
  logger: Logger;
  flushIntervalMs?: number;
}) {
  // Mutable while a batch fills: a request updates its counters in place, allocating nothing.
  let tokens = new Map<number, Mutable<TokenUsage>>();
  let sections = new Map<number, Mutable<SectionUsage>>();
  // Per calendar app, for the dashboard's chart: section-hour key, then app.
  let clients = new Map<number, Map<CalendarClient, Mutable<ClientUsage>>>();
  // A calendar app sends the same User-Agent on every poll: classify each string once.
  const clientOfAgent = new Map<string, CalendarClient>();
  let timer: NodeJS.Timeout | undefined;

  /**
   * Writes what was counted. A scrape committing in the worker thread holds the write lock for a
   * while: then the batch waits for the next flush instead of blocking feed requests (`wait`
   * only on close).
   */
  function flush(wait = false): void {
    if (tokens.size === 0 && sections.size === 0) return;
    const tokenBatch = tokens;
    const sectionBatch = sections;
    const clientBatch = clients;
    tokens = new Map();
    sections = new Map();
    clients = new Map();
    const { feedTokens, maintenance } = deps.repositories;
    const write = <T>(run: () => T): T => (wait ? run() : maintenance.withoutWaiting(run));
    try {
      write(() => {
        feedTokens.recordUsage(tokenBatch);
      });
    } catch (error) {
      if (isBusy(error)) requeueTokens(tokenBatch);
      else warnLost(error, tokenBatch.size, 0);
    }
    try {
      write(() => {
        feedTokens.recordSectionUsage([...sectionBatch.values()]);
      });
    } catch (error) {
      if (isBusy(error)) requeueSections(sectionBatch);
      else warnLost(error, 0, sectionBatch.size);
    }
    try {
      write(() => {
        feedTokens.recordClientUsage(
          [...clientBatch.values()].flatMap((byApp) => [...byApp.values()]),
        );
      });
    } catch (error) {
      if (isBusy(error)) requeueClients(clientBatch);
      else warnLost(error, 0, clientBatch.size);
    }
  }

  function requeueClients(batch: Map<number, Map<CalendarClient, Mutable<ClientUsage>>>): void {
    for (const [key, byApp] of batch) {
      for (const [app, usage] of byApp)
        countClient(key, app, usage.sectionId, usage.hourAt.getTime(), usage.hits);
    }
  }

  function countClient(
    key: number,
    app: CalendarClient,
    sectionId: number,
    hourMs: number,
    hits: number,
  ): void {
    let byApp = clients.get(key);
    if (byApp === undefined) {
      byApp = new Map();
      clients.set(key, byApp);
    }
    const current = byApp.get(app);
    if (current === undefined)
      byApp.set(app, { sectionId, hourAt: new Date(hourMs), client: app, hits });
    else current.hits += hits;
  }

  function classify(agent: string | undefined): CalendarClient {
    if (agent === undefined) return classifyUserAgent(undefined);
    let app = clientOfAgent.get(agent);
    if (app === undefined) {
      app = classifyUserAgent(agent);
      if (clientOfAgent.size >= 1_000) clientOfAgent.clear();
      clientOfAgent.set(agent, app);
    }
    return app;
  }

  function warnLost(error: unknown, tokenCount: number, sectionCount: number): void {
    // Statistics only: losing one batch beats retrying against a broken database forever.
    deps.logger.warn(
      { err: error, tokens: tokenCount, sections: sectionCount },
      'feed usage flush failed',
    );
  }

  function requeueTokens(batch: Map<number, Mutable<TokenUsage>>): void {
    for (const [id, usage] of batch) {
      const current = tokens.get(id);
      if (current === undefined) tokens.set(id, usage);
      else current.hits += usage.hits;
    }
  }

  function requeueSections(batch: Map<number, Mutable<SectionUsage>>): void {
    for (const [key, usage] of batch) {
      const current = sections.get(key);
      if (current === undefined) {
        sections.set(key, usage);
      } else {
        current.hits += usage.hits;
        current.notModified += usage.notModified;
      }
    }
  }

  return {
    record(entry: {
      tokenId: number;
      sectionId: number;
      userAgent: string | undefined;
      notModified: boolean;
    }): void {
      const at = deps.clock.now();
      const token = tokens.get(entry.tokenId);
      if (token === undefined) {
        tokens.set(entry.tokenId, {
          hits: 1,
          lastUsedAt: at,
          userAgent: entry.userAgent === undefined ? null : clipUserAgent(entry.userAgent),
        });
      } else {
        token.hits += 1;
        token.lastUsedAt = at;
        if (entry.userAgent !== undefined) token.userAgent = clipUserAgent(entry.userAgent);
      }
      const hourMs = Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;
      // Sections are few and hours change rarely: a number key (hour index × 2^20 + section id).
      const key = (hourMs / HOUR_MS) * 1_048_576 + entry.sectionId;
      const section = sections.get(key);
      if (section === undefined) {
        sections.set(key, {
          sectionId: entry.sectionId,
          hourAt: new Date(hourMs),
          hits: 1,
          notModified: entry.notModified ? 1 : 0,
        });
      } else {
        section.hits += 1;
        if (entry.notModified) section.notModified += 1;
      }
      countClient(key, classify(entry.userAgent), entry.sectionId, hourMs, 1);
    },

    flush,

    start(): void {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        flush();
      }, deps.flushIntervalMs ?? USAGE_FLUSH_INTERVAL_MS);
      timer.unref();
    },

    /** Stops the timer and writes what is pending. */
    stop(): void {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      flush(true);
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function clipUserAgent(agent: string): string {
  return agent.length > MAX_USER_AGENT_LENGTH ? agent.slice(0, MAX_USER_AGENT_LENGTH) : agent;
}

function isBusy(error: unknown): boolean {
  for (let cause = error; typeof cause === 'object' && cause !== null;) {
    if ('code' in cause && (cause.code === 'SQLITE_BUSY' || cause.code === 'SQLITE_LOCKED')) {
      return true;
    }
    cause = 'cause' in cause ? cause.cause : undefined;
  }
  return false;
}
