/**
 * `/feeds/<token>` (no extension) is negotiated before routing: a browser (Accept naming
 * text/html) is routed to the link's page; anything else is rewritten to `/feeds/<token>.ics` and
 * so served by the calendar route itself, byte for byte, with its limits and statistics.
 */
const BARE_FEED_PATH = /^\/feeds\/([^/.?#]+)(\?.*)?$/;

/** True when the Accept header lists text/html with a non-zero quality. */
export function acceptsHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((part) => {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    if (type.trim() !== 'text/html') return false;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    return q === undefined || Number(q) > 0;
  });
}

/** For Fastify's `rewriteUrl`: the URL to route. */
export function negotiateFeedUrl(url: string, accept: string | undefined): string {
  const match = BARE_FEED_PATH.exec(url);
  if (match === null || acceptsHtml(accept)) return url;
  return `/feeds/${match[1] ?? ''}.ics${match[2] ?? ''}`;
}
