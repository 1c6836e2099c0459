/**
 * The bounded event store: one ring buffer per hub, kept in columns (typed arrays for
 * numbers and small codes, interned names, messages and payload JSON texts packed into
 * shared blocks) so a million events fit in a few hundred megabytes, holding them costs
 * the garbage collector little, and a filter scans them without building objects.
 */
import type { EntityRef, EntityType, JsonValue, Level } from '../../../shared/hub-event';
import { ENTITY_TYPES, LEVELS } from '../../../shared/hub-event';
import type { EventRow } from '../../../shared/event-row';
import {
  compileFilter,
  type CompiledFilter,
  type FilterAccessor,
  type FilterSpec,
} from '../../../shared/filter';
import { gapMarker, type EngineEvent } from '../event-record';
import { canonicalInteger } from '../event-id';
import { CodedStrings, StringDictionary } from './coded-strings';
import { PackedStrings } from './packed-strings';
import { PAYLOAD_JSON, PAYLOAD_NULL, PAYLOAD_TEXT, payloadData } from './payload-kind';

const FLAG_MALFORMED = 1;
const FLAG_GAP = 2;
/** The SSE id is a plain integer, kept as a number (no string object per event). */
const FLAG_NUMERIC_ID = 4;

const LEVEL_CODE: Readonly<Record<Level, number>> = { debug: 0, info: 1, warn: 2, error: 3, state: 4 };
const ENTITY_CODE = new Map<EntityType, number>(ENTITY_TYPES.map((type, index) => [type, index + 1]));

/**
 * A record read back from the store. Its payload is parsed on first read of `data`, so
 * writers that emit the JSON text as it came (NDJSON, CSV) never pay for parsing it. A
 * class, so every instance shares one shape.
 */
class StoredEvent implements EngineEvent {
  hub: string;
  seq: number;
  receivedAt: number;
  time: number;
  event: string;
  id: string | null;
  level: Level;
  source: string | null;
  entity: EntityRef | null;
  message: string | null;
  raw: string | null;
  malformed: boolean;
  gap?: boolean;
  private readonly payload: string | null;
  private readonly payloadKind: number;
  private parsed: JsonValue | undefined = undefined;

  constructor(ring: HubRing, slot: number) {
    this.hub = ring.hubId;
    this.seq = ring.seq[slot]!;
    this.receivedAt = ring.receivedAt[slot]!;
    this.time = ring.time[slot]!;
    this.event = ring.event.get(slot)!;
    this.id = ring.idAt(slot);
    this.level = ring.levelAt(slot);
    this.source = ring.source.get(slot);
    this.entity = ring.entityAt(slot);
    this.message = ring.message.get(slot);
    this.payload = ring.payload.get(slot);
    this.payloadKind = ring.payloadKind[slot]!;
    this.raw = this.payloadKind === PAYLOAD_JSON ? this.payload : null;
    this.malformed = ring.isMalformed(slot);
    if (ring.isGap(slot)) this.gap = true;
  }

  get data(): JsonValue {
    if (this.parsed === undefined) this.parsed = payloadData(this.payloadKind, this.payload);
    return this.parsed;
  }
}

/** Default events kept per hub. */
export const DEFAULT_CAPACITY_PER_HUB = 100_000;

const INITIAL_SLOTS = 1024;

/** One hub's ring buffer. Positions are absolute (0 = the hub's first event ever stored). */
export class HubRing {
  /** Slots allocated; grows by doubling up to `capacity`. */
  private slots = 0;
  private start = 0;
  size = 0;
  /** Events ever appended. */
  total = 0;
  evicted = 0;

  g = new Float64Array(0);
  seq = new Float64Array(0);
  receivedAt = new Float64Array(0);
  time = new Float64Array(0);
  level = new Uint8Array(0);
  flags = new Uint8Array(0);
  entityType = new Uint8Array(0);
  payloadKind = new Uint8Array(0);
  /** Event names, sources and entity ids, as codes into the store's dictionary (see coded-strings.ts). */
  event: CodedStrings;
  source: CodedStrings;
  entityId: CodedStrings;
  id: (string | null)[] = [];
  /** Ids that are plain integers (FLAG_NUMERIC_ID). */
  idNum = new Float64Array(0);
  /** Messages and payload texts, packed (see packed-strings.ts). */
  message = new PackedStrings(0);
  payload = new PackedStrings(0);

  readonly access: FilterAccessor<number>;

  constructor(
    readonly index: number,
    readonly hubId: string,
    public dialect: string,
    public capacity: number,
    private readonly dictionary: StringDictionary,
  ) {
    this.event = new CodedStrings(dictionary, 0);
    this.source = new CodedStrings(dictionary, 0);
    this.entityId = new CodedStrings(dictionary, 0);
    this.access = this.makeAccessor();
  }

  /** Absolute position of the oldest event still held. */
  get firstPos(): number {
    return this.total - this.size;
  }

  /** The slot holding an absolute position (the caller checks it is held). */
  slotOf(pos: number): number {
    const slot = this.start + (pos - this.firstPos);
    return slot >= this.slots ? slot - this.slots : slot;
  }

  holds(pos: number): boolean {
    return pos >= this.firstPos && pos < this.total;
  }

  /** Stores a record; returns its absolute position. */
  append(g: number, record: EngineEvent): number {
    let evicted = false;
    if (this.size === this.slots) {
      if (this.slots < this.capacity) {
        this.grow(Math.min(this.capacity, Math.max(INITIAL_SLOTS, this.slots * 2)));
      } else {
        // Full: the oldest event makes room.
        this.start = this.start + 1 === this.slots ? 0 : this.start + 1;
        this.size--;
        this.evicted++;
        evicted = true;
      }
    }
    let slot = this.start + this.size;
    if (slot >= this.slots) slot -= this.slots;
    this.g[slot] = g;
    this.seq[slot] = record.seq;
    this.receivedAt[slot] = record.receivedAt;
    this.time[slot] = record.time;
    this.level[slot] = LEVEL_CODE[record.level] ?? 1;
    let flags = (record.malformed ? FLAG_MALFORMED : 0) | (record.gap ? FLAG_GAP : 0);
    const id = record.id;
    const numericId = id === null ? -1 : canonicalInteger(id);
    if (numericId >= 0) {
      flags |= FLAG_NUMERIC_ID;
      this.idNum[slot] = numericId;
      this.id[slot] = null;
    } else {
      this.id[slot] = id;
    }
    this.flags[slot] = flags;
    this.event.set(slot, record.event);
    this.source.set(slot, record.source);
    if (record.entity) {
      this.entityType[slot] = ENTITY_CODE.get(record.entity.type) ?? 0;
      this.entityId.set(slot, record.entity.id);
    } else {
      this.entityType[slot] = 0;
      this.entityId.set(slot, null);
    }
    this.message.set(slot, record.message);
    if (record.raw !== null) {
      this.payloadKind[slot] = PAYLOAD_JSON;
      this.payload.set(slot, record.raw);
    } else if (record.data === null) {
      this.payloadKind[slot] = PAYLOAD_NULL;
      this.payload.set(slot, null);
    } else if (typeof record.data === 'string') {
      this.payloadKind[slot] = PAYLOAD_TEXT;
      this.payload.set(slot, record.data);
    } else {
      this.payloadKind[slot] = PAYLOAD_JSON;
      this.payload.set(slot, JSON.stringify(record.data));
    }
    this.size++;
    this.total++;
    if (evicted) {
      this.message.release(this.start);
      this.payload.release(this.start);
    }
    return this.total - 1;
  }

  isGap(slot: number): boolean {
    return (this.flags[slot]! & FLAG_GAP) !== 0;
  }

  idAt(slot: number): string | null {
    return (this.flags[slot]! & FLAG_NUMERIC_ID) !== 0 ? String(this.idNum[slot]!) : (this.id[slot] ?? null);
  }

  isMalformed(slot: number): boolean {
    return (this.flags[slot]! & FLAG_MALFORMED) !== 0;
  }

  levelAt(slot: number): Level {
    return LEVELS[this.level[slot]!] ?? 'info';
  }

  entityAt(slot: number): EntityRef | null {
    const code = this.entityType[slot]!;
    if (code === 0) return null;
    return { type: ENTITY_TYPES[code - 1]!, id: this.entityId.get(slot) ?? '' };
  }

  dataAt(slot: number): JsonValue {
    return payloadData(this.payloadKind[slot]!, this.payload.get(slot));
  }

  /** The full record at a slot (its payload parsed when `data` is first read). */
  eventAt(slot: number): EngineEvent {
    return new StoredEvent(this, slot);
  }

  /** The list row at a slot (no payload). */
  rowAt(slot: number): EventRow {
    return {
      kind: 'event',
      g: this.g[slot]!,
      hub: this.hubId,
      seq: this.seq[slot]!,
      receivedAt: this.receivedAt[slot]!,
      time: this.time[slot]!,
      event: this.event.get(slot)!,
      id: this.idAt(slot),
      level: this.levelAt(slot),
      source: this.source.get(slot),
      entity: this.entityAt(slot),
      message: this.message.get(slot),
      malformed: this.isMalformed(slot),
      gap: this.isGap(slot),
    };
  }

  /** The first absolute position held whose arrival number is at least `g` (`total` when none is). */
  positionOfG(g: number): number {
    let lo = this.firstPos;
    let hi = this.total;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.g[this.slotOf(mid)]! < g) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Absolute position of the event with this seq, or -1. Seq grows with position. */
  findSeq(seq: number): number {
    let lo = this.firstPos;
    let hi = this.total - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = this.seq[this.slotOf(mid)]!;
      if (value === seq) return mid;
      if (value < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Changes the capacity, keeping the newest events that fit. */
  resize(capacity: number): void {
    const keep = Math.min(this.size, capacity);
    const dropped = this.size - keep;
    const oldSlots: number[] = [];
    for (let pos = this.total - keep; pos < this.total; pos++) oldSlots.push(this.slotOf(pos));
    const copy = this.snapshotColumns(oldSlots);
    this.capacity = capacity;
    this.slots = 0;
    this.start = 0;
    this.size = 0;
    this.allocate(Math.min(capacity, Math.max(INITIAL_SLOTS, keep)));
    this.restoreColumns(copy, keep);
    this.size = keep;
    this.evicted += dropped;
  }

  private grow(slots: number): void {
    // Rings only grow before they first wrap (start is 0): a plain copy keeps the order.
    const grownFloat = (column: Float64Array) => {
      const next = new Float64Array(slots);
      next.set(column.subarray(0, this.size));
      return next;
    };
    const grownBytes = (column: Uint8Array) => {
      const next = new Uint8Array(slots);
      next.set(column.subarray(0, this.size));
      return next;
    };
    this.g = grownFloat(this.g);
    this.seq = grownFloat(this.seq);
    this.receivedAt = grownFloat(this.receivedAt);
    this.time = grownFloat(this.time);
    this.idNum = grownFloat(this.idNum);
    this.level = grownBytes(this.level);
    this.flags = grownBytes(this.flags);
    this.entityType = grownBytes(this.entityType);
    this.payloadKind = grownBytes(this.payloadKind);
    this.event.grow(slots, this.size);
    this.source.grow(slots, this.size);
    this.entityId.grow(slots, this.size);
    this.message.grow(slots, this.size);
    this.payload.grow(slots, this.size);
    // Plain arrays grow by themselves.
    this.slots = slots;
  }

  private allocate(slots: number): void {
    this.slots = slots;
    this.g = new Float64Array(slots);
    this.seq = new Float64Array(slots);
    this.receivedAt = new Float64Array(slots);
    this.time = new Float64Array(slots);
    this.idNum = new Float64Array(slots);
    this.level = new Uint8Array(slots);
    this.flags = new Uint8Array(slots);
    this.entityType = new Uint8Array(slots);
    this.payloadKind = new Uint8Array(slots);
    this.event = new CodedStrings(this.dictionary, slots);
    this.id = new Array<string | null>(slots);
    this.source = new CodedStrings(this.dictionary, slots);
    this.entityId = new CodedStrings(this.dictionary, slots);
    this.message = new PackedStrings(slots);
    this.payload = new PackedStrings(slots);
  }

  private snapshotColumns(slots: number[]) {
    const pick = <T>(column: ArrayLike<T>) => slots.map((slot) => column[slot]!);
    return {
      g: pick(this.g),
      seq: pick(this.seq),
      receivedAt: pick(this.receivedAt),
      time: pick(this.time),
      level: pick(this.level),
      flags: pick(this.flags),
      entityType: pick(this.entityType),
      payloadKind: pick(this.payloadKind),
      event: slots.map((slot) => this.event.get(slot)!),
      id: pick(this.id),
      idNum: pick(this.idNum),
      source: slots.map((slot) => this.source.get(slot)),
      entityId: slots.map((slot) => this.entityId.get(slot)),
      message: slots.map((slot) => this.message.get(slot)),
      payload: slots.map((slot) => this.payload.get(slot)),
    };
  }

  private restoreColumns(copy: ReturnType<HubRing['snapshotColumns']>, count: number): void {
    for (let i = 0; i < count; i++) {
      this.g[i] = copy.g[i]!;
      this.seq[i] = copy.seq[i]!;
      this.receivedAt[i] = copy.receivedAt[i]!;
      this.time[i] = copy.time[i]!;
      this.level[i] = copy.level[i]!;
      this.flags[i] = copy.flags[i]!;
      this.entityType[i] = copy.entityType[i]!;
      this.payloadKind[i] = copy.payloadKind[i]!;
      this.event.set(i, copy.event[i]!);
      this.id[i] = copy.id[i] ?? null;
      this.idNum[i] = copy.idNum[i]!;
      this.source.set(i, copy.source[i] ?? null);
      this.entityId.set(i, copy.entityId[i] ?? null);
      this.message.set(i, copy.message[i] ?? null);
      this.payload.set(i, copy.payload[i] ?? null);
    }
  }

  private makeAccessor(): FilterAccessor<number> {
    return {
      hub: () => this.hubId,
      dialect: () => this.dialect,
      level: (slot) => LEVELS[this.level[slot]!] ?? 'info',
      event: (slot) => this.event.get(slot)!,
      source: (slot) => this.source.get(slot),
      entityType: (slot) => {
        const code = this.entityType[slot]!;
        return code === 0 ? null : ENTITY_TYPES[code - 1]!;
      },
      entityId: (slot) => this.entityId.get(slot),
      message: (slot) => this.message.get(slot),
      id: (slot) => this.idAt(slot),
      seq: (slot) => this.seq[slot]!,
      time: (slot) => this.time[slot]!,
      receivedAt: (slot) => this.receivedAt[slot]!,
      data: (slot) => this.dataAt(slot),
      raw: (slot) => (this.payloadKind[slot] === PAYLOAD_JSON ? this.payload.get(slot) : null),
      coded: {
        event: (slot) => this.event.code(slot),
        source: (slot) => this.source.code(slot),
        entityId: (slot) => this.entityId.code(slot),
        value: (code) => this.dictionary.value(code),
      },
    };
  }
}

/** Accessor over engine records, for live matching (views, alerts). */
export function recordAccessor(dialectOf: (hub: string) => string): FilterAccessor<EngineEvent> {
  return {
    hub: (r) => r.hub,
    dialect: (r) => dialectOf(r.hub),
    level: (r) => r.level,
    event: (r) => r.event,
    source: (r) => r.source,
    entityType: (r) => r.entity?.type ?? null,
    entityId: (r) => r.entity?.id ?? null,
    message: (r) => r.message,
    id: (r) => r.id,
    seq: (r) => r.seq,
    time: (r) => r.time,
    receivedAt: (r) => r.receivedAt,
    data: (r) => r.data,
    raw: (r) => r.raw,
  };
}

/** Where an appended event went. */
export interface StoredAt {
  ring: HubRing;
  pos: number;
}

/** A scan position: which ring, which absolute position. */
export interface ScanHit {
  ring: HubRing;
  pos: number;
  slot: number;
}

/**
 * Events of one ring that a walk never reached: the ring evicted them (its capacity was
 * reached) while the walk was paused between slices.
 */
export interface EvictedHole {
  ring: HubRing;
  /** How many of the walk's events are gone. */
  count: number;
  /** The seq of the last event of the ring the walk passed before them (one less than its first, if none). */
  afterSeq: number;
  /** When the next event still held was received (when the hole was noticed, if none is). */
  beforeReceivedAt: number;
}

/** What `EventStore.walk` walks. */
export interface WalkOptions {
  /** Where each ring starts (default: its oldest event held). */
  starts?: Map<HubRing, number>;
  /** Only events that arrived before this arrival number (default: all). */
  endG?: number;
  /**
   * Called for each hole in the walk — events it would have visited that were evicted
   * before it got to them — once per hole, right before the ring's next event is visited
   * (or at the end, when none of its events follow). Without it holes pass unnoticed.
   */
  onEvicted?: (hole: EvictedHole) => void;
}

/** How an export walks the store. */
export interface ExportWalkOptions {
  /** Records per batch (default 4,096). */
  batchSize?: number;
  /** Stops the walk: the next batch throws the signal's reason. */
  signal?: AbortSignal;
  /** A batch ends early once the characters its events weigh (`exportWalk`'s `weigh`) reach this (8 Mi). */
  maxChars?: number;
}

const DEFAULT_BATCH_CHARS = 8 * 1024 * 1024;

/** What an export batch is made of: events held in the store, and gap markers where some were evicted. */
export type ExportItem = ScanHit | { marker: EngineEvent; evicted: number };

/**
 * Whether a filter leaves anything out (hubs aside): then evicted events may not have
 * matched it, and how many events it takes is not known without scanning.
 */
function isFiltering(spec: FilterSpec): boolean {
  const { hubs: _hubs, ...rest } = spec;
  return Object.values(rest).some(
    (value) => value !== undefined && value !== null && value !== false && value !== '',
  );
}

/**
 * The gap marker an export writes where the ring evicted events before the export could
 * write them. Its seq is half-way between the last event of the hub the export passed and
 * the next (`10.5` after seq 10): an export's marker never takes a seq a real event has
 * or will have, and sorting by seq keeps it in its place. Its time is when the next event
 * still held was received.
 */
export function exportGapMarker(hole: EvictedHole, filtered: boolean): EngineEvent {
  const events = hole.count === 1 ? '1 event was' : `${hole.count} events were`;
  const matched = filtered ? "; whether they matched the export's filter is unknown" : '';
  return gapMarker(
    hole.ring.hubId,
    hole.afterSeq + 0.5,
    hole.beforeReceivedAt,
    `${events} evicted from memory (retention limit) before the export could write them${matched}`,
  );
}

export interface EventStoreOptions {
  /** Events kept per hub unless the hub sets its own retention. 0 keeps nothing (headless capture). */
  capacityPerHub?: number;
  /** The first arrival number (after those a history holds). */
  firstG?: number;
}

/** All hubs' rings, the global arrival counter, and scans in arrival order. */
export class EventStore {
  private readonly rings = new Map<string, HubRing>();
  private readonly ringsByIndex: (HubRing | undefined)[] = [];
  private readonly dictionary = new StringDictionary();
  private nextG = 1;
  private nextIndex = 0;
  readonly defaultCapacity: number;

  constructor(options: EventStoreOptions = {}) {
    this.defaultCapacity = options.capacityPerHub ?? DEFAULT_CAPACITY_PER_HUB;
    this.nextG = options.firstG ?? 1;
  }

  /** The ring of a hub, created on first use. */
  ensureRing(hubId: string, dialect: string, capacity?: number): HubRing {
    let ring = this.rings.get(hubId);
    if (!ring) {
      ring = new HubRing(this.nextIndex++, hubId, dialect, capacity ?? this.defaultCapacity, this.dictionary);
      this.rings.set(hubId, ring);
      this.ringsByIndex[ring.index] = ring;
    } else {
      ring.dialect = dialect;
      if (capacity !== undefined && capacity !== ring.capacity) ring.resize(capacity);
    }
    return ring;
  }

  ring(hubId: string): HubRing | undefined {
    return this.rings.get(hubId);
  }

  ringAt(index: number): HubRing | undefined {
    return this.ringsByIndex[index];
  }

  allRings(): HubRing[] {
    return [...this.rings.values()];
  }

  /** Forgets a hub and its events. */
  dropRing(hubId: string): void {
    const ring = this.rings.get(hubId);
    if (!ring) return;
    this.rings.delete(hubId);
    this.ringsByIndex[ring.index] = undefined;
  }

  /** The last arrival number given out (0 before any). */
  get lastG(): number {
    return this.nextG - 1;
  }

  /** The next global arrival number (also for records the store does not keep). */
  takeG(): number {
    return this.nextG++;
  }

  /** Stores a record; its absolute position in the ring, or -1 when its hub keeps nothing. */
  append(ring: HubRing, g: number, record: EngineEvent): number {
    if (ring.capacity === 0) return -1;
    return ring.append(g, record);
  }

  /** Events held in total. */
  size(): number {
    let total = 0;
    for (const ring of this.rings.values()) total += ring.size;
    return total;
  }

  /** The full record of `hub`/`seq`, or null when it is not (or no longer) held. */
  get(hubId: string, seq: number): EngineEvent | null {
    const ring = this.rings.get(hubId);
    if (!ring) return null;
    const pos = ring.findSeq(seq);
    return pos < 0 ? null : ring.eventAt(ring.slotOf(pos));
  }

  /** The arrival number of `hub`/`seq`, or null when it is not (or no longer) held. */
  gOf(hubId: string, seq: number): number | null {
    const ring = this.rings.get(hubId);
    if (!ring) return null;
    const pos = ring.findSeq(seq);
    return pos < 0 ? null : ring.g[ring.slotOf(pos)]!;
  }

  /** Compiles a filter once per ring; `null` for rings outside the filter's hubs. */
  compileFor(
    spec: FilterSpec,
    rings: HubRing[],
  ): { ring: HubRing; test: (slot: number) => boolean }[] | { error: string; field: string } {
    const out: { ring: HubRing; test: (slot: number) => boolean }[] = [];
    for (const ring of rings) {
      if (spec.hubs && spec.hubs.length > 0 && !spec.hubs.includes(ring.hubId)) continue;
      const compiled: CompiledFilter<number> = compileFilter(spec, ring.access);
      if (!compiled.ok) return { error: compiled.error, field: compiled.field };
      out.push({ ring, test: compiled.test });
    }
    return out;
  }

  /**
   * Walks the held events of `rings` in global arrival order (a k-way merge on `g`),
   * yielding each; the caller stops early by leaving the loop. A walk that is paused
   * between slices (an export) may find that a ring evicted events it had not reached yet:
   * it goes on from the oldest event still held and reports the hole (`onEvicted`).
   */
  *walk(rings: HubRing[], options: WalkOptions = {}): Generator<ScanHit> {
    const { starts, endG = Infinity, onEvicted } = options;
    const cursors = rings.map((ring) => {
      const pos = Math.max(ring.firstPos, starts?.get(ring) ?? ring.firstPos);
      return {
        ring,
        pos,
        /** The walk's range of this ring ends here; positions after it arrived after `endG`. */
        end: endG === Infinity ? Infinity : ring.positionOfG(endG),
        /** Events of the range evicted since the walk last visited one of this ring. */
        evicted: 0,
        lastSeq: pos < ring.total ? ring.seq[ring.slotOf(pos)]! - 1 : 0,
      };
    });
    const reportHole = (cursor: (typeof cursors)[number]): void => {
      const { ring } = cursor;
      onEvicted?.({
        ring,
        count: cursor.evicted,
        afterSeq: cursor.lastSeq,
        beforeReceivedAt: ring.holds(cursor.pos) ? ring.receivedAt[ring.slotOf(cursor.pos)]! : Date.now(),
      });
      cursor.evicted = 0;
    };
    for (;;) {
      let best = -1;
      let bestG = Infinity;
      for (let i = 0; i < cursors.length; i++) {
        const cursor = cursors[i]!;
        const first = cursor.ring.firstPos;
        if (cursor.pos < first) {
          // The ring evicted under us between slices: those events are gone.
          if (cursor.pos < cursor.end) cursor.evicted += Math.min(first, cursor.end) - cursor.pos;
          cursor.pos = first;
        }
        if (cursor.pos >= cursor.ring.total) continue;
        const g = cursor.ring.g[cursor.ring.slotOf(cursor.pos)]!;
        if (g < bestG) {
          bestG = g;
          best = i;
        }
      }
      if (best < 0 || bestG >= endG) break;
      const cursor = cursors[best]!;
      if (cursor.evicted > 0) reportHole(cursor);
      const slot = cursor.ring.slotOf(cursor.pos);
      cursor.lastSeq = cursor.ring.seq[slot]!;
      yield { ring: cursor.ring, pos: cursor.pos, slot };
      cursor.pos++;
    }
    // Holes that reach the end of a ring's range: none of its events follow them.
    for (const cursor of cursors) if (cursor.evicted > 0) reportHole(cursor);
  }

  /**
   * How many events `spec` takes, when that is known without scanning: when it takes
   * everything, or whole hubs. Null when it filters on anything else.
   */
  knownCount(spec: FilterSpec): number | null {
    if (isFiltering(spec)) return null;
    const { hubs } = spec;
    let total = 0;
    for (const ring of this.rings.values()) {
      if (!hubs || hubs.length === 0 || hubs.includes(ring.hubId)) total += ring.size;
    }
    return total;
  }

  /**
   * Iterates the events matching `spec` in arrival order as batches of full records, for
   * exports. Yields to the event loop between batches so ingest goes on meanwhile.
   */
  iterate(spec: FilterSpec, options: ExportWalkOptions = {}): AsyncGenerator<EngineEvent[]> {
    return this.exportWalk(spec, options, (items) =>
      items.map((item) => ('marker' in item ? item.marker : item.ring.eventAt(item.slot))),
    );
  }

  /**
   * Walks the events matching `spec` in arrival order in batches, each turned into what the
   * caller yields by `collect` before anything else runs: after a batch is yielded, ingest
   * and I/O run, and the ring may evict what the batch held. The walk covers what the store
   * held when it started; events evicted before the walk reached them are not silently
   * skipped: a gap marker (`exportGapMarker`) takes their place in the batch. `weigh` gives
   * the characters a held event adds to a batch (a batch ends early at `maxChars`).
   */
  async *exportWalk<B>(
    spec: FilterSpec,
    options: ExportWalkOptions,
    collect: (items: readonly ExportItem[]) => B,
    weigh?: (hit: ScanHit) => number,
  ): AsyncGenerator<B> {
    const compiled = this.compileFor(spec, this.allRings());
    if (!Array.isArray(compiled)) throw new Error(`${compiled.field}: ${compiled.error}`);
    const tests = new Map(compiled.map(({ ring, test }) => [ring, test]));
    const endG = this.nextG;
    const batchSize = options.batchSize ?? 4096;
    const maxChars = options.maxChars ?? DEFAULT_BATCH_CHARS;
    const filtered = isFiltering(spec);
    let items: ExportItem[] = [];
    let chars = 0;
    const onEvicted = (hole: EvictedHole): void => {
      const marker = exportGapMarker(hole, filtered);
      items.push({ marker, evicted: hole.count });
      chars += marker.message?.length ?? 0;
    };
    for (const hit of this.walk([...tests.keys()], { endG, onEvicted })) {
      if (options.signal?.aborted)
        throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
      if (tests.get(hit.ring)!(hit.slot)) {
        items.push(hit);
        if (weigh) chars += weigh(hit);
      }
      if (items.length >= batchSize || chars >= maxChars) {
        yield collect(items);
        items = [];
        chars = 0;
        // Let ingest and I/O run between batches of a long export.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (items.length > 0) yield collect(items);
  }
}
