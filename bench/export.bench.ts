/**
 * Export: 1,000,000 stored events to NDJSON and to CSV (and text) — seconds, and peak
 * memory above what the store itself holds. The events are real bot-hub records (mapped by
 * the dialect from ~250-byte frames) in the engine's store; the export streams them with
 * the same code the app and `hubwatch serve` use (temp file, renamed when complete).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getDialect,
  exportToFile,
  bundledExportWorker,
  defaultWorkerCount,
  createRedactor,
  EventStore,
  packedBatches,
  type EngineEvent,
} from '../src/main/engine';
import type { ExportFormat } from '../src/shared/api';
import { figure, formatMb, formatMs, printJsonSummary } from './bench-support';
import { logPayload } from './frames';

const EVENTS = 1_000_000;
const HUBS = 10;
const gc = (globalThis as { gc?: () => void }).gc;

function fillStore(): EventStore {
  const store = new EventStore({ capacityPerHub: EVENTS / HUBS });
  const dialect = getDialect('bot-hub').create(
    { id: 'load', dialect: 'bot-hub', url: 'http://127.0.0.1:1/events' },
    { auth: { type: 'none' }, fetch, now: Date.now },
  );
  const rings = Array.from({ length: HUBS }, (_, i) => store.ensureRing(`load-${i}`, 'bot-hub'));
  const seqs = new Array<number>(HUBS).fill(0);
  const stamp = Date.now();
  for (let i = 1; i <= EVENTS; i++) {
    const hubIndex = i % HUBS;
    const mapped = dialect.map({
      event: 'log',
      id: String(i),
      data: logPayload(i, stamp + i, 250),
      receivedAt: stamp + i,
      via: 'sse',
    });
    const record: EngineEvent = {
      hub: `load-${hubIndex}`,
      seq: ++seqs[hubIndex]!,
      receivedAt: stamp + i,
      id: String(i),
      ...mapped,
    };
    store.append(rings[hubIndex]!, store.takeG(), record);
  }
  return store;
}

/** The app's export worker, built beside this bench (as beside the app's own entries). */
const worker = bundledExportWorker(import.meta.url);
if (worker === null)
  throw new Error('export-worker.js is missing beside the bench: run `npm run build:bench`');

async function measureExport(store: EventStore, format: ExportFormat, dir: string, withWorkers: boolean) {
  gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 20);
  const path = join(dir, `export.${format}`);
  const started = performance.now();
  const result = await exportToFile({
    path,
    format,
    batches: packedBatches(store, {}, { batchSize: 8192 }),
    redact: createRedactor(['a-secret-token-value']),
    worker: withWorkers ? worker : null,
  });
  const ms = performance.now() - started;
  clearInterval(sampler);
  const size = statSync(path).size;
  rmSync(path);
  return {
    ms,
    count: result.count,
    size,
    peakRss,
    rssGrowth: peakRss - base.rss,
    heapGrowth: peakHeap - base.heapUsed,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'hubwatch-export-bench-'));
const store = fillStore();
gc?.();
const workers = defaultWorkerCount();
for (const format of ['ndjson', 'csv', 'text'] as const) {
  const result = await measureExport(store, format, dir, true);
  figure(
    `export.${format}`,
    formatMs(result.ms),
    `${result.count.toLocaleString('en-US')} events from the store to a ${formatMb(result.size)} file (temp file + rename, redaction on), formatted by ${workers} worker thread${workers === 1 ? '' : 's'}`,
  );
  const inline = await measureExport(store, format, dir, false);
  figure(
    `export.${format}.main-thread`,
    formatMs(inline.ms),
    'the same export formatted on the main thread alone (no workers), for comparison',
  );
  figure(
    `export.${format}.memory`,
    `${formatMb(result.peakRss)} RSS`,
    `peak resident set during the export, the 1,000,000-event store included (+${formatMb(result.rssGrowth)} RSS, +${formatMb(result.heapGrowth)} heap above it)`,
  );
}
rmSync(dir, { recursive: true, force: true });
printJsonSummary();
