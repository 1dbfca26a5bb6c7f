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
 * when it parses.
 */
export function isNotModified(
  headers: { ifNoneMatch?: string | undefined; ifModifiedSince?: string | undefined },
  validators: { etag: string; lastModified: Date },
): boolean {
  if (headers.ifNoneMatch !== undefined && headers.ifNoneMatch !== '') {
    return matchesIfNoneMatch(headers.ifNoneMatch, validators.etag);
  }
  if (headers.ifModifiedSince !== undefined && headers.ifModifiedSince !== '') {
    const since = Date.parse(headers.ifModifiedSince);
    if (Number.isNaN(since)) return false;
    return validators.lastModified.getTime() <= since;
  }
  return false;
}
