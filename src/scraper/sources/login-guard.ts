/** Session helpers shared by the sources that log in to a school site (webdbf, Aurion). */
import { AppError } from '../../core/index.ts';
import { describeUrl, type HttpResponse } from '../http-client.ts';

export const LOGIN_COOLDOWN_FIRST_MS = 15 * 60_000;
export const LOGIN_COOLDOWN_MAX_MS = 6 * 60 * 60_000;

export type LoginGuard = {
  /** Throws `scraper.auth_rejected` (without any request) while a rejected login cools down. */
  check(now: Date): void;
  /** Records a rejected password and returns the error to throw. */
  rejected(now: Date): AppError;
  accepted(): void;
  readonly state: () => { rejections: number; retryAt: Date | undefined };
};

/**
 * After a wrong password the site is not asked again before 15 min, then 30, 60… capped at 6 h, so a
 * schedule every few minutes can never lock the student's account. The error never names the user.
 */
export function createLoginGuard(options: {
  site: string;
  firstDelayMs?: number;
  maxDelayMs?: number;
}): LoginGuard {
  const firstDelayMs = options.firstDelayMs ?? LOGIN_COOLDOWN_FIRST_MS;
  const maxDelayMs = options.maxDelayMs ?? LOGIN_COOLDOWN_MAX_MS;
  let rejections = 0;
  let retryAt: Date | undefined;

  const describe = (at: Date) =>
    `${options.site} rejected the username or password; next login attempt after ${at.toISOString()}`;
  const publicMessage = `${options.site} rejected the configured username or password`;

  return {
    check(now) {
      if (retryAt !== undefined && now < retryAt) {
        throw new AppError('scraper.auth_rejected', describe(retryAt), { publicMessage });
      }
    },
    rejected(now) {
      rejections += 1;
      const delayMs = Math.min(firstDelayMs * 2 ** Math.min(rejections - 1, 30), maxDelayMs);
      retryAt = new Date(now.getTime() + delayMs);
      return new AppError('scraper.auth_rejected', describe(retryAt), { publicMessage });
    },
    accepted() {
      rejections = 0;
      retryAt = undefined;
    },
    state: () => ({ rejections, retryAt }),
  };
}

/** Runs tasks one after the other: one session and one request at a time per site. */
export function createMutex(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** Text of a 200 page that says the site is down for maintenance (assumption: wording varies). */
export function looksLikeMaintenance(text: string): boolean {
  return /maintenance|indisponible|temporarily unavailable|service unavailable/i.test(text);
}

/**
 * An answer a login or navigation step did not expect: a 5xx, a maintenance page served with 200,
 * or else `fallback` (messages name the step and the URL without its query, never credentials).
 */
export function unexpectedAnswer(
  where: { site: string; step: string },
  answer: HttpResponse,
  fallback: 'scraper.login_failed' | 'scraper.navigation_failed',
  text: string = answer.body.toString('utf8'),
): AppError {
  const place = `${where.site} ${where.step} (${describeUrl(answer.url)})`;
  if (answer.status >= 500) {
    return new AppError('scraper.http_status', `${place} answered ${answer.status}`);
  }
  if (answer.status === 200 && looksLikeMaintenance(text)) {
    return new AppError('scraper.maintenance', `${place} shows a maintenance page`);
  }
  return new AppError(fallback, `${place} gave an unexpected answer (${answer.status})`);
}
