/**
 * Fuzzing the parsers with seeded mutations of the fixtures: every input must end as a result
 * (events + issues) or as an AppError with a scraper.* code and a message; nothing else may escape.
 * Inputs are capped in size (the HTTP client's size cap is checked separately on loopback) so the
 * run always completes; the slowest input and the heap growth are reported, not asserted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../src/core/index.ts';
import { createHttpClient, type HttpClient } from '../../src/scraper/index.ts';
import { decodeCalendarBytes, parseIcsCalendar } from '../../src/scraper/ics.ts';
import { createAurionSource } from '../../src/scraper/sources/aurion.source.ts';
import {
  inspectPartialResponse,
  parseScheduleJson,
} from '../../src/scraper/sources/aurion-parse.ts';
import { createTestConfig } from '../helpers/config.ts';
import { createRandom, suiteSeed, type Random } from './helpers.ts';

const ICS_INPUTS = Number(process.env.FUZZ_ICS ?? 6_000);
const AURION_INPUTS = Number(process.env.FUZZ_AURION ?? 4_000);
/** No mutated input grows beyond this (the real cap is the HTTP client's, tested below). */
const MAX_INPUT_BYTES = 512 * 1024;
const CONTEXT = {
  timeZone: 'Europe/Paris',
  now: new Date('2026-09-01T08:00:00Z'),
  horizonDays: 365,
};

const ICS_DIR = new URL('../fixtures/ics/', import.meta.url).pathname;
const AURION_DIR = new URL('../fixtures/sources/aurion/', import.meta.url).pathname;

type Mutation = { readonly name: string; apply(input: Buffer, random: Random): Buffer };

function lines(input: Buffer): string[] {
  return input.toString('latin1').split(/\r?\n/);
}
function join2(parts: readonly string[]): Buffer {
  return Buffer.from(parts.join('\r\n'), 'latin1');
}
function randomBytes(random: Random, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let index = 0; index < length; index += 1) out[index] = random.int(0, 255);
  return out;
}
function spliceAt(input: Buffer, at: number, insert: Buffer, remove = 0): Buffer {
  return Buffer.concat([input.subarray(0, at), insert, input.subarray(at + remove)]);
}

const BAD_DATES = [
  '20261399T256099',
  '00000000T000000Z',
  '99999999T999999Z',
  '2026-09-01',
  'abc',
  '',
  '20260230T120000',
  '20261025T023000',
  '-1',
  '1e308',
  '20260901T080000ZZZ',
  '2026090',
];

/** Mutations shared by ICS and Aurion bodies. */
const COMMON: Mutation[] = [
  {
    name: 'truncate',
    apply: (input, random) => input.subarray(0, random.int(0, input.length)),
  },
  {
    name: 'byte-flips',
    apply(input, random) {
      const out = Buffer.from(input);
      for (let n = random.int(1, 16); n > 0 && out.length > 0; n -= 1) {
        out[random.int(0, out.length - 1)] = random.int(0, 255);
      }
      return out;
    },
  },
  {
    name: 'random-insert',
    apply: (input, random) =>
      spliceAt(input, random.int(0, input.length), randomBytes(random, random.int(1, 64))),
  },
  {
    name: 'huge-line',
    apply(input, random) {
      const size = random.int(10_000, MAX_INPUT_BYTES - input.length - 16);
      const filler = Buffer.alloc(
        size,
        random.pick(['A', 'é', '\\,', ';', ':', '"'].map((c) => c)),
      );
      return spliceAt(input, random.int(0, input.length), filler);
    },
  },
  {
    name: 'utf16',
    apply: (input) => Buffer.from(input.toString('latin1'), 'utf16le'),
  },
  {
    name: 'utf16-bom',
    apply: (input) =>
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(input.toString('utf8'), 'utf16le')]),
  },
  {
    name: 'latin1-reencode',
    apply: (input) => Buffer.from(input.toString('utf8'), 'latin1'),
  },
  {
    name: 'nul-bytes',
    apply(input, random) {
      let out = input;
      for (let n = random.int(1, 8); n > 0; n -= 1)
        out = spliceAt(out, random.int(0, out.length), Buffer.from([0]));
      return out;
    },
  },
  {
    name: 'invalid-utf8',
    apply: (input, random) =>
      spliceAt(input, random.int(0, input.length), Buffer.from([0xc3, 0x28, 0xf0, 0x90, 0xe2])),
  },
  {
    name: 'empty',
    apply: () => Buffer.alloc(0),
  },
  {
    name: 'bom-only',
    apply: () => Buffer.from([0xef, 0xbb, 0xbf]),
  },
];

const ICS_ONLY: Mutation[] = [
  {
    name: 'bad-folding',
    apply(input, random) {
      const parts = lines(input);
      for (let n = random.int(1, 6); n > 0; n -= 1) {
        const at = random.int(0, parts.length - 1);
        const line = parts[at] ?? '';
        const cut = random.int(0, line.length);
        // A fold without the leading space, or a fold in the middle of a multi-byte character.
        parts.splice(
          at,
          1,
          line.slice(0, cut),
          random.pick(['', ' ', '\t', '  ']) + line.slice(cut),
        );
      }
      return join2(parts);
    },
  },
  {
    name: 'fold-mid-utf8',
    apply(input, random) {
      const at = random.int(0, input.length);
      return spliceAt(input, at, Buffer.from([0xc3, 0x0d, 0x0a, 0x20, 0xa9]));
    },
  },
  {
    name: 'invalid-dates',
    apply(input, random) {
      const parts = lines(input).map((line) =>
        /^(DTSTART|DTEND|RECURRENCE-ID|EXDATE|DUE|DTSTAMP)[;:]/.test(line) && random.chance(0.5)
          ? line.replace(/:[^:]*$/, `:${random.pick(BAD_DATES)}`)
          : line,
      );
      return join2(parts);
    },
  },
  {
    name: 'bad-tzid',
    apply: (input, random) =>
      join2(
        lines(input).map((line) =>
          line.replace(
            /TZID=[^:;]*/,
            `TZID=${random.pick(['Mars/Olympus', '', '"', 'UTC+99', '../../etc/passwd'])}`,
          ),
        ),
      ),
  },
  {
    name: 'deep-nesting',
    apply(input, random) {
      const depth = random.int(50, 3_000);
      const name = random.pick(['VALARM', 'X-NEST', 'VEVENT', 'VCALENDAR']);
      const nest = [
        ...Array<string>(depth).fill(`BEGIN:${name}`),
        ...Array<string>(random.chance(0.5) ? depth : 0).fill(`END:${name}`),
      ];
      const parts = lines(input);
      const at = parts.findIndex((line) => line === 'BEGIN:VEVENT');
      parts.splice(at >= 0 ? at + 1 : random.int(0, parts.length), 0, ...nest);
      return join2(parts);
    },
  },
  {
    name: 'unbalanced',
    apply(input, random) {
      const parts = lines(input).filter(
        (line) => !(/^(BEGIN|END):/.test(line) && random.chance(0.3)),
      );
      return join2(parts);
    },
  },
  {
    name: 'recurrence-bomb',
    apply(input, random) {
      // One series per input: 2,000 occurrences cost ~0.1 s. A bomb in each of thousands of
      // events is the calendar-wide expansion bug pinned by its own test below.
      if (input.toString('latin1').split('BEGIN:VEVENT').length > 21) return input;
      const rule = random.pick(BOMB_RULES);
      const parts = lines(input);
      const starts = parts.flatMap((line, index) => (line === 'BEGIN:VEVENT' ? [index] : []));
      if (starts.length === 0) return input;
      parts.splice(random.pick(starts) + 1, 0, rule);
      return join2(parts);
    },
  },
  {
    name: 'many-events',
    apply(input, random) {
      if (/^RRULE:FREQ=(SECONDLY|MINUTELY)/m.test(input.toString('latin1'))) return input;
      const count = random.int(100, 2_000);
      const events = Array.from({ length: count }, (_, index) =>
        [
          'BEGIN:VEVENT',
          `UID:bulk-${index}`,
          `DTSTART:202609${String((index % 28) + 1).padStart(2, '0')}T080000Z`,
          'DURATION:PT1H',
          `SUMMARY:Bulk ${index}`,
          'END:VEVENT',
        ].join('\r\n'),
      );
      const text = input.toString('latin1');
      const at = text.lastIndexOf('END:VCALENDAR');
      return Buffer.from(
        at >= 0 ? `${text.slice(0, at)}${events.join('\r\n')}\r\n${text.slice(at)}` : text,
        'latin1',
      );
    },
  },
  {
    name: 'shuffle-lines',
    apply(input, random) {
      const parts = lines(input);
      for (let n = random.int(1, 10); n > 0; n -= 1) {
        const a = random.int(0, parts.length - 1);
        const b = random.int(0, parts.length - 1);
        [parts[a], parts[b]] = [parts[b] ?? '', parts[a] ?? ''];
      }
      return join2(parts);
    },
  },
  {
    name: 'drop-lines',
    apply: (input, random) => join2(lines(input).filter(() => !random.chance(0.15))),
  },
  {
    name: 'weird-params',
    apply: (input, random) =>
      join2(
        lines(input).map((line) =>
          random.chance(0.2)
            ? line.replace(
                /^([A-Z-]+)/,
                `$1;${random.pick(['X=";"', 'VALUE=DATE', 'VALUE=BINARY;ENCODING=BASE64', 'TZID=', '=', ';;;'])}`,
              )
            : line,
        ),
      ),
  },
];

const AURION_ONLY: Mutation[] = [
  {
    name: 'json-dates',
    apply: (input, random) =>
      Buffer.from(
        input
          .toString('utf8')
          .replace(/"(start|end)"\s*:\s*"[^"]*"/g, (match, key: string) =>
            random.chance(0.5)
              ? `"${key}": "${random.pick([...BAD_DATES, '2026-10-23T08:00:00+9999', '2026-13-45T25:61:00'])}"`
              : match,
          ),
        'utf8',
      ),
  },
  {
    name: 'json-types',
    apply: (input, random) =>
      Buffer.from(
        input
          .toString('utf8')
          .replace(
            /"(id|title|start|end|allDay|className)"\s*:\s*("[^"]*"|\w+)/g,
            (match, key: string) =>
              random.chance(0.3)
                ? `"${key}": ${random.pick(['null', '[]', '{}', '0', 'true', '-1e999', '"\\ud800"'])}`
                : match,
          ),
        'utf8',
      ),
  },
  {
    name: 'json-deep',
    apply(input, random) {
      const depth = random.int(100, 50_000);
      const deep = `${'['.repeat(depth)}${random.chance(0.5) ? ']'.repeat(depth) : ''}`;
      return Buffer.from(
        input.toString('utf8').replace(/"events"\s*:\s*\[/, `"events" : [${deep},`),
        'utf8',
      );
    },
  },
  {
    name: 'cdata-breakout',
    apply: (input, random) =>
      Buffer.from(
        input
          .toString('utf8')
          .replace(
            '<![CDATA[{',
            random.pick(['<![CDATA[]]>{', '<![CDATA[<![CDATA[{', '{', '<![CDATA[ {']),
          ),
        'utf8',
      ),
  },
  {
    name: 'many-events',
    apply(input, random) {
      const count = random.int(100, 3_000);
      const events = Array.from(
        { length: count },
        (_, index) =>
          `{"id": "${index}","title": "Cours\\nSalle ${index}","start": "2026-10-${String((index % 28) + 1).padStart(2, '0')}T08:00:00+0200","end": "2026-10-${String((index % 28) + 1).padStart(2, '0')}T10:00:00+0200","allDay":false}`,
      );
      return Buffer.from(
        input
          .toString('utf8')
          .replace(
            /"events"\s*:\s*\[/,
            `"events" : [${events.join(',')}${random.chance(0.5) ? ',' : ''}`,
          ),
        'utf8',
      );
    },
  },
  {
    name: 'partial-tags',
    apply: (input, random) =>
      Buffer.from(
        input
          .toString('utf8')
          .replace(
            random.pick(['</partial-response>', '<changes>', '</update>', '<partial-response']),
            random.pick([
              '',
              '<error><error-name>x</error-name></error>',
              '<redirect url="/login"/>',
              '<partial-response>',
            ]),
          ),
        'utf8',
      ),
  },
];

function fixtures(dir: string, pattern: RegExp): { name: string; bytes: Buffer }[] {
  return readdirSync(dir)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

type Tally = {
  ok: number;
  issues: number;
  rejected: Map<string, number>;
  crashes: { index: number; mutations: string; error: string }[];
  slowestMs: number;
  slowest: string;
  totalMs: number;
  maxBytes: number;
  /** Time spent per mutation name (an input with several mutations counts for each). */
  byMutation: Map<string, { count: number; ms: number; maxMs: number }>;
};

function newTally(): Tally {
  return {
    ok: 0,
    issues: 0,
    rejected: new Map(),
    crashes: [],
    slowestMs: 0,
    slowest: '',
    totalMs: 0,
    maxBytes: 0,
    byMutation: new Map(),
  };
}

function classify(
  tally: Tally,
  label: string,
  index: number,
  run: () => { issues: readonly unknown[] },
): void {
  const started = performance.now();
  try {
    const result = run();
    tally.ok += 1;
    if (result.issues.length > 0) tally.issues += 1;
  } catch (error) {
    if (isAppError(error) && error.code.startsWith('scraper.') && error.message.length > 0) {
      tally.rejected.set(error.code, (tally.rejected.get(error.code) ?? 0) + 1);
    } else {
      tally.crashes.push({
        index,
        mutations: label,
        error:
          error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error),
      });
    }
  }
  const elapsed = performance.now() - started;
  tally.totalMs += elapsed;
  for (const name of new Set(label.split(':').at(-1)?.split('+'))) {
    const entry = tally.byMutation.get(name) ?? { count: 0, ms: 0, maxMs: 0 };
    entry.count += 1;
    entry.ms += elapsed;
    entry.maxMs = Math.max(entry.maxMs, elapsed);
    tally.byMutation.set(name, entry);
  }
  if (elapsed > tally.slowestMs) {
    tally.slowestMs = elapsed;
    tally.slowest = `#${index} ${label}`;
  }
}

const BOMB_RULES = [
  'RRULE:FREQ=MINUTELY;COUNT=1000000',
  'RRULE:FREQ=DAILY;INTERVAL=0',
  'RRULE:FREQ=YEARLY;BYDAY=MO;BYSETPOS=400',
  'RRULE:FREQ=WEEKLY;UNTIL=19700101T000000Z',
  'RRULE:GARBAGE',
];

function mutate(
  base: Buffer,
  pool: readonly Mutation[],
  random: Random,
): { bytes: Buffer; label: string } {
  let bytes = base;
  const names: string[] = [];
  for (let n = random.int(1, 3); n > 0; n -= 1) {
    const mutation = random.pick(pool);
    bytes = mutation.apply(bytes, random);
    names.push(mutation.name);
    if (bytes.length > MAX_INPUT_BYTES) bytes = bytes.subarray(0, MAX_INPUT_BYTES);
  }
  return { bytes, label: names.join('+') };
}

function report(
  what: string,
  seed: number,
  count: number,
  tally: Tally,
  heapBefore: number,
): string {
  const heapAfter = process.memoryUsage().heapUsed;
  const codes = [...tally.rejected.entries()].map(([code, n]) => `${code}=${n}`).join(' ');
  return (
    `[fuzz] ${what}: seed ${seed}, ${count} inputs in ${(tally.totalMs / 1000).toFixed(1)} s ` +
    `(mean ${(tally.totalMs / count).toFixed(2)} ms, slowest ${tally.slowestMs.toFixed(0)} ms: ${tally.slowest}); ` +
    `parsed ${tally.ok} (${tally.issues} with issues), rejected ${count - tally.ok - tally.crashes.length}: ${codes}; ` +
    `crashes ${tally.crashes.length}; largest input ${(tally.maxBytes / 1024).toFixed(0)} KiB; ` +
    `heap ${(heapBefore / 1e6).toFixed(0)} → ${(heapAfter / 1e6).toFixed(0)} MB\n` +
    [...tally.byMutation.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(
        ([name, entry]) =>
          `    ${name}: ${entry.count} inputs, mean ${(entry.ms / entry.count).toFixed(2)} ms, max ${entry.maxMs.toFixed(0)} ms`,
      )
      .join('\n')
  );
}

describe('fuzzing the parsers', () => {
  it(
    `${ICS_INPUTS} mutated ICS files end as events, issues or a scraper.* error`,
    { timeout: 240_000 },
    () => {
      const seed = suiteSeed();
      const random = createRandom(seed);
      const seeds = fixtures(ICS_DIR, /\.(ics|html)$/);
      const pool = [...COMMON, ...ICS_ONLY];
      const tally = newTally();
      const heapBefore = process.memoryUsage().heapUsed;
      for (let index = 0; index < ICS_INPUTS; index += 1) {
        const base = random.pick(seeds);
        const { bytes, label } = mutate(base.bytes, pool, random);
        tally.maxBytes = Math.max(tally.maxBytes, bytes.length);
        classify(tally, `${base.name}:${label}`, index, () =>
          parseIcsCalendar(decodeCalendarBytes(bytes), CONTEXT),
        );
      }
      console.log(report('ics', seed, ICS_INPUTS, tally, heapBefore));
      expect(tally.crashes.slice(0, 20), `seed ${seed}`).toEqual([]);
      expect(tally.ok).toBeGreaterThan(0);
      expect(tally.rejected.size).toBeGreaterThan(1);
    },
  );

  it(
    `${AURION_INPUTS} mutated Aurion partial-responses end as events, issues or a scraper.* error`,
    { timeout: 240_000 },
    () => {
      const seed = suiteSeed() + 1;
      const random = createRandom(seed);
      const seeds = fixtures(AURION_DIR, /^schedule-.*\.xml$/);
      const pool = [...COMMON, ...AURION_ONLY];
      const source = createAurionSource({
        config: createTestConfig({
          SECTIONS: 'A:aurion',
          AURION_URL: 'https://aurion.example',
          AURION_USERNAME: 'fuzz',
          AURION_PASSWORD: 'fuzz-password',
        }).aurion,
      });
      const direct = newTally();
      const viaSource = newTally();
      const heapBefore = process.memoryUsage().heapUsed;
      for (let index = 0; index < AURION_INPUTS; index += 1) {
        const base = random.pick(seeds);
        const { bytes, label } = mutate(base.bytes, pool, random);
        direct.maxBytes = Math.max(direct.maxBytes, bytes.length);
        viaSource.maxBytes = direct.maxBytes;
        classify(direct, `${base.name}:${label}`, index, () => {
          const inspection = inspectPartialResponse(bytes.toString('utf8'), 'form:j_idt118');
          if (inspection.kind !== 'schedule') return { issues: [] };
          return parseScheduleJson(inspection.json, {
            host: 'aurion.example',
            titleStrategy: 'auto',
            timeZone: 'Europe/Paris',
          });
        });
        classify(viaSource, `${base.name}:${label}`, index, () =>
          source.parse(
            {
              fetchedAt: CONTEXT.now,
              parts: [
                {
                  body: bytes,
                  contentType: 'text/xml',
                  origin: 'https://aurion.example/faces/Planning.xhtml#form:j_idt118',
                },
              ],
              coverage: {
                from: new Date('2026-08-31T00:00:00Z'),
                to: new Date('2026-12-31T00:00:00Z'),
              },
            },
            CONTEXT,
          ),
        );
      }
      console.log(
        report('aurion (inspect + parseScheduleJson)', seed, AURION_INPUTS, direct, heapBefore),
      );
      console.log(report('aurion (source.parse)', seed, AURION_INPUTS, viaSource, heapBefore));
      expect(direct.crashes.slice(0, 20), `seed ${seed}`).toEqual([]);
      expect(viaSource.crashes.slice(0, 20), `seed ${seed}`).toEqual([]);
      expect(viaSource.ok).toBeGreaterThan(0);
    },
  );

  it('a lost BEGIN:VEVENT (a stray END closing VCALENDAR early) is scraper.parse_failed, not a TypeError', () => {
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'UID:orphan',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:a',
      'DTSTART:20260901T080000Z',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    expect(() => parseIcsCalendar(text, CONTEXT)).toThrow(
      expect.objectContaining({ code: 'scraper.parse_failed' }),
    );
  });

  it('a UID with a VALUE=DATE parameter does not crash the calendar; the event keeps a stable uid', () => {
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'UID;VALUE=DATE:floating-winter@example.edu',
      'DTSTART:20261207T080000Z',
      'DTEND:20261207T100000Z',
      'SUMMARY:Chimie',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    // ical.js has already reshaped the value as a date ("floa-ti-ng"): odd, but stable.
    const first = parseIcsCalendar(text, CONTEXT).events.map((event) => event.uid);
    expect(first).toHaveLength(1);
    expect(first[0]).not.toBe('');
    expect(parseIcsCalendar(text, CONTEXT).events.map((event) => event.uid)).toEqual(first);
  });

  it('an out-of-range DTSTART (month 13, day 99, hour 25) is an invalid event, not a normalized series to expand', () => {
    // With FREQ=SECONDLY this one 230-byte event cost ~38 s of CPU (measured on the loaded CI box).
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'UID:bad-start',
      'DTSTART:20261399T256099',
      'DURATION:PT1H',
      'RRULE:FREQ=MINUTELY;COUNT=1000000',
      'SUMMARY:x',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const result = parseIcsCalendar(text, CONTEXT);
    expect(result.events.length).toBe(0);
    expect(result.issues.map((issue) => issue.code)).toContain('ics.event_invalid');
  });

  it('a calendar of many minutely series is capped calendar-wide (at most 20,000 events), not expanded to millions', () => {
    // 30 series x the per-series cap of 2,000 = 60,000 occurrences. Scaled up (2,000 such series,
    // a 200 KB file) the fuzz loop measured minutes of CPU and gigabytes of heap for one scrape.
    const series = Array.from({ length: 30 }, (_, index) =>
      [
        'BEGIN:VEVENT',
        `UID:bomb-${index}`,
        'DTSTART:20260901T080000Z',
        'DURATION:PT1M',
        'RRULE:FREQ=MINUTELY',
        `SUMMARY:Bomb ${index}`,
        'END:VEVENT',
      ].join('\r\n'),
    );
    const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', ...series, 'END:VCALENDAR', ''].join('\r\n');
    let produced = 0;
    let rejection: unknown;
    try {
      produced = parseIcsCalendar(text, CONTEXT).events.length;
    } catch (error) {
      rejection = error;
    }
    // Rejecting the calendar with a scraper.* code would be as good as capping it.
    expect(
      rejection === undefined || (isAppError(rejection) && rejection.code.startsWith('scraper.')),
    ).toBe(true);
    expect(produced).toBeLessThanOrEqual(20_000);
  });

  describe('bodies beyond the size cap, through the real HTTP client on loopback', () => {
    async function withServer(
      handler: Parameters<typeof createServer>[1],
      run: (url: string, client: HttpClient) => Promise<void>,
    ): Promise<void> {
      const server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const client = createHttpClient({
        userAgent: 'fuzz',
        timeoutMs: 10_000,
        maxBytes: 1024 * 1024,
      });
      try {
        await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/cal.ics`, client);
      } finally {
        await client.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        });
      }
    }

    const giant = (): Buffer => {
      const event = Buffer.from(
        'BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260901T080000Z\r\nSUMMARY:Giant\r\nEND:VEVENT\r\n',
      );
      return Buffer.concat([
        Buffer.from('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'),
        ...Array<Buffer>(Math.ceil((5 * 1024 * 1024) / event.length)).fill(event),
        Buffer.from('END:VCALENDAR\r\n'),
      ]);
    };

    it.each([
      ['with a Content-Length', true],
      ['chunked, without a Content-Length', false],
    ])('a 5 MiB calendar %s is scraper.too_large (cap 1 MiB)', async (_label, withLength) => {
      const body = giant();
      await withServer(
        (_request, response) => {
          response.writeHead(200, {
            'content-type': 'text/calendar',
            ...(withLength ? { 'content-length': String(body.length) } : {}),
          });
          // Written in slices so the chunked variant really streams past the cap.
          for (let at = 0; at < body.length; at += 64 * 1024)
            response.write(body.subarray(at, at + 64 * 1024));
          response.end();
        },
        async (url, client) => {
          const heapBefore = process.memoryUsage().heapUsed;
          const error = await client.getBytes(url).then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe('scraper.too_large');
          console.log(
            `[fuzz] 5 MiB body (${withLength ? 'content-length' : 'chunked'}) → ${(error as AppError).code}; heap ${(heapBefore / 1e6).toFixed(0)} → ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
          );
        },
      );
    });

    it('a body exactly at the cap is accepted and parsed', async () => {
      const text = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-PAD:`;
      const tail = '\r\nEND:VCALENDAR\r\n';
      const body = Buffer.from(text + 'a'.repeat(1024 * 1024 - text.length - tail.length) + tail);
      expect(body.length).toBe(1024 * 1024);
      await withServer(
        (_request, response) => {
          response.writeHead(200, { 'content-type': 'text/calendar' });
          response.end(body);
        },
        async (url, client) => {
          const response = await client.getBytes(url);
          expect(response.body.length).toBe(body.length);
          expect(parseIcsCalendar(decodeCalendarBytes(response.body), CONTEXT).events).toEqual([]);
        },
      );
    });
  });
});
