/** File exports formatted on the built format workers: byte-identical to inline formatting, and clean on failure. */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { BroadcastChannel } from 'node:worker_threads';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/main/engine/event-record';
import { exportToFile, type ExportResult } from '../../../src/main/engine/export/file-export';
import { bundledExportWorker } from '../../../src/main/engine/export/format-pool';
import { formatterFor, type ExportFormat } from '../../../src/main/engine/export/formats';
import type { PackedBatch } from '../../../src/main/engine/export/packed-batch';
import { packedBatches } from '../../../src/main/engine/export/store-batches';
import { createRedactor, type Redactor } from '../../../src/main/engine/redaction';
import { EventStore } from '../../../src/main/engine/store/store';
import type { FilterSpec } from '../../../src/shared/filter';
import { matchCount } from '../../support/store-matches';
import { exportRecord } from '../../unit/main/engine/export/export-records';

const WORKER = new URL('../../../out/cli/export-worker.js', import.meta.url);
/** The desktop app's build of the same worker (electron-vite), which the main process starts. */
const MAIN_WORKER = new URL('../../../out/main/export-worker.js', import.meta.url);
const SECRET = 'hub-secret-7f3a9c';
const FORMATS: readonly ExportFormat[] = ['ndjson', 'csv', 'text'];
const redact = createRedactor([SECRET]);

let dir: string;

beforeAll(() => {
  if (!existsSync(fileURLToPath(WORKER)))
    throw new Error(
      `${fileURLToPath(WORKER)} does not exist: run \`npm run build\` before the integration tests`,
    );
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hubwatch-format-workers-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The `seq`-th record: secrets in some messages and payloads, quotes, line breaks, nulls, text payloads. */
function record(seq: number): EngineEvent {
  const raw = `{\n "seq": ${seq}, "url": "https://h.test/x?key=${seq % 4 === 0 ? SECRET : 'public'}", "note": "é 🙂 \\"q\\""\n}`;
  const overrides: Partial<EngineEvent> = {
    seq,
    time: 1778201531241 + seq,
    message:
      seq % 5 === 0
        ? `login with ${SECRET}, "quoted"\nsecond line`
        : seq % 7 === 0
          ? null
          : `plain message ${seq}`,
    id: seq % 2 === 0 ? String(seq) : null,
    entity: seq % 3 === 0 ? null : { type: 'bot', id: `bot-${seq % 11}` },
    raw,
    data: JSON.parse(raw) as EngineEvent['data'],
  };
  if (seq % 13 === 0) Object.assign(overrides, { raw: null, data: `not json ${SECRET}` });
  if (seq % 17 === 0) Object.assign(overrides, { raw: null, data: null });
  return exportRecord(overrides);
}

/** Records 1 … `total`. */
function recordsUpTo(total: number): EngineEvent[] {
  return Array.from({ length: total }, (_, i) => record(i + 1));
}

/** `total` records in batches of `size`, each arriving asynchronously like a store page. */
async function* recordBatches(total: number, size: number): AsyncGenerator<EngineEvent[]> {
  for (let start = 1; start <= total; start += size) {
    await Promise.resolve();
    const batch: EngineEvent[] = [];
    for (let seq = start; seq < Math.min(total + 1, start + size); seq++) batch.push(record(seq));
    yield batch;
  }
}

/** The file an export must write: the header and every record's line, redacted. */
function expectedFile(format: ExportFormat, events: Iterable<EngineEvent>): string {
  const formatter = formatterFor(format, redact);
  let text = formatter.header;
  for (const event of events) text += formatter.line(event);
  return text;
}

async function exportAndRead(
  name: string,
  format: ExportFormat,
  batches: AsyncIterable<readonly EngineEvent[] | PackedBatch>,
  worker: URL | null,
  onProgress?: (written: number) => void,
  redactor: Redactor = redact,
): Promise<{ text: string; result: ExportResult }> {
  const path = join(dir, name);
  const result = await exportToFile({
    path,
    format,
    batches,
    redact: redactor,
    worker,
    workerCount: 2,
    onProgress,
  });
  return { text: await readFile(path, 'utf8'), result };
}

/** A store of three hubs, with payloads long enough to span many blocks and secrets in some of them. */
function filledStore(): EventStore {
  const store = new EventStore();
  for (let i = 1; i <= 6_000; i++) {
    const hub = ['alpha', 'beta', 'gamma'][i % 3]!;
    const ring = store.ensureRing(hub, 'generic');
    const base = record(i);
    store.append(ring, store.takeG(), {
      ...base,
      hub,
      seq: ring.total + 1,
      level: i % 9 === 0 ? 'error' : 'info',
    });
  }
  return store;
}

describe('exports formatted on worker threads', () => {
  it.each(FORMATS)('write %s byte for byte as the export without workers', async (format) => {
    const records = recordsUpTo(2_000);
    const inline = await exportAndRead(`inline.${format}`, format, recordBatches(2_000, 300), null);
    const workers = await exportAndRead(`workers.${format}`, format, recordBatches(2_000, 300), WORKER);
    expect(inline.text).toBe(expectedFile(format, records));
    expect(workers.text).toBe(inline.text);
    expect(workers.result.count).toBe(2_000);
    expect(workers.text).not.toContain(SECRET);
    expect(workers.text).toContain('REDACTED');
  });

  it.each(FORMATS)(
    'write %s from the store’s packed batches as iterate writes it without workers',
    async (format) => {
      const store = filledStore();
      // Blocks used whole (messages too, in the large batches), about a third of each, and a few values per block (sent alone).
      const cases: [FilterSpec, number][] = [
        [{}, 1_000],
        [{}, 60],
        [{ hubs: ['alpha'], levels: ['error'] }, 60],
        [{ entity: { type: 'bot', id: 'bot-7' } }, 60],
      ];
      for (const [spec, batchSize] of cases) {
        const inline = await exportAndRead(
          `inline.${format}`,
          format,
          store.iterate(spec, { batchSize }),
          null,
        );
        const workers = await exportAndRead(
          `workers.${format}`,
          format,
          packedBatches(store, spec, { batchSize }),
          WORKER,
        );
        const count = matchCount(store, spec);
        // At least five batches: four of them on the workers.
        expect(count).toBeGreaterThanOrEqual(5 * batchSize);
        expect(workers.result.count).toBe(count);
        expect(workers.text).toBe(inline.text);
        expect(workers.text).not.toContain(SECRET);
        expect(workers.text).toContain('REDACTED');
      }
    },
  );

  it.each(FORMATS)(
    'keep credential patterns in %s payloads as received unless scrubbing, on the workers as here',
    async (format) => {
      const scrub = createRedactor([SECRET], { scrub: true });
      const plain = await exportAndRead(`plain.${format}`, format, recordBatches(2_000, 300), WORKER);
      const inline = await exportAndRead(
        `inline.${format}`,
        format,
        recordBatches(2_000, 300),
        null,
        undefined,
        scrub,
      );
      const workers = await exportAndRead(
        `workers.${format}`,
        format,
        recordBatches(2_000, 300),
        WORKER,
        undefined,
        scrub,
      );
      expect(workers.text).toBe(inline.text);
      expect(workers.text).not.toContain(SECRET);
      if (format === 'text') {
        // The text format writes no payloads.
        expect(workers.text).toBe(plain.text);
        return;
      }
      // `?key=public` (3 records in 4) is no known secret: only scrubbing masks it, in every
      // batch — the first 300 records are formatted here, the rest on the workers.
      const count = (text: string, part: string) => text.split(part).length - 1;
      const withUrl = recordsUpTo(2_000).filter((record) => record.raw !== null);
      const publicUrls = withUrl.filter((record) => record.raw!.includes('key=public')).length;
      expect(publicUrls).toBeGreaterThan(1_000);
      expect(count(plain.text, 'key=public')).toBe(publicUrls);
      expect(count(workers.text, 'key=public')).toBe(0);
      expect(count(workers.text, 'key=REDACTED')).toBe(withUrl.length);
    },
  );

  it('write the same bytes with the desktop app’s build of the worker', async () => {
    expect(existsSync(fileURLToPath(MAIN_WORKER))).toBe(true);
    const records = recordsUpTo(1_500);
    const { text, result } = await exportAndRead('main.csv', 'csv', recordBatches(1_500, 250), MAIN_WORKER);
    expect(result.count).toBe(1_500);
    expect(text).toBe(expectedFile('csv', records));
  });

  it('report non-decreasing progress ending at the total, and a count and size that match the file', async () => {
    const progress: number[] = [];
    const { text, result } = await exportAndRead(
      'progress.ndjson',
      'ndjson',
      recordBatches(3_000, 250),
      WORKER,
      (written) => progress.push(written),
    );
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((written, i) => i === 0 || written >= progress[i - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(3_000);
    expect(result.count).toBe(3_000);
    expect(text.split('\n')).toHaveLength(3_001);
    expect(result.bytes).toBe(Buffer.byteLength(text));
    expect(result.bytes).toBe((await stat(result.path)).size);
  });
});

describe('a failing format worker', () => {
  async function throwingWorker(): Promise<URL> {
    const path = join(dir, 'throwing-worker.mjs');
    await writeFile(
      path,
      "import { parentPort } from 'node:worker_threads';\n" +
        "parentPort.on('message', () => {\n  throw new Error('worker exploded');\n});\n",
    );
    return pathToFileURL(path);
  }

  it('makes the export reject naming the format worker, leaving no file behind', async () => {
    const worker = await throwingWorker();
    const path = join(dir, 'events.ndjson');
    await expect(
      exportToFile({
        path,
        format: 'ndjson',
        batches: recordBatches(1_000, 100),
        redact,
        worker,
        workerCount: 2,
      }),
    ).rejects.toThrow(/format worker.*worker exploded/);
    expect(await readdir(dir)).toEqual(['throwing-worker.mjs']);
  });

  it('is never started for an export of one batch (the first batch formats inline)', async () => {
    const worker = await throwingWorker();
    const path = join(dir, 'events.ndjson');
    const result = await exportToFile({
      path,
      format: 'ndjson',
      batches: recordBatches(100, 100),
      redact,
      worker,
      workerCount: 2,
    });
    expect(result.count).toBe(100);
    expect(await readFile(path, 'utf8')).toBe(expectedFile('ndjson', recordsUpTo(100)));
  });
});

/**
 * The built worker, wrapped to say it is alive every 10 ms on a broadcast channel: whether
 * an export's workers are still running after it settled (terminate() ends the heartbeats).
 */
async function watchedWorker() {
  const scriptDir = await mkdtemp(join(tmpdir(), 'hubwatch-watched-worker-'));
  const name = `hubwatch-test-${randomUUID()}`;
  const script = join(scriptDir, 'watched-worker.mjs');
  await writeFile(
    script,
    `import { BroadcastChannel } from 'node:worker_threads';\n` +
      `import ${JSON.stringify(WORKER.href)};\n` +
      `const channel = new BroadcastChannel(${JSON.stringify(name)});\n` +
      `channel.postMessage('alive');\n` +
      `setInterval(() => channel.postMessage('alive'), 10);\n`,
  );
  const channel = new BroadcastChannel(name);
  let heartbeats = 0;
  channel.onmessage = () => heartbeats++;
  return {
    url: pathToFileURL(script),
    heartbeats: () => heartbeats,
    /** Heartbeats within `ms`, after a moment for those already sent to arrive. */
    async heartbeatsWithin(ms: number): Promise<number> {
      await sleep(50);
      const before = heartbeats;
      await sleep(ms);
      return heartbeats - before;
    },
    async close() {
      channel.close();
      await rm(scriptDir, { recursive: true, force: true });
    },
  };
}

describe('the workers of an export', () => {
  it('are stopped once the export is complete', async () => {
    const watched = await watchedWorker();
    try {
      const path = join(dir, 'events.csv');
      await exportToFile({
        path,
        format: 'csv',
        batches: recordBatches(3_000, 300),
        redact,
        worker: watched.url,
        workerCount: 2,
      });
      expect(await readFile(path, 'utf8')).toBe(expectedFile('csv', recordsUpTo(3_000)));
      expect(watched.heartbeats()).toBeGreaterThan(0);
      expect(await watched.heartbeatsWithin(200)).toBe(0);
    } finally {
      await watched.close();
    }
  });

  it('are stopped by an abort, which rejects with its reason promptly and leaves no file', async () => {
    const watched = await watchedWorker();
    const controller = new AbortController();
    const reason = new Error('cancelled by the operator');
    async function* endless(): AsyncGenerator<EngineEvent[]> {
      for (let n = 0; ; n++) {
        // By now batches have come back from both workers and more are on them.
        if (n === 12) controller.abort(reason);
        yield* recordBatches(500, 500);
      }
    }
    try {
      const exporting = exportToFile({
        path: join(dir, 'aborted.ndjson'),
        format: 'ndjson',
        batches: endless(),
        redact,
        signal: controller.signal,
        worker: watched.url,
        workerCount: 2,
      });
      await expect(exporting).rejects.toBe(reason);
      expect(await readdir(dir)).toEqual([]);
      expect(watched.heartbeats()).toBeGreaterThan(0);
      expect(await watched.heartbeatsWithin(200)).toBe(0);
    } finally {
      await watched.close();
    }
  });
});

describe('bundledExportWorker', () => {
  it('finds the worker built beside an entry file', () => {
    const entry = new URL('../../../out/cli/hubwatch.js', import.meta.url).href;
    expect(bundledExportWorker(entry)?.href).toBe(WORKER.href);
  });

  it('gives null beside an entry without one, and for a non-file URL', () => {
    expect(bundledExportWorker(pathToFileURL(join(dir, 'hubwatch.js')).href)).toBeNull();
    expect(bundledExportWorker('https://example.test/app/hubwatch.js')).toBeNull();
  });
});
