/**
 * The scrape pipeline on a 5,000-event ADE-like calendar, against a bare ical.js parse of the same
 * bytes in the same process (not a test; run with `node bench/pipeline.bench.ts`).
 *
 *   bare      ICAL.parse + new Component + every VEVENT's properties read
 *   baseline  decode + parse + normalize + diff + commitScrape into a real SQLite file (first run)
 *   unchanged decode + parse + normalize + listCurrent + diff + commitScrape of a re-export whose
 *             only differences are the volatile fields (DTSTAMP, LAST-MODIFIED, SEQUENCE, stamp)
 *
 * Targets (issue 2): baseline ≤ 3× bare, unchanged ≤ 1.5× bare.
 * Options: BENCH_EVENTS (default 5000), BENCH_ITERATIONS (default 7).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import ICAL from 'ical.js';
import { toSectionKey, type SectionSpec } from '../src/core/index.ts';
import { createRepositories, openDatabase, runMigrations } from '../src/db/index.ts';
import { diffTimetables } from '../src/scraper/diff.ts';
import { decodeCalendarBytes, parseIcsCalendar } from '../src/scraper/ics.ts';

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

const SECTION: SectionSpec = {
  key: toSectionKey('bench'),
  name: 'bench',
  source: { kind: 'file', path: 'bench.ics' },
};

function freshStore() {
  const dir = mkdtempSync(join(tmpdir(), 'pp-bench-'));
  const handle = openDatabase({ path: join(dir, 'bench.db') });
  runMigrations(handle.db);
  const repositories = createRepositories(handle.db);
  const [row] = repositories.sections.sync([SECTION], NOW);
  if (row === undefined) throw new Error('no section row');
  return {
    repositories,
    sectionId: row.id,
    dispose() {
      handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Store = ReturnType<typeof freshStore>;

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

function measure(label: string, prepare: () => () => void): number {
  const samples: number[] = [];
  for (let round = 0; round < WARMUP + ITERATIONS; round += 1) {
    const run = prepare();
    const started = performance.now();
    run();
    const elapsed = performance.now() - started;
    if (round >= WARMUP) samples.push(elapsed);
  }
  const ms = median(samples);
  console.log(
    `${label.padEnd(10)} median ${ms.toFixed(1).padStart(8)} ms  ` +
      `${Math.round((EVENTS / ms) * 1000)
        .toLocaleString('en')
        .padStart(9)} events/s  ` +
      `(min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)})`,
  );
  return ms;
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
const bare = measure('bare', () => () => {
  bareParse(first);
});
const baseline = measure('baseline', () => {
  const store = freshStore();
  stores.push(store);
  return () => {
    scrape(store, first, true);
  };
});
const unchanged = measure('unchanged', () => {
  const store = freshStore();
  stores.push(store);
  scrape(store, first, true);
  return () => {
    const result = scrape(store, reexport, false);
    if (result.status !== 'unchanged') throw new Error(`re-scrape saw ${result.status}`);
  };
});
for (const store of stores) store.dispose();

const verdict = (ratio: number, target: number) =>
  `${ratio.toFixed(2)}× bare (target ≤ ${target}×: ${ratio <= target ? 'met' : 'MISSED'})`;
console.log(`baseline  ${verdict(baseline / bare, 3)}`);
console.log(`unchanged ${verdict(unchanged / bare, 1.5)}`);
