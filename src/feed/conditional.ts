import { createHash } from 'node:crypto';

/** Strong validator of the exact bytes served. */
export function computeEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/** HTTP dates carry whole seconds. */
export function toWholeSeconds(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

/** Weak comparison (RFC 9110 §8.8.3.2): `W/"x"` matches `"x"`; `*` matches anything. */
export function matchesIfNoneMatch(header: string, etag: string): boolean {
  const opaque = stripWeak(etag);
  for (const candidate of header.split(',')) {
    const value = candidate.trim();
    if (value === '*' || stripWeak(value) === opaque) return true;
  }
  return false;
}

function stripWeak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/**
 * RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since is looked at only without it, and only
 * when it is a valid HTTP-date (§5.6.7) not later than `nowMs` (a date in the future, or anything
 * `Date.parse` happens to accept such as "9999", would pin a client to what it has).
 */
export function isNotModified(
  headers: { ifNoneMatch?: string | undefined; ifModifiedSince?: string | undefined },
  validators: { etag: string; lastModified: Date },
  nowMs: number = Date.now(),
): boolean {
  if (headers.ifNoneMatch !== undefined && headers.ifNoneMatch !== '') {
    return matchesIfNoneMatch(headers.ifNoneMatch, validators.etag);
  }
  if (headers.ifModifiedSince !== undefined && headers.ifModifiedSince !== '') {
    const since = parseHttpDate(headers.ifModifiedSince);
    if (since === undefined || since > nowMs) return false;
    return validators.lastModified.getTime() <= since;
  }
  return false;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const DAY_LONG = '(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** Sun, 06 Nov 1994 08:49:37 GMT */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** Sunday, 06-Nov-94 08:49:37 GMT (obsolete, still to be accepted) */
const RFC_850 = new RegExp(`^${DAY_LONG}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** Sun Nov  6 08:49:37 1994 (asctime, obsolete) */
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/** Milliseconds of an HTTP-date in one of its three forms, undefined for anything else. */
export function parseHttpDate(text: string): number | undefined {
  const value = text.trim();
  let parts: string[];
  let year: number;
  let match = IMF_FIXDATE.exec(value);
  if (match !== null) {
    parts = [...match];
    year = Number(parts[4]);
  } else if ((match = RFC_850.exec(value)) !== null) {
    parts = [...match];
    // RFC 9110: a two-digit year more than 50 years ahead is in the previous century.
    const thisYear = new Date().getUTCFullYear();
    year = Math.floor(thisYear / 100) * 100 + Number(parts[4]);
    if (year > thisYear + 50) year -= 100;
  } else if ((match = ASCTIME.exec(value)) !== null) {
    // Reordered as the other two: day, month, year, time.
    const [all = '', , month = '', day = '', hours = '', minutes = '', seconds = '', y = ''] =
      match;
    parts = [all, '', day.trim(), month, y, hours, minutes, seconds];
    year = Number(y);
  } else {
    return undefined;
  }
  const [, , dayText = '', monthText = '', , hours = '', minutes = '', seconds = ''] = parts;
  const month = MONTHS.indexOf(monthText);
  const day = Number(dayText);
  const ms = Date.UTC(year, month, day, Number(hours), Number(minutes), Number(seconds));
  const check = new Date(ms);
  // Reject impossible dates (31 Feb, 25:00:00) rather than let Date.UTC roll them over.
  if (
    check.getUTCDate() !== day ||
    check.getUTCMonth() !== month ||
    check.getUTCHours() !== Number(hours) ||
    check.getUTCMinutes() !== Number(minutes) ||
    check.getUTCSeconds() !== Number(seconds)
  ) {
    return undefined;
  }
  return ms;
}
