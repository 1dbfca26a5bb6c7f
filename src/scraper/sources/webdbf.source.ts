/**
 * webdbf / IPP (IMT Mines Alès, host webdfd.mines-ales.fr): a PHP form login, then the student's
 * ICS at `index.php?url=ics/<suffix>` with the PHPSESSID session (docs/sources.md).
 */
import type { Config } from '../../config.ts';
import { AppError } from '../../core/index.ts';
import {
  createCookieJar,
  describeUrl,
  headerOf,
  isRedirect,
  type HttpResponse,
} from '../http-client.ts';
import { decodeCalendarBytes, parseIcsCalendar } from '../ics.ts';
import {
  createLoginGuard,
  createMutex,
  looksLikeMaintenance,
  unexpectedAnswer,
} from './login-guard.ts';
import type { FetchContext, RawPayload, Source } from './source.ts';

export type WebdbfSourceOptions = { readonly config: Config['webdbf'] };

/**
 * The login form (fields `Username`, `Password`). IPP's own test ("<!doctype html" and "connexion")
 * would also flag a page with a "Déconnexion" link, so the password field is what counts here.
 */
export function isWebdbfLoginPage(text: string): boolean {
  return /<input\b[^>]*\bname\s*=\s*["']?Password\b/i.test(text);
}

export function createWebdbfSource(options: WebdbfSourceOptions): Source {
  const { config } = options;
  const exclusive = createMutex();
  const guard = createLoginGuard({ site: 'webdbf' });
  const jar = createCookieJar();
  let loggedIn = false;

  async function login(context: FetchContext, username: string, password: string) {
    guard.check(context.clock.now());
    jar.clear();
    loggedIn = false;
    // assumption: LOGIN_URL is the login page itself (IPP never published its value).
    const page = await send(context, { url: config.loginUrl });
    const pageText = decodeCalendarBytes(page.body);
    if (page.status !== 200 || !isWebdbfLoginPage(pageText)) {
      throw unexpectedAnswer(
        { site: 'webdbf', step: 'login page' },
        page,
        'scraper.login_failed',
        pageText,
      );
    }
    const form = new URLSearchParams({
      Username: username,
      Password: password,
      url: '',
      login: '',
    });
    const answer = await send(context, {
      url: config.loginUrl,
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const text = decodeCalendarBytes(answer.body);
    const location = headerOf(answer, 'location');
    const backToLogin =
      (isRedirect(answer.status) && location !== undefined && isLoginLocation(location)) ||
      (answer.status === 200 && isWebdbfLoginPage(text));
    if (backToLogin) {
      jar.clear();
      throw guard.rejected(context.clock.now());
    }
    // assumption: success is a redirect to the index, or the index page itself ("Bienvenue").
    if (!isRedirect(answer.status) && answer.status !== 200) {
      throw unexpectedAnswer(
        { site: 'webdbf', step: 'login' },
        answer,
        'scraper.login_failed',
        text,
      );
    }
    if (answer.status === 200 && looksLikeMaintenance(text)) {
      throw unexpectedAnswer(
        { site: 'webdbf', step: 'login' },
        answer,
        'scraper.login_failed',
        text,
      );
    }
    guard.accepted();
    loggedIn = true;
    context.logger.info({ source: 'webdbf' }, 'webdbf logged in');
  }

  function isLoginLocation(location: string): boolean {
    const target = new URL(location, config.loginUrl);
    return target.pathname === new URL(config.loginUrl).pathname || /login/i.test(target.pathname);
  }

  function send(
    context: FetchContext,
    request: {
      url: string;
      method?: 'GET' | 'POST';
      body?: string;
      headers?: Record<string, string>;
    },
  ): Promise<HttpResponse> {
    return context.http.request({
      ...request,
      cookies: jar,
      maxRedirects: 0,
      signal: context.signal,
    });
  }

  async function fetchCalendar(context: FetchContext, suffix: string): Promise<RawPayload> {
    const { username, password } = config;
    if (username === undefined || password === undefined) {
      throw new AppError('scraper.not_configured', 'webdbf needs WEB_USERNAME and WEB_PASSWORD');
    }
    const url = `${config.icsBaseUrl}${suffix}`;
    const fetchedAt = context.clock.now();
    for (let attempt = 0; ; attempt += 1) {
      if (!loggedIn) await login(context, username, password);
      const answer = await send(context, {
        url,
        headers: { accept: 'text/calendar, text/plain;q=0.9, */*;q=0.1' },
      });
      const text = answer.status === 200 ? decodeCalendarBytes(answer.body) : '';
      const location = headerOf(answer, 'location');
      const sessionLost =
        (isRedirect(answer.status) && (location === undefined || isLoginLocation(location))) ||
        (answer.status === 200 && isWebdbfLoginPage(text));
      // The session lifetime is unknown (assumption: PHP's default 24 minutes), so expiry is
      // detected from the answer rather than predicted.
      if (sessionLost) {
        loggedIn = false;
        if (attempt >= 1) {
          throw new AppError(
            'scraper.session_expired',
            'webdbf sent the login page again right after a fresh login',
          );
        }
        context.logger.warn({ source: 'webdbf' }, 'webdbf session lost; logging in again');
        continue;
      }
      if (answer.status !== 200)
        throw unexpectedAnswer(
          { site: 'webdbf', step: 'calendar' },
          answer,
          'scraper.navigation_failed',
          text,
        );
      if (!/BEGIN:VCALENDAR/i.test(text.slice(0, 4096))) {
        // assumption: a maintenance page served with 200 (never reported, but IPP would store it).
        if (looksLikeMaintenance(text)) {
          throw new AppError(
            'scraper.maintenance',
            'webdbf shows a maintenance page instead of the calendar',
          );
        }
        throw new AppError('scraper.not_calendar', `webdbf answer for ${suffix} is not a calendar`);
      }
      const contentType = headerOf(answer, 'content-type');
      return {
        fetchedAt,
        parts: [
          { body: answer.body, contentType, origin: `${describeUrl(url)}?url=ics/${suffix}` },
        ],
      };
    }
  }

  return {
    kind: 'webdbf',
    fetchRaw(section, context) {
      if (section.source.kind !== 'webdbf') {
        return Promise.reject(
          new AppError('scraper.not_configured', 'webdbf source given another section'),
        );
      }
      const suffix = section.source.suffix.replace(/^\/+/, '');
      return exclusive(() => fetchCalendar(context, suffix));
    },
    // assumption: SUMMARY ≈ course, LOCATION ≈ room, DESCRIPTION ≈ teacher / group (no public
    // sample of this export exists); ics.ts reads labelled DESCRIPTION lines when present.
    parse(raw, context) {
      const part = raw.parts[0];
      if (part === undefined) throw new AppError('scraper.not_calendar', 'nothing was fetched');
      return parseIcsCalendar(decodeCalendarBytes(part.body), context);
    },
  };
}
