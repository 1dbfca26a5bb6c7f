import type { Clock, Logger, ParseResult, SectionSource, SectionSpec } from '../../core/index.ts';
import type { HttpClient } from '../http-client.ts';

/** What a source fetched, before any parsing: the bytes exactly as received. */
export type RawPayload = {
  readonly fetchedAt: Date;
  /** One entry per upstream document (an ICS file, or one Aurion partial-response per chunk). */
  readonly parts: readonly RawPart[];
  /** For windowed sources: the range requested. */
  readonly coverage?: { readonly from: Date; readonly to: Date };
};

export type RawPart = {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  /** Where it came from, without credentials or query (for messages). */
  readonly origin: string;
};

export type FetchContext = {
  readonly http: HttpClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
};

export type ParseContext = {
  /** Zone of floating times (TIMEZONE). */
  readonly timeZone: string;
  /** Recurrences are expanded up to now + horizonDays. */
  readonly now: Date;
  readonly horizonDays: number;
};

/**
 * A timetable source. `fetchRaw` is the only I/O (it may log in, navigate, page); `parse` is pure, so
 * every parser is tested on saved fixtures. Failures are thrown as AppError with a scraper.* code.
 */
export type Source = {
  readonly kind: SectionSource['kind'];
  fetchRaw(section: SectionSpec, context: FetchContext): Promise<RawPayload>;
  parse(raw: RawPayload, context: ParseContext): ParseResult;
};
