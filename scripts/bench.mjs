#!/usr/bin/env node
/**
 * `npm run bench`: builds the app and the benchmarks, runs each benchmark in a fresh
 * process (so one's heap does not weigh on the next), and prints every figure with how it
 * was measured. Separate from `npm test`: figures are printed, never asserted.
 *
 * Usage: node scripts/bench.mjs [ingest|retention|export|ui|startup|history]...
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const all = [
  { name: 'ingest', file: 'ingest.bench.js', flags: [] },
  { name: 'retention', file: 'retention.bench.js', flags: ['--expose-gc'] },
  { name: 'export', file: 'export.bench.js', flags: ['--expose-gc'] },
  { name: 'ui', file: 'ui.bench.js', flags: [] },
  { name: 'startup', file: 'startup.bench.js', flags: [] },
  { name: 'history', file: 'history.bench.js', flags: [] },
];
const wanted = process.argv.slice(2);
if (wanted.includes('soak')) all.push({ name: 'soak', file: 'soak.bench.js', flags: ['--expose-gc'] }); // 10 min (SOAK_MINUTES): only when named
const selected = wanted.length > 0 ? all.filter((bench) => wanted.includes(bench.name)) : all;

for (const step of [
  ['run', '--silent', 'build'],
  ['run', '--silent', 'build:bench'],
]) {
  const result = spawnSync('npm', step, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

console.log(`\nHubwatch benchmarks — node ${process.version}, ${process.platform}/${process.arch}\n`);
const figures = [];
let failed = 0;
for (const bench of selected) {
  const file = join(root, 'out/bench', bench.file);
  if (!existsSync(file)) {
    console.log(`${bench.name}: not built (${file})`);
    failed++;
    continue;
  }
  console.log(`— ${bench.name}`);
  const result = spawnSync(process.execPath, [...bench.flags, file], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith('BENCH_JSON ')) figures.push(...JSON.parse(line.slice('BENCH_JSON '.length)));
    else if (line.trim() !== '') console.log(line);
  }
  if (result.status !== 0) {
    console.log(`${bench.name}: exited ${result.status ?? result.signal}`);
    failed++;
  }
}
console.log(`\n${figures.length} figures measured${failed > 0 ? `, ${failed} benchmark(s) failed` : ''}.`);
process.exit(failed > 0 ? 1 : 0);
