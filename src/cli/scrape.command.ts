import { parseArgs } from 'node:util';
import { CHANGE_KINDS, type RunScrape, type ScrapeSummary } from '../core/index.ts';

/** `scrape [--section NAME] [--json]`: one scrape now, a summary per section. */
export async function scrapeCommand(
  args: string[],
  ctx: { runScrape: RunScrape; print: (line: string) => void },
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { section: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const summaries = await ctx.runScrape(
    values.section === undefined ? {} : { section: values.section },
  );
  for (const summary of summaries) {
    ctx.print(values.json ? JSON.stringify(toJson(summary)) : formatSummary(summary));
  }
  return summaries.some((summary) => summary.status === 'failed') ? 2 : 0;
}

export function toJson(summary: ScrapeSummary) {
  return {
    section: summary.section,
    status: summary.status === 'failed' ? (summary.errorCode ?? 'failed') : summary.status,
    ...(summary.errorMessage === undefined ? {} : { error: summary.errorMessage }),
    events: summary.events,
    changes: summary.changes,
    durationMs: summary.durationMs,
  };
}

export function formatSummary(summary: ScrapeSummary): string {
  const status =
    summary.status === 'failed' ? `failed (${summary.errorCode ?? '?'})` : summary.status;
  const changes = CHANGE_KINDS.filter((kind) => (summary.changes[kind] ?? 0) > 0)
    .map((kind) => `${kind} ${summary.changes[kind] ?? 0}`)
    .join(', ');
  const detail = summary.errorMessage === undefined ? '' : ` - ${summary.errorMessage}`;
  return `${summary.section}: ${status}, ${summary.events} events${changes === '' ? '' : `, changes: ${changes}`}${detail}`;
}
