import { performance } from 'node:perf_hooks';
import type { FeedTokenHash, SectionKey } from '../core/index.ts';
import type { FeedTokenRow, Repositories, SectionRow } from '../db/index.ts';

/** How often commits by other connections (the CLI, an operator's sqlite3) are looked for. */
export const OTHER_WRITERS_CHECK_MS = 100;
/** Live tokens remembered at most (a school's worth; beyond, the map starts over). */
const MAX_TOKENS = 50_000;

export type FeedLookup = ReturnType<typeof createFeedLookup>;

/**
 * The token and section rows a feed request needs, read once and then served from memory while
 * the database is unchanged. Any write of this connection (a revocation through the admin API or
 * the bot, a scrape commit, a usage flush) empties the maps before the next lookup; a commit by
 * another process (a CLI revocation) does within OTHER_WRITERS_CHECK_MS. Only live tokens are
 * remembered, by hash: an unknown and a revoked token both read the database, as before.
 */
export function createFeedLookup(deps: {
  readonly repositories: Pick<Repositories, 'feedTokens' | 'sections' | 'maintenance'>;
  readonly otherWritersCheckMs?: number;
  /** A counter moved by another connection of this process after it committed (cheap to read). */
  readonly externalWrites?: (() => number) | undefined;
}) {
  const { feedTokens, sections, maintenance } = deps.repositories;
  const checkEveryMs = deps.otherWritersCheckMs ?? OTHER_WRITERS_CHECK_MS;
  const tokens = new Map<FeedTokenHash, FeedTokenRow>();
  const sectionsById = new Map<number, SectionRow>();
  const sectionsByKey = new Map<SectionKey, SectionRow>();
  let local = Number.NaN;
  let others = Number.NaN;
  let external = Number.NaN;
  let othersCheckedAt = Number.NEGATIVE_INFINITY;

  function clear(): void {
    tokens.clear();
    sectionsById.clear();
    sectionsByKey.clear();
  }

  /** Empties the maps when the database changed since they were filled. */
  function revalidate(): void {
    const nowLocal = maintenance.localChanges();
    if (nowLocal !== local) {
      local = nowLocal;
      clear();
    }
    const nowExternal = deps.externalWrites?.() ?? 0;
    const now = performance.now();
    if (nowExternal !== external) {
      external = nowExternal;
      othersCheckedAt = Number.NEGATIVE_INFINITY;
    }
    if (now - othersCheckedAt >= checkEveryMs) {
      othersCheckedAt = now;
      const nowOthers = maintenance.changeMarker().others;
      if (nowOthers !== others) {
        others = nowOthers;
        clear();
      }
    }
  }

  return {
    /** The live token with this hash (feedTokens.findActiveByHash), remembered while unchanged. */
    activeToken(tokenHash: FeedTokenHash): FeedTokenRow | undefined {
      revalidate();
      const known = tokens.get(tokenHash);
      if (known !== undefined) return known;
      const row = feedTokens.findActiveByHash(tokenHash);
      if (row !== undefined) {
        if (tokens.size >= MAX_TOKENS) tokens.clear();
        tokens.set(tokenHash, row);
      }
      return row;
    },

    /** Call after activeToken in the same request (the maps were just revalidated). */
    sectionById(id: number): SectionRow | undefined {
      const known = sectionsById.get(id);
      if (known !== undefined) return known;
      const row = sections.findById(id);
      if (row !== undefined) sectionsById.set(id, row);
      return row;
    },

    sectionByKey(key: SectionKey): SectionRow | undefined {
      const known = sectionsByKey.get(key);
      if (known !== undefined) return known;
      const row = sections.findByKey(key);
      if (row !== undefined) sectionsByKey.set(key, row);
      return row;
    },
  };
}
