import { readFile } from 'node:fs/promises';
import { AppError, hashFeedToken, type Clock } from '../core/index.ts';
import type { Repositories } from '../db/index.ts';

/**
 * `import-ipp PATH/tokens.json`: IPP's `{"name": "token"}` file. Tokens are stored hashed and open
 * every section through IPP's route `GET /<SECTION>?token=`, as they did in IPP, so the links
 * already in students' calendars keep working. Importing twice changes nothing.
 */
export async function importIppCommand(
  args: string[],
  ctx: {
    repositories: Pick<Repositories, 'feedTokens'>;
    clock: Clock;
    print: (line: string) => void;
  },
): Promise<number> {
  const [path] = args;
  if (path === undefined) {
    throw new AppError('import.invalid', 'usage: npm run cli -- import-ipp PATH/tokens.json');
  }
  const entries = parseIppTokens(await readTokensFile(path));
  let imported = 0;
  for (const [name, token] of entries) {
    const created = ctx.repositories.feedTokens.createIfAbsent({
      tokenHash: hashFeedToken(token),
      prefix: token.slice(0, 8),
      ownerKind: 'ipp',
      owner: name,
      sectionId: null,
      at: ctx.clock.now(),
    });
    if (created) imported += 1;
  }
  ctx.print(
    `imported ${imported} IPP token(s), ${entries.length - imported} already present (${entries.length} in the file)`,
  );
  return 0;
}

async function readTokensFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new AppError('import.invalid', `cannot read ${path}`, { cause });
  }
}

/** Validates IPP's tokens.json; messages name entries, never token values. */
export function parseIppTokens(text: string): [name: string, token: string][] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('import.invalid', 'tokens.json is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('import.invalid', 'tokens.json must be an object {"name": "token", ...}');
  }
  const entries: [string, string][] = [];
  const problems: string[] = [];
  for (const [name, token] of Object.entries(value)) {
    if (typeof token !== 'string' || token.trim().length < 16) {
      problems.push(`entry "${name}": the token must be a string of 16 characters or more`);
      continue;
    }
    entries.push([name, token.trim()]);
  }
  if (problems.length > 0) throw new AppError('import.invalid', problems.join('\n'));
  return entries;
}
