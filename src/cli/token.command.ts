import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { isAppError, type Clock } from '../core/index.ts';
import type { Repositories } from '../db/index.ts';
import {
  createToken,
  listTokens,
  revokeTokens,
  type TokenAdminDeps,
  type TokenSummary,
} from '../feed/index.ts';

export const TOKEN_USAGE = `usage: npm run cli -- token <create|revoke|list>

  token create --name NAME [--section SECTION]   new feed link (no section: every section, IPP style)
  token revoke --token TOKEN | --name NAME | --prefix PREFIX
  token list [--json] [--all]                    live tokens (--all: revoked ones too)
`;

/**
 * `token create|revoke|list`: the admin API's token operations from a shell. Returns the exit
 * code (0 ok, 1 usage or input error).
 */
export function tokenCommand(args: string[], ctx: TokenCommandContext): Promise<number> {
  // The work is synchronous (better-sqlite3); the executor turns a throw into a rejection.
  return new Promise((resolve) => {
    resolve(runTokenCommand(args, ctx));
  });
}

export type TokenCommandContext = {
  repositories: Repositories;
  config: Config;
  clock: Clock;
  print: (line: string) => void;
};

function runTokenCommand(args: string[], ctx: TokenCommandContext): number {
  const [action, ...rest] = args;
  const deps: TokenAdminDeps = {
    repositories: ctx.repositories,
    config: ctx.config,
    clock: ctx.clock,
  };
  try {
    switch (action ?? '') {
      case 'create':
        return create(rest, deps, ctx.print);
      case 'revoke':
        return revoke(rest, deps, ctx.print);
      case 'list':
        return list(rest, deps, ctx.print);
      default:
        ctx.print(TOKEN_USAGE);
        return 1;
    }
  } catch (error) {
    if (isAppError(error)) {
      ctx.print(`error: ${error.publicMessage ?? error.message}`);
      return 1;
    }
    if (error instanceof TypeError && 'code' in error) {
      // node:util parseArgs rejects unknown or malformed options with a TypeError.
      ctx.print(`error: ${error.message}\n${TOKEN_USAGE}`);
      return 1;
    }
    throw error;
  }
}

function create(args: string[], deps: TokenAdminDeps, print: (line: string) => void): number {
  const { values } = parseArgs({
    args,
    options: { name: { type: 'string' }, section: { type: 'string' } },
  });
  if (values.name === undefined) {
    print(`error: --name is required\n${TOKEN_USAGE}`);
    return 1;
  }
  const created = createToken(deps, { name: values.name, section: values.section });
  print(`token created for ${created.name} (${created.section ?? 'every section'})`);
  print(`token: ${created.token}`);
  print(`url: ${created.url}`);
  for (const [section, url] of Object.entries(created.urls)) {
    if (url !== created.url) print(`url (${section}): ${url}`);
  }
  print('this is the only time the token is shown: only its hash is stored.');
  return 0;
}

function revoke(args: string[], deps: TokenAdminDeps, print: (line: string) => void): number {
  const { values } = parseArgs({
    args,
    options: { token: { type: 'string' }, name: { type: 'string' }, prefix: { type: 'string' } },
  });
  const given = [values.token, values.name, values.prefix].filter((value) => value !== undefined);
  if (given.length !== 1) {
    print(`error: give exactly one of --token, --name, --prefix\n${TOKEN_USAGE}`);
    return 1;
  }
  const revoked = revokeTokens(
    deps,
    values.token !== undefined
      ? { token: values.token }
      : values.name !== undefined
        ? { name: values.name }
        : { prefix: values.prefix ?? '' },
  );
  print(`revoked: ${revoked}`);
  return 0;
}

function list(args: string[], deps: TokenAdminDeps, print: (line: string) => void): number {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
    },
  });
  const tokens = listTokens(deps, { includeRevoked: values.all });
  if (values.json) {
    print(JSON.stringify(tokens));
    return 0;
  }
  if (tokens.length === 0) {
    print('no tokens');
    return 0;
  }
  for (const token of tokens) print(formatToken(token));
  return 0;
}

export function formatToken(token: TokenSummary): string {
  const state = token.revokedAt === null ? '' : ` revoked ${token.revokedAt}`;
  return [
    `${token.prefix}…`,
    `${token.owner} (${token.ownerKind})`,
    token.section ?? 'every section',
    `created ${token.createdAt}`,
    `last used ${token.lastUsedAt ?? 'never'}`,
    `${token.uses} uses${state}`,
  ].join('  ');
}
