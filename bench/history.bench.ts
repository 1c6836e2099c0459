/**
 * History: what keeping every event on disk costs and what reading it back takes.
 *
 * 1. `hubwatch capture` of 1,000,000 events (10 bot-hub hubs on the load generator) with
 *    and without `--history`, in the same run, each from process start to exit.
 * 2. Disk bytes per event of that history (sealed) against the NDJSON of the same events.
 * 3. With BENCH_HISTORY_STORED (default 10,000,000) events stored: open to first screen,
 *    the first page of a rare and of a common filter, a regex count, the histogram of the
 *    whole span, an event by hub+seq, an export of 1,000,000 from the history; the worst
 *    event-loop stall while all of that runs.
 * 4. `hubwatch history --filter 'message ~ /…/'` over 1,000,000 stored, start to exit.
 * 5. Retention deleting while 20,000 events/s are appended: the worst stall.
 */
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { History, IngestedEvent, createLineSink, createRedactor } from '../src/main/engine';
import type { HubConfig } from '../src/shared/hub-config';
import { ROOT, figure, formatMs, formatRate, printJsonSummary, startGenerator } from './bench-support';

const HUBS = 10;
const CAPTURE_EVENTS = Number(process.env['BENCH_HISTORY_CAPTURE'] ?? 1_000_000);
const STORED = Number(process.env['BENCH_HISTORY_STORED'] ?? 10_000_000);
const BIN = resolve(ROOT, 'bin/hubwatch.js');

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

function run(args: string[]): Promise<{ code: number | null; ms: number; stderr: string; stdout: string }> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('exit', (code) => done({ code, ms: performance.now() - started, stderr, stdout }));
  });
}

async function capture(dir: string, history: string | null, out: string): Promise<number> {
  const generator = await startGenerator(['--total', String(CAPTURE_EVENTS / HUBS), '--size', '250']);
  const hubs: HubConfig[] = Array.from({ length: HUBS }, (_, i) => ({
    id: `load-${i}`,
    dialect: 'bot-hub',
    url: `http://127.0.0.1:${generator.port}/hub/${i}`,
  }));
  const config = join(dir, 'hubs.json');
  writeFileSync(config, JSON.stringify({ hubs }));
  const result = await run([
    'capture',
    '--config',
    config,
    '--count',
    String(CAPTURE_EVENTS),
    '--out',
    out,
    '--quiet',
    ...(history ? ['--history', history] : []),
  ]);
  await generator.stop();
  if (result.code !== 0) throw new Error(`capture failed (${result.code}): ${result.stderr}`);
  return CAPTURE_EVENTS / (result.ms / 1000);
}

async function captureFigures(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hubwatch-bench-history-'));
  try {
    // Alternated, twice each: the machine's noise falls on both.
    const without: number[] = [];
    const withHistory: number[] = [];
    for (let round = 0; round < 2; round++) {
      without.push(await capture(dir, null, '/dev/null'));
      rmSync(join(dir, 'history'), { recursive: true, force: true });
      withHistory.push(
        await capture(dir, join(dir, 'history'), round === 0 ? join(dir, 'events.ndjson') : '/dev/null'),
      );
    }
    const best = (rates: number[]) => Math.max(...rates);
    const how = `hubwatch capture --count ${CAPTURE_EVENTS.toLocaleString('en-US')} (10 bot-hub hubs, 250-byte events, load generator), start to exit, best of 2`;
    figure('capture without history', formatRate(best(without)), how);
    figure('capture with --history', formatRate(best(withHistory)), how);
    figure(
      '  with / without',
      `${((best(withHistory) / best(without)) * 100).toFixed(0)} %`,
      'target ≥ 80 %',
    );

    // Sealed: what the history keeps for good (the journal is the short-lived part).
    const history = await History.open({ dir: join(dir, 'history') });
    await history.settle();
    await history.close();
    const bytes = folderBytes(join(dir, 'history', 'segments'));
    const ndjson = statSync(join(dir, 'events.ndjson')).size;
    figure(
      'history bytes per event',
      `${(bytes / CAPTURE_EVENTS).toFixed(1)} B`,
      'zstd Parquet segments after sealing',
    );
    figure(
      '  share of the NDJSON',
      `${((bytes / ndjson) * 100).toFixed(1)} %`,
      `${(ndjson / 1024 / 1024).toFixed(0)} MB NDJSON of the same events; target ≤ 40 %`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes `rows` synthetic records as journal files (1,000,000 per file) with DuckDB, the way
 * the journal writer would have, then lets History seal them: the segments are the ones the
 * app makes. Ten hubs, levels 80 % info, one rare event every 100,000, over two days.
 */
async function fillHistory(dir: string, rows: number): Promise<{ first: number; span: number }> {
  const journalDir = join(dir, 'journal');
  mkdirSync(journalDir, { recursive: true });
  const span = 2 * 24 * 3_600_000;
  const first = Date.now() - span - 60_000;
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await db.connect();
  const perFile = 1_000_000;
  for (let start = 0; start < rows; start += perFile) {
    const end = Math.min(rows, start + perFile);
    const file = join(journalDir, `journal-${String(start + 1).padStart(16, '0')}.ndjson`);
    const at = `(${first} + i * ${span / rows})`;
    await connection.run(`COPY (SELECT
        i + 1 AS arrival,
        'load-' || (i % ${HUBS}) AS hub,
        'bot-hub' AS dialect,
        i // ${HUBS} + 1 AS seq,
        ${at} AS received_at,
        ${at} AS time,
        CASE WHEN i % 100000 = 77 THEN 'rare_crash' ELSE 'log' END AS event,
        (i // ${HUBS} + 1)::VARCHAR AS id,
        CASE WHEN i % 10 < 8 THEN 'info' WHEN i % 10 = 8 THEN 'warn' ELSE 'error' END AS level,
        'bot' AS source,
        'bot' AS entity_type,
        'bot-' || (i % 50) AS entity_id,
        'bot-' || (i % 50) || ' harvested ' || (i % 97) || ' crops, request ' || md5(i::VARCHAR)[1:12] AS message,
        false AS malformed,
        false AS gap,
        json_object('bot_id', 'bot-' || (i % 50), 'n', i, 'gold', i % 1000, 'status', 'ok') AS data,
        NULL::DOUBLE AS replay_fp
      FROM range(${start}, ${end}) t(i)) TO '${file}' (FORMAT json)`);
  }
  connection.closeSync();
  db.closeSync();
  return { first, span };
}

async function storedFigures(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hubwatch-bench-stored-'));
  try {
    const fillStarted = performance.now();
    await fillHistory(dir, STORED);
    const sealing = await History.open({ dir });
    await sealing.settle();
    await sealing.close();
    const label = `${(STORED / 1e6).toFixed(0)}M stored`;
    figure(
      `fill + seal ${label}`,
      formatMs(performance.now() - fillStarted),
      'synthetic journals written by DuckDB, sealed by History',
    );
    figure(
      `  on disk`,
      `${(folderBytes(dir) / 1024 / 1024).toFixed(0)} MB`,
      `${(folderBytes(dir) / STORED).toFixed(1)} bytes/event`,
    );

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    let started = performance.now();
    const history = await History.open({ dir });
    const firstScreen = await history.queries.page({}, { limit: 200 });
    figure(
      `${label}: open to first screen`,
      formatMs(performance.now() - started),
      `History.open + newest 200 (${firstScreen.length})`,
    );

    // Each query's own worst stall too (a second monitor; the first spans everything).
    const phase = monitorEventLoopDelay({ resolution: 5 });
    const timed = async (name: string, how: string, work: () => Promise<unknown>) => {
      await work(); // warm: DuckDB's metadata cache, as an operator's second look
      phase.reset();
      phase.enable();
      started = performance.now();
      const result = await work();
      const ms = performance.now() - started;
      phase.disable();
      figure(`${label}: ${name}`, formatMs(ms), `${how}; worst stall ${formatMs(phase.max / 1e6)}`);
      return result;
    };
    await timed('first page, rare filter', 'event == rare_crash (1 in 100,000), newest 200', () =>
      history.queries.page({ events: ['rare_crash'] }, { limit: 200 }),
    );
    await timed('first page, common filter', 'level info (80 %), newest 200', () =>
      history.queries.page({ levels: ['info'] }, { limit: 200 }),
    );
    await timed('first page, text filter', 'text "crops, request 3f" newest 200', () =>
      history.queries.page({ text: 'crops, request 3f' }, { limit: 200 }),
    );
    await timed('regex count', 'count of /harvested 9[0-6] crops/ over everything', () =>
      history.queries.count({ regex: 'harvested 9[0-6] crops' }),
    );
    await timed('histogram, whole span', 'per level, ≤ 120 buckets over 2 days', () =>
      history.queries.histogram({}),
    );
    await timed('event by hub+seq', 'get(load-3, seq in the middle)', () =>
      history.queries.get('load-3', Math.floor(STORED / HUBS / 2)),
    );
    const exportFile = join(dir, 'export.ndjson');
    phase.reset();
    phase.enable();
    started = performance.now();
    const stream = createWriteStream(exportFile);
    const sink = createLineSink(stream, 'ndjson', createRedactor([]));
    let exported = 0;
    for await (const batch of history.queries.records({}, { limit: 1_000_000 })) {
      sink.write(batch);
      exported += batch.length;
    }
    await sink.end();
    phase.disable();
    figure(
      `${label}: export 1M from history`,
      formatMs(performance.now() - started),
      `records() → NDJSON file, ${exported.toLocaleString('en-US')} events, ${(statSync(exportFile).size / 1024 / 1024).toFixed(0)} MB; worst stall ${formatMs(phase.max / 1e6)}`,
    );
    delay.disable();
    figure(
      `${label}: worst event-loop stall`,
      formatMs(delay.max / 1e6),
      `monitorEventLoopDelay during all of the above; p99 ${formatMs(delay.percentile(99) / 1e6)}`,
    );
    await history.close();

    // 1,000,000 stored, the command an operator types: process start to exit.
    const small = mkdtempSync(join(tmpdir(), 'hubwatch-bench-1m-'));
    try {
      await fillHistory(small, 1_000_000);
      const sealSmall = await History.open({ dir: small });
      await sealSmall.settle();
      await sealSmall.close();
      const cli = await run([
        'history',
        '--data',
        small,
        '--filter',
        'message ~ /harvested 9[0-6] crops, request 0/',
        '--out',
        '/dev/null',
      ]);
      if (cli.code !== 0) throw new Error(cli.stderr);
      figure(
        'hubwatch history --filter regex',
        formatMs(cli.ms),
        '1M stored, message ~ /harvested 9[0-6] crops, request 0/, start to exit; target ≤ 3 s',
      );
    } finally {
      rmSync(small, { recursive: true, force: true });
    }
  } finally {
    // BENCH_HISTORY_KEEP=1 leaves the stored history for a look (its folder is printed).
    if (process.env['BENCH_HISTORY_KEEP']) process.stderr.write(`stored history kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function retentionFigures(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hubwatch-bench-retention-'));
  try {
    let clock = Date.now();
    // Small limits and fast maintenance: retention deletes all the time while appending.
    const history = await History.open({
      dir,
      maxBytes: 8 * 1024 * 1024,
      maxAgeMs: 10 * 60_000,
      maintenanceMs: 1000,
      journal: { rotateMs: 2000 },
      now: () => clock,
    });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const rate = 20_000;
    const seconds = Number(process.env['BENCH_RETENTION_SECONDS'] ?? 20);
    let seq = 0;
    const started = performance.now();
    const raw =
      '{"bot_id":"bot-1","n":1,"gold":17,"status":"ok","text":"a line of about two hundred bytes of payload text ..........................................."}';
    const data = JSON.parse(raw) as IngestedEvent['data'];
    while (performance.now() - started < seconds * 1000) {
      // 20 ms of events every 20 ms, as the engine hands batches over; time runs 30× faster.
      for (let i = 0; i < rate / 50; i++) {
        seq++;
        const at = clock;
        history.append(
          new IngestedEvent(
            'load-0',
            seq,
            at,
            at,
            'log',
            String(seq),
            'info',
            'bot',
            null,
            `event ${seq}`,
            data,
            raw,
            false,
          ),
          seq,
          'bot-hub',
        );
      }
      clock += 600;
      await new Promise((done) => setTimeout(done, 20));
    }
    delay.disable();
    const status = history.status();
    await history.close();
    figure(
      'retention while ingesting 20k/s',
      formatMs(delay.max / 1e6),
      `worst stall over ${seconds} s (p99 ${formatMs(delay.percentile(99) / 1e6)}); ${seq.toLocaleString('en-US')} appended, ${status.events.toLocaleString('en-US')} kept in ${(status.bytes / 1024 / 1024).toFixed(1)} MB (limit 8 MB, 10 min)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// BENCH_HISTORY_ONLY=capture,stored,retention runs some of them.
const only = new Set((process.env['BENCH_HISTORY_ONLY'] ?? 'capture,stored,retention').split(','));
if (only.has('capture')) await captureFigures();
if (only.has('stored')) await storedFigures();
if (only.has('retention')) await retentionFigures();
printJsonSummary();
