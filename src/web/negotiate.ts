/**
 * `/feeds/<token>` (no extension) is negotiated before routing: a browser (Accept naming
 * text/html) is routed to the link's page; anything else is rewritten to `/feeds/<token>.ics` and
 * so served by the calendar route itself, byte for byte, with its limits and statistics.
 */
const BARE_FEED_PATH = /^\/feeds\/([^/.?#]+)(\?.*)?$/;

/** The quality an Accept header gives a media type listed by name (undefined when not listed). */
function qualityOf(accept: string, mediaType: string): number | undefined {
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    if (type.trim() !== mediaType) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    return q === undefined ? 1 : Number(q);
  }
  return undefined;
}

/**
 * True when the client prefers the page: it names text/html with a non-zero quality, and does not
 * name text/calendar at least as high (`text/calendar, text/html;q=0.1` is a calendar client).
 */
export function acceptsHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const html = qualityOf(accept, 'text/html');
  if (html === undefined || !(html > 0)) return false;
  const calendar = qualityOf(accept, 'text/calendar');
  return calendar === undefined || html > calendar;
}

/** For Fastify's `rewriteUrl`: the URL to route. */
export function negotiateFeedUrl(url: string, accept: string | undefined): string {
  const match = BARE_FEED_PATH.exec(url);
  if (match === null || acceptsHtml(accept)) return url;
  return `/feeds/${match[1] ?? ''}.ics${match[2] ?? ''}`;
}
