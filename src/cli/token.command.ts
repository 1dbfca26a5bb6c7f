import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { describeFilter, isAppError, parseEventFilter, type Clock } from '../core/index.ts';
import type { Repositories } from '../db/index.ts';
import {
  createToken,
  listTokens,
  revokeTokens,
  setTokenFilter,
  type TokenAdminDeps,
  type TokenSummary,
} from '../feed/index.ts';

export const TOKEN_USAGE = `usage: npm run cli -- token <create|revoke|list|filter>

  token create --name NAME [--section SECTION] [FILTER]
                                                 new feed link (no section: every section, IPP style)
  token revoke --token TOKEN | --name NAME | --prefix PREFIX
  token list [--json] [--all]                    live tokens (--all: revoked ones too)
  token filter --prefix PREFIX | --token TOKEN (FILTER | --clear)
                                                 replace a link's filter; the link stays the same

  FILTER: [--groups A,B] [--hide-courses X,Y] [--hide-types CM,TP]
          (comma-separated; repeat a flag for a value holding a comma)
`;

const FILTER_OPTIONS = {
  groups: { type: 'string', multiple: true },
  'hide-courses': { type: 'string', multiple: true },
  'hide-types': { type: 'string', multiple: true },
} as const;

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
      case 'filter':
        return filter(rest, deps, ctx.print);
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
    options: { name: { type: 'string' }, section: { type: 'string' }, ...FILTER_OPTIONS },
  });
  if (values.name === undefined) {
    print(`error: --name is required\n${TOKEN_USAGE}`);
    return 1;
  }
  const created = createToken(deps, {
    name: values.name,
    section: values.section,
    filter: toFilterInput(values),
  });
  print(`token created for ${created.name} (${created.section ?? 'every section'})`);
  print(`token: ${created.token}`);
  print(`url: ${created.url}`);
  for (const [section, url] of Object.entries(created.urls)) {
    if (url !== created.url) print(`url (${section}): ${url}`);
  }
  if (created.filter !== null) print(describeFilter(created.filter, 'en'));
  print('this is the only time the token is shown: only its hash is stored.');
  return 0;
}

type FilterFlags = {
  groups?: string[] | undefined;
  'hide-courses'?: string[] | undefined;
  'hide-types'?: string[] | undefined;
};

/** The filter flags as a filter (parseEventFilter checks it), or undefined when none is given. */
function toFilterInput(values: FilterFlags) {
  const split = (items: string[] | undefined) =>
    (items ?? []).flatMap((item) => item.split(',')).map((item) => item.trim());
  if (
    values.groups === undefined &&
    values['hide-courses'] === undefined &&
    values['hide-types'] === undefined
  ) {
    return undefined;
  }
  return parseEventFilter({
    groups: split(values.groups),
    hideCourses: split(values['hide-courses']),
    hideCategories: split(values['hide-types']),
  });
}

function filter(args: string[], deps: TokenAdminDeps, print: (line: string) => void): number {
  const { values } = parseArgs({
    args,
    options: {
      token: { type: 'string' },
      prefix: { type: 'string' },
      clear: { type: 'boolean', default: false },
      ...FILTER_OPTIONS,
    },
  });
  if ((values.token === undefined) === (values.prefix === undefined)) {
    print(`error: give exactly one of --token, --prefix\n${TOKEN_USAGE}`);
    return 1;
  }
  const chosen = toFilterInput(values);
  if ((chosen === undefined) === !values.clear) {
    print(`error: give filter flags or --clear (not both)\n${TOKEN_USAGE}`);
    return 1;
  }
  const result = setTokenFilter(
    deps,
    values.token !== undefined ? { token: values.token } : { prefix: values.prefix ?? '' },
    chosen ?? parseEventFilter({}),
  );
  print(
    `filter set on ${result.updated} token(s): ${describeFilter(chosen ?? parseEventFilter({}), 'en')}`,
  );
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
    ...(token.filter === null ? [] : [describeFilter(token.filter, 'en')]),
  ].join('  ');
}
