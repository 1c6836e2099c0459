/** The store's events packed for export: the same records as `iterate`, without dragging whole blocks along. */
import { describe, expect, it } from 'vitest';
import { toHubEvent, type EngineEvent } from '../../../../../src/main/engine/event-record';
import {
  packedLength,
  unpackBatch,
  type PackedBatch,
} from '../../../../../src/main/engine/export/packed-batch';
import { packedBatches } from '../../../../../src/main/engine/export/store-batches';
import { BLOCK_CHARS } from '../../../../../src/main/engine/store/packed-strings';
import { EventStore } from '../../../../../src/main/engine/store/store';
import type { FilterSpec } from '../../../../../src/shared/filter';
import { ENTITY_TYPES, type Level } from '../../../../../src/shared/hub-event';
import { makeRecord } from '../../../../support/records';
import { matchCount } from '../../../../support/store-matches';

const HUBS = ['alpha', 'beta', 'gamma'] as const;

/** What the export formats read of a record: the 11 HubEvent fields and the received text. */
function readable(event: EngineEvent) {
  return { ...toHubEvent(event), raw: event.raw };
}

/** The `i`-th record of a varied stream (without hub and seq): every field kind, some values far longer than a block. */
function variedRecord(i: number): Partial<EngineEvent> {
  const level: Level =
    i % 7 === 0 ? 'error' : i % 11 === 0 ? 'warn' : i % 13 === 0 ? 'debug' : i % 19 === 0 ? 'state' : 'info';
  let message: string | null = `event ${i} from the hub`;
  if (i % 17 === 0) message = null;
  else if (i % 53 === 0) message = '';
  else if (i % 97 === 5) message = `NeedleX found in ${i}`;
  else if (i % 101 === 0) message = `long ${i} `.padEnd(5_000, 'm');
  else if (i % 41 === 0) message = `é 漢字 🙂 line\nbreak ${i}`;
  const base: Partial<EngineEvent> = {
    receivedAt: 1_700_000_000_000 + i * 13,
    time: 1_700_000_000_000 + i * 11,
    event: i % 5 === 0 ? 'status' : 'log',
    id: i % 3 === 0 ? String(i) : i % 3 === 1 ? `ev-${i}` : null,
    level,
    source: i % 6 === 0 ? null : `src-${i % 4}`,
    entity: i % 4 === 0 ? null : { type: ENTITY_TYPES[i % ENTITY_TYPES.length]!, id: `e-${i % 9}` },
    message,
  };
  if (i % 401 === 0) return { ...base, event: 'gap', level: 'warn', data: null, raw: null, gap: true };
  if (i % 29 === 0) return { ...base, data: null, raw: null };
  if (i % 23 === 0) return { ...base, data: `{not json ${i}`, raw: null, malformed: true };
  if (i % 31 === 0) return { ...base, data: { i, nested: [i, 'two', null] }, raw: null };
  const pad = i % 211 === 0 ? 40_000 : 200 + (i % 150);
  const raw = `{\n  "i": ${i},\n  "text": "${'p'.repeat(pad)}"\n}`;
  return { ...base, data: JSON.parse(raw) as EngineEvent['data'], raw };
}

/** Appends records `from … to-1` of the varied stream, spread unevenly over three hubs. */
function append(store: EventStore, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const hub = HUBS[i % 5 < 3 ? 0 : i % 5 === 3 ? 1 : 2];
    const ring = store.ensureRing(hub, 'generic');
    store.append(ring, store.takeG(), makeRecord({ hub, seq: ring.total + 1, ...variedRecord(i) }));
  }
}

async function iterated(store: EventStore, spec: FilterSpec, batchSize: number) {
  const batches: ReturnType<typeof readable>[][] = [];
  for await (const batch of store.iterate(spec, { batchSize })) batches.push(batch.map(readable));
  return batches;
}

async function packed(store: EventStore, spec: FilterSpec, batchSize: number) {
  const batches: ReturnType<typeof readable>[][] = [];
  for await (const batch of packedBatches(store, spec, { batchSize })) {
    batches.push([...unpackBatch(batch)].map(readable));
  }
  return batches;
}

/** Characters in a batch's string table. */
function tableChars(batch: PackedBatch): number {
  return batch.strings.reduce((sum, entry) => sum + entry.length, 0);
}

const SPECS: [string, FilterSpec, number][] = [
  // Name, spec, records it must match (of 3,000).
  ['everything', {}, 3_000],
  ['one hub', { hubs: ['beta'] }, 600],
  ['a text matching about 1 %', { text: 'needlex' }, 28],
  ['two levels', { levels: ['error', 'warn'] }, 669],
];

describe('packed export batches from the store', () => {
  const store = new EventStore();
  append(store, 0, 3_000);

  it('hold records that span many blocks', () => {
    expect(store.size()).toBe(3_000);
    const ring = store.ring('alpha')!;
    expect(ring.payload.blocks).toBeGreaterThan(20);
    expect(ring.message.blocks).toBeGreaterThan(2);
  });

  it.each(SPECS)(
    'give the same records as iterate for %s, in the same batches',
    async (_name, spec, expected) => {
      const count = matchCount(store, spec);
      expect(count).toBe(expected);
      for (const batchSize of [1, 7, 4_096]) {
        const want = await iterated(store, spec, batchSize);
        const got = await packed(store, spec, batchSize);
        expect(got.map((batch) => batch.length)).toEqual(want.map((batch) => batch.length));
        expect(got.flat()).toEqual(want.flat());
        expect(got.flat()).toHaveLength(count);
      }
    },
  );

  it('end a batch early once its messages and payloads reach the character limit', async () => {
    const maxChars = 20_000;
    const sizes: number[] = [];
    const records: ReturnType<typeof readable>[] = [];
    for await (const batch of packedBatches(store, {}, { batchSize: 4_096, maxChars })) {
      const events = [...unpackBatch(batch)];
      // The payload as the store keeps it: the JSON text, or a text payload itself.
      const payloadChars = (event: EngineEvent) =>
        (event.raw ?? (typeof event.data === 'string' ? event.data : '')).length;
      const chars = events.map((event) => (event.message?.length ?? 0) + payloadChars(event));
      const total = chars.reduce((sum, n) => sum + n, 0);
      // Under the limit until its last record, which took it there (the final batch may stay under).
      expect(total - chars.at(-1)!).toBeLessThan(maxChars);
      sizes.push(total);
      records.push(...events.map(readable));
    }
    expect(sizes.slice(0, -1).every((total) => total >= maxChars)).toBe(true);
    expect(sizes.length).toBeGreaterThan(10);
    expect(records).toEqual((await iterated(store, {}, 4_096)).flat());
  });

  it('give the same records as iterate after the rings have evicted and freed blocks', async () => {
    const small = new EventStore({ capacityPerHub: 256 });
    append(small, 0, 3_000);
    expect(small.size()).toBe(3 * 256);
    expect(small.ring('alpha')!.evicted).toBe(1_800 - 256);
    for (const spec of [{}, { text: 'needlex' }, { hubs: ['gamma'], levels: ['info'] as Level[] }]) {
      for (const batchSize of [7, 4_096]) {
        const want = (await iterated(small, spec, batchSize)).flat();
        expect(want.length).toBeGreaterThan(0);
        expect((await packed(small, spec, batchSize)).flat()).toEqual(want);
      }
    }
  });

  it('skip what is evicted between batches exactly as iterate does', async () => {
    const plain = new EventStore({ capacityPerHub: 300 });
    const packing = new EventStore({ capacityPerHub: 300 });
    append(plain, 0, 900);
    append(packing, 0, 900);
    const want: ReturnType<typeof readable>[] = [];
    let next = 900;
    for await (const batch of plain.iterate({}, { batchSize: 50 })) {
      want.push(...batch.map(readable));
      append(plain, next, next + 40);
      next += 40;
    }
    const got: ReturnType<typeof readable>[] = [];
    next = 900;
    for await (const batch of packedBatches(packing, {}, { batchSize: 50 })) {
      got.push(...[...unpackBatch(batch)].map(readable));
      append(packing, next, next + 40);
      next += 40;
    }
    // Ingest outran the walk: some of the 900 were gone before it reached them.
    expect(want.length).toBeLessThan(900);
    expect(want.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
  });

  it('pack whole blocks for a dense export: far fewer table strings than records', async () => {
    const ids = new EventStore();
    const ring = ids.ensureRing('h', 'generic');
    for (let i = 0; i < 20_000; i++) {
      ids.append(
        ring,
        ids.takeG(),
        makeRecord({ hub: 'h', seq: i + 1, message: `message ${i}`, data: { i } }),
      );
    }
    let records = 0;
    let strings = 0;
    for await (const batch of packedBatches(ids, {})) {
      records += packedLength(batch);
      strings += batch.strings.filter((entry) => entry.length > 0).length;
    }
    expect(records).toBe(20_000);
    expect(strings).toBeLessThan(records / 10);
  });

  it('send the matched values of a sparse filter alone, not the blocks they sit in', async () => {
    const sparse = new EventStore();
    const ring = sparse.ensureRing('h', 'generic');
    for (let i = 0; i < 20_000; i++) {
      const message = i % 200 === 0 ? `rare-match ${i}` : `ordinary message ${i}`;
      const raw = `{"i":${i},"text":"${'q'.repeat(230)}"}`;
      sparse.append(
        ring,
        sparse.takeG(),
        makeRecord({ hub: 'h', seq: i + 1, message, raw, data: JSON.parse(raw) as EngineEvent['data'] }),
      );
    }
    expect(ring.payload.blocks).toBeGreaterThan(200);
    const want = (await iterated(sparse, { text: 'rare-match' }, 4_096)).flat();
    expect(want).toHaveLength(100);
    const matchedChars = want.reduce((sum, event) => sum + event.message!.length + event.raw!.length, 0);

    let chars = 0;
    const got: ReturnType<typeof readable>[] = [];
    for await (const batch of packedBatches(sparse, { text: 'rare-match' }, { batchSize: 16 })) {
      chars += tableChars(batch);
      expect(batch.strings.every((entry) => entry.length < BLOCK_CHARS / 4)).toBe(true);
      got.push(...[...unpackBatch(batch)].map(readable));
    }
    expect(got).toEqual(want);
    expect(chars).toBeLessThan(4 * matchedChars);
  });
});
