import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../core/index.ts';
import type { Repositories } from '../db/index.ts';

/** How long a dashboard session lasts. */
export const SESSION_TTL_MS = 8 * 3_600_000;
/** How long a one-time login link works. */
export const LOGIN_LINK_TTL_MS = 10 * 60_000;
export const SESSION_COOKIE = 'pp_admin';
const LOGIN_LINK_KEY = 'admin_login_link';
const MAX_SESSIONS = 1_000;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const randomToken = (): string => randomBytes(32).toString('base64url');

export type AdminSession = { readonly expiresAt: number; readonly csrf: string };

/**
 * Dashboard sessions, in memory (a restart logs admins out). The cookie holds a random id; only
 * its hash is kept. Each session carries its own CSRF form token.
 */
export function createSessionStore(clock: Clock) {
  const sessions = new Map<string, AdminSession>();

  function sweep(now: number): void {
    for (const [key, session] of sessions) if (session.expiresAt <= now) sessions.delete(key);
  }

  return {
    create(): { id: string; session: AdminSession } {
      const now = clock.now().getTime();
      sweep(now);
      while (sessions.size >= MAX_SESSIONS) {
        const oldest = sessions.keys().next();
        if (oldest.done === true) break;
        sessions.delete(oldest.value);
      }
      const id = randomToken();
      const session = { expiresAt: now + SESSION_TTL_MS, csrf: randomToken() };
      sessions.set(sha256(id), session);
      return { id, session };
    },

    find(id: string | undefined): AdminSession | undefined {
      if (id === undefined || id === '' || id.length > 100) return undefined;
      const key = sha256(id);
      const session = sessions.get(key);
      if (session === undefined) return undefined;
      if (session.expiresAt <= clock.now().getTime()) {
        sessions.delete(key);
        return undefined;
      }
      return session;
    },

    destroy(id: string | undefined): void {
      if (id !== undefined) sessions.delete(sha256(id));
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

type LinkDeps = {
  readonly repositories: Pick<Repositories, 'botState'>;
  readonly clock: Clock;
  readonly publicUrl: string;
};

/**
 * Issues a one-time dashboard login link, valid LOGIN_LINK_TTL_MS. Only the newest link works
 * (issuing one cancels the previous); it is kept hashed in app_state, so the CLI (another process)
 * and the bot can issue it for the server.
 */
export function issueAdminLoginLink(deps: LinkDeps): { url: string; expiresAt: Date } {
  const code = randomToken();
  const expiresAt = new Date(deps.clock.now().getTime() + LOGIN_LINK_TTL_MS);
  deps.repositories.botState.setValue(
    LOGIN_LINK_KEY,
    JSON.stringify({ hash: sha256(code), expiresAt: expiresAt.getTime() }),
    deps.clock.now(),
  );
  return { url: `${deps.publicUrl.replace(/\/+$/, '')}/admin/login/${code}`, expiresAt };
}

/** Uses up a login link: true once for a valid, unexpired code. */
export function consumeAdminLoginLink(deps: Omit<LinkDeps, 'publicUrl'>, code: string): boolean {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(code)) return false;
  const stored = deps.repositories.botState.getValue(LOGIN_LINK_KEY);
  if (stored === undefined) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null) return false;
  const { hash, expiresAt } = parsed as { hash?: unknown; expiresAt?: unknown };
  if (typeof hash !== 'string' || typeof expiresAt !== 'number') return false;
  // Both sides are SHA-256 hex of the same length: comparing them leaks nothing about the code.
  if (hash !== sha256(code) || expiresAt <= deps.clock.now().getTime()) return false;
  deps.repositories.botState.setValue(LOGIN_LINK_KEY, '{}', deps.clock.now());
  return true;
}
