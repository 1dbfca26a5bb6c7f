import {
  describeFilter,
  filterFromJson,
  filterKey,
  matchesFilter,
  startOfLocalDay,
  startOfNextLocalDay,
  toLocalDay,
  type Clock,
  type EventFilter,
} from '../core/index.ts';
import type { Repositories, SectionRow, StoredEvent } from '../db/index.ts';
import { computeEtag, toWholeSeconds } from './conditional.ts';
import { compressRepresentations, type Representations } from './encoding.ts';
import { renderCalendar } from './render-calendar.ts';

export type CachedFeed = {
  readonly body: Buffer;
  readonly etag: string;
  /** identity, gzip and brotli bytes with an ETag each, compressed once per rendered version. */
  readonly representations: Representations;
  /** Whole seconds; never moves backwards for a given (section, filter), nor for a given token. */
  readonly lastModified: Date;
  readonly lastModifiedHeader: string;
  readonly contentDisposition: string;
};

/** What of a token decides the calendar it gets (a feed token row fits). */
export type FeedView = {
  /** Canonical filter JSON (feed_tokens.filter_json), null for the whole section. */
  readonly filterJson: string | null;
  /** When the token's filter last changed: its Last-Modified is never earlier. */
  readonly filterChangedAt: Date | null;
};

export const WHOLE_SECTION: FeedView = { filterJson: null, filterChangedAt: null };

export type FeedCacheLimits = {
  /** Rendered calendars kept at most (least recently used evicted first). */
  readonly maxEntries: number;
  /** Total bytes of rendered calendars kept at most. */
  readonly maxBytes: number;
  /** A calendar nobody asked for during this long is dropped. */
  readonly idleMs: number;
};

export const DEFAULT_FEED_CACHE_LIMITS: FeedCacheLimits = {
  maxEntries: 1_000,
  maxBytes: 256 * 1024 * 1024,
  idleMs: 3_600_000,
};

export type FeedCacheStats = {
  readonly entries: number;
  readonly bytes: number;
  /** Calendars rendered since start (one per content change per distinct filter). */
  readonly renders: number;
  /** Entries dropped for idleness or to stay within the limits. */
  readonly evictions: number;
};

type Entry = CachedFeed & {
  /** Section state the bytes were rendered from. */
  readonly signature: string;
  /** The bytes must be re-rendered from then on (a cancelled event expires, a day starts, the section turns stale). */
  readonly validUntilMs: number;
  lastUsedMs: number;
  /** Order of last use (a clock can stand still between requests). */
  lastUseTick: number;
};

/** Validators outlive evicted bytes, so a re-render never serves an earlier Last-Modified. */
type Validators = { readonly etag: string; readonly lastModified: Date };

type ResolvedFilter = {
  readonly filter: EventFilter;
  /** '' for the whole section. */
  readonly key: string;
  readonly description: string | undefined;
};

const NO_FILTER: ResolvedFilter = {
  filter: filterFromJson(null),
  key: '',
  description: undefined,
};
const MAX_PARSED_FILTERS = 10_000;
const SWEEP_INTERVAL_MS = 60_000;

export type FeedCacheDeps = {
  readonly repositories: Pick<Repositories, 'events'>;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly staleAfterMs: number;
  readonly cancelledRetentionMs: number;
  readonly limits?: Partial<FeedCacheLimits> | undefined;
};

export type FeedCache = ReturnType<typeof createFeedCache>;

/**
 * Rendered feeds keyed by (section, filter key): students with the same choice share one entry.
 * A request costs a signature check; rendering happens once per content version, staleness state
 * (and day while stale) and cancelled-retention expiry, per distinct filter. Entries are evicted
 * when unused for `idleMs`, and least recently used first beyond `maxEntries` / `maxBytes`.
 */
export function createFeedCache(deps: FeedCacheDeps) {
  const limits: FeedCacheLimits = { ...DEFAULT_FEED_CACHE_LIMITS, ...deps.limits };
  const entries = new Map<string, Entry>();
  const validators = new Map<string, Validators>();
  const parsedFilters = new Map<string, ResolvedFilter>();
  let bytes = 0;
  let renders = 0;
  let evictions = 0;
  let lastSweepMs = 0;
  let useTick = 0;

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

  /** Stored JSON → filter, parsed once per distinct JSON (a request must not run zod). */
  function resolveFilter(json: string | null): ResolvedFilter {
    if (json === null || json === '') return NO_FILTER;
    const known = parsedFilters.get(json);
    if (known !== undefined) return known;
    const filter = filterFromJson(json);
    const key = filterKey(filter);
    const resolved: ResolvedFilter =
      key === '' ? NO_FILTER : { filter, key, description: describeFilter(filter, 'fr') };
    if (parsedFilters.size >= MAX_PARSED_FILTERS) parsedFilters.clear();
    parsedFilters.set(json, resolved);
    return resolved;
  }

  function render(
    section: SectionRow,
    resolved: ResolvedFilter,
    key: string,
    nowMs: number,
    signature: string,
  ): Entry {
    const stale = isStale(section, nowMs);
    const staleSinceMs = (section.lastSuccessAt ?? section.createdAt).getTime() + deps.staleAfterMs;
    const removedSince = nowMs - deps.cancelledRetentionMs;
    const filtered = resolved.key !== '';
    const shown: StoredEvent[] = [];
    // Latest expiry already passed (the bytes changed then) and next one to come.
    let lastExpiryMs = 0;
    let nextExpiryMs = Number.POSITIVE_INFINITY;
    for (const event of deps.repositories.events.listForFeed(section.id, new Date(0))) {
      // Cancelled and removed events follow the filter like the others.
      if (filtered && !matchesFilter(event, resolved.filter)) continue;
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
    // Never scraped yet: the banner says the timetable is being fetched (stale or not).
    const pending = section.lastSuccessAt === null;
    const day = stale || pending ? toLocalDay(now, deps.timeZone) : null;
    const text = renderCalendar({
      section: { key: section.key, name: section.name },
      events: shown,
      timeZone: deps.timeZone,
      freshness: {
        lastSuccessAt: section.lastSuccessAt,
        failing: section.consecutiveFailures > 0,
        staleBannerDay: day,
      },
      filterDescription: resolved.description,
    });
    renders += 1;
    const body = Buffer.from(text, 'utf8');
    const etag = computeEtag(body);
    const representations = compressRepresentations(body, etag);

    // When the bytes changed without a content change (banner, expiry), the moment they did.
    let variantSinceMs = Math.max(
      section.contentChangedAt?.getTime() ?? section.createdAt.getTime(),
      lastExpiryMs,
    );
    if (day !== null) {
      variantSinceMs = Math.max(
        variantSinceMs,
        stale ? staleSinceMs : 0,
        startOfLocalDay(day, deps.timeZone).getTime(),
      );
    }
    let lastModified = toWholeSeconds(new Date(variantSinceMs));
    const previous = entries.get(key) ?? validators.get(key);
    if (previous !== undefined) {
      if (previous.etag === etag) {
        // Same bytes: a filtered feed keeps its date (the section changed elsewhere, not for it).
        lastModified = filtered
          ? previous.lastModified
          : new Date(Math.max(lastModified.getTime(), previous.lastModified.getTime()));
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
      day === null ? Number.POSITIVE_INFINITY : startOfNextLocalDay(now, deps.timeZone).getTime(),
    );
    return {
      body,
      etag,
      representations,
      lastModified,
      lastModifiedHeader: lastModified.toUTCString(),
      contentDisposition: toContentDisposition(section.name),
      signature,
      validUntilMs,
      lastUsedMs: nowMs,
      lastUseTick: ++useTick,
    };
  }

  function remove(key: string, entry: Entry): void {
    entries.delete(key);
    bytes -= sizeOf(entry);
    evictions += 1;
  }

  function store(key: string, entry: Entry): void {
    const replaced = entries.get(key);
    if (replaced !== undefined) {
      entries.delete(key);
      bytes -= sizeOf(replaced);
    }
    entries.set(key, entry);
    bytes += sizeOf(entry);
    validators.delete(key);
    validators.set(key, { etag: entry.etag, lastModified: entry.lastModified });
    // Validators are small; keep those of about ten times as many feeds as bytes.
    while (validators.size > limits.maxEntries * 10) {
      const oldest = validators.keys().next();
      if (oldest.done === true) break;
      validators.delete(oldest.value);
    }
    // Least recently used first, never the entry just stored.
    while (entries.size > limits.maxEntries || (bytes > limits.maxBytes && entries.size > 1)) {
      let victimKey: string | undefined;
      let victim: Entry | undefined;
      for (const [candidateKey, candidate] of entries) {
        if (candidateKey === key) continue;
        if (victim === undefined || candidate.lastUseTick < victim.lastUseTick) {
          victimKey = candidateKey;
          victim = candidate;
        }
      }
      if (victimKey === undefined || victim === undefined) break;
      remove(victimKey, victim);
    }
  }

  function sweepIdle(nowMs: number): void {
    if (nowMs - lastSweepMs < Math.min(SWEEP_INTERVAL_MS, limits.idleMs)) return;
    lastSweepMs = nowMs;
    for (const [key, entry] of entries) {
      if (nowMs - entry.lastUsedMs >= limits.idleMs) remove(key, entry);
    }
  }

  return {
    /**
     * The calendar a token gets: its section through its filter. Last-Modified is the later of
     * the rendered calendar's and the token's filter change (a new choice must be re-fetched by
     * clients that revalidate by date only, even when its bytes equal a calendar they had).
     */
    get(section: SectionRow, view: FeedView = WHOLE_SECTION): CachedFeed {
      const nowMs = deps.clock.now().getTime();
      sweepIdle(nowMs);
      const resolved = resolveFilter(view.filterJson);
      const signature = signatureOf(section, isStale(section, nowMs));
      const key = keyOf(section.id, resolved.key);
      let entry = entries.get(key);
      if (entry?.signature === signature && nowMs < entry.validUntilMs) {
        entry.lastUsedMs = nowMs;
        entry.lastUseTick = ++useTick;
      } else {
        entry = render(section, resolved, key, nowMs, signature);
        store(key, entry);
      }
      return withFilterChange(entry, view.filterChangedAt);
    },

    stats(): FeedCacheStats {
      return { entries: entries.size, bytes, renders, evictions };
    },

    clear(): void {
      entries.clear();
      validators.clear();
      parsedFilters.clear();
      bytes = 0;
    },
  };
}

function withFilterChange(feed: CachedFeed, filterChangedAt: Date | null): CachedFeed {
  if (filterChangedAt === null) return feed;
  const changedAt = toWholeSeconds(filterChangedAt);
  if (changedAt.getTime() <= feed.lastModified.getTime()) return feed;
  return {
    body: feed.body,
    etag: feed.etag,
    representations: feed.representations,
    lastModified: changedAt,
    lastModifiedHeader: changedAt.toUTCString(),
    contentDisposition: feed.contentDisposition,
  };
}

/** Bytes held for one rendered calendar: every representation. */
function sizeOf(feed: CachedFeed): number {
  const { identity, gzip, br } = feed.representations;
  return identity.body.length + gzip.body.length + br.body.length;
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
