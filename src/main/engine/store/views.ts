/**
 * Live views: what one tab shows. A view keeps the arrival-ordered list of the store
 * positions matching its filter — a few bytes per match — so the UI can page through
 * hundreds of thousands of matches, follow the tail, and change the filter while ingest
 * goes on. A filter change rescans the store in time slices: the event loop is never held
 * for more than a few milliseconds.
 */
import type { ListRow } from '../../../shared/event-row';
import { compileFilter, type FilterSpec } from '../../../shared/filter';
import type { EngineEvent } from '../event-record';
import { recordAccessor, type EventStore, type HubRing, type StoredAt } from './store';

/** Marks a list entry that stands for a run of evicted events (`pos` holds the count). */
const MARKER = 0xffff;
/** Work done between clock checks while rescanning. */
const SLICE_CHECK_EVERY = 4096;
/** Longest a rescan holds the event loop before yielding. */
const SLICE_MS = 8;

export interface ViewSnapshot {
  id: string;
  /** Bumped whenever indexes shift (rescan, compaction): the UI re-reads its rows. */
  version: number;
  total: number;
  scanning: boolean;
  /** 0..1 while scanning. */
  progress: number;
  /** Matches appended since the previous snapshot. */
  appended: number;
}

/** A filter that could not be compiled: which part, and why. */
export class FilterCompileError extends Error {
  override name = 'FilterCompileError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A growable list of store positions. */
class PositionList {
  private items = new Float64Array(1024);
  length = 0;
  push(position: number): void {
    if (this.length === this.items.length) {
      const grown = new Float64Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = position;
  }
  at(index: number): number {
    return this.items[index]!;
  }
}

export class EventView {
  private hubIdx = new Uint16Array(1024);
  private pos = new Float64Array(1024);
  private length = 0;
  private liveTest: (record: EngineEvent) => boolean = () => true;
  private hubScope: Set<string> | null = null;
  private scanToken = 0;
  private pendingLive: StoredAt[] = [];
  private appendedSinceSnapshot = 0;
  private evictionsAtCompaction = 0;
  version = 0;
  scanning = false;
  progress = 1;
  spec: FilterSpec = {};

  constructor(
    readonly id: string,
    private readonly store: EventStore,
    private readonly dialectOf: (hub: string) => string,
  ) {}

  /** Number of list entries (events plus evicted markers). */
  get total(): number {
    return this.length;
  }

  /**
   * Applies a filter: checks it, then rescans the store in time slices. Rejects with a
   * `FilterCompileError` (and keeps the previous filter) when the spec is invalid.
   */
  async setFilter(spec: FilterSpec): Promise<void> {
    const live = compileFilter(spec, recordAccessor(this.dialectOf));
    if (!live.ok) throw new FilterCompileError(live.field, live.error);
    const rings = this.store
      .allRings()
      .filter((ring) => !spec.hubs || spec.hubs.length === 0 || spec.hubs.includes(ring.hubId));
    const compiled = this.store.compileFor(spec, rings);
    if (!Array.isArray(compiled)) throw new FilterCompileError(compiled.field, compiled.error);

    const token = ++this.scanToken;
    this.spec = spec;
    this.liveTest = live.test;
    this.hubScope = spec.hubs && spec.hubs.length > 0 ? new Set(spec.hubs) : null;
    this.length = 0;
    this.pendingLive = [];
    this.version++;
    this.scanning = true;
    this.progress = 0;
    this.evictionsAtCompaction = this.evictionsInScope();

    // Phase 1: test each ring's events in place (a tight loop per ring), keeping the
    // positions that match. Phase 2: merge those matches across rings by arrival number.
    // Both yield every few milliseconds; events stored meanwhile wait in pendingLive.
    const ringsInScope = compiled.map((entry) => entry.ring);
    const ends = ringsInScope.map((ring) => ring.total);
    const totalWork = Math.max(
      1,
      ringsInScope.reduce((sum, ring) => sum + ring.size, 0),
    );
    let done = 0;
    let sliceStart = performance.now();
    const pause = async (): Promise<boolean> => {
      if (performance.now() - sliceStart <= SLICE_MS) return true;
      this.progress = Math.min(0.99, done / totalWork);
      await yieldToLoop();
      sliceStart = performance.now();
      return token === this.scanToken;
    };

    const matches: PositionList[] = [];
    for (let r = 0; r < ringsInScope.length; r++) {
      const ring = ringsInScope[r]!;
      const test = compiled[r]!.test;
      const found = new PositionList();
      matches.push(found);
      let position = ring.firstPos;
      while (position < ends[r]!) {
        // The ring may have evicted under us between slices.
        if (position < ring.firstPos) position = ring.firstPos;
        const stop = Math.min(ends[r]!, position + SLICE_CHECK_EVERY);
        for (; position < stop; position++) {
          const slot = ring.slotOf(position);
          if (ring.isGap(slot) || test(slot)) found.push(position);
        }
        done += SLICE_CHECK_EVERY;
        if (!(await pause())) return;
      }
    }

    const heads = matches.map(() => 0);
    let merged = 0;
    for (;;) {
      let best = -1;
      let bestG = Infinity;
      for (let r = 0; r < ringsInScope.length; r++) {
        const ring = ringsInScope[r]!;
        const list = matches[r]!;
        // Matches evicted while we scanned are gone: skip them.
        while (heads[r]! < list.length && list.at(heads[r]!) < ring.firstPos) heads[r]!++;
        if (heads[r]! >= list.length) continue;
        const g = ring.g[ring.slotOf(list.at(heads[r]!))]!;
        if (g < bestG) {
          bestG = g;
          best = r;
        }
      }
      if (best < 0) break;
      this.push(ringsInScope[best]!.index, matches[best]!.at(heads[best]!));
      heads[best]!++;
      if (++merged % SLICE_CHECK_EVERY === 0 && !(await pause())) return;
    }
    if (token !== this.scanToken) return;
    for (const stored of this.pendingLive) this.push(stored.ring.index, stored.pos);
    this.pendingLive = [];
    this.scanning = false;
    this.progress = 1;
    this.appendedSinceSnapshot = this.length;
  }

  /** Offers a just-stored record (hot path: one scope check and one predicate). */
  offer(ring: HubRing, pos: number, record: EngineEvent): void {
    if (this.hubScope !== null && !this.hubScope.has(record.hub)) return;
    if (!record.gap && !this.liveTest(record)) return;
    if (this.scanning) {
      this.pendingLive.push({ ring, pos });
      return;
    }
    this.push(ring.index, pos);
    this.appendedSinceSnapshot++;
  }

  /** Rows `start`…`start+count-1`; evicted events come back as markers. */
  rows(start: number, count: number): ListRow[] {
    const out: ListRow[] = [];
    const end = Math.min(this.length, start + count);
    for (let i = Math.max(0, start); i < end; i++) {
      const hubIdx = this.hubIdx[i]!;
      const position = this.pos[i]!;
      if (hubIdx === MARKER) {
        out.push({ kind: 'evicted', count: position });
        continue;
      }
      const ring = this.store.ringAt(hubIdx);
      if (!ring || !ring.holds(position)) {
        out.push({ kind: 'evicted', count: 1 });
        continue;
      }
      out.push(ring.rowAt(ring.slotOf(position)));
    }
    return out;
  }

  /** Index of the entry with arrival number `g`, or the first entry after it; -1 if none. */
  indexOfG(g: number): number {
    let lo = 0;
    let hi = this.length - 1;
    let answer = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const entryG = this.gAt(mid);
      if (entryG === null) {
        // Markers and evicted entries carry no g: look right for a live one.
        let probe = mid + 1;
        while (probe <= hi && this.gAt(probe) === null) probe++;
        if (probe > hi) {
          hi = mid - 1;
          continue;
        }
        const probeG = this.gAt(probe)!;
        if (probeG >= g) {
          answer = probe;
          hi = mid - 1;
        } else lo = probe + 1;
        continue;
      }
      if (entryG >= g) {
        answer = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return answer;
  }

  snapshot(): ViewSnapshot {
    const appended = this.appendedSinceSnapshot;
    this.appendedSinceSnapshot = 0;
    return {
      id: this.id,
      version: this.version,
      total: this.length,
      scanning: this.scanning,
      progress: this.progress,
      appended,
    };
  }

  /**
   * Folds runs of evicted entries into single markers once enough of the scope has been
   * evicted, so a view never grows beyond about twice what the store holds. Returns true
   * when indexes shifted.
   */
  compactIfNeeded(): boolean {
    if (this.scanning) return false;
    const evictions = this.evictionsInScope();
    const since = evictions - this.evictionsAtCompaction;
    if (since < Math.max(10_000, this.length / 10)) return false;
    this.evictionsAtCompaction = evictions;
    let write = 0;
    for (let read = 0; read < this.length; read++) {
      const hubIdx = this.hubIdx[read]!;
      const position = this.pos[read]!;
      let dead = 0;
      if (hubIdx === MARKER) dead = position;
      else {
        const ring = this.store.ringAt(hubIdx);
        if (!ring || !ring.holds(position)) dead = 1;
      }
      if (dead > 0) {
        if (write > 0 && this.hubIdx[write - 1] === MARKER) this.pos[write - 1] = this.pos[write - 1]! + dead;
        else {
          this.hubIdx[write] = MARKER;
          this.pos[write] = dead;
          write++;
        }
      } else {
        this.hubIdx[write] = hubIdx;
        this.pos[write] = position;
        write++;
      }
    }
    const shifted = write !== this.length;
    this.length = write;
    if (shifted) this.version++;
    return shifted;
  }

  /** Stops a running rescan; the view is unusable afterwards. */
  close(): void {
    this.scanToken++;
    this.length = 0;
    this.pendingLive = [];
  }

  private gAt(index: number): number | null {
    const hubIdx = this.hubIdx[index]!;
    if (hubIdx === MARKER) return null;
    const ring = this.store.ringAt(hubIdx);
    const position = this.pos[index]!;
    if (!ring || !ring.holds(position)) return null;
    return ring.g[ring.slotOf(position)]!;
  }

  private evictionsInScope(): number {
    let sum = 0;
    for (const ring of this.store.allRings()) {
      if (this.hubScope === null || this.hubScope.has(ring.hubId)) sum += ring.evicted;
    }
    return sum;
  }

  private push(hubIdx: number, position: number): void {
    if (this.length === this.hubIdx.length) {
      const hubs = new Uint16Array(this.length * 2);
      hubs.set(this.hubIdx);
      this.hubIdx = hubs;
      const positions = new Float64Array(this.length * 2);
      positions.set(this.pos);
      this.pos = positions;
    }
    this.hubIdx[this.length] = hubIdx;
    this.pos[this.length] = position;
    this.length++;
  }
}

/** The open views, fed by the engine on every stored record. */
export class ViewRegistry {
  private readonly views = new Map<string, EventView>();
  private nextId = 1;

  constructor(
    private readonly store: EventStore,
    private readonly dialectOf: (hub: string) => string,
  ) {}

  /** Opens a view; the returned promise settles when its first scan is done. */
  open(spec: FilterSpec): { view: EventView; ready: Promise<void> } {
    const view = new EventView(`v${this.nextId++}`, this.store, this.dialectOf);
    this.views.set(view.id, view);
    const ready = view.setFilter(spec);
    ready.catch(() => this.views.delete(view.id));
    return { view, ready };
  }

  get(id: string): EventView | undefined {
    return this.views.get(id);
  }

  close(id: string): void {
    this.views.get(id)?.close();
    this.views.delete(id);
  }

  all(): EventView[] {
    return [...this.views.values()];
  }

  /** Offers a just-stored record to every open view. */
  offer(ring: HubRing, pos: number, record: EngineEvent): void {
    for (const view of this.views.values()) view.offer(ring, pos, record);
  }

  /** Whether any view is open (the engine skips offering otherwise). */
  get anyOpen(): boolean {
    return this.views.size > 0;
  }

  /** Rings were dropped or resized: every view rescans with its own filter. */
  rescanAll(): void {
    for (const view of this.views.values()) void view.setFilter(view.spec).catch(() => undefined);
  }
}

export type { HubRing };
