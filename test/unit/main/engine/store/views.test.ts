import { describe, expect, it } from 'vitest';
import { EventStore } from '../../../../../src/main/engine/store/store';
import { ViewRegistry, FilterCompileError, type EventView } from '../../../../../src/main/engine/store/views';
import type { EngineEvent } from '../../../../../src/main/engine/event-record';
import type { EventRow } from '../../../../../src/shared/event-row';
import { makeRecord } from '../../../../support/records';

function setup(capacity = 100_000) {
  const store = new EventStore({ capacityPerHub: capacity });
  const views = new ViewRegistry(store, () => 'generic');
  const seqs = new Map<string, number>();
  const add = (hub: string, overrides: Partial<EngineEvent> = {}) => {
    const ring = store.ensureRing(hub, 'generic');
    const seq = (seqs.get(hub) ?? 0) + 1;
    seqs.set(hub, seq);
    const record = makeRecord({ hub, seq, ...overrides });
    const pos = store.append(ring, store.takeG(), record);
    if (pos >= 0) views.offer(ring, pos, record);
    return record;
  };
  return { store, views, add };
}

const messages = (rows: ReturnType<EventView['rows']>) =>
  rows.map((row) => (row.kind === 'event' ? row.message : `evicted ${row.count}`));

describe('live views', () => {
  it('scans what is stored, then follows new matches live', async () => {
    const { views, add } = setup();
    add('a', { level: 'error', message: 'old error' });
    add('a', { level: 'info', message: 'old info' });
    const { view, ready } = views.open({ levels: ['error'] });
    await ready;
    expect(messages(view.rows(0, 10))).toEqual(['old error']);
    add('a', { level: 'error', message: 'new error' });
    add('b', { level: 'info', message: 'new info' });
    expect(view.total).toBe(2);
    expect(messages(view.rows(0, 10))).toEqual(['old error', 'new error']);
    expect(view.snapshot().appended).toBeGreaterThanOrEqual(1);
  });

  it('merges hubs in arrival order', async () => {
    const { views, add } = setup();
    for (let i = 0; i < 6; i++) add(i % 2 ? 'b' : 'a', { message: `m${i}` });
    const { view, ready } = views.open({});
    await ready;
    expect(messages(view.rows(0, 10))).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect((view.rows(0, 10) as EventRow[]).map((row) => row.hub)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('always shows gap markers of its hubs, whatever the filter', async () => {
    const { views, add } = setup();
    add('a', { level: 'info' });
    add('a', { event: 'gap', level: 'warn', data: null, raw: null, gap: true, message: 'reconnected' });
    add('b', { event: 'gap', level: 'warn', data: null, raw: null, gap: true, message: 'other hub' });
    const { view, ready } = views.open({ hubs: ['a'], levels: ['error'] });
    await ready;
    expect(messages(view.rows(0, 10))).toEqual(['reconnected']);
  });

  it('keeps the previous filter when a new one does not compile', async () => {
    const { views, add } = setup();
    add('a', { level: 'error' });
    add('a', { level: 'info' });
    const { view, ready } = views.open({ levels: ['error'] });
    await ready;
    await expect(view.setFilter({ regex: '(' })).rejects.toBeInstanceOf(FilterCompileError);
    expect(view.total).toBe(1);
    expect(view.spec).toEqual({ levels: ['error'] });
  });

  it('shows evicted events inline and folds them into one marker', async () => {
    const { views, add } = setup(1000);
    const { view, ready } = views.open({});
    await ready;
    for (let i = 0; i < 12_000; i++) add('a', { message: `m${i}` });
    expect(view.rows(0, 2)).toEqual([
      { kind: 'evicted', count: 1 },
      { kind: 'evicted', count: 1 },
    ]);
    const before = view.version;
    expect(view.compactIfNeeded()).toBe(true);
    expect(view.version).toBeGreaterThan(before);
    expect(view.total).toBe(1001);
    expect(view.rows(0, 2)).toEqual([
      { kind: 'evicted', count: 11_000 },
      expect.objectContaining({ message: 'm11000' }),
    ]);
  });

  it('finds the index of an arrival number to keep the reader in place', async () => {
    const { views, add } = setup();
    const records = Array.from({ length: 20 }, (_, i) =>
      add('a', { message: `m${i}`, level: i % 2 ? 'error' : 'info' }),
    );
    void records;
    const { view, ready } = views.open({ levels: ['error'] });
    await ready;
    const rows = view.rows(0, 20) as EventRow[];
    expect(view.indexOfG(rows[4]!.g)).toBe(4);
    expect(view.indexOfG(rows[4]!.g - 1)).toBe(4);
    expect(view.indexOfG(rows.at(-1)!.g + 1)).toBe(-1);
  });

  it('includes events that arrive during a rescan exactly once and in order', async () => {
    const { views, add } = setup(300_000);
    for (let i = 0; i < 200_000; i++) add('a', { message: `m${i}` });
    const { view, ready } = views.open({ text: 'm1' });
    // Ingest goes on while the rescan yields between slices.
    const adder = (async () => {
      for (let i = 0; i < 50; i++) {
        add('a', { message: `m1-live-${i}` });
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all([ready, adder]);
    const rows = view.rows(0, view.total) as EventRow[];
    const live = rows.filter((row) => row.message?.startsWith('m1-live-'));
    expect(live.map((row) => row.message)).toEqual(Array.from({ length: 50 }, (_, i) => `m1-live-${i}`));
    const seqs = rows.map((row) => row.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
  });
});
