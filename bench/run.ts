// npm run bench: runs every bench/*.bench.ts in turn (each prints its own figures).
// Benchmarks are not tests: they report ratios measured side by side in one run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const files = readdirSync(new URL('.', import.meta.url))
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only.length === 0 || only.some((filter) => name.includes(filter)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(process.execPath, [new URL(file, import.meta.url).pathname], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed += 1;
}
console.log(`\n${files.length - failed} benchmark(s) ran, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
