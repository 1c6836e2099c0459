/** Export batches packed for format workers: exact round trips, identical lines, and what their string table keeps. */
import { describe, expect, it } from 'vitest';
import { toHubEvent, type EngineEvent } from '../../../../../src/main/engine/event-record';
import { formatPackedBatch } from '../../../../../src/main/engine/export/format-pool';
import { formatterFor, type ExportFormat } from '../../../../../src/main/engine/export/formats';
import {
  BatchPacker,
  packBatch,
  packedLength,
  unpackBatch,
} from '../../../../../src/main/engine/export/packed-batch';
import { PAYLOAD_JSON, PAYLOAD_NULL } from '../../../../../src/main/engine/store/payload-kind';
import { createRedactor } from '../../../../../src/main/engine/redaction';
import { exportRecord } from './export-records';

const SECRET = 'hub-secret-7f3a9c';

/** What the export formats read of a record: the 11 HubEvent fields and the received text. */
function readable(event: EngineEvent) {
  return { ...toHubEvent(event), raw: event.raw };
}

/** Records covering every kind of field value a packed batch must carry. */
function variedRecords(): EngineEvent[] {
  const multiLine = '{\n  "Topic": "status",\r\n  "Data": {"exit_code": 0, "note": "a\\nb"}\n}';
  const unicode = '{"text":"é 漢字 🙂","flag":"🏳️‍🌈"}';
  return [
    exportRecord({ seq: 1 }),
    exportRecord({ seq: 2, id: null, source: null, entity: null, message: null }),
    exportRecord({
      seq: 3,
      hub: '',
      event: '',
      id: '',
      source: '',
      entity: { type: 'session', id: '' },
      message: '',
    }),
    exportRecord({
      seq: 4,
      source: 'модуль',
      entity: { type: 'bot', id: 'ボット-🙂' },
      message: 'é 漢字 🙂 \u0000 "quoted" \\ tab\t end',
      raw: unicode,
      data: JSON.parse(unicode) as EngineEvent['data'],
    }),
    exportRecord({ seq: 5, level: 'warn', raw: null, data: '{not json at all', malformed: true }),
    exportRecord({ seq: 6, level: 'error', event: 'gap', raw: null, data: null, message: null }),
    exportRecord({ seq: 7, level: 'debug', raw: null, data: { a: [1, 'two', null], b: { c: true } } }),
    exportRecord({
      seq: 8,
      level: 'state',
      raw: multiLine,
      data: JSON.parse(multiLine) as EngineEvent['data'],
    }),
    exportRecord({
      seq: Number.MAX_SAFE_INTEGER,
      receivedAt: 0,
      time: -86_400_000.5,
      id: '9007199254740993',
    }),
    exportRecord({ seq: 10, raw: null, data: '' }),
    exportRecord({ seq: 11, raw: null, data: 0 }),
    exportRecord({ seq: 12, message: `long ${'x'.repeat(200)} ${SECRET} tail` }),
    exportRecord({ seq: 13, message: `long ${'x'.repeat(200)} ${SECRET} tail` }),
    exportRecord({
      seq: 14,
      entity: { type: 'command', id: 'cmd-1' },
      raw: `{"url":"https://h.test/x?key=${SECRET}"}`,
      data: { url: `https://h.test/x?key=${SECRET}` },
    }),
  ];
}

/** What the unpacked records must read as: structured data without received text gains its JSON as `raw`. */
function expectedReadable(event: EngineEvent) {
  const data = event.data;
  const raw = event.raw ?? (data === null || typeof data === 'string' ? null : JSON.stringify(data));
  return { ...toHubEvent(event), raw };
}

/** Adds a record whose message is a part of `block` (key 1) and whose other fields are short values. */
function recordWithSlice(packer: BatchPacker, seq: number, block: string, start: number, length: number) {
  packer.record(seq, 1000 + seq, 2000 + seq, PAYLOAD_NULL);
  packer.value('hub');
  packer.value('log');
  packer.unique(null);
  packer.value('info');
  packer.value(null);
  packer.value(null);
  packer.value(null);
  packer.slice(block, 1, start, length);
  packer.value(null);
}

/** Text where every slice differs from every other (a wrong offset cannot read back right by chance). */
function distinctText(length: number): string {
  let text = '';
  for (let i = 0; text.length < length; i++) text += `${i.toString(36)}|`;
  return text.slice(0, length);
}

describe('packing a batch', () => {
  it('gives back every field of every record exactly', () => {
    const records = variedRecords();
    const batch = packBatch(records);
    expect(packedLength(batch)).toBe(records.length);
    const unpacked = [...unpackBatch(batch)];
    expect(unpacked.map(readable)).toEqual(records.map(expectedReadable));
    // Spot checks of what toEqual could conflate.
    expect(unpacked[1]!.entity).toBeNull();
    expect(unpacked[2]!.id).toBe('');
    expect(unpacked[4]!.data).toBe('{not json at all');
    expect(unpacked[4]!.raw).toBeNull();
    expect(unpacked[5]!.data).toBeNull();
    expect(unpacked[6]!.raw).toBe('{"a":[1,"two",null],"b":{"c":true}}');
    expect(unpacked[8]!.seq).toBe(Number.MAX_SAFE_INTEGER);
    expect(unpacked[9]!.data).toBe('');
    expect(unpacked[10]!.data).toBe(0);
  });

  it('packs an empty list as an empty batch', () => {
    const batch = packBatch([]);
    expect(packedLength(batch)).toBe(0);
    expect([...unpackBatch(batch)]).toEqual([]);
  });

  it.each(['ndjson', 'csv', 'text'] as const)(
    'writes the same redacted %s lines for unpacked records as for the originals',
    (format: ExportFormat) => {
      const records = variedRecords();
      const formatter = formatterFor(format, createRedactor([SECRET]));
      const expected = records.map((event) => formatter.line(event));
      const batch = packBatch(records);
      expect([...unpackBatch(batch)].map((event) => formatter.line(event))).toEqual(expected);
      const text = new TextDecoder().decode(formatPackedBatch(batch, formatter));
      expect(text).toBe(expected.join(''));
      expect(text).not.toContain(SECRET);
      expect(text).toContain('REDACTED');
    },
  );
});

describe('the batch packer', () => {
  it('keeps a block the batch mostly uses as one table entry', () => {
    const parts = ['first value ', 'second, longer value ', 'third 🙂 value'];
    const block = parts.join('');
    const packer = new BatchPacker(parts.length);
    let start = 0;
    parts.forEach((part, i) => {
      recordWithSlice(packer, i + 1, block, start, part.length);
      start += part.length;
    });
    const batch = packer.finish();
    expect(batch.strings.filter((entry) => entry === block)).toHaveLength(1);
    expect(batch.strings.filter((entry) => parts.includes(entry))).toEqual([]);
    expect([...unpackBatch(batch)].map((event) => event.message)).toEqual(parts);
  });

  it('sends the values of a block the batch uses little of alone, not the block', () => {
    const block = distinctText(20_000);
    const packer = new BatchPacker(2);
    recordWithSlice(packer, 1, block, 12_345, 10);
    recordWithSlice(packer, 2, block, 3, 7);
    const batch = packer.finish();
    expect(Math.max(...batch.strings.map((entry) => entry.length))).toBe(10);
    expect(batch.strings).not.toContain(block);
    expect([...unpackBatch(batch)].map((event) => event.message)).toEqual([
      block.slice(12_345, 12_355),
      block.slice(3, 10),
    ]);
  });

  it('keeps a block at exactly a quarter used and drops it just below', () => {
    const block = distinctText(400);
    const dense = new BatchPacker(1);
    recordWithSlice(dense, 1, block, 50, 100);
    const denseBatch = dense.finish();
    expect(denseBatch.strings).toContain(block);
    expect([...unpackBatch(denseBatch)][0]!.message).toBe(block.slice(50, 150));

    const sparse = new BatchPacker(1);
    recordWithSlice(sparse, 1, block, 50, 99);
    const sparseBatch = sparse.finish();
    expect(sparseBatch.strings).not.toContain(block);
    expect([...unpackBatch(sparseBatch)][0]!.message).toBe(block.slice(50, 149));
  });

  it('drops a block that only empty values are cut from', () => {
    const block = distinctText(20_000);
    const packer = new BatchPacker(2);
    recordWithSlice(packer, 1, block, 0, 0);
    recordWithSlice(packer, 2, block, 500, 0);
    const batch = packer.finish();
    expect(batch.strings).not.toContain(block);
    expect([...unpackBatch(batch)].map((event) => event.message)).toEqual(['', '']);
  });

  it('stores short repeated values once', () => {
    const records = Array.from({ length: 50 }, (_, i) =>
      exportRecord({
        seq: i + 1,
        id: `id-${i}`,
        message: i % 2 === 0 ? 'even' : 'odd',
        raw: '{"n":1}',
        data: { n: 1 },
      }),
    );
    const { strings } = packBatch(records);
    const occurrences = (value: string) => strings.filter((entry) => entry === value).length;
    for (const value of ['bots', 'log', 'info', 'auth_client', 'bot', 'bot-1', 'even', 'odd', '{"n":1}']) {
      expect(occurrences(value), value).toBe(1);
    }
    // Ids differ per record: each is its own entry.
    expect(strings.filter((entry) => entry.startsWith('id-'))).toHaveLength(50);
  });

  it('gives a partly filled batch typed arrays sized to its records, and a full one its own', () => {
    const fill = (packer: BatchPacker, count: number) => {
      for (let i = 0; i < count; i++) recordWithSlice(packer, i + 1, 'abcdefgh', i, 1);
    };
    const partly = new BatchPacker(100);
    fill(partly, 3);
    const partlyBatch = partly.finish();
    expect(partlyBatch.refs.buffer.byteLength).toBe(3 * 9 * 3 * Int32Array.BYTES_PER_ELEMENT);
    expect(partlyBatch.numbers.buffer.byteLength).toBe(3 * 3 * Float64Array.BYTES_PER_ELEMENT);
    expect(partlyBatch.payloadKinds.buffer.byteLength).toBe(3);
    expect([...unpackBatch(partlyBatch)].map((event) => [event.seq, event.receivedAt, event.time])).toEqual([
      [1, 1001, 2001],
      [2, 1002, 2002],
      [3, 1003, 2003],
    ]);

    const full = new BatchPacker(4);
    // The packer's own arrays, read before finish() (private: what a full batch should hand over as is).
    const own = full as unknown as { refs: Int32Array; numbers: Float64Array; kinds: Uint8Array };
    const ownArrays = [own.refs, own.numbers, own.kinds];
    fill(full, 4);
    const fullBatch = full.finish();
    expect(fullBatch.refs).toBe(ownArrays[0]);
    expect(fullBatch.numbers).toBe(ownArrays[1]);
    expect(fullBatch.payloadKinds).toBe(ownArrays[2]);
    expect(fullBatch.refs.buffer.byteLength).toBe(4 * 9 * 3 * Int32Array.BYTES_PER_ELEMENT);
    expect([...unpackBatch(fullBatch)].map((event) => event.message)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reads a payload slice as received JSON text when its kind says so', () => {
    const payloads = '{"a":1}{"b":[2,3]}';
    const packer = new BatchPacker(2);
    [
      [0, 7],
      [7, 11],
    ].forEach(([start, length], i) => {
      packer.record(i + 1, 0, 0, PAYLOAD_JSON);
      for (let field = 0; field < 8; field++) packer.value(field === 0 ? 'hub' : field === 1 ? 'log' : null);
      packer.slice(payloads, 7, start!, length!);
    });
    const unpacked = [...unpackBatch(packer.finish())];
    expect(unpacked.map((event) => [event.raw, event.data])).toEqual([
      ['{"a":1}', { a: 1 }],
      ['{"b":[2,3]}', { b: [2, 3] }],
    ]);
  });
});
