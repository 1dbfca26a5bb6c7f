import type { Clock } from '../core/index.ts';
import type { Repositories, SectionRow, StoredEvent } from '../db/index.ts';
import { computeEtag, toWholeSeconds } from './conditional.ts';
import { renderCalendar } from './render-calendar.ts';
import { startOfLocalDay, startOfNextLocalDay, toLocalDay } from './zoned-time.ts';

export type CachedFeed = {
  readonly body: Buffer;
  readonly etag: string;
  /** Whole seconds; never moves backwards for a given (section, filter). */
  readonly lastModified: Date;
  readonly lastModifiedHeader: string;
  readonly contentDisposition: string;
};

type Entry = CachedFeed & {
  /** Section state the bytes were rendered from. */
  readonly signature: string;
  /** The bytes must be re-rendered from then on (a cancelled event expires, a day starts, the section turns stale). */
  readonly validUntilMs: number;
};

export type FeedCacheDeps = {
  readonly repositories: Pick<Repositories, 'events'>;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly staleAfterMs: number;
  readonly cancelledRetentionMs: number;
};

export type FeedCache = ReturnType<typeof createFeedCache>;

/**
 * Rendered feeds keyed by (section, filter). A request costs a signature check; rendering happens
 * once per content version, staleness state (and day while stale) and cancelled-retention expiry.
 * `filterKey` is '' for a whole section (personal filters will add their own keys).
 */
export function createFeedCache(deps: FeedCacheDeps) {
  const entries = new Map<string, Entry>();

  function isStale(section: SectionRow, nowMs: number): boolean {
    return nowMs - (section.lastSuccessAt ?? section.createdAt).getTime() > deps.staleAfterMs;
  }

  function signatureOf(section: SectionRow, stale: boolean): string {
    const failing = section.consecutiveFailures > 0;
    return [
      section.contentVersion,
      section.name,
      failing ? String(section.lastSuccessAt?.getTime() ?? 'never') : '-',
      stale ? 'stale' : 'fresh',
    ].join('|');
  }

  function render(section: SectionRow, filterKey: string, nowMs: number, signature: string): Entry {
    const stale = isStale(section, nowMs);
    const staleSinceMs = (section.lastSuccessAt ?? section.createdAt).getTime() + deps.staleAfterMs;
    const removedSince = nowMs - deps.cancelledRetentionMs;
    const shown: StoredEvent[] = [];
    // Latest expiry already passed (the bytes changed then) and next one to come.
    let lastExpiryMs = 0;
    let nextExpiryMs = Number.POSITIVE_INFINITY;
    for (const event of deps.repositories.events.listForFeed(section.id, new Date(0))) {
      if (event.removedAt === null) {
        shown.push(event);
        continue;
      }
      const expiresMs = event.removedAt.getTime() + deps.cancelledRetentionMs;
      if (event.removedAt.getTime() > removedSince) {
        shown.push(event);
        nextExpiryMs = Math.min(nextExpiryMs, expiresMs);
      } else {
        lastExpiryMs = Math.max(lastExpiryMs, expiresMs);
      }
    }

    const now = new Date(nowMs);
    const day = stale ? toLocalDay(now, deps.timeZone) : null;
    const text = renderCalendar({
      section: { key: section.key, name: section.name },
      events: shown,
      timeZone: deps.timeZone,
      freshness: {
        lastSuccessAt: section.lastSuccessAt,
        failing: section.consecutiveFailures > 0,
        staleBannerDay: day,
      },
    });
    const body = Buffer.from(text, 'utf8');
    const etag = computeEtag(body);

    // When the bytes changed without a content change (banner, expiry), the moment they did.
    let variantSinceMs = Math.max(
      section.contentChangedAt?.getTime() ?? section.createdAt.getTime(),
      lastExpiryMs,
    );
    if (day !== null) {
      variantSinceMs = Math.max(
        variantSinceMs,
        staleSinceMs,
        startOfLocalDay(day, deps.timeZone).getTime(),
      );
    }
    let lastModified = toWholeSeconds(new Date(variantSinceMs));
    const previous = entries.get(keyOf(section.id, filterKey));
    if (previous !== undefined) {
      if (previous.etag === etag) {
        lastModified = new Date(Math.max(lastModified.getTime(), previous.lastModified.getTime()));
      } else if (lastModified.getTime() <= previous.lastModified.getTime()) {
        // New bytes must carry a later date, or If-Modified-Since clients (Apple) keep the old ones.
        lastModified = new Date(
          Math.max(previous.lastModified.getTime() + 1000, toWholeSeconds(now).getTime()),
        );
      }
    }

    const validUntilMs = Math.min(
      nextExpiryMs,
      stale ? startOfNextLocalDay(now, deps.timeZone).getTime() : staleSinceMs + 1,
    );
    return {
      body,
      etag,
      lastModified,
      lastModifiedHeader: lastModified.toUTCString(),
      contentDisposition: toContentDisposition(section.name),
      signature,
      validUntilMs,
    };
  }

  return {
    get(section: SectionRow, filterKey = ''): CachedFeed {
      const nowMs = deps.clock.now().getTime();
      const signature = signatureOf(section, isStale(section, nowMs));
      const key = keyOf(section.id, filterKey);
      const cached = entries.get(key);
      if (cached?.signature === signature && nowMs < cached.validUntilMs) return cached;
      const entry = render(section, filterKey, nowMs, signature);
      entries.set(key, entry);
      return entry;
    },

    clear(): void {
      entries.clear();
    },
  };
}

function keyOf(sectionId: number, filterKey: string): string {
  return `${sectionId}\u0000${filterKey}`;
}

/** RFC 6266: an ASCII `filename` every client reads, plus `filename*` when the name is not ASCII. */
export function toContentDisposition(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 _.()+-]/g, '_');
  const plain = `inline; filename="${ascii}.ics"`;
  return ascii === name ? plain : `${plain}; filename*=UTF-8''${encodeRfc5987(`${name}.ics`)}`;
}

function encodeRfc5987(text: string): string {
  return encodeURIComponent(text).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
