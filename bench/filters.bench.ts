// Personal filters under load: `node bench/filters.bench.ts` (or `npm run bench -- filters`).
// One 1,000-event section with TD/TP groups, courses and class types; 1,000 students whose tokens
// are spread over 30 distinct filters, and 1,000 unfiltered tokens of the same section. The server
// listens on loopback; autocannon rotates over the 1,000 filtered URLs, then over the 1,000
// unfiltered ones, alternating in the same run. Filtered calendars are smaller (fewer events), so
// a third mode isolates the cost of the filter path at equal size: 1,000 more tokens whose filter
// hides a type the section does not have (every event kept). Reports the rendered-calendar cache
// (entries, bytes), process memory and requests/s of each. Not a test: it prints figures.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  createLogger,
  filterKey,
  filterToJson,
  issueFeedToken,
  parseEventFilter,
  systemClock,
  type EventFilter,
  type FeedToken,
  type TimetableEvent,
} from '../src/core/index.ts';
import { buildFeedServer } from '../src/feed/index.ts';
import { seedBenchSection } from './seed-section.ts';

type AutocannonResult = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
};
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests?: { method: 'GET'; path: string }[];
}) => Promise<AutocannonResult>;

// autocannon ships no types; this is the part of its API the bench uses.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const EVENTS = 1_000;
const STUDENTS = 1_000;
const FILTERS = 30;
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
/** Each mode runs this many times, alternating, so drift (heat, GC) hits both alike. */
const ROUNDS = 2;

const GROUPS = [1, 2, 3, 4, 5, 6];
const COURSES = [
  'Mathématiques',
  'Physique',
  'Systèmes d’exploitation',
  'Anglais',
  'Réseaux',
  'Bases de données',
  'Algorithmique',
  'Économie',
];

const { handle, repositories, config, section, now, close } = seedBenchSection({
  tempPrefix: 'pp-bench-filters-',
  events: makeEvents,
  nextRunInMs: 300_000,
});
try {
  const filters = makeFilters();
  const keepAll = parseEventFilter({ hideCategories: ['STAGE'] });
  const filtered: FeedToken[] = [];
  const unfiltered: FeedToken[] = [];
  const keepingAll: FeedToken[] = [];
  const insertTokens = handle.sqlite.transaction(() => {
    for (let index = 0; index < STUDENTS * 3; index++) {
      const issued = issueFeedToken();
      const filter =
        index < STUDENTS ? filters[index % FILTERS] : index < STUDENTS * 2 ? undefined : keepAll;
      repositories.feedTokens.create({
        tokenHash: issued.tokenHash,
        prefix: issued.prefix,
        ownerKind: 'admin',
        owner: `student-${index}`,
        sectionId: section.id,
        filterJson: filter === undefined ? null : filterToJson(filter),
        at: now,
      });
      (index < STUDENTS ? filtered : index < STUDENTS * 2 ? unfiltered : keepingAll).push(
        issued.token,
      );
    }
  });
  insertTokens();

  const logger = createLogger({ level: 'silent' });
  const server = await buildFeedServer({
    config,
    repositories,
    clock: systemClock,
    logger,
    runScrape: () => Promise.resolve([]),
    version: 'bench',
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;

  const memoryBefore = process.memoryUsage();
  const whole = await fetch(`${base}/feeds/${unfiltered[0] ?? ''}.ics`);
  const wholeBytes = (await whole.arrayBuffer()).byteLength;
  let filteredBytes = 0;
  for (const token of filtered.slice(0, FILTERS)) {
    filteredBytes += (await (await fetch(`${base}/feeds/${token}.ics`)).arrayBuffer()).byteLength;
  }
  const keepAllBytes = (
    await (await fetch(`${base}/feeds/${keepingAll[0] ?? ''}.ics`)).arrayBuffer()
  ).byteLength;
  console.log(
    `filters: ${EVENTS} events; ${STUDENTS} students over ${FILTERS} distinct filters, ${STUDENTS} unfiltered tokens, ${STUDENTS} tokens with a keep-all filter; ${CONNECTIONS} connections, ${ROUNDS}×${DURATION_S / ROUNDS} s per mode`,
  );
  console.log(
    `calendar bytes: unfiltered ${wholeBytes}, filtered average ${Math.round(filteredBytes / FILTERS)}, keep-all filter ${keepAllBytes}`,
  );

  const filteredRequests = filtered.map((token) => ({
    method: 'GET' as const,
    path: `/feeds/${token}.ics`,
  }));
  const unfilteredRequests = unfiltered.map((token) => ({
    method: 'GET' as const,
    path: `/feeds/${token}.ics`,
  }));
  const keepAllRequests = keepingAll.map((token) => ({
    method: 'GET' as const,
    path: `/feeds/${token}.ics`,
  }));
  // Warm up JIT and keep-alive connections first.
  await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: 2,
    requests: filteredRequests,
  });
  await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: 2,
    requests: unfilteredRequests,
  });

  const rates = { filtered: [] as number[], unfiltered: [] as number[], keepAll: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    rates.unfiltered.push(await run('unfiltered', base, unfilteredRequests));
    rates.filtered.push(await run('filtered', base, filteredRequests));
    rates.keepAll.push(await run('keep-all', base, keepAllRequests));
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const ratio = mean(rates.filtered) / mean(rates.unfiltered);
  const sameSizeRatio = mean(rates.keepAll) / mean(rates.unfiltered);

  const metrics = await (await fetch(`${base}/metrics`)).text();
  const metric = (name: string) =>
    Number(
      metrics
        .split('\n')
        .find((line) => line.startsWith(`${name} `))
        ?.split(' ')[1] ?? Number.NaN,
    );
  const memoryAfter = process.memoryUsage();
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  console.log(
    `cache: ${metric('planning_proxy_feed_cache_entries')} entries, ${mib(metric('planning_proxy_feed_cache_bytes'))}, ${metric('planning_proxy_feed_cache_renders_total')} renders, ${metric('planning_proxy_feed_cache_evictions_total')} evictions`,
  );
  console.log(
    `memory: rss ${mib(memoryBefore.rss)} → ${mib(memoryAfter.rss)}, heap used ${mib(memoryBefore.heapUsed)} → ${mib(memoryAfter.heapUsed)} (autocannon runs in the same process)`,
  );
  console.log(
    `requests/s: filtered ${mean(rates.filtered).toFixed(0)}, unfiltered ${mean(rates.unfiltered).toFixed(0)}, keep-all filter ${mean(rates.keepAll).toFixed(0)}`,
  );
  console.log(
    `ratio filtered/unfiltered ${ratio.toFixed(2)} (target >= 0.9; filtered calendars are smaller); keep-all/unfiltered at equal size ${sameSizeRatio.toFixed(2)}`,
  );
  await server.close();
} finally {
  close();
}

async function run(
  label: string,
  url: string,
  requests: { method: 'GET'; path: string }[],
): Promise<number> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S / ROUNDS,
    requests,
  });
  const statuses = Object.entries(result.statusCodeStats)
    .map(([status, stat]) => `${status}×${stat.count}`)
    .join(' ');
  console.log(
    `${label.padEnd(11)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  [${statuses}] errors ${result.errors} timeouts ${result.timeouts}`,
  );
  return result.requests.average;
}

/** 30 distinct choices a promotion makes: a TD group and its TP half, some hidden courses/types. */
function makeFilters(): EventFilter[] {
  const filters = new Map<string, EventFilter>();
  for (let index = 0; filters.size < FILTERS; index++) {
    const group = GROUPS[index % GROUPS.length] ?? 1;
    const half = Math.floor(index / GROUPS.length) % 2 === 0 ? 'A' : 'B';
    const variant = Math.floor(index / (GROUPS.length * 2));
    const filter = parseEventFilter({
      groups: [`TD${group}`, `TP${group}${half}`],
      hideCourses: variant === 1 ? ['Anglais'] : variant === 2 ? ['Économie', 'Anglais'] : [],
      hideCategories: variant >= 2 ? ['CM'] : [],
    });
    filters.set(filterKey(filter), filter);
  }
  return [...filters.values()];
}

/** Five slots a day: lectures for the promotion, TD per group, TP per half group, a few exams. */
function makeEvents(now: Date): TimetableEvent[] {
  const day = 86_400_000;
  const monday = Date.UTC(2026, 8, 7, 6, 0, 0);
  return Array.from({ length: EVENTS }, (_, index) => {
    const startsAt = new Date(monday + Math.floor(index / 5) * day + (index % 5) * 7_200_000);
    const course = COURSES[index % COURSES.length] ?? '';
    const group = GROUPS[index % GROUPS.length] ?? 1;
    const kind = index % 20 === 19 ? 'EXAMEN' : (['CM', 'TD', 'TP'] as const)[index % 3];
    const groups =
      kind === 'TD'
        ? [`TD${group}`]
        : kind === 'TP'
          ? [`TP${group}${index % 2 === 0 ? 'A' : 'B'}`]
          : [];
    return {
      uid: `bench-${index}@ade`,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 6_600_000),
      allDay: false,
      title: `${kind ?? 'CM'} ${course}`,
      location: `Bâtiment ${String.fromCharCode(65 + (index % 4))}, salle ${100 + (index % 40)}`,
      teacher: `Enseignant ${index % 17}`,
      description: `Séance ${index}.`,
      status: 'confirmed',
      category: kind ?? 'CM',
      course,
      groups,
      raw: { created: now.toISOString() },
    };
  });
}
