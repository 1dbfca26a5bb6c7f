import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FeedToken, FeedTokenHash } from './domain.ts';

/** 32 random bytes = 256 bits. */
export const FEED_TOKEN_BYTES = 32;
/** Characters of the token shown to admins to tell links apart (never enough to use it). */
export const FEED_TOKEN_PREFIX_LENGTH = 8;

/**
 * Tokens are lowercase hex: URL-safe, and free of `-` and `.`, which Fastify's router treats as
 * separators inside a parametric segment such as `/feeds/:token.ics`.
 */
export function issueFeedToken(): { token: FeedToken; tokenHash: FeedTokenHash; prefix: string } {
  const token = randomBytes(FEED_TOKEN_BYTES).toString('hex') as FeedToken;
  return {
    token,
    tokenHash: hashFeedToken(token),
    prefix: token.slice(0, FEED_TOKEN_PREFIX_LENGTH),
  };
}

/** Only this hash is stored: a database leak does not leak working links. */
export function hashFeedToken(token: string): FeedTokenHash {
  // One-shot hash: the same digest as createHash, at half the cost on every feed request.
  return hash('sha256', token, 'hex') as FeedTokenHash;
}

/** Constant-time string comparison (hashes both sides so lengths never leak). */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right);
}

export function buildFeedUrl(publicUrl: string, token: FeedToken): string {
  return `${publicUrl.replace(/\/+$/, '')}/feeds/${token}.ics`;
}

/** `webcal://` form of an http(s) feed URL, for Apple Calendar, Outlook desktop, Thunderbird. */
export function toWebcalUrl(url: string): string {
  return url.replace(/^https?:\/\//, 'webcal://');
}

/**
 * Google Calendar's subscribe link for a feed, used by the feed page and the bot alike. `cid=` is
 * undocumented; tools that build such links report the https:// form refused ("isn't associated
 * with an active Google Calendar account") and the webcal:// form accepted (see docs/web.md).
 */
export function toGoogleSubscribeUrl(feedUrl: string): string {
  return `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(toWebcalUrl(feedUrl))}`;
}
