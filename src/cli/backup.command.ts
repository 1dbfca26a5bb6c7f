import { existsSync } from 'node:fs';
import { AppError } from '../core/index.ts';
import type { DatabaseHandle } from '../db/index.ts';

/** `backup PATH`: a consistent copy of the live database, safe while the app runs. */
export async function backupCommand(
  args: string[],
  ctx: { database: Pick<DatabaseHandle, 'backup'>; print: (line: string) => void },
): Promise<number> {
  const [path] = args;
  if (path === undefined) throw new AppError('import.invalid', 'usage: npm run cli -- backup PATH');
  if (existsSync(path)) {
    throw new AppError('import.invalid', `${path} exists already; choose a new file name`);
  }
  await ctx.database.backup(path);
  ctx.print(`backup written to ${path}`);
  return 0;
}
