/**
 * File exports and line sinks against the real file system (a temporary directory per test).
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/main/engine/engine';
import { toHubEvent, type EngineEvent } from '../../../src/main/engine/event-record';
import { createLineSink, exportToFile } from '../../../src/main/engine/export/file-export';
import { packedBatches } from '../../../src/main/engine/export/store-batches';
import { createRedactor } from '../../../src/main/engine/redaction';
import { isGapMarker, type HubEvent } from '../../../src/shared/hub-event';
import { sseHead, startTestServer, waitFor, type TestServer } from '../../support/sse-test-server';
import { exportRecord, parseCsv } from '../../unit/main/engine/export/export-records';

let dir: string;
const noRedaction = createRedactor([]);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hubwatch-export-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `total` varied records in batches of `size`. */
async function* batchesOf(total: number, size: number): AsyncGenerator<EngineEvent[]> {
  for (let start = 0; start < total; start += size) {
    // Like a store query: each page arrives asynchronously.
    await Promise.resolve();
    const batch: EngineEvent[] = [];
    for (let seq = start + 1; seq <= Math.min(total, start + size); seq++) {
      batch.push(
        exportRecord({
          seq,
          message: seq % 3 === 0 ? `line, with "quotes"\nand a break ${seq}` : `plain ${seq}`,
          entity: seq % 5 === 0 ? null : { type: 'bot', id: `bot-${seq % 7}` },
          id: seq % 2 === 0 ? String(seq) : null,
        }),
      );
    }
    yield batch;
  }
}

async function* fromArray(events: EngineEvent[]): AsyncGenerator<EngineEvent[]> {
  yield await Promise.resolve(events);
}

describe('exportToFile', () => {
  it('writes NDJSON that reads back as exactly the records', async () => {
    const path = join(dir, 'events.ndjson');
    const records: EngineEvent[] = [];
    for await (const batch of batchesOf(2_500, 400)) records.push(...batch);
    const result = await exportToFile({
      path,
      format: 'ndjson',
      batches: fromArray(records),
      redact: noRedaction,
    });
    const text = await readFile(path, 'utf8');
    expect(result).toEqual({ count: 2_500, evicted: 0, bytes: Buffer.byteLength(text), path });
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(records.map(toHubEvent));
  });

  it('keeps multi-line received JSON on one line, with the same data', async () => {
    const raw = '{\n  "Topic": "crash",\n  "Data": {\n    "server_id": "srv_01HZ..."\n  }\n}';
    const event = exportRecord({ raw, data: JSON.parse(raw) as never, event: 'crash' });
    const path = join(dir, 'crash.ndjson');
    await exportToFile({ path, format: 'ndjson', batches: fromArray([event]), redact: noRedaction });
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(2);
    expect((JSON.parse(lines[0]!) as { data: unknown }).data).toEqual(JSON.parse(raw));
  });

  it('writes CSV that an RFC 4180 parser reads back row for row', async () => {
    const path = join(dir, 'events.csv');
    await exportToFile({ path, format: 'csv', batches: batchesOf(300, 64), redact: noRedaction });
    const rows = parseCsv(await readFile(path, 'utf8'));
    expect(rows[0]).toEqual([
      'hub',
      'seq',
      'receivedAt',
      'time',
      'event',
      'id',
      'level',
      'source',
      'entity',
      'message',
      'data',
    ]);
    expect(rows).toHaveLength(301);
    expect(rows[3]).toEqual([
      'bots',
      '3',
      '1778201531300',
      '1778201531241',
      'log',
      '',
      'info',
      'auth_client',
      'bot:bot-3',
      'line, with "quotes"\nand a break 3',
      exportRecord().raw,
    ]);
    expect(rows[5]![8]).toBe('');
  });

  it('writes a CSV header even when there are no records', async () => {
    const path = join(dir, 'empty.csv');
    const result = await exportToFile({ path, format: 'csv', batches: fromArray([]), redact: noRedaction });
    expect(result.count).toBe(0);
    expect(await readFile(path, 'utf8')).toBe(
      'hub,seq,receivedAt,time,event,id,level,source,entity,message,data\r\n',
    );
  });

  it('writes one text line per record', async () => {
    const path = join(dir, 'events.log');
    await exportToFile({ path, format: 'text', batches: batchesOf(30, 7), redact: noRedaction });
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(30);
    expect(lines[2]).toBe(
      '2026-05-08T00:52:11.241Z bots info auth_client line, with "quotes"\\nand a break 3',
    );
  });

  it('redacts known secrets everywhere in every format, and credential patterns in messages', async () => {
    const redact = createRedactor(['bot-secret-token', 'bai-secret-key']);
    const scrub = createRedactor(['bot-secret-token', 'bai-secret-key'], { scrub: true });
    const event = exportRecord({
      message: 'GET http://h/events?token=abc123 Authorization: Bearer bot-secret-token',
      data: {
        url: 'http://h/x?access_token=zzz',
        header: 'BackendAI signMethod=HMAC-SHA256, credential=AKIA:deadbeef00',
        note: 'bai-secret-key',
      },
      raw: null,
    });
    for (const format of ['ndjson', 'csv', 'text'] as const) {
      const path = join(dir, `redacted.${format}`);
      await exportToFile({ path, format, batches: fromArray([event]), redact });
      const text = await readFile(path, 'utf8');
      for (const leaked of ['abc123', 'bot-secret-token', 'bai-secret-key'])
        expect(text).not.toContain(leaked);
      expect(text).toContain('token=REDACTED');
      // The payload is kept as received, known secrets aside…
      if (format !== 'text') for (const kept of ['zzz', 'deadbeef00']) expect(text).toContain(kept);
      // …unless the export scrubs it.
      await exportToFile({ path, format, batches: fromArray([event]), redact: scrub });
      const scrubbed = await readFile(path, 'utf8');
      for (const leaked of ['abc123', 'bot-secret-token', 'zzz', 'deadbeef00', 'bai-secret-key']) {
        expect(scrubbed).not.toContain(leaked);
      }
    }
  });

  it('reports progress after each batch', async () => {
    const progress: number[] = [];
    await exportToFile({
      path: join(dir, 'p.ndjson'),
      format: 'ndjson',
      batches: batchesOf(1_000, 250),
      redact: noRedaction,
      onProgress: (written) => progress.push(written),
    });
    expect(progress).toEqual([250, 500, 750, 1_000]);
  });

  it('leaves no file at all when aborted midway', async () => {
    const path = join(dir, 'aborted.ndjson');
    const controller = new AbortController();
    const exporting = exportToFile({
      path,
      format: 'ndjson',
      batches: batchesOf(100_000, 1_000),
      redact: noRedaction,
      signal: controller.signal,
      onProgress: (written) => {
        if (written === 20_000) controller.abort(new Error('cancelled by the operator'));
      },
    });
    await expect(exporting).rejects.toThrow('cancelled by the operator');
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves the previous file untouched and no temporary file when the records fail', async () => {
    const path = join(dir, 'events.ndjson');
    await writeFile(path, 'previous export\n');
    async function* failing(): AsyncGenerator<EngineEvent[]> {
      yield await Promise.resolve([exportRecord()]);
      throw new Error('store went away');
    }
    await expect(
      exportToFile({ path, format: 'ndjson', batches: failing(), redact: noRedaction }),
    ).rejects.toThrow('store went away');
    expect(await readdir(dir)).toEqual(['events.ndjson']);
    expect(await readFile(path, 'utf8')).toBe('previous export\n');
  });

  it('replaces an existing file once the export is complete', async () => {
    const path = join(dir, 'events.ndjson');
    await writeFile(path, 'previous export\n');
    await exportToFile({ path, format: 'ndjson', batches: batchesOf(3, 3), redact: noRedaction });
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(4);
    expect(await readdir(dir)).toEqual(['events.ndjson']);
  });

  it('rejects when the directory does not exist, creating nothing', async () => {
    const path = join(dir, 'missing', 'events.ndjson');
    await expect(
      exportToFile({ path, format: 'ndjson', batches: batchesOf(50_000, 5_000), redact: noRedaction }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('streams a large export without losing or reordering a record', async () => {
    const path = join(dir, 'large.ndjson');
    const result = await exportToFile({
      path,
      format: 'ndjson',
      batches: batchesOf(200_000, 5_000),
      redact: noRedaction,
    });
    expect(result.count).toBe(200_000);
    const text = await readFile(path, 'utf8');
    expect(result.bytes).toBe(Buffer.byteLength(text));
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    // One comparison at the end: an expect per line would dominate the test's run time.
    const outOfOrder = lines.findIndex(
      (line, index) => (JSON.parse(line) as { seq: number }).seq !== index + 1,
    );
    expect(outOfOrder).toBe(-1);
    expect(lines).toHaveLength(200_000);
  });
});

describe('createLineSink', () => {
  it('writes records as they arrive, within the flush interval, header first', async () => {
    const output = new PassThrough();
    let text = '';
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => (text += chunk));
    const sink = createLineSink(output, 'csv', noRedaction, { flushIntervalMs: 10 });
    sink.write([exportRecord({ seq: 1 })]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const rows = parseCsv(text);
    expect(rows).toHaveLength(2);
    expect(rows[1]![1]).toBe('1');
    expect(sink.count).toBe(1);
  });

  it('writes everything buffered on flush', async () => {
    const output = new PassThrough();
    let text = '';
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => (text += chunk));
    const sink = createLineSink(output, 'ndjson', createRedactor(['secret-value']), {
      flushIntervalMs: 60_000,
    });
    sink.write([exportRecord({ seq: 1, message: 'has secret-value' }), exportRecord({ seq: 2 })]);
    expect(text).toBe('');
    await sink.flush();
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { seq: number }).seq),
    ).toEqual([1, 2]);
    expect(text).not.toContain('secret-value');
    expect(sink.bytes).toBe(Buffer.byteLength(text));
  });

  it('reports backpressure and resolves drained() once the reader catches up', async () => {
    const output = new PassThrough({ highWaterMark: 1024 });
    const sink = createLineSink(output, 'ndjson', noRedaction, { chunkSize: 512 });
    const events = Array.from({ length: 200 }, (_, i) => exportRecord({ seq: i + 1 }));
    expect(sink.write(events)).toBe(false);
    let settled = false;
    const drained = sink.drained().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    output.resume();
    await drained;
    expect(settled).toBe(true);
  });

  it('ends a file it writes to, with every record in it', async () => {
    const { createWriteStream } = await import('node:fs');
    const path = join(dir, 'capture.txt');
    const sink = createLineSink(createWriteStream(path), 'text', noRedaction);
    for (let seq = 1; seq <= 1_000; seq++) sink.write([exportRecord({ seq })]);
    await sink.end();
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(1_001);
  });
});

describe('an export of a fast hub with a small retention', () => {
  const RETENTION = 2_000;
  let server: TestServer;
  let engine: Engine;

  beforeEach(async () => {
    // As fast as the socket takes it: ingest keeps evicting the oldest events.
    let n = 0;
    server = await startTestServer({
      http: (_req, res) => {
        sseHead(res);
        const pump = (): void => {
          for (;;) {
            let chunk = '';
            for (let i = 0; i < 200; i++)
              chunk += `id: ${++n}\ndata: {"n":${n},"pad":"${'x'.repeat(150)}"}\n\n`;
            if (!res.write(chunk)) break;
          }
          res.once('drain', pump);
        };
        pump();
      },
    });
    engine = new Engine({ capacityPerHub: RETENTION });
    engine.setHubs([{ id: 'fast', dialect: 'generic', url: `${server.url}/events` }]);
    engine.start();
    await waitFor(() => (engine.hub('fast')?.stats.evicted ?? 0) > RETENTION, 'the ring to wrap');
  });

  afterEach(async () => {
    await engine.stop();
    await server.close();
  });

  it.each([
    ['on the main thread', null],
    ['on worker threads', new URL('../../../out/cli/export-worker.js', import.meta.url)],
  ])(
    'formatted %s, writes a gap marker at each hole and reports exactly what was evicted',
    async (_where, worker) => {
      const ring = engine.store.ring('fast')!;
      // The export covers what is held as it starts.
      const firstSeq = ring.seq[ring.slotOf(ring.firstPos)]!;
      const lastSeq = ring.seq[ring.slotOf(ring.total - 1)]!;
      const path = join(dir, 'fast.ndjson');
      const progress: [number, number][] = [];
      const result = await exportToFile({
        path,
        format: 'ndjson',
        // A slow walk: 50 events per slice, while the hub sends hundreds per read.
        batches: packedBatches(engine.store, {}, { batchSize: 50 }),
        redact: noRedaction,
        worker,
        workerCount: 2,
        onProgress: (written, evicted) => progress.push([written, evicted]),
      });
      const records = (await readFile(path, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as HubEvent);

      let previous = firstSeq - 1;
      let marker: HubEvent | null = null;
      let missing = 0;
      let markers = 0;
      let events = 0;
      for (const record of records) {
        if (isGapMarker(record)) {
          expect(marker).toBeNull();
          expect(record).toMatchObject({
            hub: 'fast',
            level: 'warn',
            data: null,
            id: null,
            seq: previous + 0.5,
          });
          marker = record;
          markers++;
          continue;
        }
        const hole = record.seq - previous - 1;
        // No hole without a marker right there, saying how many are missing.
        if (hole > 0) expect(marker?.message).toMatch(new RegExp(`^${hole} events? (was|were) evicted`));
        else expect(marker).toBeNull();
        missing += Math.max(0, hole);
        marker = null;
        previous = record.seq;
        events++;
      }
      if (marker !== null) {
        const tail = lastSeq - previous;
        expect(marker.message).toMatch(new RegExp(`^${tail} events? (was|were) evicted`));
        missing += tail;
      } else {
        expect(previous).toBe(lastSeq);
      }
      expect(markers).toBeGreaterThan(0);
      expect(events + missing).toBe(lastSeq - firstSeq + 1);
      expect(result).toMatchObject({ count: events, evicted: missing });
      expect(progress.at(-1)).toEqual([events, missing]);
    },
  );
});
