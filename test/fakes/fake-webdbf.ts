/**
 * A fake webdfd.mines-ales.fr "planning-eleves" (PHP, PHPSESSID) on 127.0.0.1: the login form
 * (`Username`, `Password`, `url`, `login`) and the ICS at `index.php?url=ics/<suffix>`, with the
 * webdbf failures described in docs/sources.md: wrong password, session expiry (302 or login page), idle logout
 * after the PHP session lifetime, slow / hanging answers, 5xx, maintenance page with 200, ICS cut
 * mid-event, empty calendar, Latin-1 or UTF-8 bytes, TZID + VTIMEZONE / UTC / floating times.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  createFaultQueue,
  playCommonFault,
  startFakeServer,
  toParisFields,
  type CommonFault,
  type RecordedRequest,
} from './fake-server.ts';
import { escapeIcsText, icsUtc } from '../helpers/ics-text.ts';

export type FakeWebdbfRoute = 'login-page' | 'login' | 'index' | 'ics';

export type FakeWebdbfFault =
  | CommonFault
  /** ics: the calendar stops in the middle of the last event. */
  | { readonly type: 'truncate' }
  /** ics: the session is treated as gone (answered per `expiry`, or forced). */
  | { readonly type: 'login-page' }
  | { readonly type: 'redirect-login' }
  /** ics: a VCALENDAR without any VEVENT. */
  | { readonly type: 'empty' };

export type FakeWebdbfEvent = {
  readonly uid: string;
  readonly summary: string;
  readonly startsAt: Date | string;
  readonly endsAt: Date | string;
  readonly location?: string;
  readonly description?: string;
};

export type FakeWebdbfOptions = {
  readonly username?: string;
  readonly password?: string;
  readonly charset?: 'latin1' | 'utf-8';
  readonly timeStyle?: 'tzid' | 'utc' | 'floating';
  /** How a request without a live session is answered. */
  readonly expiry?: 'redirect-login' | 'login-page';
  /** PHP's session.gc_maxlifetime (assumption: the default 24 minutes). */
  readonly idleTimeoutMs?: number;
  readonly now?: () => number;
  readonly calendars?: Readonly<Record<string, readonly FakeWebdbfEvent[]>>;
};

type FakeSession = { authenticated: boolean; lastSeen: number };

const APP = '/planning-eleves';
const LOGIN_PATH = `${APP}/login/login.php`;

export type FakeWebdbf = Awaited<ReturnType<typeof startFakeWebdbf>>;

export async function startFakeWebdbf(options: FakeWebdbfOptions = {}) {
  const username = options.username ?? 'prenom.nom';
  let password = options.password ?? 'Été-2026!';
  let charset = options.charset ?? 'latin1';
  let timeStyle = options.timeStyle ?? 'tzid';
  const expiry = options.expiry ?? 'redirect-login';
  const idleTimeoutMs = options.idleTimeoutMs ?? 24 * 60_000;
  const now = options.now ?? Date.now;
  const calendars = new Map<string, readonly FakeWebdbfEvent[]>(
    Object.entries(options.calendars ?? {}),
  );
  const rawCalendars = new Map<string, Buffer>();
  const sessions = new Map<string, FakeSession>();
  const faults = createFaultQueue<FakeWebdbfRoute, FakeWebdbfFault>();
  let successfulLogins = 0;
  let origin = '';

  function route(method: string, pathname: string, params: Record<string, string>) {
    if (pathname === LOGIN_PATH)
      return method === 'POST' ? ('login' as const) : ('login-page' as const);
    if (pathname === `${APP}/index.php` && method === 'GET') {
      return (params.url ?? '').startsWith('ics/') ? ('ics' as const) : ('index' as const);
    }
    return 'unknown' as const;
  }

  function session(
    request: RecordedRequest<FakeWebdbfRoute>,
    response: ServerResponse,
  ): FakeSession {
    const id = request.sessionId;
    const existing = id === undefined ? undefined : sessions.get(id);
    if (existing !== undefined && now() - existing.lastSeen <= idleTimeoutMs) {
      existing.lastSeen = now();
      return existing;
    }
    if (id !== undefined) sessions.delete(id);
    const fresh: FakeSession = { authenticated: false, lastSeen: now() };
    const newId = randomBytes(13).toString('hex');
    sessions.set(newId, fresh);
    response.setHeader('set-cookie', `PHPSESSID=${newId}; path=/`);
    return fresh;
  }

  function loginPage(error: boolean): string {
    const message = error ? '<p class="erreur">Identifiant ou mot de passe incorrect</p>' : '';
    return `<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Planning élèves - Connexion</title></head><body>
<h1>Connexion</h1>${message}
<form method="post" action="login.php">
<input type="text" name="Username" placeholder="prenom.nom">
<input type="password" name="Password">
<input type="hidden" name="url" value="">
<input type="submit" name="login" value="Se connecter">
</form></body></html>`;
  }

  function send(
    response: ServerResponse,
    status: number,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ) {
    response.writeHead(status, { 'content-type': 'text/html; charset=UTF-8', ...headers });
    response.end(body);
  }

  function answerDeadSession(response: ServerResponse, style: 'redirect-login' | 'login-page') {
    if (style === 'login-page') send(response, 200, loginPage(false));
    else send(response, 302, '', { location: `${origin}${LOGIN_PATH}` });
  }

  function renderCalendar(suffix: string, empty: boolean): string {
    // assumption: an unknown student or promo id yields an empty calendar.
    const events = empty ? [] : (calendars.get(suffix) ?? []);
    const lines = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      // assumption: no public sample of this export exists; the layout below is plausible.
      'PRODID:-//IMT Mines Ales//Planning eleves//FR',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'X-WR-CALNAME:Planning',
    ];
    if (timeStyle === 'tzid') lines.push(...PARIS_VTIMEZONE);
    const stamp = icsUtc(new Date(now()));
    for (const event of events) {
      lines.push(
        'BEGIN:VEVENT',
        `UID:${event.uid}`,
        `DTSTAMP:${stamp}`,
        formatTime('DTSTART', new Date(event.startsAt)),
        formatTime('DTEND', new Date(event.endsAt)),
        `SUMMARY:${escapeIcsText(event.summary)}`,
      );
      if (event.location !== undefined) lines.push(`LOCATION:${escapeIcsText(event.location)}`);
      if (event.description !== undefined)
        lines.push(`DESCRIPTION:${escapeIcsText(event.description)}`);
      lines.push('END:VEVENT');
    }
    lines.push('END:VCALENDAR');
    return lines.map(fold).join('\r\n') + '\r\n';
  }

  function formatTime(name: string, at: Date): string {
    if (timeStyle === 'utc') return `${name}:${icsUtc(at)}`;
    const local = toParisFields(at);
    const wall = `${local.year}${local.month}${local.day}T${local.hour}${local.minute}${local.second}`;
    return timeStyle === 'tzid' ? `${name};TZID=Europe/Paris:${wall}` : `${name}:${wall}`;
  }

  /** RFC 5545 folding at 75 octets of the encoding actually sent. */
  function fold(line: string): string {
    const encoding = charset === 'latin1' ? 'latin1' : 'utf8';
    const out: string[] = [];
    let current = '';
    for (const char of line) {
      const limit = out.length === 0 ? 75 : 74;
      if (Buffer.byteLength(current + char, encoding) > limit) {
        out.push(current);
        current = '';
      }
      current += char;
    }
    out.push(current);
    return out.join('\r\n ');
  }

  function encode(text: string): Buffer {
    return Buffer.from(text, charset === 'latin1' ? 'latin1' : 'utf8');
  }

  const server = await startFakeServer<FakeWebdbfRoute>({
    route,
    sessionCookie: 'PHPSESSID',
    async handle({ request, response }) {
      if (request.route === 'unknown') {
        send(response, 404, '<html><body>Not Found</body></html>');
        return;
      }
      const fault = faults.take(request.route);
      if (
        fault?.type === 'status' ||
        fault?.type === 'maintenance' ||
        fault?.type === 'hang' ||
        fault?.type === 'slow'
      ) {
        if (await playCommonFault(fault, response)) return;
      }
      const current = session(request, response);
      switch (request.route) {
        case 'login-page':
          send(response, 200, loginPage(false));
          return;
        case 'login': {
          const params = request.params;
          const complete = 'url' in params && 'login' in params;
          if (params.Username !== username || params.Password !== password || !complete) {
            current.authenticated = false;
            send(response, 200, loginPage(true));
            return;
          }
          current.authenticated = true;
          successfulLogins += 1;
          send(response, 302, '', { location: `${origin}${APP}/index.php` });
          return;
        }
        case 'index':
          if (!current.authenticated) {
            answerDeadSession(response, expiry);
            return;
          }
          send(
            response,
            200,
            `<!DOCTYPE html><html><body><h1>Bienvenue sur planning</h1><datalist id="eleves"><option data-value="12345" value="NOM Prénom"></datalist></body></html>`,
          );
          return;
        case 'ics': {
          if (fault?.type === 'login-page' || fault?.type === 'redirect-login') {
            answerDeadSession(response, fault.type);
            return;
          }
          if (!current.authenticated) {
            answerDeadSession(response, expiry);
            return;
          }
          const suffix = (request.params.url ?? '').slice('ics/'.length);
          const raw = rawCalendars.get(suffix);
          let body = raw ?? encode(renderCalendar(suffix, fault?.type === 'empty'));
          if (fault?.type === 'truncate') {
            const text = body.toString('latin1');
            const cut = text.lastIndexOf('BEGIN:VEVENT');
            body = body.subarray(0, cut >= 0 ? cut + 60 : Math.floor(body.length / 2));
          }
          // assumption: the export's Content-Type names no charset; the bytes decide.
          send(response, 200, body, {
            'content-type': 'text/calendar',
            'content-disposition': 'attachment; filename="planning.ics"',
          });
          return;
        }
      }
    },
  });
  origin = server.origin;

  return {
    /** LOGIN_URL for this fake. */
    loginUrl: `${origin}${LOGIN_PATH}`,
    /** WEBDBF_ICS_BASE_URL for this fake. */
    icsBaseUrl: `${origin}${APP}/index.php?url=ics/`,
    requests: server.requests,
    maxConcurrent: server.maxConcurrent,
    routes: () => server.requests.map((request) => request.route),
    successfulLogins: () => successfulLogins,
    loginAttempts: () => server.requests.filter((request) => request.route === 'login').length,
    setEvents(suffix: string, events: readonly FakeWebdbfEvent[]) {
      calendars.set(suffix, events);
    },
    /** Serve these exact bytes for a suffix (fixtures). */
    setRawCalendar(suffix: string, body: Buffer) {
      rawCalendars.set(suffix, body);
    },
    setPassword(next: string) {
      password = next;
    },
    setCharset(next: 'latin1' | 'utf-8') {
      charset = next;
    },
    setTimeStyle(next: 'tzid' | 'utc' | 'floating') {
      timeStyle = next;
    },
    fail(routeName: FakeWebdbfRoute, fault: FakeWebdbfFault, times = 1) {
      faults.add(routeName, fault, times);
    },
    /** Server restart or PHP session garbage collection. */
    expireSessions() {
      sessions.clear();
    },
    close: () => server.close(),
  };
}

const PARIS_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'X-LIC-LOCATION:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];
