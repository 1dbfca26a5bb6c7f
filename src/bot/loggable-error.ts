import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';

/**
 * What to log of an error. discord.js REST errors carry the request body and URL, which may hold
 * a feed link or an interaction token: only their kind, status, code and method are kept.
 */
export function toLoggableError(error: unknown): unknown {
  if (error instanceof DiscordAPIError) {
    return {
      kind: 'DiscordAPIError',
      message: error.message,
      code: error.code,
      status: error.status,
      method: error.method,
    };
  }
  if (error instanceof HTTPError) {
    return {
      kind: 'HTTPError',
      message: error.message,
      status: error.status,
      method: error.method,
    };
  }
  if (error instanceof RateLimitError) {
    return {
      kind: 'RateLimitError',
      route: error.route,
      method: error.method,
      retryAfterMs: error.retryAfter,
      global: error.global,
    };
  }
  return error;
}
