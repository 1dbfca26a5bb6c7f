/**
 * Aurion (Auriga webAurion, JSF 2 + PrimeFaces): log in, reach "Mon Planning" through the sidebar,
 * then ask the Schedule component for the window in chunks of a few weeks (docs/sources.md).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '../../config.ts';
import { AppError, type ParseIssue, type TimetableEvent } from '../../core/index.ts';
import {
  createCookieJar,
  describeUrl,
  headerOf,
  isRedirect,
  type CookieJar,
  type HttpResponse,
} from '../http-client.ts';
import {
  findLoginButtonName,
  hasInvalidLoginMessage,
  inspectPartialResponse,
  isAurionLoginPage,
  labelsMatch,
  parseHomePage,
  parsePlanningPage,
  parseScheduleJson,
  parseSidebarLeaves,
  offsetMs,
  parseSidebarSubmenus,
  toZonedDate,
  zonedTimeToInstant,
  type AurionPlanningPage,
  type AurionSubmenu,
} from './aurion-parse.ts';
import {
  createLoginGuard,
  createMutex,
  looksLikeMaintenance,
  unexpectedAnswer,
} from './login-guard.ts';
import type { FetchContext, RawPart, RawPayload, Source } from './source.ts';

/** assumption: every Aurion school is in France; weeks start on Monday at Paris midnight. */
export const AURION_TIME_ZONE = 'Europe/Paris';
const WEEK_DAYS = 7;
const MAX_SUBMENU_EXPANSIONS = 8;
const SUBMENU_PREFERENCE = /scolarit/i;
/**
 * Aurion answers in the browser's language, and its English pages leave room numbers out of the
 * titles: every request asks for French.
 */
export const AURION_ACCEPT_LANGUAGE = 'fr-FR,fr;q=0.9';

export type AurionSourceOptions = {
  readonly config: Config['aurion'];
  /** The polite pause between two requests (tests record it instead of waiting). */
  readonly sleep?: (ms: number) => Promise<void>;
};

type AurionSession = {
  readonly jar: CookieJar;
  loggedIn: boolean;
  planning: AurionPlanningPage | undefined;
};

/** One chunk request's outcome; the two recoveries allowed per fetch are re-navigate and re-login. */
type ChunkOutcome =
  | { readonly kind: 'ok'; readonly part: RawPart }
  | { readonly kind: 'relogin'; readonly error: AppError }
  | { readonly kind: 'renavigate'; readonly error: AppError };

export type AurionChunk = { readonly from: Date; readonly to: Date; readonly monday: LocalDate };
type LocalDate = { readonly year: number; readonly month: number; readonly day: number };

export function createAurionSource(options: AurionSourceOptions): Source {
  const { config } = options;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const exclusive = createMutex();
  const guard = createLoginGuard({ site: 'aurion' });
  const session: AurionSession = { jar: createCookieJar(), loggedIn: false, planning: undefined };

  function settings() {
    const { url, username, password } = config;
    if (url === undefined || username === undefined || password === undefined) {
      throw new AppError(
        'scraper.not_configured',
        'aurion needs AURION_URL, AURION_USERNAME and AURION_PASSWORD',
      );
    }
    return { base: url.replace(/\/+$/, ''), username, password };
  }

  async function fetchRaw(context: FetchContext): Promise<RawPayload> {
    const { base, username, password } = settings();
    const logger = context.logger.child({ source: 'aurion' });
    const fetchedAt = context.clock.now();
    const chunks = planChunks(fetchedAt, config.weeksBefore, config.weeksAfter, config.chunkWeeks);
    const first = chunks[0];
    const last = chunks.at(-1);
    if (first === undefined || last === undefined) {
      throw new AppError('scraper.not_configured', 'aurion window is empty');
    }
    let requests = 0;

    async function send(
      url: string,
      init: { method?: 'GET' | 'POST'; body?: URLSearchParams; ajax?: boolean } = {},
    ): Promise<HttpResponse> {
      if (requests > 0 && config.requestDelayMs > 0) await sleep(config.requestDelayMs);
      requests += 1;
      const headers: Record<string, string> = { 'accept-language': AURION_ACCEPT_LANGUAGE };
      if (init.body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded; charset=UTF-8';
      }
      if (init.ajax === true) {
        headers['faces-request'] = 'partial/ajax';
        headers['x-requested-with'] = 'XMLHttpRequest';
        headers.accept = 'application/xml, text/xml, */*; q=0.01';
      }
      return context.http.request({
        url,
        method: init.method ?? 'GET',
        headers,
        body: init.body?.toString(),
        cookies: session.jar,
        maxRedirects: 0,
        signal: context.signal,
      });
    }

    async function login(): Promise<void> {
      guard.check(context.clock.now());
      session.jar.clear();
      session.loggedIn = false;
      session.planning = undefined;
      // Optional step (ECAM does it, Junia clients skip it): the anonymous session and the name
      // of the submit button, which is posted with an empty value when the page has one.
      const page = await send(`${base}/faces/Login.xhtml`);
      if (page.status >= 500)
        throw unexpectedAnswer(
          { site: 'aurion', step: 'login page' },
          page,
          'scraper.login_failed',
        );
      const pageText = page.body.toString('utf8');
      const button =
        page.status === 200 && isAurionLoginPage(pageText)
          ? findLoginButtonName(pageText)
          : undefined;
      if (page.status === 200 && !isAurionLoginPage(pageText) && looksLikeMaintenance(pageText)) {
        throw unexpectedAnswer(
          { site: 'aurion', step: 'login page' },
          page,
          'scraper.login_failed',
        );
      }
      const form = new URLSearchParams({ username, password });
      if (button !== undefined) form.set(button, '');
      const answer = await send(`${base}/login`, { method: 'POST', body: form });
      const location = headerOf(answer, 'location');
      if (isRedirect(answer.status)) {
        // assumption: a failed login never redirects to the login page; if it does, same meaning.
        if (location !== undefined && /login/i.test(new URL(location, base).pathname)) {
          throw guard.rejected(context.clock.now());
        }
        if (session.jar.get('JSESSIONID') === undefined) {
          throw new AppError('scraper.login_failed', 'aurion login gave no session cookie');
        }
        guard.accepted();
        session.loggedIn = true;
        logger.info({ buttonField: button !== undefined }, 'aurion logged in');
        return;
      }
      const text = answer.body.toString('utf8');
      // A failed login answers 200 with the login page and "Login ou mot de passe invalide"
      // (inferred from the seeds' two checks: "not 302", and that message in the body).
      if (answer.status === 200 && (hasInvalidLoginMessage(text) || isAurionLoginPage(text))) {
        session.jar.clear();
        throw guard.rejected(context.clock.now());
      }
      throw unexpectedAnswer({ site: 'aurion', step: 'login' }, answer, 'scraper.login_failed');
    }

    async function navigate(): Promise<AurionPlanningPage> {
      // assumption: the login's 302 points at the site root (no seed records it), so the root is
      // opened directly; one further redirect that is not the login page is followed.
      let homeAnswer = await send(`${base}/`);
      expectLoggedIn(homeAnswer, base);
      const homeLocation = headerOf(homeAnswer, 'location');
      if (isRedirect(homeAnswer.status) && homeLocation !== undefined) {
        homeAnswer = await send(new URL(homeLocation, `${base}/`).toString());
        expectLoggedIn(homeAnswer, base);
      }
      const home =
        homeAnswer.status === 200 ? parseHomePage(homeAnswer.body.toString('utf8')) : undefined;
      if (home === undefined)
        throw unexpectedAnswer(
          { site: 'aurion', step: 'home page' },
          homeAnswer,
          'scraper.navigation_failed',
        );
      let viewState = home.viewState;
      let leaf = home.leaves.find((item) => labelsMatch(item.label, config.planningLabel));
      const queue: AurionSubmenu[] = [...home.submenus].sort(
        (a, b) =>
          Number(SUBMENU_PREFERENCE.test(b.label)) - Number(SUBMENU_PREFERENCE.test(a.label)),
      );
      const expanded = new Set<string>();
      const commandId = home.submenuCommandId;
      while (
        leaf === undefined &&
        commandId !== undefined &&
        expanded.size < MAX_SUBMENU_EXPANSIONS
      ) {
        const submenu = queue.shift();
        if (submenu === undefined) break;
        if (expanded.has(submenu.submenuId)) continue;
        expanded.add(submenu.submenuId);
        const form = new URLSearchParams({
          'javax.faces.partial.ajax': 'true',
          'javax.faces.source': commandId,
          'javax.faces.partial.execute': commandId,
          'javax.faces.partial.render': 'form:sidebar',
          [commandId]: commandId,
          'webscolaapp.Sidebar.ID_SUBMENU': submenu.submenuId,
          form: 'form',
          'form:largeurDivCenter': '',
          'form:sauvegarde': '',
          'javax.faces.ViewState': viewState,
        });
        if (home.idInit !== undefined) form.set('form:idInit', home.idInit);
        const answer = await send(`${base}/faces/MainMenuPage.xhtml`, {
          method: 'POST',
          body: form,
          ajax: true,
        });
        expectLoggedIn(answer, base);
        const inspection = inspectPartialResponse(answer.body.toString('utf8'), undefined);
        if (inspection.kind === 'login_page' || inspection.kind === 'redirect') {
          throw sessionExpired();
        }
        if (inspection.kind !== 'sidebar') {
          logger.warn(
            { submenu: submenu.submenuId, answer: inspection.kind },
            'aurion submenu not expanded',
          );
          continue;
        }
        if (inspection.viewState !== undefined) viewState = inspection.viewState;
        leaf = parseSidebarLeaves(inspection.html).find((item) =>
          labelsMatch(item.label, config.planningLabel),
        );
        queue.push(...parseSidebarSubmenus(inspection.html));
      }
      if (leaf === undefined) {
        throw new AppError(
          'scraper.navigation_failed',
          `aurion menu has no "${config.planningLabel}" entry (checked ${expanded.size} submenus)`,
        );
      }
      const click = new URLSearchParams({
        form: 'form',
        'form:largeurDivCenter': '',
        'form:sauvegarde': '',
        'form:sidebar': 'form:sidebar',
        'form:sidebar_menuid': leaf.menuId,
        'javax.faces.ViewState': viewState,
      });
      if (home.idInit !== undefined) click.set('form:idInit', home.idInit);
      const clicked = await send(`${base}/faces/MainMenuPage.xhtml`, {
        method: 'POST',
        body: click,
      });
      expectLoggedIn(clicked, base);
      let planningAnswer = clicked;
      if (isRedirect(clicked.status)) {
        const location = headerOf(clicked, 'location') ?? `${base}/faces/Planning.xhtml`;
        planningAnswer = await send(new URL(location, `${base}/`).toString());
        expectLoggedIn(planningAnswer, base);
      }
      const planning =
        planningAnswer.status === 200
          ? parsePlanningPage(planningAnswer.body.toString('utf8'))
          : undefined;
      if (planning === undefined) {
        throw unexpectedAnswer(
          { site: 'aurion', step: 'planning page' },
          planningAnswer,
          'scraper.navigation_failed',
        );
      }
      logger.info(
        { menuId: leaf.menuId, scheduleId: planning.scheduleId },
        'aurion planning reached',
      );
      return planning;
    }

    async function requestChunk(
      planning: AurionPlanningPage,
      chunk: AurionChunk,
    ): Promise<ChunkOutcome> {
      const id = planning.scheduleId;
      const form = new URLSearchParams({
        'javax.faces.partial.ajax': 'true',
        'javax.faces.source': id,
        'javax.faces.partial.execute': id,
        'javax.faces.partial.render': id,
        [id]: id,
        [`${id}_start`]: String(chunk.from.getTime()),
        [`${id}_end`]: String(chunk.to.getTime()),
        form: 'form',
        'form:date_input': formatDayMonthYear(chunk.monday),
        'form:week': formatIsoWeek(chunk.monday),
        [`${id}_view`]: 'agendaWeek',
        'form:offsetFuseauNavigateur': String(-offsetMs(chunk.from, AURION_TIME_ZONE)),
        'form:onglets_activeIndex': '0',
        'form:onglets_scrollState': '0',
        'javax.faces.ViewState': planning.viewState,
      });
      if (planning.idInit !== undefined) form.set('form:idInit', planning.idInit);
      const url = `${base}/faces/Planning.xhtml`;
      const answer = await send(url, { method: 'POST', body: form, ajax: true });
      if (isRedirect(answer.status)) {
        return { kind: 'relogin', error: sessionExpired() };
      }
      if (answer.status !== 200)
        throw unexpectedAnswer(
          { site: 'aurion', step: 'schedule' },
          answer,
          'scraper.navigation_failed',
        );
      const inspection = inspectPartialResponse(answer.body.toString('utf8'), id);
      switch (inspection.kind) {
        case 'schedule':
          if (inspection.viewState !== undefined) {
            session.planning = { ...planning, viewState: inspection.viewState };
          }
          return {
            kind: 'ok',
            part: {
              body: answer.body,
              contentType: headerOf(answer, 'content-type'),
              origin: `${describeUrl(url)}#${inspection.updateId}`,
            },
          };
        case 'login_page':
        case 'redirect':
          return { kind: 'relogin', error: sessionExpired() };
        case 'view_expired':
          return {
            kind: 'renavigate',
            error: new AppError('scraper.view_expired', 'aurion view expired (stale ViewState)'),
          };
        case 'missing':
        case 'sidebar':
          return {
            kind: 'renavigate',
            error: new AppError(
              'scraper.schedule_missing',
              `aurion answer has no schedule update for ${id} (component id drift?)`,
            ),
          };
        case 'error':
          return {
            kind: 'renavigate',
            error: new AppError(
              'scraper.navigation_failed',
              `aurion answered an error: ${inspection.name}`,
            ),
          };
        case 'truncated':
          throw new AppError('scraper.parse_failed', 'aurion schedule answer is truncated');
        case 'not_partial':
          throw unexpectedAnswer(
            { site: 'aurion', step: 'schedule' },
            answer,
            'scraper.navigation_failed',
          );
      }
    }

    const parts: RawPart[] = [];
    let relogins = 0;
    let renavigations = 0;
    let index = 0;
    try {
      while (index < chunks.length) {
        const chunk = chunks[index];
        if (chunk === undefined) break;
        let outcome: ChunkOutcome;
        try {
          if (!session.loggedIn) await login();
          session.planning ??= await navigate();
          outcome = await requestChunk(session.planning, chunk);
        } catch (error) {
          if (!(error instanceof AppError) || error.code !== 'scraper.session_expired') throw error;
          outcome = { kind: 'relogin', error };
        }
        if (outcome.kind === 'ok') {
          parts.push(outcome.part);
          index += 1;
          continue;
        }
        if (outcome.kind === 'relogin') {
          if (relogins >= 1) throw outcome.error;
          relogins += 1;
          logger.warn({ code: outcome.error.code }, 'aurion session lost; logging in again');
          session.loggedIn = false;
          session.planning = undefined;
          continue;
        }
        if (renavigations >= 1) throw outcome.error;
        renavigations += 1;
        logger.warn({ code: outcome.error.code }, 'aurion planning view lost; navigating again');
        session.planning = undefined;
      }
    } catch (error) {
      session.planning = undefined;
      throw error;
    }
    logger.debug({ requests, chunks: chunks.length }, 'aurion window fetched');
    return { fetchedAt, parts, coverage: { from: first.from, to: last.to } };
  }

  return {
    kind: 'aurion',
    fetchRaw: (_section, context) => exclusive(() => fetchRaw(context)),
    parse(raw, context) {
      const events = new Map<string, TimetableEvent>();
      const issues: ParseIssue[] = [];
      for (const part of raw.parts) {
        const hash = part.origin.indexOf('#');
        const scheduleId = hash >= 0 ? part.origin.slice(hash + 1) : undefined;
        const host = URL.canParse(part.origin) ? new URL(part.origin).hostname : 'aurion';
        const inspection = inspectPartialResponse(part.body.toString('utf8'), scheduleId);
        if (inspection.kind === 'truncated') {
          throw new AppError('scraper.parse_failed', 'aurion schedule answer is truncated');
        }
        if (inspection.kind !== 'schedule') {
          throw new AppError(
            'scraper.schedule_missing',
            `aurion answer has no schedule update (${inspection.kind})`,
          );
        }
        const result = parseScheduleJson(inspection.json, {
          host,
          titleStrategy: config.titleStrategy,
          timeZone: context.timeZone,
        });
        issues.push(...result.issues);
        for (const event of result.events) events.set(event.uid, event);
      }
      const sorted = [...events.values()].sort(
        (a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.uid.localeCompare(b.uid),
      );
      return raw.coverage === undefined
        ? { events: sorted, issues }
        : { events: sorted, issues, coverage: raw.coverage };
    },
  };
}

function sessionExpired(): AppError {
  return new AppError('scraper.session_expired', 'aurion session expired (login page came back)');
}

/** A redirect to the login page, or the login page itself: the session is gone. */
function expectLoggedIn(answer: HttpResponse, base: string): void {
  if (isRedirect(answer.status)) {
    const location = headerOf(answer, 'location') ?? '';
    if (/login/i.test(new URL(location, `${base}/`).pathname)) throw sessionExpired();
    return;
  }
  if (answer.status === 200 && isAurionLoginPage(answer.body.toString('utf8'))) {
    throw sessionExpired();
  }
}

function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  };
}

function parisMidnight(date: LocalDate): Date {
  return zonedTimeToInstant({ ...date, hour: 0, minute: 0, second: 0 }, AURION_TIME_ZONE);
}

/**
 * The requested window: `weeksBefore` weeks before the current week, the current week, and
 * `weeksAfter` weeks after it (as the README says), cut into chunks of `chunkWeeks` weeks on Paris
 * Mondays (DST-safe).
 */
export function planChunks(
  now: Date,
  weeksBefore: number,
  weeksAfter: number,
  chunkWeeks: number,
): AurionChunk[] {
  const today = toZonedDate(now, AURION_TIME_ZONE);
  const weekday = (new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay() + 6) % 7;
  const start = addDays(today, -weekday - weeksBefore * WEEK_DAYS);
  const totalWeeks = weeksBefore + 1 + weeksAfter;
  const step = Math.max(1, chunkWeeks);
  const chunks: AurionChunk[] = [];
  for (let week = 0; week < totalWeeks; week += step) {
    const monday = addDays(start, week * WEEK_DAYS);
    const end = addDays(start, Math.min(week + step, totalWeeks) * WEEK_DAYS);
    chunks.push({ from: parisMidnight(monday), to: parisMidnight(end), monday });
  }
  return chunks;
}

function formatDayMonthYear(date: LocalDate): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.day)}/${pad(date.month)}/${date.year}`;
}

/** `WW-YYYY`, the ISO week the browser sends in `form:week`. */
export function formatIsoWeek(date: LocalDate): string {
  const day = new Date(Date.UTC(date.year, date.month - 1, date.day));
  const weekday = (day.getUTCDay() + 6) % 7;
  const thursday = new Date(day.getTime() + (3 - weekday) * 86_400_000);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - yearStart) / (7 * 86_400_000));
  return `${String(week).padStart(2, '0')}-${thursday.getUTCFullYear()}`;
}
