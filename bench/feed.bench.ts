// Feed server throughput, measured from outside: `npm run bench -- feed`.
// Our feed server (bench/feed/feed-server.ts: real SQLite file, 1,000-event section, 10,000
// tokens) and a bare Fastify server sending the same bytes and headers (bench/feed/bare-server.ts)
// each run in a process of their own; the client is wrk (2 threads, 50 connections) when
// /usr/bin/wrk exists, else autocannon in a child process. Never client and server in one event
// loop: they would share it and the figures would mean nothing.
//
// Reported in one run, best of BENCH_ROUNDS (3) rounds of BENCH_DURATION_S (5) seconds:
//   feed 200 vs bare 200 (same bytes, identity), feed 304 vs bare 304, feed 200 with br, and the
//   bytes on the wire per encoding. Targets (issue 13): 200 ratio >= 0.9, 304 ratio >= 0.7,
//   compressed bytes <= 15% of identity.
// BENCH_CPU_PROF=dir starts our server with `node --cpu-prof --cpu-prof-dir=dir`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const THREADS = 2;
const WRK = '/usr/bin/wrk';
const useWrk = existsSync(WRK) && process.env.BENCH_CLIENT !== 'autocannon';

const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'pp-feed-bench-'));
try {
  const profile = process.env.BENCH_CPU_PROF;
  const feed = await start<{ url: string; token: string }>(
    [...(profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`])],
    new URL('feed/feed-server.ts', import.meta.url).pathname,
    {},
  );
  const feedUrl = `${feed.url}/feeds/${feed.token}.ics`;

  const identity = await fetchRaw(feedUrl, {});
  const gzip = await fetchRaw(feedUrl, { 'accept-encoding': 'gzip' });
  const br = await fetchRaw(feedUrl, { 'accept-encoding': 'gzip, deflate, br' });
  if (identity.status !== 200 || gzip.status !== 200 || br.status !== 200) {
    throw new Error(`feed answered ${identity.status}/${gzip.status}/${br.status}`);
  }
  const etag = identity.headers.etag ?? '';
  const bodyFile = join(dir, 'body.ics');
  writeFileSync(bodyFile, identity.body);
  const bareHeaders: Record<string, string> = {};
  for (const name of [
    'etag',
    'last-modified',
    'cache-control',
    'vary',
    'content-type',
    'content-disposition',
  ]) {
    bareHeaders[name] = identity.headers[name] ?? '';
  }
  const bare = await start<{ url: string }>(
    [],
    new URL('feed/bare-server.ts', import.meta.url).pathname,
    { BARE_BODY_FILE: bodyFile, BARE_HEADERS: JSON.stringify(bareHeaders) },
  );
  const bareUrl = `${bare.url}/bare.ics`;

  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(
    `feed: 1,000 events; client ${useWrk ? `wrk -t${THREADS} -c${CONNECTIONS}` : `autocannon -c${CONNECTIONS}`}, best of ${ROUNDS} × ${DURATION_S} s`,
  );
  console.log(
    `bytes per 200: identity ${kib(identity.body.length)}, gzip ${kib(gzip.body.length)} (${pct(gzip.body.length, identity.body.length)}), br ${kib(br.body.length)} (${pct(br.body.length, identity.body.length)})`,
  );

  const noEncoding = { 'accept-encoding': 'identity' };
  const results = best({
    feed200: ['feed 200 identity', feedUrl, noEncoding],
    bare200: ['bare 200 identity', bareUrl, noEncoding],
    feed304: ['feed 304', feedUrl, { ...noEncoding, 'if-none-match': etag }],
    bare304: ['bare 304', bareUrl, { ...noEncoding, 'if-none-match': etag }],
    feed200br: ['feed 200 br', feedUrl, { 'accept-encoding': 'gzip, deflate, br' }],
  });
  console.log(
    `ratio 200: ${(results.feed200 / results.bare200).toFixed(2)} (target >= 0.9); ratio 304: ${(results.feed304 / results.bare304).toFixed(2)} (target >= 0.7); br bytes ${pct(br.body.length, identity.body.length)} of identity (target <= 15%)`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
  rmSync(dir, { recursive: true, force: true });
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)}%`;
}

async function start<T>(nodeArgs: string[], script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (line.startsWith('{')) return JSON.parse(line) as T;
  }
  throw new Error(`${script} exited before listening`);
}

async function fetchRaw(url: string, headers: Record<string, string>) {
  const response = await request(url, { headers });
  const body = Buffer.from(await response.body.arrayBuffer());
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { status: response.statusCode, headers: flat, body };
}

type Case = readonly [label: string, url: string, headers: Record<string, string>];

/**
 * Best requests/s of each case over ROUNDS rounds (after a warm-up run of each); the cases take
 * turns within a round so that a noisy moment on the machine does not favour one of them.
 */
function best<K extends string>(cases: Record<K, Case>): Record<K, number> {
  const entries = Object.entries(cases) as [K, Case][];
  const top = new Map<K, { rps: number; line: string }>();
  for (const [, [, url, headers]] of entries) drive(url, headers, 2);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [key, [, url, headers]] of entries) {
      const result = drive(url, headers, DURATION_S);
      if (result.rps > (top.get(key)?.rps ?? 0)) top.set(key, result);
    }
  }
  const rps = {} as Record<K, number>;
  for (const [key, [label]] of entries) {
    const result = top.get(key) ?? { rps: 0, line: '' };
    console.log(`${label.padEnd(18)} ${result.rps.toFixed(0).padStart(7)} req/s  ${result.line}`);
    rps[key] = result.rps;
  }
  return rps;
}

/** One run of the load client in a child process; requests/s and a summary line. */
function drive(url: string, headers: Record<string, string>, seconds: number) {
  if (useWrk) {
    const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency'];
    for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
    const run = spawnSync(WRK, [...args, url], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1] ?? 0);
    const p99 = /\s99%\s+(\S+)/.exec(run.stdout)?.[1] ?? '?';
    const transfer = /Transfer\/sec:\s+(\S+)/.exec(run.stdout)?.[1] ?? '?';
    const errors = /Non-2xx or 3xx responses: (\d+)/.exec(run.stdout)?.[1] ?? '0';
    return { rps, line: `p99 ${p99}  ${transfer}/s  non-2xx/3xx ${errors}` };
  }
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = [cli, '-j', '-c', String(CONNECTIONS), '-d', String(seconds)];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  const run = spawnSync(process.execPath, [...args, url], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`autocannon failed: ${run.stderr}`);
  const json = JSON.parse(run.stdout) as {
    requests: { average: number };
    latency: { p99: number };
    throughput: { average: number };
    non2xx: number;
    errors: number;
  };
  return {
    rps: json.requests.average,
    line: `p99 ${json.latency.p99} ms  ${(json.throughput.average / 1048576).toFixed(1)}MB/s  non-2xx ${json.non2xx} errors ${json.errors}`,
  };
}
