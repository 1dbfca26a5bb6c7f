export type ErrorCode =
  | 'config.invalid'
  | 'scraper.http_status'
  | 'scraper.timeout'
  | 'scraper.network'
  | 'scraper.too_large'
  | 'scraper.not_calendar'
  | 'scraper.parse_failed'
  | 'scraper.login_failed'
  | 'scraper.auth_rejected'
  | 'scraper.session_expired'
  | 'scraper.navigation_failed'
  | 'scraper.view_expired'
  | 'scraper.schedule_missing'
  | 'scraper.maintenance'
  | 'scraper.not_configured'
  | 'scraper.file_unreadable'
  | 'scraper.aborted'
  | 'scraper.unexpected'
  | 'scraper.suspicious_drop'
  | 'section.unknown'
  | 'feed.token_unknown'
  | 'token.not_found'
  | 'token.invalid_input'
  | 'filter.invalid'
  | 'import.invalid'
  | 'bot.forbidden'
  | 'bot.dm_closed'
  | 'db.unavailable'
  | 'db.unusable'
  | 'db.locked'
  | 'db.detached'
  | 'scraper.redirect_elsewhere'
  | 'scraper.bad_encoding'
  | 'scraper.superseded';

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  /** Text that may be shown to a user. Absent means: show a generic message. */
  readonly publicMessage: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; publicMessage?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.publicMessage = options.publicMessage;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** A short, secret-free description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
