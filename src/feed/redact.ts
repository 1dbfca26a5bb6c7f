/**
 * Feed URLs are secrets: every URL that reaches a log line goes through this first.
 * `/feeds/<token>.ics` → `/feeds/[token].ics`, `?token=...` → `?token=[redacted]`.
 */
export function maskSecretsInUrl(url: string): string {
  return url
    .replace(/\/feeds\/[^/?#]*/gi, '/feeds/[token].ics')
    .replace(/([?&;]token=)[^&#]*/gi, '$1[redacted]');
}

/** Fastify `req` serializer: method, masked URL and client address; never headers. */
export function serializeRequest(request: {
  method: string;
  url: string;
  ip?: string | undefined;
}): Record<string, unknown> {
  return { method: request.method, url: maskSecretsInUrl(request.url), remoteAddress: request.ip };
}
