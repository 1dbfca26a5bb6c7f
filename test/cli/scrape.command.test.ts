import { describe, expect, it } from 'vitest';
import { scrapeCommand } from '../../src/cli/scrape.command.ts';
import { toSectionKey, type RunScrape, type ScrapeSummary } from '../../src/core/index.ts';

function summary(overrides: Partial<ScrapeSummary>): ScrapeSummary {
  return {
    section: 'Génie Info',
    sectionKey: toSectionKey('Génie Info'),
    status: 'ok',
    errorCode: undefined,
    errorMessage: undefined,
    events: 42,
    changes: {},
    durationMs: 120,
    runId: 1,
    ...overrides,
  };
}

async function run(args: string[], summaries: ScrapeSummary[]) {
  const asked: ({ section?: string } | undefined)[] = [];
  const runScrape: RunScrape = (options) => {
    asked.push(options);
    return Promise.resolve(summaries);
  };
  const lines: string[] = [];
  const code = await scrapeCommand(args, { runScrape, print: (line) => lines.push(line) });
  return { code, lines, asked };
}

describe('scrape command', () => {
  it('scrapes every section and prints one line each with the changes by kind', async () => {
    const { code, lines, asked } = await run(
      [],
      [summary({ changes: { moved: 2, cancelled: 1 } }), summary({ section: 'MKX', events: 3 })],
    );
    expect(code).toBe(0);
    expect(asked).toEqual([{}]);
    expect(lines).toEqual([
      'Génie Info: ok, 42 events, changes: cancelled 1, moved 2',
      'MKX: ok, 3 events',
    ]);
  });

  it('passes --section on and exits 2 with the error when a section failed', async () => {
    const { code, lines, asked } = await run(
      ['--section', 'Génie Info'],
      [
        summary({
          status: 'failed',
          errorCode: 'source.http',
          errorMessage: 'HTTP 503',
          events: 0,
        }),
      ],
    );
    expect(asked).toEqual([{ section: 'Génie Info' }]);
    expect(code).toBe(2);
    expect(lines).toEqual(['Génie Info: failed (source.http), 0 events - HTTP 503']);
  });

  it('prints one JSON object per section with --json', async () => {
    const { code, lines } = await run(
      ['--json'],
      [
        summary({ changes: { added: 1 } }),
        summary({ status: 'failed', errorCode: 'source.login' }),
      ],
    );
    expect(code).toBe(2);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { section: 'Génie Info', status: 'ok', events: 42, changes: { added: 1 }, durationMs: 120 },
      { section: 'Génie Info', status: 'source.login', events: 42, changes: {}, durationMs: 120 },
    ]);
  });
});
