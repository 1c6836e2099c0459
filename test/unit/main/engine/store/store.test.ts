import { describe, expect, it } from 'vitest';
import { EventStore, type ScanHit } from '../../../../../src/main/engine/store/store';
import { makeRecord } from '../../../../support/records';
import { toHubEvent } from '../../../../../src/main/engine/event-record';
import type { EngineEvent } from '../../../../../src/main/engine/event-record';
import { unpackBatch } from '../../../../../src/main/engine/export/packed-batch';
import { packedBatches } from '../../../../../src/main/engine/export/store-batches';
import type { FilterSpec } from '../../../../../src/shared/filter';
import { isGapMarker } from '../../../../../src/shared/hub-event';
import { matchingRows } from '../../../../support/store-matches';

function fill(
  store: EventStore,
  hub: string,
  count: number,
  make: (i: number) => Partial<EngineEvent> = () => ({}),
) {
  const ring = store.ensureRing(hub, 'generic');
  for (let i = 1; i <= count; i++) {
    store.append(ring, store.takeG(), makeRecord({ hub, seq: i, message: `m${i}`, ...make(i) }));
  }
  return ring;
}

describe('the event store', () => {
  it('gives back each record exactly, payload included', () => {
    const store = new EventStore();
    const ring = store.ensureRing('bots', 'bot-hub');
    const record = makeRecord({
      hub: 'bots',
      seq: 7,
      event: 'log',
      id: '42',
      level: 'warn',
      source: 'tcp',
      entity: { type: 'bot', id: 'bot-1' },
      message: 'VChk',
      data: { timestamp_ms: 5, nested: [1, 'two', null] },
    });
    store.append(ring, store.takeG(), record);
    const back = store.get('bots', 7)!;
    expect(toHubEvent(back)).toEqual(toHubEvent(record));
    expect([back.raw, back.malformed]).toEqual([record.raw, false]);
    expect(store.get('bots', 8)).toBeNull();
  });

  it('keeps text payloads and gap markers as they were', () => {
    const store = new EventStore();
    const ring = store.ensureRing('evo', 'evoclaw');
    store.append(
      ring,
      store.takeG(),
      makeRecord({ hub: 'evo', seq: 1, data: '{not json', raw: null, malformed: true }),
    );
    store.append(
      ring,
      store.takeG(),
      makeRecord({ hub: 'evo', seq: 2, event: 'gap', data: null, raw: null, gap: true }),
    );
    const text = store.get('evo', 1)!;
    expect([text.data, text.malformed, text.raw]).toEqual(['{not json', true, null]);
    const gap = store.get('evo', 2)!;
    expect([gap.data, gap.gap, gap.event]).toEqual([null, true, 'gap']);
    const rows = matchingRows(store);
    expect(rows.map((row) => [row.malformed, row.gap])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it('evicts the oldest events at capacity and counts them', () => {
    const store = new EventStore({ capacityPerHub: 1500 });
    const ring = fill(store, 'h', 4000);
    expect(ring.size).toBe(1500);
    expect(ring.evicted).toBe(2500);
    expect(store.get('h', 2500)).toBeNull();
    expect(store.get('h', 2501)?.message).toBe('m2501');
    expect(store.get('h', 4000)?.message).toBe('m4000');
  });

  it('keeps each hub within its own capacity', () => {
    const store = new EventStore({ capacityPerHub: 100 });
    store.ensureRing('small', 'generic', 10);
    fill(store, 'small', 50);
    fill(store, 'big', 50);
    expect(store.ring('small')!.size).toBe(10);
    expect(store.ring('big')!.size).toBe(50);
  });

  it('keeps nothing for a hub with capacity 0', () => {
    const store = new EventStore({ capacityPerHub: 0 });
    const ring = store.ensureRing('h', 'generic');
    expect(store.append(ring, store.takeG(), makeRecord())).toBe(-1);
    expect(store.size()).toBe(0);
  });

  it('walks matches in arrival order across hubs, from any point forwards and up to any point', () => {
    const store = new EventStore();
    const a = store.ensureRing('a', 'generic');
    const b = store.ensureRing('b', 'generic');
    for (let i = 1; i <= 10; i++) {
      store.append(
        i % 2 ? a : b,
        store.takeG(),
        makeRecord({
          hub: i % 2 ? 'a' : 'b',
          seq: i,
          level: i % 3 === 0 ? 'error' : 'info',
          message: `m${i}`,
        }),
      );
    }
    const messages = (hits: Iterable<ScanHit>) => [...hits].map((hit) => hit.ring.message.get(hit.slot));
    const all = matchingRows(store);
    expect(all.slice(0, 4).map((row) => row.message)).toEqual(['m1', 'm2', 'm3', 'm4']);
    const fourth = all[3]!.g;
    const after = new Map([a, b].map((ring) => [ring, ring.positionOfG(fourth + 1)]));
    expect(messages(store.walk([a, b], { starts: after })).slice(0, 4)).toEqual(['m5', 'm6', 'm7', 'm8']);
    const errors = matchingRows(store, { levels: ['error'] });
    expect(
      errors
        .reverse()
        .slice(0, 2)
        .map((row) => row.message),
    ).toEqual(['m9', 'm6']);
    expect(messages(store.walk([a, b], { endG: fourth }))).toEqual(['m1', 'm2', 'm3']);
  });

  it('knows how many events a filter takes without scanning only when it takes whole hubs', () => {
    const store = new EventStore({ capacityPerHub: 100 });
    fill(store, 'a', 30);
    fill(store, 'b', 150);
    expect(store.knownCount({})).toBe(130);
    expect(store.knownCount({ hubs: ['b'] })).toBe(100);
    expect(store.knownCount({ hubs: [], text: '', invert: false })).toBe(130);
    expect(store.knownCount({ hubs: ['a'], levels: ['error'] })).toBeNull();
    expect(store.knownCount({ text: 'm1' })).toBeNull();
  });

  it('iterates matching records in batches for export', async () => {
    const store = new EventStore();
    fill(store, 'h', 10_000, (i) => ({ level: i % 10 === 0 ? 'error' : 'info' }));
    const seen: number[] = [];
    for await (const batch of store.iterate({ levels: ['error'] }, { batchSize: 300 })) {
      expect(batch.length).toBeLessThanOrEqual(300);
      seen.push(...batch.map((event) => event.seq));
    }
    expect(seen).toHaveLength(1000);
    expect(seen[0]).toBe(10);
    expect(seen.at(-1)).toBe(10_000);
  });

  it('shrinks a ring to its newest events when its capacity is lowered', () => {
    const store = new EventStore();
    const ring = fill(store, 'h', 3000);
    store.ensureRing('h', 'generic', 1000);
    expect(ring.size).toBe(1000);
    expect(store.get('h', 2001)?.message).toBe('m2001');
    expect(store.get('h', 2000)).toBeNull();
    store.append(ring, store.takeG(), makeRecord({ hub: 'h', seq: 3001, message: 'm3001' }));
    expect(store.get('h', 3001)?.message).toBe('m3001');
    expect(ring.size).toBe(1000);
  });
});

describe('event ids in the store', () => {
  it('gives back every id exactly as received, numeric or not', () => {
    const store = new EventStore();
    const ring = store.ensureRing('h', 'generic');
    const ids = [
      '1',
      '42',
      '0',
      '007',
      '123456789012345',
      '1234567890123456',
      'abc-1',
      '9.5',
      '-3',
      '',
      'é',
      null,
    ];
    ids.forEach((id, i) => store.append(ring, store.takeG(), makeRecord({ hub: 'h', seq: i + 1, id })));
    expect(ids.map((_, i) => store.get('h', i + 1)!.id)).toEqual(ids);
    expect(matchingRows(store).map((row) => row.id)).toEqual(ids);
  });
});

describe('an export walk the ring evicts under', () => {
  /** Appends `count` more events to `hub`'s ring (seq goes on from the ring's total). */
  function more(store: EventStore, hub: string, count: number): void {
    const ring = store.ensureRing(hub, 'generic');
    for (let i = 0; i < count; i++) {
      const seq = ring.total + 1;
      store.append(ring, store.takeG(), makeRecord({ hub, seq, message: `m${seq}`, receivedAt: 1000 + seq }));
    }
  }

  /** Walks `spec` in packed batches, appending `perBatch` events to hub `a` after each one. */
  async function exportUnderLoad(store: EventStore, spec: FilterSpec, perBatch: number, batchSize = 10) {
    const records: EngineEvent[] = [];
    let evicted = 0;
    let markers = 0;
    for await (const batch of packedBatches(store, spec, { batchSize })) {
      records.push(...unpackBatch(batch));
      evicted += batch.evicted;
      markers += batch.markers;
      more(store, 'a', perBatch);
    }
    return { records, evicted, markers };
  }

  /** How many events a marker says were evicted ("12 events were evicted …"). */
  function countIn(marker: EngineEvent): number {
    return Number(/^(\d+) events? (was|were) evicted/.exec(marker.message ?? '')?.[1]);
  }

  /**
   * Checks one hub's part of an export: real events in seq order, and at each hole exactly
   * one marker, right there, with a seq between its neighbours and the hole's size.
   * Returns the seqs written and the events the markers say are missing.
   */
  function holesOf(records: EngineEvent[], hub: string, firstSeq: number) {
    const own = records.filter((record) => record.hub === hub);
    let previous = firstSeq - 1;
    let missing = 0;
    let pending: EngineEvent | null = null;
    const written: number[] = [];
    for (const record of own) {
      if (isGapMarker(record)) {
        expect(pending).toBeNull();
        expect(record).toMatchObject({
          event: 'gap',
          level: 'warn',
          source: 'hubwatch',
          data: null,
          id: null,
        });
        expect(record.seq).toBe(previous + 0.5);
        pending = record;
        continue;
      }
      expect(record.seq).toBeGreaterThan(previous);
      const hole = record.seq - previous - 1;
      if (hole > 0) {
        expect(pending).not.toBeNull();
        expect(countIn(pending!)).toBe(hole);
        missing += hole;
      } else {
        expect(pending).toBeNull();
      }
      pending = null;
      previous = record.seq;
      written.push(record.seq);
    }
    if (pending !== null) missing += countIn(pending);
    return { written, missing, markers: own.filter(isGapMarker).length };
  }

  it('writes a marker at each hole it finds and counts exactly the events it lost', async () => {
    const store = new EventStore({ capacityPerHub: 100 });
    more(store, 'a', 100);
    more(store, 'b', 40);
    // The walk takes 10 per batch; hub a evicts 15 after each: it keeps outrunning the walk.
    const { records, evicted, markers } = await exportUnderLoad(store, {}, 15);
    const a = holesOf(records, 'a', 1);
    expect(a.markers).toBeGreaterThan(1);
    expect(a.written.length + a.missing).toBe(100);
    expect(a.written.every((seq) => seq <= 100)).toBe(true);
    // Hub b lost nothing and has no marker.
    const b = holesOf(records, 'b', 1);
    expect(b).toEqual({ written: Array.from({ length: 40 }, (_, i) => i + 1), missing: 0, markers: 0 });
    expect(evicted).toBe(a.missing);
    expect(markers).toBe(a.markers);
  });

  it('marks a hole before the first event it reached and one reaching past the end of its range', async () => {
    const store = new EventStore({ capacityPerHub: 100 });
    more(store, 'b', 10);
    more(store, 'a', 100);
    // The first batch is hub b's ten; then hub a loses all it held.
    const { records, evicted } = await exportUnderLoad(store, {}, 150);
    const a = records.filter((record) => record.hub === 'a');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ event: 'gap', source: 'hubwatch', seq: 0.5 });
    expect(countIn(a[0]!)).toBe(100);
    expect(evicted).toBe(100);
  });

  it('says a filtered export cannot know whether the evicted events matched', async () => {
    const store = new EventStore({ capacityPerHub: 100 });
    more(store, 'a', 100);
    const { records } = await exportUnderLoad(store, { text: 'm' }, 15);
    const marker = records.find(isGapMarker)!;
    expect(marker.message).toMatch(/evicted .* before the export could write them/);
    expect(marker.message).toContain('filter');
  });

  it('gives the same records through iterate as through packed batches', async () => {
    const plain = new EventStore({ capacityPerHub: 100 });
    more(plain, 'a', 100);
    const iterated: EngineEvent[] = [];
    for await (const batch of plain.iterate({}, { batchSize: 10 })) {
      iterated.push(...batch);
      more(plain, 'a', 15);
    }
    const packing = new EventStore({ capacityPerHub: 100 });
    more(packing, 'a', 100);
    const { records } = await exportUnderLoad(packing, {}, 15);
    expect(iterated.map(toHubEvent)).toEqual(records.map(toHubEvent));
    expect(iterated.filter(isGapMarker).length).toBeGreaterThan(1);
  });
});
