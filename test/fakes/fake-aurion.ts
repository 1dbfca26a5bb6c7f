/**
 * A fake webAurion (JSF 2 + PrimeFaces) on 127.0.0.1 that speaks the protocol of docs/sources.md and
 * plays every Aurion failure of §3: wrong password, session expiry (HTTP redirect, partial
 * `<redirect>`, login page), inactivity logout, ViewExpired, schedule id drift, lazy submenu, label
 * casing, slow / hanging answers, 5xx, maintenance page, JSON cut inside the CDATA, empty weeks.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  createFaultQueue,
  escapeHtml,
  playCommonFault,
  sleep,
  startFakeServer,
  toParisFields,
  type CommonFault,
  type RecordedRequest,
} from './fake-server.ts';

export type FakeAurionRoute =
  'login-page' | 'login' | 'home' | 'submenu' | 'menu' | 'planning-page' | 'schedule';

export type FakeAurionFault =
  | CommonFault
  /** schedule: the JSON stops in the middle of the CDATA (connection cut). */
  | { readonly type: 'truncate' }
  /** schedule: `<error-name>…ViewExpiredException`. */
  | { readonly type: 'view-expired' }
  /** any ajax route: `<partial-response><redirect url="…Login.xhtml"/>`. */
  | { readonly type: 'partial-redirect' }
  /** 302 to the login page. */
  | { readonly type: 'redirect-login' }
  /** 200 with the login page. */
  | { readonly type: 'login-page' }
  /** schedule: only the messages and ViewState updates. */
  | { readonly type: 'no-schedule' };

export type FakeAurionEvent = {
  readonly id: string;
  readonly title: string;
  readonly startsAt: Date | string;
  readonly endsAt: Date | string;
  readonly className?: string;
  readonly allDay?: boolean;
  /**
   * The title English Aurion shows (it leaves the room out), served to a request whose
   * Accept-Language does not ask for French first (no header: English); defaults to `title`.
   */
  readonly titleEn?: string;
};

/** Aurion answers in French only when the browser's first language is French. */
export function asksForFrench(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return /^\s*fr\b/i.test(value ?? '');
}

export type FakeAurionOptions = {
  /** Context path such as '/webAurion' (ISEN Ouest); '' at Junia. */
  readonly contextPath?: string;
  readonly username?: string;
  readonly password?: string;
  /** Name of the login form's submit button, posted with an empty value; null: no button. */
  readonly loginButton?: string | null;
  readonly planningLabel?: string;
  /** Where "Mon Planning" lives: a top-level leaf, or inside the lazy "Scolarité" submenu. */
  readonly planningLocation?: 'top' | 'submenu';
  readonly submenuNumber?: string;
  readonly submenuCommandId?: string;
  readonly scheduleId?: string;
  /** The hidden `form:idInit`; null for pre-2024 versions without it. */
  readonly idInit?: string | null;
  /** How many `ui-messages` updates precede the schedule update. */
  readonly messageUpdates?: number;
  /** How a request on a dead session is answered. */
  readonly expiry?: 'redirect-login' | 'partial-redirect' | 'login-page';
  readonly idleTimeoutMs?: number;
  /** The fake's clock for idle logouts (ms since epoch); defaults to Date.now. */
  readonly now?: () => number;
  /** Delay per schedule request, plus per requested week (Aurion is slow on wide ranges). */
  readonly perRequestDelayMs?: number;
  readonly perWeekDelayMs?: number;
  readonly events?: readonly FakeAurionEvent[];
};

type FakeSession = {
  authenticated: boolean;
  lastSeen: number;
  readonly viewStates: Set<string>;
  submenuExpanded: boolean;
  planningReady: boolean;
  /** The schedule id the last rendered Planning page carried. */
  viewScheduleId: string | undefined;
};

const WEEK_MS = 7 * 86_400_000;
const TOP_PLANNING_MENU_ID = '1';
const SUBMENU_PLANNING_MENU_ID = '3_0';

export type FakeAurion = Awaited<ReturnType<typeof startFakeAurion>>;

export async function startFakeAurion(options: FakeAurionOptions = {}) {
  const contextPath = options.contextPath ?? '';
  const username = options.username ?? 'prenom.nom@student.junia.com';
  let password = options.password ?? 'correct horse';
  const loginButton = options.loginButton === undefined ? 'j_idt28' : options.loginButton;
  const planningLabel = options.planningLabel ?? 'Mon Planning';
  const planningLocation = options.planningLocation ?? 'top';
  const submenuNumber = options.submenuNumber ?? '44413';
  const commandId = options.submenuCommandId ?? 'form:j_idt52';
  let scheduleId = options.scheduleId ?? 'form:j_idt118';
  const idInit =
    options.idInit === undefined ? 'webscolaapp.Planning_-5219369535766895590' : options.idInit;
  const messageUpdates = options.messageUpdates ?? 1;
  const expiry = options.expiry ?? 'redirect-login';
  const idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60_000;
  const now = options.now ?? Date.now;
  let events: readonly FakeAurionEvent[] = options.events ?? [];
  const sessions = new Map<string, FakeSession>();
  const faults = createFaultQueue<FakeAurionRoute, FakeAurionFault>();
  let successfulLogins = 0;

  const path = (suffix: string) => `${contextPath}${suffix}`;
  let origin = '';
  const loginPageUrl = () => `${origin}${path('/faces/Login.xhtml')}`;

  function route(method: string, pathname: string, params: Record<string, string>) {
    if (!pathname.startsWith(contextPath)) return 'unknown' as const;
    const local = pathname.slice(contextPath.length) || '/';
    const ajax = params['javax.faces.partial.ajax'] === 'true';
    if (local === '/faces/Login.xhtml' && method === 'GET') return 'login-page' as const;
    if (local === '/login' && method === 'POST') return 'login' as const;
    if (local === '/' && method === 'GET') return 'home' as const;
    if (local === '/faces/MainMenuPage.xhtml' && method === 'POST')
      return ajax ? ('submenu' as const) : ('menu' as const);
    if (local === '/faces/Planning.xhtml' && method === 'GET') return 'planning-page' as const;
    if (local === '/faces/Planning.xhtml' && method === 'POST' && ajax) {
      return params['javax.faces.source'] === commandId
        ? ('submenu' as const)
        : ('schedule' as const);
    }
    return 'unknown' as const;
  }

  function liveSession(request: RecordedRequest<FakeAurionRoute>): FakeSession | undefined {
    const id = request.sessionId;
    const session = id === undefined ? undefined : sessions.get(id);
    if (!session?.authenticated) return undefined;
    if (now() - session.lastSeen > idleTimeoutMs) {
      sessions.delete(id ?? '');
      return undefined;
    }
    session.lastSeen = now();
    return session;
  }

  function issueViewState(session: FakeSession): string {
    const part = () =>
      `-${BigInt(`0x${randomBytes(8).toString('hex')}`) % 9_000_000_000_000_000_000n}`;
    const value = `${part()}:${part()}`;
    session.viewStates.add(value);
    return value;
  }

  function newSession(response: ServerResponse, authenticated: boolean): FakeSession {
    const id = randomBytes(16).toString('hex').toUpperCase();
    const session: FakeSession = {
      authenticated,
      lastSeen: now(),
      viewStates: new Set(),
      submenuExpanded: false,
      planningReady: false,
      viewScheduleId: undefined,
    };
    sessions.set(id, session);
    response.setHeader(
      'set-cookie',
      `JSESSIONID=${id}; Path=${contextPath || '/'}; Secure; HttpOnly`,
    );
    return session;
  }

  function sendHtml(
    response: ServerResponse,
    status: number,
    html: string,
    headers: Record<string, string> = {},
  ) {
    response.writeHead(status, { 'content-type': 'text/html;charset=UTF-8', ...headers });
    response.end(html);
  }

  function sendXml(response: ServerResponse, xml: string) {
    response.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
    response.end(xml);
  }

  function redirect(response: ServerResponse, location: string) {
    response.writeHead(302, { location, 'content-length': '0' });
    response.end();
  }

  function answerDeadSession(response: ServerResponse, ajax: boolean, fault?: FakeAurionFault) {
    const style = fault?.type ?? expiry;
    if (ajax && style === 'partial-redirect') {
      sendXml(
        response,
        `<?xml version='1.0' encoding='UTF-8'?>\n<partial-response id="j_id1"><redirect url="${escapeHtml(path('/faces/Login.xhtml'))}"></redirect></partial-response>`,
      );
    } else if (style === 'login-page') {
      sendHtml(response, 200, renderLoginPage(false));
    } else {
      redirect(response, loginPageUrl());
    }
  }

  function renderLoginPage(invalid: boolean): string {
    const button =
      loginButton === null
        ? ''
        : `<button id="${loginButton}" name="${loginButton}" class="ui-button ui-widget ui-state-default ui-corner-all ui-button-text-only" type="submit"><span class="ui-button-text ui-c">Connexion</span></button>`;
    const message = invalid
      ? '<div class="ui-messages-error ui-corner-all"><span class="ui-messages-error-summary">Login ou mot de passe invalide</span></div>'
      : '';
    return `<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Connexion - Aurion</title></head><body>
<div class="login">${message}
<form id="formulaireSpring" name="formulaireSpring" method="post" action="${path('/login')}">
<label for="username">Identifiant</label><input id="username" name="username" type="text" class="ui-inputfield" />
<label for="password">Mot de passe</label><input id="password" name="password" type="password" class="ui-inputfield" />
${button}
</form></div></body></html>`;
  }

  function leafHtml(menuId: string, label: string, icon = 'fa-calendar-alt'): string {
    return `<li class="ui-widget ui-menuitem ui-corner-all" role="menuitem"><a tabindex="-1" class="ui-menuitem-link ui-corner-all" href="#" onclick="PrimeFaces.addSubmitParam('form',{'form:sidebar':'form:sidebar','form:sidebar_menuid':'${menuId}'}).submit('form');return false;"><span class="ui-menuitem-icon ui-icon fa ${icon}"></span><span class="ui-menuitem-text">${escapeHtml(label)}</span></a></li>`;
  }

  function submenuHtml(number: string, label: string, children: string): string {
    return `<li class="ui-widget ui-menuitem ui-corner-all ui-menu-parent submenu_${number}" role="menuitem" aria-haspopup="true"><a href="#" class="ui-menuitem-link ui-submenu-link ui-corner-all" tabindex="-1" onclick="chargerSousMenu([{name:'webscolaapp.Sidebar.ID_SUBMENU', value:'submenu_${number}'}]);return false;"><span class="ui-menuitem-icon ui-icon fa fa-folder"></span><span class="ui-menuitem-text">${label}</span><span class="ui-icon ui-icon-triangle-1-e"></span></a><ul class="ui-menu-list ui-helper-reset" role="menu">${children}</ul></li>`;
  }

  function renderSidebar(session: FakeSession): string {
    const top = [
      leafHtml('0', 'Accueil', 'fa-home'),
      planningLocation === 'top' ? leafHtml(TOP_PLANNING_MENU_ID, planningLabel) : '',
      leafHtml('2', 'Mes notes', 'fa-graduation-cap'),
    ].join('');
    const schoolChildren =
      planningLocation === 'submenu' && session.submenuExpanded
        ? leafHtml(SUBMENU_PLANNING_MENU_ID, planningLabel) +
          leafHtml('3_1', 'Mes absences', 'fa-user-times')
        : '';
    return `<div id="form:sidebar" class="ui-menu ui-widget sidebar"><ul class="ui-menu-list ui-helper-reset">${top}${submenuHtml('1187', 'Divers', '')}${submenuHtml(submenuNumber, 'Scolarit&eacute;', schoolChildren)}</ul></div>`;
  }

  function pageShell(session: FakeSession, title: string, body: string): string {
    const viewState = issueViewState(session);
    const idInitInput =
      idInit === null
        ? ''
        : `<input type="hidden" name="form:idInit" value="${escapeHtml(idInit)}" />`;
    return `<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>${title}</title></head><body>
<div class="layout"><form id="form" name="form" method="post" action="${path('/faces/MainMenuPage.xhtml')}" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="form" value="form" />
<div class="topbar"><ul><li class="ui-widget-header"><h3>NOM Prénom</h3></li></ul></div>
${idInitInput}<input type="hidden" name="form:largeurDivCenter" value="" /><input type="hidden" name="form:sauvegarde" value="" />
${renderSidebar(session)}
<script id="${commandId}" type="text/javascript">chargerSousMenu = function() {PrimeFaces.ab({s:"${commandId}",f:"form",u:"form:sidebar",pa:arguments[0]});}</script>
<div class="center">${body}</div>
<input type="hidden" name="javax.faces.ViewState" id="j_id1:javax.faces.ViewState:0" value="${viewState}" autocomplete="off" />
</form></div></body></html>`;
  }

  function renderPlanningBody(): string {
    return `<div id="form:j_idt95" class="ui-messages ui-widget" aria-live="polite"></div><div id="${scheduleId}" class="schedule"><div id="${scheduleId}_container"></div><input type="hidden" id="${scheduleId}_view" name="${scheduleId}_view" value="agendaWeek" /></div><script id="${scheduleId}_s" type="text/javascript">$(function(){PrimeFaces.cw("Schedule","schedule",{id:"${scheduleId}",widgetVar:"schedule",locale:"fr",tooltip:true,defaultView:"agendaWeek",options:{"slotDuration":"00:30:00"}});});</script>`;
  }

  function partial(updates: string): string {
    return `<?xml version='1.0' encoding='UTF-8'?>\n<partial-response id="j_id1"><changes>${updates}</changes></partial-response>`;
  }

  function cdata(text: string): string {
    return `<![CDATA[${text.replace(/\]\]>/g, ']]]]><![CDATA[>')}]]>`;
  }

  function messageUpdatesXml(): string {
    let xml = '';
    for (let index = 0; index < messageUpdates; index += 1) {
      const id = `form:j_idt${95 + index}`;
      xml += `<update id="${id}">${cdata(`<div id="${id}" class="ui-messages ui-widget" aria-live="polite"></div>`)}</update>`;
    }
    return xml;
  }

  function viewStateUpdate(session: FakeSession): string {
    return `<update id="j_id1:javax.faces.ViewState:0">${cdata(issueViewState(session))}</update>`;
  }

  function formatPrimeFacesDate(at: Date): string {
    const fields = toParisFields(at);
    const sign = fields.offsetMinutes < 0 ? '-' : '+';
    const offset = Math.abs(fields.offsetMinutes);
    const hh = String(Math.floor(offset / 60)).padStart(2, '0');
    const mm = String(offset % 60).padStart(2, '0');
    return `${fields.year}-${fields.month}-${fields.day}T${fields.hour}:${fields.minute}:${fields.second}${sign}${hh}${mm}`;
  }

  /** Exactly what PrimeFaces' ScheduleRenderer writes (note the spaces after some colons). */
  function renderEventsJson(from: number, to: number, french: boolean): string {
    const inRange = events.filter((event) => {
      const start = new Date(event.startsAt).getTime();
      const end = new Date(event.endsAt).getTime();
      return start < to && end > from;
    });
    const items = inRange.map(
      (event) =>
        `{"id": ${JSON.stringify(event.id)},"title": ${JSON.stringify(french ? event.title : (event.titleEn ?? event.title))},"start": "${formatPrimeFacesDate(new Date(event.startsAt))}","end": "${formatPrimeFacesDate(new Date(event.endsAt))}","allDay":${event.allDay === true},"editable":true,"className":"${event.className ?? 'COURS'}"}`,
    );
    return `{"events" : [${items.join(',')}]}`;
  }

  const server = await startFakeServer<FakeAurionRoute>({
    route,
    sessionCookie: 'JSESSIONID',
    async handle({ request, response }) {
      const routeName = request.route;
      if (routeName === 'unknown') {
        sendHtml(response, 404, '<html><body>Not Found</body></html>');
        return;
      }
      const fault = faults.take(routeName);
      if (
        fault !== undefined &&
        (fault.type === 'status' ||
          fault.type === 'maintenance' ||
          fault.type === 'hang' ||
          fault.type === 'slow')
      ) {
        if (await playCommonFault(fault, response)) return;
      }
      const ajax = request.params['javax.faces.partial.ajax'] === 'true';
      if (
        fault?.type === 'partial-redirect' ||
        fault?.type === 'redirect-login' ||
        fault?.type === 'login-page'
      ) {
        answerDeadSession(response, ajax, fault);
        return;
      }
      switch (routeName) {
        case 'login-page': {
          if (request.sessionId === undefined || !sessions.has(request.sessionId))
            newSession(response, false);
          sendHtml(response, 200, renderLoginPage(false));
          return;
        }
        case 'login': {
          const params = request.params;
          const buttonOk = loginButton === null || params[loginButton] !== undefined;
          if (params.username !== username || params.password !== password || !buttonOk) {
            sendHtml(response, 200, renderLoginPage(true));
            return;
          }
          if (request.sessionId !== undefined) sessions.delete(request.sessionId);
          newSession(response, true);
          successfulLogins += 1;
          // assumption (docs/sources.md, Aurion login): the 302 goes to the site root.
          redirect(response, `${origin}${path('/')}`);
          return;
        }
        case 'home': {
          const session = liveSession(request);
          if (session === undefined) {
            redirect(response, loginPageUrl());
            return;
          }
          session.planningReady = false;
          sendHtml(response, 200, pageShell(session, 'Accueil', '<p>Bienvenue</p>'));
          return;
        }
        case 'submenu': {
          const session = liveSession(request);
          if (session === undefined) {
            answerDeadSession(response, true);
            return;
          }
          if (!session.viewStates.has(request.params['javax.faces.ViewState'] ?? '')) {
            {
              sendXml(response, viewExpiredXml());
              return;
            }
          }
          const requested = request.params['webscolaapp.Sidebar.ID_SUBMENU'];
          if (requested === `submenu_${submenuNumber}`) session.submenuExpanded = true;
          sendXml(
            response,
            partial(
              `<update id="form:sidebar">${cdata(renderSidebar(session))}</update>${viewStateUpdate(session)}`,
            ),
          );
          return;
        }
        case 'menu': {
          const session = liveSession(request);
          if (session === undefined) {
            redirect(response, loginPageUrl());
            return;
          }
          const params = request.params;
          if (!session.viewStates.has(params['javax.faces.ViewState'] ?? '')) {
            {
              sendHtml(
                response,
                500,
                '<html><body><h1>javax.faces.application.ViewExpiredException</h1></body></html>',
              );
              return;
            }
          }
          const menuId = params['form:sidebar_menuid'];
          const planningMenu =
            planningLocation === 'top'
              ? menuId === TOP_PLANNING_MENU_ID
              : menuId === SUBMENU_PLANNING_MENU_ID && session.submenuExpanded;
          const idInitOk = idInit === null || params['form:idInit'] === idInit;
          if (!planningMenu || !idInitOk || params['form:sidebar'] !== 'form:sidebar') {
            sendHtml(response, 200, pageShell(session, 'Accueil', '<p>Bienvenue</p>'));
            return;
          }
          session.planningReady = true;
          redirect(response, `${origin}${path('/faces/Planning.xhtml')}`);
          return;
        }
        case 'planning-page': {
          const session = liveSession(request);
          if (session === undefined) {
            redirect(response, loginPageUrl());
            return;
          }
          session.viewScheduleId = scheduleId;
          sendHtml(response, 200, pageShell(session, 'Planning', renderPlanningBody()));
          return;
        }
        case 'schedule': {
          const session = liveSession(request);
          if (session === undefined) {
            answerDeadSession(response, true);
            return;
          }
          const params = request.params;
          if (
            fault?.type === 'view-expired' ||
            !session.viewStates.has(params['javax.faces.ViewState'] ?? '')
          ) {
            {
              sendXml(response, viewExpiredXml());
              return;
            }
          }
          const source = params['javax.faces.source'] ?? '';
          const start = params[`${source}_start`];
          const end = params[`${source}_end`];
          const knownComponent =
            session.planningReady &&
            session.viewScheduleId === scheduleId &&
            source === scheduleId &&
            params[source] === source;
          if (!knownComponent || fault?.type === 'no-schedule') {
            {
              sendXml(response, partial(messageUpdatesXml() + viewStateUpdate(session)));
              return;
            }
          }
          if (
            start === undefined ||
            end === undefined ||
            !/^-?\d+$/.test(start) ||
            !/^-?\d+$/.test(end)
          ) {
            {
              sendXml(
                response,
                `<?xml version='1.0' encoding='UTF-8'?>\n<partial-response id="j_id1"><error><error-name>class java.lang.NumberFormatException</error-name><error-message>${cdata(`For input string: "${start ?? 'null'}"`)}</error-message></error></partial-response>`,
              );
              return;
            }
          }
          const from = Number(start);
          const to = Number(end);
          const weeks = Math.max(1, Math.ceil((to - from) / WEEK_MS));
          const wait = (options.perRequestDelayMs ?? 0) + (options.perWeekDelayMs ?? 0) * weeks;
          if (wait > 0) await sleep(wait);
          const xml = partial(
            messageUpdatesXml() +
              `<update id="${scheduleId}">${cdata(renderEventsJson(from, to, asksForFrench(request.headers['accept-language'])))}</update>` +
              viewStateUpdate(session),
          );
          if (fault?.type === 'truncate') {
            const cut =
              xml.indexOf('{"events"') +
              Math.floor(
                (xml.indexOf(']}', xml.indexOf('{"events"')) - xml.indexOf('{"events"')) / 2,
              ) +
              5;
            response.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
            response.end(xml.slice(0, Math.max(cut, xml.indexOf('{"events"') + 12)));
            return;
          }
          sendXml(response, xml);
          return;
        }
      }
    },
  });
  origin = server.origin;

  function viewExpiredXml(): string {
    return `<?xml version='1.0' encoding='UTF-8'?>\n<partial-response id="j_id1"><error><error-name>class javax.faces.application.ViewExpiredException</error-name><error-message>${cdata('viewId:/faces/Planning.xhtml - View /faces/Planning.xhtml could not be restored.')}</error-message></error></partial-response>`;
  }

  return {
    /** Base URL including the context path (what AURION_URL holds). */
    baseUrl: `${server.origin}${contextPath}`,
    host: '127.0.0.1',
    requests: server.requests,
    maxConcurrent: server.maxConcurrent,
    routes: () => server.requests.map((request) => request.route),
    /** POST /login answered with the 302 (a session was opened). */
    successfulLogins: () => successfulLogins,
    loginAttempts: () => server.requests.filter((request) => request.route === 'login').length,
    setEvents(next: readonly FakeAurionEvent[]) {
      events = next;
    },
    setPassword(next: string) {
      password = next;
    },
    /** Queue a fault for the next `times` requests of a route. */
    fail(routeName: FakeAurionRoute, fault: FakeAurionFault, times = 1) {
      faults.add(routeName, fault, times);
    },
    /** Server restart or inactivity logout: every session is gone. */
    expireSessions() {
      sessions.clear();
    },
    /** Every ViewState issued so far becomes unknown (ViewExpiredException). */
    expireViewStates() {
      for (const session of sessions.values()) session.viewStates.clear();
    },
    /** A new release renders the Schedule component under another id. */
    driftScheduleId(next: string) {
      scheduleId = next;
    },
    close: () => server.close(),
  };
}
