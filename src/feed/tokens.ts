import {
  AppError,
  buildFeedUrl,
  deriveFilterOptions,
  describeFilter,
  filterFromJson,
  filterToJson,
  hashFeedToken,
  isEmptyFilter,
  issueFeedToken,
  toSectionKey,
  type Clock,
  type EventFilter,
  type FeedToken,
  type FilterOptions,
  type SectionSpec,
} from '../core/index.ts';
import type { FeedTokenOwnerKind, Repositories, SectionRow } from '../db/index.ts';

/** What the admin API and the CLI need to manage tokens. */
export type TokenAdminDeps = {
  readonly repositories: Pick<Repositories, 'feedTokens' | 'sections' | 'events'>;
  readonly config: {
    readonly feed: { readonly publicUrl: string };
    readonly sections: readonly SectionSpec[];
  };
  readonly clock: Clock;
};

export type CreatedToken = {
  readonly name: string;
  readonly token: FeedToken;
  /** The link to hand out: `/feeds/<token>.ics`, or IPP's `/<Section>?token=` for an all-sections token. */
  readonly url: string;
  /** One link per section for an all-sections token, `{}` otherwise. */
  readonly urls: Readonly<Record<string, string>>;
  readonly section: string | null;
  readonly prefix: string;
  /** The personal filter the link applies, null for the whole section. */
  readonly filter: EventFilter | null;
};

export type TokenSummary = {
  readonly id: number;
  readonly owner: string;
  readonly ownerKind: FeedTokenOwnerKind;
  readonly section: string | null;
  readonly prefix: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
  readonly uses: number;
  readonly lastUserAgent: string | null;
  /** The personal filter, null for the whole section. */
  readonly filter: EventFilter | null;
  readonly filterChangedAt: string | null;
};

export type RevokeCriteria = { token: string } | { name: string } | { prefix: string };
export type TokenCriteria = { token: string } | { prefix: string };

export type FilterChange = {
  /** Live tokens whose filter was set. */
  readonly updated: number;
  readonly filter: EventFilter | null;
  /** describeFilter in French, as the calendar description says it. */
  readonly description: string;
};

const MAX_NAME_LENGTH = 100;
/**
 * Control characters, and the bidirectional controls (U+061C, U+200E/F, U+202A–U+202E,
 * U+2066–U+2069) that would make a name display as another one in lists and logs.
 */
const CONTROL_CHARS = /[\p{Cc}\p{Bidi_Control}]/u;

/** IPP's link form, kept so links already in calendars survive a migration. */
export function buildLegacyFeedUrl(publicUrl: string, sectionName: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/${encodeURIComponent(sectionName)}?token=${encodeURIComponent(token)}`;
}

/** A configured section's row, or `section.unknown`. */
export function getSectionOrThrow(deps: TokenAdminDeps, name: string): SectionRow {
  const key = toSectionKey(name);
  const configured = deps.config.sections.some((section) => section.key === key);
  const row = configured ? deps.repositories.sections.findByKey(key) : undefined;
  if (row === undefined) {
    throw new AppError('section.unknown', 'unknown section', {
      publicMessage: `unknown section; sections: ${deps.config.sections.map((s) => s.name).join(', ')}`,
    });
  }
  return row;
}

function normalizeName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_NAME_LENGTH || CONTROL_CHARS.test(trimmed)) {
    throw new AppError('token.invalid_input', 'invalid token name', {
      publicMessage: `name must be 1-${MAX_NAME_LENGTH} printable characters (no control or text-direction characters)`,
    });
  }
  return trimmed;
}

/** Issues a token owned by `name`, for one section or (without section) for every section. */
export function createToken(
  deps: TokenAdminDeps,
  input: {
    name: string;
    section?: string | undefined;
    ownerKind?: FeedTokenOwnerKind;
    /** Parsed with parseEventFilter; empty or absent: the whole section. */
    filter?: EventFilter | undefined;
  },
): CreatedToken {
  const name = normalizeName(input.name);
  const section =
    input.section === undefined || input.section.trim() === ''
      ? undefined
      : getSectionOrThrow(deps, input.section);
  const { token, tokenHash, prefix } = issueFeedToken();
  deps.repositories.feedTokens.create({
    tokenHash,
    prefix,
    ownerKind: input.ownerKind ?? 'admin',
    owner: name,
    sectionId: section?.id ?? null,
    filterJson: input.filter === undefined ? null : filterToJson(input.filter),
    at: deps.clock.now(),
  });
  const filter = toFilterOrNull(input.filter);
  const publicUrl = deps.config.feed.publicUrl;
  if (section !== undefined) {
    return {
      name,
      token,
      url: buildFeedUrl(publicUrl, token),
      urls: {},
      section: section.name,
      prefix,
      filter,
    };
  }
  const urls = Object.fromEntries(
    deps.config.sections.map((spec) => [
      spec.name,
      buildLegacyFeedUrl(publicUrl, spec.name, token),
    ]),
  );
  const first = deps.config.sections[0]?.name ?? 'SECTION';
  return {
    name,
    token,
    url: buildLegacyFeedUrl(publicUrl, first, token),
    urls,
    section: null,
    prefix,
    filter,
  };
}

/** Revokes live tokens by secret, owner name or display prefix; returns how many. */
export function revokeTokens(deps: TokenAdminDeps, criteria: RevokeCriteria): number {
  const at = deps.clock.now();
  const { feedTokens } = deps.repositories;
  if ('token' in criteria) {
    const token = criteria.token.trim();
    if (token === '') throw invalid('token must not be empty');
    return feedTokens.revoke({ tokenHash: hashFeedToken(token) }, at).length;
  }
  if ('name' in criteria)
    return feedTokens.revoke({ owner: normalizeName(criteria.name) }, at).length;
  const prefix = criteria.prefix.trim();
  if (prefix === '') throw invalid('prefix must not be empty');
  return feedTokens.revoke({ prefix }, at).length;
}

function invalid(message: string): AppError {
  return new AppError('token.invalid_input', message, { publicMessage: message });
}

/** Tokens as admins see them: never the secret, only its prefix. */
export function listTokens(
  deps: TokenAdminDeps,
  options: { includeRevoked?: boolean } = {},
): TokenSummary[] {
  const names = new Map(deps.repositories.sections.list().map((row) => [row.id, row.name]));
  return deps.repositories.feedTokens.list(options).map((row) => ({
    id: row.id,
    owner: row.owner,
    ownerKind: row.ownerKind,
    section: row.sectionId === null ? null : (names.get(row.sectionId) ?? null),
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    uses: row.useCount,
    lastUserAgent: row.lastUserAgent,
    filter: toFilterOrNull(filterFromJson(row.filterJson)),
    filterChangedAt: row.filterChangedAt?.toISOString() ?? null,
  }));
}

function toFilterOrNull(filter: EventFilter | undefined): EventFilter | null {
  return filter === undefined || isEmptyFilter(filter) ? null : filter;
}

/**
 * Sets the filter of the live tokens given by secret or display prefix (an empty filter clears
 * it). The link stays the same: its next request serves the new choice, with a later
 * Last-Modified. `token.not_found` when no live token matches.
 */
export function setTokenFilter(
  deps: TokenAdminDeps,
  criteria: TokenCriteria,
  filter: EventFilter,
): FilterChange {
  const { feedTokens } = deps.repositories;
  let ids: number[];
  if ('token' in criteria) {
    const token = criteria.token.trim();
    if (token === '') throw invalid('token must not be empty');
    const row = feedTokens.findActiveByHash(hashFeedToken(token));
    ids = row === undefined ? [] : [row.id];
  } else {
    const prefix = criteria.prefix.trim();
    if (prefix === '') throw invalid('prefix must not be empty');
    ids = feedTokens
      .list()
      .filter((row) => row.prefix === prefix)
      .map((row) => row.id);
  }
  if (ids.length === 0) {
    throw new AppError('token.not_found', 'no live token matches', {
      publicMessage: 'no live token matches',
    });
  }
  const at = deps.clock.now();
  const json = filterToJson(filter);
  for (const id of ids) feedTokens.setFilter(id, json, at);
  return {
    updated: ids.length,
    filter: toFilterOrNull(filter),
    description: describeFilter(filter, 'fr'),
  };
}

/** What a student of this section can choose from, derived from its current events. */
export function listFilterOptions(
  deps: TokenAdminDeps,
  sectionName: string,
): { section: string; options: FilterOptions } {
  const section = getSectionOrThrow(deps, sectionName);
  return {
    section: section.name,
    options: deriveFilterOptions(deps.repositories.events.listCurrent(section.id)),
  };
}
