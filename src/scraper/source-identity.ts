import { randomBytes, scryptSync } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Logger, SectionSpec } from '../core/index.ts';
import type { Repositories, SectionRow } from '../db/index.ts';

const SALT_KEY = 'source-identity:salt';
const identityKey = (section: SectionSpec) => `source-identity:${section.key}`;

/**
 * Everything that decides what a section's scrape fetches and with which account: the full source
 * (a private calendar URL included) and the credentials of its kind.
 */
export function sourceMaterial(
  section: SectionSpec,
  config: Pick<Config, 'webdbf' | 'aurion'>,
): string {
  const { source } = section;
  switch (source.kind) {
    case 'ics':
      return JSON.stringify(['ics', source.url]);
    case 'file':
      return JSON.stringify(['file', source.path]);
    case 'webdbf':
      return JSON.stringify([
        'webdbf',
        source.suffix,
        config.webdbf.loginUrl,
        config.webdbf.icsBaseUrl,
        config.webdbf.username ?? '',
        config.webdbf.password ?? '',
      ]);
    case 'aurion':
      return JSON.stringify([
        'aurion',
        config.aurion.url ?? '',
        config.aurion.username ?? '',
        config.aurion.password ?? '',
      ]);
  }
}

/**
 * A section in backoff stays there across restarts, which is right while its source keeps
 * failing, and wrong once the operator fixed the source or the credentials: then the backoff is
 * reset and the section is scraped on the next tick. What is compared is a salted scrypt digest of
 * sourceMaterial (stored in app_state; a password never reaches the database, even hashed
 * cheaply). A section seen for the first time records its digest and keeps its state.
 * Returns the names of the sections whose backoff was reset.
 */
export function resetBackoffOnSourceChange(deps: {
  sections: readonly SectionSpec[];
  config: Pick<Config, 'webdbf' | 'aurion'>;
  repositories: Pick<Repositories, 'sections' | 'botState'>;
  logger: Logger;
  now: Date;
}): string[] {
  const { repositories, now } = deps;
  let salt = repositories.botState.getValue(SALT_KEY);
  if (salt === undefined) {
    salt = randomBytes(16).toString('hex');
    repositories.botState.setValue(SALT_KEY, salt, now);
  }
  const reset: string[] = [];
  for (const section of deps.sections) {
    const row = repositories.sections.findByKey(section.key);
    if (row === undefined) continue;
    const digest = scryptSync(sourceMaterial(section, deps.config), salt, 32).toString('hex');
    const stored = repositories.botState.getValue(identityKey(section));
    if (stored === digest) continue;
    repositories.botState.setValue(identityKey(section), digest, now);
    if (stored !== undefined && row.consecutiveFailures > 0) {
      repositories.sections.resetBackoff(row.id);
      reset.push(section.name);
      deps.logger.info(
        { section: section.name, failures: row.consecutiveFailures },
        'source or credentials changed since the last failure: backoff reset, scraping it on the next tick',
      );
    }
  }
  return reset;
}

/**
 * One line per configured section still in backoff at start: until when, why, and how to retry
 * now. The schedule's next tick alone would suggest a scrape is a second away.
 */
export function describeBackoff(
  rows: readonly SectionRow[],
  sections: readonly SectionSpec[],
  now: Date,
  options: { adminApi: boolean },
): { section: string; until: string; failures: number; lastError: string; line: string }[] {
  const configured = new Map(sections.map((section) => [section.key, section.name]));
  return rows
    .filter(
      (row) =>
        configured.has(row.key) &&
        row.consecutiveFailures > 0 &&
        row.nextRunAt !== null &&
        row.nextRunAt.getTime() > now.getTime(),
    )
    .map((row) => {
      const name = configured.get(row.key) ?? row.name;
      const until = row.nextRunAt?.toISOString() ?? '';
      const lastError = `${row.lastErrorCode ?? 'unknown'}${row.lastErrorMessage === null ? '' : `: ${row.lastErrorMessage}`}`;
      const retry = [
        `npm run cli -- scrape --section ${JSON.stringify(name)}`,
        ...(options.adminApi ? [`POST /admin/scrape {"section": ${JSON.stringify(name)}}`] : []),
      ].join(' or ');
      return {
        section: name,
        until,
        failures: row.consecutiveFailures,
        lastError,
        line: `section ${JSON.stringify(name)} is in backoff until ${until} after ${row.consecutiveFailures} failed scrapes (last error ${lastError}); a changed source or credentials resets it at start; to retry now: ${retry}`,
      };
    });
}
