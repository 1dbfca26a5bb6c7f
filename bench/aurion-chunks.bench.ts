/**
 * How big should an Aurion planning request be? Fetches 26 weeks from the fake webAurion (which
 * answers in 100 ms + 50 ms per requested week) with each chunk size, with the source's real
 * polite pause between requests, and prints the request count and the wall time.
 *
 *   node bench/aurion-chunks.bench.ts
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../src/config.ts';
import { createLogger, systemClock, toSectionKey, type SectionSpec } from '../src/core/index.ts';
import { createHttpClient } from '../src/scraper/http-client.ts';
import { createAurionSource } from '../src/scraper/sources/aurion.source.ts';
import { startFakeAurion, type FakeAurionEvent } from '../test/fakes/fake-aurion.ts';

const CHUNK_SIZES = [1, 2, 4, 8, 13, 26];
const WEEKS = 26;
const PER_REQUEST_MS = 100;
const PER_WEEK_MS = 50;
const PAUSE_MS = 400;
/** docs/sources.md (Aurion, slowness): up to about 6 s per week of planning; SCRAPE_TIMEOUT defaults to 30 s. */
const REAL_WORST_PER_WEEK_MS = 6_000;
const TIMEOUT_MS = 30_000;

const SECTION: SectionSpec = {
  key: toSectionKey('junia'),
  name: 'Junia',
  source: { kind: 'aurion' },
};

function timetable(from: Date): FakeAurionEvent[] {
  const events: FakeAurionEvent[] = [];
  for (let day = 0; day < WEEKS * 7; day += 1) {
    if (day % 7 >= 5) continue;
    for (const hour of [7, 9, 12, 14]) {
      const start = new Date(from.getTime() + day * 86_400_000 + hour * 3_600_000);
      events.push({
        id: String(100_000 + events.length),
        title: `Cours - ISEN B50${hour}\nMatière ${day % 9}\nCours magistral\n${hour + 1}:00 - ${hour + 3}:00\nMonsieur DUPONT Jean\nCIR2`,
        startsAt: start,
        endsAt: new Date(start.getTime() + 2 * 3_600_000),
        className: hour === 14 ? 'TP' : 'COURS',
      });
    }
  }
  return events;
}

async function measure(chunkWeeks: number) {
  const fake = await startFakeAurion({
    perRequestDelayMs: PER_REQUEST_MS,
    perWeekDelayMs: PER_WEEK_MS,
    events: timetable(new Date(Date.now() - 7 * 86_400_000)),
  });
  const http = createHttpClient({
    userAgent: 'PlanningProxy-bench',
    timeoutMs: 60_000,
    maxBytes: 50_000_000,
  });
  const config: Config['aurion'] = {
    url: fake.baseUrl,
    username: 'prenom.nom@student.junia.com',
    password: 'correct horse',
    weeksBefore: 0,
    weeksAfter: WEEKS,
    planningLabel: 'Mon Planning',
    chunkWeeks,
    requestDelayMs: PAUSE_MS,
    titleStrategy: 'auto',
  };
  const source = createAurionSource({ config });
  const context = { http, clock: systemClock, logger: createLogger({ level: 'silent' }) };
  try {
    let started = performance.now();
    const cold = await source.fetchRaw(SECTION, context);
    const coldMs = performance.now() - started;
    const coldRequests = fake.requests.length;
    started = performance.now();
    const warm = await source.fetchRaw(SECTION, context);
    const warmMs = performance.now() - started;
    const warmRequests = fake.requests.length - coldRequests;
    const events = source.parse(warm, {
      timeZone: 'Europe/Paris',
      now: new Date(),
      horizonDays: 365,
    }).events.length;
    if (cold.parts.length !== warm.parts.length) throw new Error('cold and warm fetches differ');
    return {
      chunkWeeks,
      scheduleRequests: warm.parts.length,
      coldRequests,
      coldMs,
      warmRequests,
      warmMs,
      events,
      worstRealRequestS: (chunkWeeks * REAL_WORST_PER_WEEK_MS) / 1000,
    };
  } finally {
    await http.close();
    await fake.close();
  }
}

const rows = [];
for (const size of CHUNK_SIZES) rows.push(await measure(size));

console.log(
  `26-week Aurion fetch, fake answering ${PER_REQUEST_MS} ms + ${PER_WEEK_MS} ms/week, ${PAUSE_MS} ms pause between requests`,
);
console.log(
  'chunk | schedule req | cold: req  wall (s) | warm: req  wall (s) | events | longest real request at 6 s/week',
);
for (const row of rows) {
  const fits = row.worstRealRequestS * 1000 <= TIMEOUT_MS ? 'fits 30 s' : 'exceeds 30 s';
  console.log(
    `${String(row.chunkWeeks).padStart(5)} | ${String(row.scheduleRequests).padStart(12)} | ${String(row.coldRequests).padStart(9)}  ${(row.coldMs / 1000).toFixed(2).padStart(8)} | ${String(row.warmRequests).padStart(9)}  ${(row.warmMs / 1000).toFixed(2).padStart(8)} | ${String(row.events).padStart(6)} | ${row.worstRealRequestS} s (${fits})`,
  );
}
