// Feed load under scrapes: `node bench/load.bench.ts` (or `npm run bench -- load`).
// 60 s of autocannon at 100 connections against personal feed URLs of the real app, while a
// scrape with real changes runs every 2 s. The app runs in its own process (RSS after a full GC,
// after warm-up vs at the end). Prints req/s and p99;
// exits 1 on any error or non-2xx answer, a secret in the logs, or RSS growing more than 20%.
import { formatLoad, runFeedLoad } from '../test/resilience/load-run.ts';

const figures = await runFeedLoad({
  durationS: Number(process.env.LOAD_DURATION_S ?? 60),
  warmupS: Number(process.env.LOAD_WARMUP_S ?? 10),
  connections: Number(process.env.LOAD_CONNECTIONS ?? 100),
  scrapeEveryMs: 2_000,
});
console.log(`load: ${formatLoad(figures)}`);
const growth = (figures.rssEndMb - figures.rssAfterWarmupMb) / figures.rssAfterWarmupMb;
const problems = [
  figures.errors + figures.timeouts > 0
    ? `${figures.errors + figures.timeouts} errors/timeouts`
    : '',
  figures.non2xx > 0 ? `${figures.non2xx} non-2xx answers` : '',
  (figures.scrapes.ok ?? 0) === 0 ? 'no scrape with changes ran' : '',
  figures.secretsInLogs > 0 ? `${figures.secretsInLogs} secrets in the logs` : '',
  Math.abs(growth) > 0.2 ? `RSS moved ${(growth * 100).toFixed(1)}% (limit 20%)` : '',
].filter((problem) => problem !== '');
console.log(problems.length === 0 ? 'load: OK' : `load: FAILED: ${problems.join('; ')}`);
process.exitCode = problems.length === 0 ? 0 : 1;
