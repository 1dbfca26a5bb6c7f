import { AppError, type Clock } from '../core/index.ts';
import type { Repositories } from '../db/index.ts';
import { issueAdminLoginLink, LOGIN_LINK_TTL_MS } from '../web/admin-session.ts';

/** `admin link`: a one-time login link to the web dashboard, for the running server. */
export function adminCommand(
  args: string[],
  ctx: {
    repositories: Pick<Repositories, 'botState'>;
    config: { feed: { publicUrl: string }; admin: { token: string | undefined } };
    clock: Clock;
    print: (line: string) => void;
  },
): Promise<number> {
  const [action] = args;
  if (action !== 'link') {
    throw new AppError('token.invalid_input', 'usage: npm run cli -- admin link');
  }
  if (ctx.config.admin.token === undefined) {
    throw new AppError(
      'config.invalid',
      'the dashboard is off: set ADMIN_STATIC_TOKEN (and restart the server) first',
    );
  }
  const link = issueAdminLoginLink({
    repositories: ctx.repositories,
    clock: ctx.clock,
    publicUrl: ctx.config.feed.publicUrl,
  });
  ctx.print(link.url);
  ctx.print(
    `one-time dashboard login link, valid ${LOGIN_LINK_TTL_MS / 60_000} minutes (until ${link.expiresAt.toISOString()}); a newer link cancels it`,
  );
  return Promise.resolve(0);
}
