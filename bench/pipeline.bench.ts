/**
 * The scrape pipeline on a 5,000-event ADE-like calendar, against a bare ical.js parse of the same
 * bytes in the same process (not a test; run with `node bench/pipeline.bench.ts`).
 *
 *   bare       ICAL.parse + new Component + every VEVENT's properties read
 *   baseline   decode + parse + normalize + diff + commitScrape into a real SQLite file (first run)
 *   full diff  decode + parse + normalize + listCurrent + diff + commitScrape of a re-export whose
 *              only differences are the volatile fields (DTSTAMP, LAST-MODIFIED, SEQUENCE, stamp)
 *   re-scrape  the same re-export through createScraper().runOnce() (file source): what the
 *              schedule runs; it recognises the unchanged payload and skips parse and diff
 *
 * Targets (issue 2): baseline ≤ 3× bare, unchanged re-scrape ≤ 1.5× bare.
 * Options: BENCH_EVENTS (default 5000), BENCH_ITERATIONS (default 7).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import ICAL from 'ical.js';
import { createLogger, toSectionKey, type SectionSpec } from '../src/core/index.ts';
import { createRepositories, openDatabase, runMigrations } from '../src/db/index.ts';
import { diffTimetables } from '../src/scraper/diff.ts';
import { createHttpClient } from '../src/scraper/http-client.ts';
import { decodeCalendarBytes, parseIcsCalendar } from '../src/scraper/ics.ts';
import { createScraper } from '../src/scraper/scraper.ts';
import { createIcsFileSource } from '../src/scraper/sources/ics-url.source.ts';
import { createSourceRegistry } from '../src/scraper/sources/registry.ts';
import { formatEventLoop, measureScrapeEventLoop } from './feed/event-loop.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 7);
const WARMUP = 2;
const NOW = new Date('2026-09-01T08:00:00Z');
const PARSE_CONTEXT = { timeZone: 'Europe/Paris', now: NOW, horizonDays: 365 };

const COURSES = [
  'Algorithmique avancée',
  'Bases de données',
  'Réseaux et protocoles',
  'Systèmes d’exploitation',
  'Anglais',
  'Probabilités et statistiques',
  'Génie logiciel',
  'Projet tutoré',
  'Compilation',
  'Sécurité informatique',
];
const TEACHERS = ['DUPONT Marie', 'MARTIN Paul', 'BERNARD Luc', 'PETIT Julien', 'ROUX Claire'];
const ROOMS = ['Amphi A', 'Amphi B', 'B101', 'B203', 'C012', 'C014', 'D004', 'Labo 3'];
const GROUPS = ['L3 INFO', 'L3 INFO TD1', 'L3 INFO TD2', 'L3 MIAGE', 'L3 INFO TP3'];

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function fold(line: string): string {
  const parts: string[] = [];
  let rest = line;
  while (rest.length > 75) {
    parts.push(rest.slice(0, 75));
    rest = ` ${rest.slice(75)}`;
  }
  parts.push(rest);
  return parts.join('\r\n');
}

/** An ADE export of `count` classes over a school year; `exportedAt` changes only volatile fields. */
function adeCalendar(count: number, exportedAt: Date): Buffer {
  const exported = stamp(exportedAt);
  const french = exportedAt.toISOString().replace(/^(\d+)-(\d+)-(\d+)T(\d+:\d+).*$/, '$3/$2/$1 $4');
  const sequence = 2_141_000_000 + (Math.floor(exportedAt.getTime() / 60_000) % 1_000_000);
  const lines = [
    'BEGIN:VCALENDAR',
    'METHOD:REQUEST',
    'PRODID:-//ADE/version 6.0',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
  ];
  const slots = [7.5, 9.75, 12.25, 14.5]; // UTC hours of the four daily slots
  for (let index = 0; index < count; index += 1) {
    const day = Math.floor(index / slots.length);
    const start = new Date(NOW.getTime() + day * 86_400_000);
    start.setUTCHours(0, (slots[index % slots.length] ?? 8) * 60, 0, 0);
    const end = new Date(start.getTime() + 7_200_000);
    const course = COURSES[index % COURSES.length] ?? '';
    const teacher = TEACHERS[index % TEACHERS.length] ?? '';
    const group = GROUPS[index % GROUPS.length] ?? '';
    const description = `\\n\\n${group}\\n${teacher}\\n(Exporté le:${french})\\n`;
    lines.push(
      'BEGIN:VEVENT',
      `DTSTAMP:${exported}`,
      `DTSTART:${stamp(start)}`,
      `DTEND:${stamp(end)}`,
      `SUMMARY:${index % 3 === 0 ? 'TD ' : ''}${course}`,
      `LOCATION:${ROOMS[index % ROOMS.length] ?? ''}`,
      `DESCRIPTION:${description}`,
      `UID:ADE60506c616e6e696e6732303236${(100_000 + index).toString(16)}2d302d30`,
      'CREATED:19700101T000000Z',
      `LAST-MODIFIED:${exported}`,
      `SEQUENCE:${sequence}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return Buffer.from(`${lines.map(fold).join('\r\n')}\r\n`, 'utf8');
}

/** What any consumer of ical.js does at least: parse, wrap, read each event's properties. */
function bareParse(bytes: Buffer): number {
  const root = new ICAL.Component(ICAL.parse(bytes.toString('utf8')) as unknown[]);
  let seen = 0;
  for (const vevent of root.getAllSubcomponents('vevent')) {
    const values = [
      vevent.getFirstPropertyValue('uid'),
      vevent.getFirstPropertyValue('summary'),
      vevent.getFirstPropertyValue('location'),
      vevent.getFirstPropertyValue('description'),
      vevent.getFirstPropertyValue('dtstart'),
      vevent.getFirstPropertyValue('dtend'),
    ];
    if (values[0] !== null) seen += 1;
  }
  return seen;
}

function freshStore() {
  const dir = mkdtempSync(join(tmpdir(), 'pp-bench-'));
  const section: SectionSpec = {
    key: toSectionKey('bench'),
    name: 'bench',
    source: { kind: 'file', path: join(dir, 'bench.ics') },
  };
  const handle = openDatabase({ path: join(dir, 'bench.db') });
  runMigrations(handle.db);
  const repositories = createRepositories(handle.db);
  const [row] = repositories.sections.sync([section], NOW);
  if (row === undefined) throw new Error('no section row');
  return {
    repositories,
    section,
    sectionId: row.id,
    /** What the file section reads on its next run. */
    serve(bytes: Buffer) {
      writeFileSync(join(dir, 'bench.ics'), bytes);
    },
    dispose() {
      handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Store = ReturnType<typeof freshStore>;

const http = createHttpClient({ userAgent: 'bench', timeoutMs: 10_000, maxBytes: 100_000_000 });

/** The real scraper over a store's file section, on a clock stopped at NOW. */
function scraperFor(store: Store) {
  return createScraper({
    sections: [store.section],
    repositories: store.repositories,
    sourceFor: createSourceRegistry({ file: createIcsFileSource }),
    http,
    clock: { now: () => new Date(NOW) },
    logger: createLogger({ level: 'silent' }),
    timeZone: PARSE_CONTEXT.timeZone,
    settings: { intervalSeconds: 300, horizonDays: 365, dropConfirmations: 3, backoffMaxMs: 3.6e6 },
    recordAlerts: false,
  });
}

/** One scrape as scraper.ts does it, minus the network. */
function scrape(store: Store, bytes: Buffer, baseline: boolean) {
  const { repositories, sectionId } = store;
  const runId = repositories.scrapeRuns.start(sectionId, 'manual', NOW);
  const parsed = parseIcsCalendar(decodeCalendarBytes(bytes), PARSE_CONTEXT);
  const previous = baseline ? [] : repositories.events.listCurrent(sectionId);
  const diff = diffTimetables(previous, parsed.events, { now: NOW });
  return repositories.snapshots.commitScrape({
    sectionId,
    runId,
    at: NOW,
    durationMs: 0,
    events: parsed.events,
    changes: diff.changes,
    remaps: diff.remaps,
    baseline,
    issueCount: parsed.issues.length,
    recordAlert: false,
    nextRunAt: NOW,
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

type Figures = { readonly wall: number; readonly cpu: number };

/**
 * Median wall-clock and CPU time (user + system of this process) over the iterations. CPU time is
 * printed too because a loaded machine stretches wall time unevenly between the phases.
 */
async function measure(
  label: string,
  prepare: () => Promise<() => unknown> | (() => unknown),
): Promise<Figures> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < WARMUP + ITERATIONS; round += 1) {
    const run = await prepare();
    const startedCpu = process.cpuUsage();
    const started = performance.now();
    await run();
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(startedCpu);
    if (round >= WARMUP) {
      wall.push(elapsed);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  const figures = { wall: median(wall), cpu: median(cpu) };
  console.log(
    `${label.padEnd(11)} median ${figures.wall.toFixed(1).padStart(8)} ms  ` +
      `${Math.round((EVENTS / figures.wall) * 1000)
        .toLocaleString('en')
        .padStart(9)} events/s  ` +
      `cpu ${figures.cpu.toFixed(1).padStart(8)} ms  ` +
      `(wall min ${Math.min(...wall).toFixed(1)}, max ${Math.max(...wall).toFixed(1)})`,
  );
  return figures;
}

const first = adeCalendar(EVENTS, new Date('2026-09-01T06:00:00Z'));
const reexport = adeCalendar(EVENTS, new Date('2026-09-01T06:05:00Z'));
console.log(
  `pipeline bench: ${EVENTS} events, ${(first.length / 1024 / 1024).toFixed(2)} MiB, ` +
    `${ITERATIONS} iterations (+${WARMUP} warm-up), node ${process.version}`,
);

// Sanity: both exports parse to every event, and the re-export changes nothing.
{
  const store = freshStore();
  const base = scrape(store, first, true);
  const again = scrape(store, reexport, false);
  store.dispose();
  if (base.eventCount !== EVENTS || again.status !== 'unchanged' || bareParse(first) !== EVENTS) {
    throw new Error(`bench calendar broken: ${JSON.stringify({ base, again })}`);
  }
}

const stores: Store[] = [];
const bare = await measure('bare', () => () => bareParse(first));
const baseline = await measure('baseline', () => {
  const store = freshStore();
  stores.push(store);
  return () => scrape(store, first, true);
});
const fullDiff = await measure('full diff', () => {
  const store = freshStore();
  stores.push(store);
  scrape(store, first, true);
  return () => {
    const result = scrape(store, reexport, false);
    if (result.status !== 'unchanged') throw new Error(`re-scrape saw ${result.status}`);
  };
});
const rescrape = await measure('re-scrape', async () => {
  const store = freshStore();
  stores.push(store);
  const scraper = scraperFor(store);
  store.serve(first);
  await scraper.runOnce();
  store.serve(reexport);
  return async () => {
    const [summary] = await scraper.runOnce();
    if (summary?.status !== 'unchanged') throw new Error(`re-scrape saw ${summary?.status}`);
  };
});
for (const store of stores) store.dispose();
await http.close();

const verdict = (figures: Figures, target?: number) => {
  const ratio = figures.wall / bare.wall;
  const cpuRatio = figures.cpu / bare.cpu;
  const goal =
    target === undefined ? '' : `; target ≤ ${target}×: ${ratio <= target ? 'met' : 'MISSED'}`;
  return `${ratio.toFixed(2)}× bare (cpu ${cpuRatio.toFixed(2)}×${goal})`;
};
console.log(`baseline    ${verdict(baseline, 3)}`);
console.log(`re-scrape   ${verdict(rescrape, 1.5)}`);
console.log(`full diff   ${verdict(fullDiff)} (an unchanged re-export diffed event by event)`);

// Issue 13: the app thread's event loop while a big calendar is scraped (the feed server shares
// it). Targets: worst delay ≤ 50 ms in the worker during a 20,000-event scrape; RSS within 1.5×.
// BENCH_ELD_EVENTS (default 10000,20000); BENCH_ELD_INLINE=1 adds the app-thread figure.
for (const count of (process.env.BENCH_ELD_EVENTS ?? '10000,20000').split(',').map(Number)) {
  const big = adeCalendar(count, new Date('2026-09-01T06:00:00Z'));
  const inWorker = await measureScrapeEventLoop(count, big, 'worker');
  console.log(formatEventLoop('worker', inWorker));
  if (process.env.BENCH_ELD_INLINE === '1') {
    console.log(
      formatEventLoop('app thread', await measureScrapeEventLoop(count, big, 'app thread')),
    );
  }
}
