import type { Clock, Logger } from '../core/index.ts';
import type { ClientUsage, Repositories, SectionUsage, TokenUsage } from '../db/index.ts';
import { classifyUserAgent } from '../web/clients.ts';

export const USAGE_FLUSH_INTERVAL_MS = 5_000;
const HOUR_MS = 3_600_000;
const MAX_USER_AGENT_LENGTH = 200;

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;

/**
 * Counts feed requests in memory and writes them in one transaction every few seconds (and on
 * close), so serving a feed never waits on a database write.
 */
export function createUsageRecorder(deps: {
  repositories: Pick<Repositories, 'feedTokens'>;
  clock: Clock;
  logger: Logger;
  flushIntervalMs?: number;
}) {
  let tokens = new Map<number, TokenUsage>();
  let sections = new Map<string, SectionUsage>();
  let clients = new Map<string, ClientUsage>();
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    if (tokens.size === 0 && sections.size === 0) return;
    const tokenBatch = tokens;
    const sectionBatch = [...sections.values()];
    const clientBatch = [...clients.values()];
    tokens = new Map();
    sections = new Map();
    clients = new Map();
    try {
      deps.repositories.feedTokens.recordUsage(tokenBatch);
      deps.repositories.feedTokens.recordSectionUsage(sectionBatch);
      deps.repositories.feedTokens.recordClientUsage(clientBatch);
    } catch (error) {
      // Statistics only: losing one batch beats retrying against a broken database forever.
      deps.logger.warn(
        { err: error, tokens: tokenBatch.size, sections: sectionBatch.length },
        'feed usage flush failed',
      );
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
      const previous = tokens.get(entry.tokenId);
      tokens.set(entry.tokenId, {
        hits: (previous?.hits ?? 0) + 1,
        lastUsedAt: at,
        userAgent: entry.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? previous?.userAgent ?? null,
      });
      const hourAt = new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
      const key = `${entry.sectionId}:${hourAt.getTime()}`;
      const current = sections.get(key);
      sections.set(key, {
        sectionId: entry.sectionId,
        hourAt,
        hits: (current?.hits ?? 0) + 1,
        notModified: (current?.notModified ?? 0) + (entry.notModified ? 1 : 0),
      });
      // Per calendar app, for the dashboard's chart.
      const client = classifyUserAgent(entry.userAgent);
      const clientKey = `${key}:${client}`;
      clients.set(clientKey, {
        sectionId: entry.sectionId,
        hourAt,
        client,
        hits: (clients.get(clientKey)?.hits ?? 0) + 1,
      });
    },

    flush,

    start(): void {
      if (timer !== undefined) return;
      timer = setInterval(flush, deps.flushIntervalMs ?? USAGE_FLUSH_INTERVAL_MS);
      timer.unref();
    },

    /** Stops the timer and writes what is pending. */
    stop(): void {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      flush();
    },
  };
}
