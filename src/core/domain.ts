/** Branded primitives: values that look alike but must never be swapped. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Lower-case key of a configured section (names are unique case-insensitively). */
export type SectionKey = Brand<string, 'SectionKey'>;
export type DiscordUserId = Brand<string, 'DiscordUserId'>;
export type FeedToken = Brand<string, 'FeedToken'>;
export type FeedTokenHash = Brand<string, 'FeedTokenHash'>;

export function toSectionKey(name: string): SectionKey {
  return name.trim().toLowerCase() as SectionKey;
}

export function toDiscordUserId(id: string): DiscordUserId {
  return id as DiscordUserId;
}

/** Where a section's timetable comes from (parsed from the SECTIONS setting). */
export type SectionSource =
  | { readonly kind: 'ics'; readonly url: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'aurion' }
  | { readonly kind: 'webdbf'; readonly suffix: string };

/** `https://user:pass@host/x` → `https://***@host/x`, for anything that may be shown or logged. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
}

/** Where a section's data comes from, secret-free: URL without credentials, path or suffix. */
export function describeSectionSource(source: SectionSource): string {
  switch (source.kind) {
    case 'ics':
      return redactUrlCredentials(source.url);
    case 'file':
      return source.path;
    case 'webdbf':
      return source.suffix;
    case 'aurion':
      return 'aurion';
  }
}

export type SectionSpec = {
  readonly key: SectionKey;
  /** The name as the operator wrote it (shown to users, used in file names). */
  readonly name: string;
  readonly source: SectionSource;
  /** The section's own zone (SECTION_TIMEZONES) for floating times; undefined: TIMEZONE. */
  readonly timeZone?: string;
};

export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';

/**
 * One class as every source normalizes it. Times are instants; for all-day events `startsAt` is
 * the UTC midnight of the first day and `endsAt` the UTC midnight of the day after the last one
 * (RFC 5545: an all-day DTEND is exclusive).
 */
export type TimetableEvent = {
  readonly uid: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly allDay: boolean;
  readonly title: string;
  readonly location: string;
  readonly teacher: string;
  readonly description: string;
  readonly status: EventStatus;
  /** Class type as the source names it (COURS, TD, TP, EXAM...), '' when unknown. */
  readonly category: string;
  /** Course (subject) when the source separates it from the title, '' when unknown. */
  readonly course: string;
  /** Groups / learners the class is for, [] when the source does not say. */
  readonly groups: readonly string[];
  /** The source's own fields, kept verbatim for debugging; never compared. */
  readonly raw: Readonly<Record<string, string>>;
};

/**
 * Alertable kinds, in the order alerts list them. `details` is a content change that deserves a
 * new revision in feeds (description, type, groups) but no alert of its own.
 */
export const CHANGE_KINDS = [
  'cancelled',
  'added',
  'moved',
  'room',
  'teacher',
  'renamed',
  'details',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** One event's change between two scrapes; several kinds on one event stay one change. */
export type TimetableChange = {
  readonly uid: string;
  readonly kinds: readonly ChangeKind[];
  readonly before: TimetableEvent | undefined;
  readonly after: TimetableEvent | undefined;
  /**
   * A class split under new uids is one "moved" change: `after` is its first part, these are the
   * others (each also stored as an event of its own). Absent for every other change.
   */
  readonly otherParts?: readonly TimetableEvent[];
};

/** An event the source gave a new uid (matched by content): it keeps its identity. */
export type UidRemap = { readonly fromUid: string; readonly toUid: string };

/** A problem found in one item of upstream data that did not abort the whole parse. */
export type ParseIssue = { readonly code: string; readonly message: string };

export type ParseResult = {
  readonly events: readonly TimetableEvent[];
  readonly issues: readonly ParseIssue[];
  /**
   * The time range the source answered for, when it is a window (Aurion asks for weeks): stored
   * events outside it are out of sight, not removed.
   */
  readonly coverage?: { readonly from: Date; readonly to: Date };
};

export type ScrapeStatus = 'ok' | 'unchanged' | 'baseline' | 'held' | 'failed' | 'skipped';

/** What one scrape of one section did; the CLI, the admin API and /status print it. */
export type ScrapeSummary = {
  readonly section: string;
  readonly sectionKey: SectionKey;
  readonly status: ScrapeStatus;
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly events: number;
  readonly changes: Readonly<Partial<Record<ChangeKind, number>>>;
  readonly durationMs: number;
  readonly runId: number | undefined;
};
