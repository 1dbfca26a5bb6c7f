/**
 * Feed URLs are secrets: every URL that reaches a log line goes through this first.
 * `/feeds/<token>.ics` → `/feeds/[token].ics`; any other long token-like path segment (a link
 * pasted with a typo) → `[redacted]`; every query value → `[redacted]` (IPP's `?token=`).
 * Odd forms that dodge those rules (`?token%3D<token>`, `?<token>`, a token in a fragment) are
 * caught by two last rules on the whole URL: anything after `token` in the query, encoded or not,
 * and any run of 64 hex characters (a feed token's shape) anywhere.
 */
export function maskSecretsInUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  const maskedPath = path
    .replace(/\/feeds\/[^/]*/gi, '/feeds/[token].ics')
    .replace(/[\w~%-]{20,}/g, '[redacted]');
  const maskedQuery = query
    .replace(/=[^&#]*/g, '=[redacted]')
    .replace(/(token)(?!=\[redacted\]).+$/i, '$1[redacted]');
  return (maskedPath + maskedQuery).replace(/[0-9a-f]{64}/gi, '[redacted]');
}

/** Fastify `req` serializer: method, masked URL and client address; never headers. */
export function serializeRequest(request: {
  method: string;
  url: string;
  ip?: string | undefined;
}): Record<string, unknown> {
  return { method: request.method, url: maskSecretsInUrl(request.url), remoteAddress: request.ip };
}
