/**
 * A format with a separator and a footer (a JSON array, defined here: no shipped format has
 * either) written through the real export paths: file exports, with and without format
 * workers, with evictions, and the line sink `hubwatch capture` streams through.
 */
import { existsSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/main/engine/event-record';
import { createLineSink, exportToFile } from '../../../src/main/engine/export/file-export';
import type { FormatWriter } from '../../../src/main/engine/export/formats';
import { ndjsonLine } from '../../../src/main/engine/export/ndjson';
import type { PackedBatch } from '../../../src/main/engine/export/packed-batch';
import { packedBatches } from '../../../src/main/engine/export/store-batches';
import { createRedactor } from '../../../src/main/engine/redaction';
import { EventStore } from '../../../src/main/engine/store/store';
import type { HubEvent } from '../../../src/shared/hub-event';
import { makeRecord } from '../../support/records';
import { exportRecord } from '../../unit/main/engine/export/export-records';

/** A JSON array of HubEvent records, one per line: `[`, records with commas between, `]`. */
const JSON_ARRAY: FormatWriter = {
  header: '[\n',
  line: (event, redact) => ndjsonLine(event, redact).slice(0, -1),
  separator: ',\n',
  footer: '\n]\n',
};

const WORKER = new URL('../../../out/cli/export-worker.js', import.meta.url);
const SECRET = 'hub-secret-7f3a9c';
const redact = createRedactor([SECRET]);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hubwatch-format-footer-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Records 1 … `total` in batches of `size`, each arriving asynchronously like a store page. */
async function* batchesOf(total: number, size: number): AsyncGenerator<EngineEvent[]> {
  for (let start = 1; start <= total; start += size) {
    await Promise.resolve();
    const batch: EngineEvent[] = [];
    for (let seq = start; seq < Math.min(total + 1, start + size); seq++)
      batch.push(exportRecord({ seq, message: seq % 4 === 0 ? `with ${SECRET}` : `plain ${seq}` }));
    yield batch;
  }
}

/** The same batches with empty ones between them (a filter that matched nothing in a page). */
async function* withEmptyBatches(batches: AsyncIterable<EngineEvent[]>): AsyncGenerator<EngineEvent[]> {
  yield [];
  for await (const batch of batches) {
    yield batch;
    yield [];
  }
}

async function exportJsonArray(
  batches: AsyncIterable<readonly EngineEvent[] | PackedBatch>,
  worker: URL | null = null,
): Promise<HubEvent[]> {
  const path = join(dir, 'events.json');
  await exportToFile({ path, format: JSON_ARRAY, batches, redact, worker, workerCount: 2 });
  return JSON.parse(await readFile(path, 'utf8')) as HubEvent[];
}

describe('a file export in a format with a separator and a footer', () => {
  it('writes a file JSON.parse reads as every record, in order', async () => {
    const events = await exportJsonArray(batchesOf(2_500, 300));
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 1));
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });

  it('writes an empty array when there is nothing to export', async () => {
    expect(await exportJsonArray(batchesOf(0, 300))).toEqual([]);
    expect(await exportJsonArray(withEmptyBatches(batchesOf(0, 300)))).toEqual([]);
  });

  it('puts no separator for empty batches', async () => {
    const events = await exportJsonArray(withEmptyBatches(batchesOf(700, 100)));
    expect(events).toHaveLength(700);
  });

  it('formats on this thread when given format workers, which know only the shipped formats', async () => {
    if (!existsSync(fileURLToPath(WORKER)))
      throw new Error(`${fileURLToPath(WORKER)} does not exist: run \`npm run build\` first`);
    const events = await exportJsonArray(batchesOf(3_000, 200), WORKER);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1));
  });

  it('writes gap markers as array elements where the store evicted events before the export got to them', async () => {
    const store = new EventStore({ capacityPerHub: 300 });
    let appended = 0;
    const appendRecords = (count: number) => {
      const ring = store.ensureRing('alpha', 'generic');
      for (let i = 0; i < count; i++, appended++)
        store.append(ring, store.takeG(), makeRecord({ hub: 'alpha', seq: ring.total + 1 }));
    };
    appendRecords(900);
    // Ingest outruns the export: after each batch read, more arrive and evict the oldest.
    async function* evicting(): AsyncGenerator<PackedBatch> {
      for await (const batch of packedBatches(store, {}, { batchSize: 50 })) {
        yield batch;
        appendRecords(120);
      }
    }
    const path = join(dir, 'evicted.json');
    const result = await exportToFile({ path, format: JSON_ARRAY, batches: evicting(), redact });
    const events = JSON.parse(await readFile(path, 'utf8')) as HubEvent[];
    expect(result.evicted).toBeGreaterThan(0);
    const gaps = events.filter((event) => event.event === 'gap' && event.source === 'hubwatch');
    expect(gaps.length).toBeGreaterThan(0);
    expect(events.length - gaps.length).toBe(result.count);
  });

  it('leaves no file when cancelled', async () => {
    const controller = new AbortController();
    async function* cancelling(): AsyncGenerator<EngineEvent[]> {
      for await (const batch of batchesOf(1_000, 100)) {
        yield batch;
        if (batch[0]!.seq > 300) controller.abort(new Error('export cancelled'));
      }
    }
    const path = join(dir, 'cancelled.json');
    await expect(
      exportToFile({ path, format: JSON_ARRAY, batches: cancelling(), redact, signal: controller.signal }),
    ).rejects.toThrow('export cancelled');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('a line sink in a format with a separator and a footer', () => {
  function collected(): { output: PassThrough; text: () => string } {
    const output = new PassThrough();
    let text = '';
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => (text += chunk));
    return { output, text: () => text };
  }

  it('writes the footer on finish, without ending the stream (stdout)', async () => {
    const { output, text } = collected();
    const sink = createLineSink(output, JSON_ARRAY, redact, { flushIntervalMs: 10 });
    sink.write([exportRecord({ seq: 1 }), exportRecord({ seq: 2 })]);
    sink.write([]);
    sink.write([exportRecord({ seq: 3, message: `with ${SECRET}` })]);
    await sink.finish();
    const events = JSON.parse(text()) as HubEvent[];
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(text()).not.toContain(SECRET);
    expect(output.writableEnded).toBe(false);
    expect(sink.bytes).toBe(Buffer.byteLength(text()));
  });

  it('writes an empty array when it was stopped before any record arrived', async () => {
    const { output, text } = collected();
    const sink = createLineSink(output, JSON_ARRAY, redact);
    await sink.finish();
    expect(JSON.parse(text())).toEqual([]);
  });

  it('writes the footer once, however often it is finished', async () => {
    const { output, text } = collected();
    const sink = createLineSink(output, JSON_ARRAY, redact);
    sink.write([exportRecord({ seq: 1 })]);
    await sink.flush();
    await sink.finish();
    await sink.finish();
    expect((JSON.parse(text()) as HubEvent[]).map((event) => event.seq)).toEqual([1]);
  });

  it('ends a file it writes to with the footer', async () => {
    const path = join(dir, 'capture.json');
    const sink = createLineSink(createWriteStream(path), JSON_ARRAY, redact, { chunkSize: 512 });
    for (let seq = 1; seq <= 1_000; seq++) sink.write([exportRecord({ seq })]);
    await sink.end();
    const events = JSON.parse(await readFile(path, 'utf8')) as HubEvent[];
    expect(events).toHaveLength(1_000);
  });
});
