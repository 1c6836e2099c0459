#!/usr/bin/env node
/**
 * `npm test`: builds the app, then runs the unit, integration and e2e projects one after
 * another (two cores: real servers and Chromium should not compete), and ends with one
 * summary line for the whole run — `N passed, N failed` (`, N skipped` when any were).
 *
 * Usage: node scripts/run-tests.mjs [unit|integration|e2e]... [-- extra vitest args]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const named = dash === -1 ? argv : argv.slice(0, dash);
const extra = dash === -1 ? [] : argv.slice(dash + 1);
const projects = named.length > 0 ? named : ['unit', 'integration', 'e2e'];

const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });

if (process.env.HUBWATCH_SKIP_BUILD !== '1') {
  const build = run('npm', ['run', '--silent', 'build']);
  if (build.status !== 0) {
    console.log('build failed');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const resultsDir = join(root, 'test-results');
mkdirSync(resultsDir, { recursive: true });
let passed = 0;
let failed = 0;
let skipped = 0;
for (const project of projects) {
  const outFile = join(resultsDir, `vitest-${project}.json`);
  rmSync(outFile, { force: true });
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const result = run(process.execPath, [
    vitest,
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${outFile}`,
    ...extra,
  ]);
  if (!existsSync(outFile)) {
    console.log(`${project}: vitest produced no report (exit ${result.status ?? result.signal})`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(outFile, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A file that fails to load has no test results of its own: count it as one failure.
  for (const file of report.testResults) {
    if (file.status === 'failed' && file.assertionResults.length === 0) failed += 1;
  }
  if (result.status !== 0 && report.numFailedTests === 0 && report.numFailedTestSuites === 0) {
    failed += 1;
  }
}
console.log('');
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
