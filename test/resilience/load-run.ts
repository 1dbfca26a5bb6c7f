/**
 * Feed load while scrapes with changes run: the real app (createApp) in its own process
 * (load-driver.ts, so its RSS is its own), a loopback ICS upstream that renames a few events on
 * every request, autocannon here against 20 personal feed URLs.
 * Shared by bench/load.bench.ts (60 s, 100 connections) and test/resilience/load.test.ts (short).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

type AutocannonResult = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
};
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests?: { method: string; path: string }[];
}) => Promise<AutocannonResult>;
// autocannon ships no types; this is the part of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const DRIVER = new URL('./load-driver.ts', import.meta.url).pathname;

export type LoadFigures = {
  durationS: number;
  connections: number;
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  scrapes: Record<string, number>;
  changesRecorded: number;
  /** Resident memory of the app's process (after a full GC). */
  rssAfterWarmupMb: number;
  rssEndMb: number;
  secretsInLogs: number;
  logLinesAtWarnOrAbove: number;
};

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? Number.NaN) / 1024;
}

async function rssAfterGc(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 500));
  return rssMb(pid);
}

export async function runFeedLoad(options: {
  durationS: number;
  warmupS: number;
  connections: number;
  scrapeEveryMs: number;
}): Promise<LoadFigures> {
  const child = spawn(process.execPath, ['--expose-gc', DRIVER], {
    env: { ...process.env, LOAD_SCRAPE_EVERY_MS: String(options.scrapeEveryMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<unknown> => {
    const line = await lines.next();
    if (line.done === true) throw new Error('the load driver exited');
    return JSON.parse(line.value) as unknown;
  };
  const pid = child.pid;
  if (pid === undefined) throw new Error('the load driver did not start');
  try {
    const { address, tokens } = (await next()) as { address: string; tokens: string[] };
    const requests = tokens.map((token) => ({ method: 'GET', path: `/feeds/${token}.ics` }));
    await autocannon({
      url: address,
      connections: options.connections,
      duration: options.warmupS,
      requests,
    });
    const rssAfterWarmup = await rssAfterGc(pid);
    const result = await autocannon({
      url: address,
      connections: options.connections,
      duration: options.durationS,
      requests,
    });
    const rssEnd = await rssAfterGc(pid);
    child.kill('SIGTERM');
    const end = (await next()) as {
      scrapes: Record<string, number>;
      changes: number;
      secretsInLogs: number;
      logLines: number;
    };
    return {
      durationS: options.durationS,
      connections: options.connections,
      requestsPerSecond: result.requests.average,
      requests: result.requests.total,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statusCodes: Object.fromEntries(
        Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count]),
      ),
      scrapes: end.scrapes,
      changesRecorded: end.changes,
      rssAfterWarmupMb: rssAfterWarmup,
      rssEndMb: rssEnd,
      secretsInLogs: end.secretsInLogs,
      logLinesAtWarnOrAbove: end.logLines,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

export function formatLoad(figures: LoadFigures): string {
  return (
    `${figures.durationS} s at ${figures.connections} connections: ${figures.requestsPerSecond.toFixed(0)} req/s ` +
    `(${figures.requests} requests), p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, max ${figures.maxMs} ms; ` +
    `errors ${figures.errors}, timeouts ${figures.timeouts}, non-2xx ${figures.non2xx}, status ${JSON.stringify(figures.statusCodes)}; ` +
    `scrapes ${JSON.stringify(figures.scrapes)}, ${figures.changesRecorded} changes recorded; ` +
    `app RSS after warm-up ${figures.rssAfterWarmupMb.toFixed(0)} MB, at the end ${figures.rssEndMb.toFixed(0)} MB ` +
    `(${(((figures.rssEndMb - figures.rssAfterWarmupMb) / figures.rssAfterWarmupMb) * 100).toFixed(1)}%)`
  );
}
