/**
 * A batch of records in a compact form that crosses to a format worker cheaply. Posting
 * record objects would make the structured clone walk every property of 8,192 objects per
 * batch; a packed batch is a table of strings and three typed arrays (moved, not copied).
 *
 * Each string field of a record refers to a table entry, whole or a part of it. Short
 * values that repeat (hub, event name, level, source) are in the table once. The store
 * packs its messages and payloads as parts of the blocks it already keeps them joined in
 * (see store/packed-strings.ts), so a block that the batch mostly uses crosses as one string
 * instead of being cut into hundreds and joined again; the values of a block the batch
 * uses only a little of cross alone, so a sparse filter never drags whole blocks along.
 *
 * Only what the export formats read is kept (the HubEvent fields and the received JSON
 * text); unpacked records format exactly as the originals.
 */
import type { EntityRef, JsonValue, Level } from '../../../shared/hub-event';
import type { EngineEvent } from '../event-record';
import { PAYLOAD_JSON, PAYLOAD_NULL, PAYLOAD_TEXT, payloadData } from '../store/payload-kind';
import { stringifyJson } from './json-text';

/** One batch of records, packed (plain data: safe to post to a worker). */
export interface PackedBatch {
  /** The strings the records' fields are cut from. */
  strings: string[];
  /**
   * Per record, `FIELDS` references in field order, three numbers each: the index into
   * `strings` (-1: the field is null), the start, and the length (-1: the whole string).
   */
  refs: Int32Array<ArrayBuffer>;
  /** `seq`, `receivedAt`, `time` per record. */
  numbers: Float64Array<ArrayBuffer>;
  /** How each record's payload string is to be read (`PAYLOAD_*`, the store's codes: store/payload-kind.ts). */
  payloadKinds: Uint8Array<ArrayBuffer>;
  /** Records in the batch that are gap markers the export walk wrote, not stored events. */
  markers: number;
  /** Events those markers stand for: evicted before the walk could write them. */
  evicted: number;
}

/** hub, event, id, level, source, entity type, entity id, message, payload. */
const FIELDS = 9;
const NUMBERS = 3;
const WHOLE = -1;
/** Values up to this long are looked up in the table before being added (names, ids, levels). */
const SHARED_MAX = 64;
/** A block crosses whole when the batch uses at least this share of it. */
const DENSE_SHARE = 0.25;

/** Builds a packed batch record by record: `record(…)`, then exactly `FIELDS` values or slices. */
export class BatchPacker {
  private readonly strings: string[] = [];
  /** Table entries of short values and of blocks (kept apart: only blocks may be dropped as sparse). */
  private readonly valueIndex = new Map<string, number>();
  private readonly blockIndex = new Map<number, number>();
  /** Characters the batch uses of each table entry that is a block (-1 for whole values). */
  private readonly used: number[] = [];
  private readonly refs: Int32Array<ArrayBuffer>;
  private readonly numbers: Float64Array<ArrayBuffer>;
  private readonly kinds: Uint8Array<ArrayBuffer>;
  private records = 0;
  private ref = 0;
  /** Gap markers of the export walk among the records (see `PackedBatch.markers`). */
  markers = 0;
  /** Events those markers stand for (see `PackedBatch.evicted`). */
  evicted = 0;

  constructor(private readonly capacity: number) {
    this.refs = new Int32Array(capacity * FIELDS * 3);
    this.numbers = new Float64Array(capacity * NUMBERS);
    this.kinds = new Uint8Array(capacity);
  }

  /** Starts the next record; its `FIELDS` string fields follow in order. */
  record(seq: number, receivedAt: number, time: number, payloadKind: number): void {
    const base = this.records * NUMBERS;
    this.numbers[base] = seq;
    this.numbers[base + 1] = receivedAt;
    this.numbers[base + 2] = time;
    this.kinds[this.records] = payloadKind;
    this.records++;
  }

  /** A whole string field that differs from record to record (an event id): not looked up. */
  unique(value: string | null): void {
    if (value === null) return this.put(-1, 0, 0);
    this.used.push(-1);
    this.put(this.strings.push(value) - 1, 0, WHOLE);
  }

  /** A whole string field (or null); a short one that already is in the table is shared. */
  value(value: string | null): void {
    if (value === null) return this.put(-1, 0, 0);
    let index = value.length <= SHARED_MAX ? this.valueIndex.get(value) : undefined;
    if (index === undefined) {
      index = this.strings.push(value) - 1;
      this.used.push(-1);
      if (value.length <= SHARED_MAX) this.valueIndex.set(value, index);
    }
    this.put(index, 0, WHOLE);
  }

  /**
   * A field that is `length` characters of `block` from `start`. A block is added to the
   * table once, found again by `key` (a number naming it among all blocks): looking blocks
   * up by their text would hash 16 KiB strings, and V8 hashes strings that long by length alone.
   */
  slice(block: string, key: number, start: number, length: number): void {
    let index = this.blockIndex.get(key);
    if (index === undefined) {
      index = this.strings.push(block) - 1;
      this.used.push(0);
      this.blockIndex.set(key, index);
    }
    this.used[index]! += length;
    this.put(index, start, length);
  }

  /** The batch. The packer is spent after this. */
  finish(): PackedBatch {
    const refs = this.refs.subarray(0, this.records * FIELDS * 3);
    // Blocks the batch uses little of: their values travel alone instead.
    const sparse = this.used.map(
      (used, index) => used >= 0 && used < this.strings[index]!.length * DENSE_SHARE,
    );
    if (sparse.includes(true)) {
      for (let r = 0; r < refs.length; r += 3) {
        const index = refs[r]!;
        if (index < 0 || !sparse[index]) continue;
        const start = refs[r + 1]!;
        refs[r] = this.strings.push(this.strings[index]!.slice(start, start + refs[r + 2]!)) - 1;
        refs[r + 1] = 0;
        refs[r + 2] = WHOLE;
      }
      sparse.forEach((isSparse, index) => {
        if (isSparse) this.strings[index] = '';
      });
    }
    const full = this.records === this.capacity;
    return {
      strings: this.strings,
      // A partly filled batch is copied to its own buffers: a moved buffer goes whole.
      refs: full ? this.refs : refs.slice(),
      numbers: full ? this.numbers : this.numbers.slice(0, this.records * NUMBERS),
      payloadKinds: full ? this.kinds : this.kinds.slice(0, this.records),
      markers: this.markers,
      evicted: this.evicted,
    };
  }

  private put(index: number, start: number, length: number): void {
    this.refs[this.ref++] = index;
    this.refs[this.ref++] = start;
    this.refs[this.ref++] = length;
  }
}

/** Packs records for a format worker. */
export function packBatch(events: readonly EngineEvent[]): PackedBatch {
  const packer = new BatchPacker(events.length);
  for (const event of events) packRecord(packer, event);
  return packer.finish();
}

/** Adds one record object to a batch (what `packStoredRecord` does from the store's columns, from the record's fields). */
export function packRecord(packer: BatchPacker, event: EngineEvent): void {
  let payload: string | null;
  let kind: number;
  if (event.raw !== null) {
    payload = event.raw;
    kind = PAYLOAD_JSON;
  } else {
    const data = event.data;
    if (data === null) {
      payload = null;
      kind = PAYLOAD_NULL;
    } else if (typeof data === 'string') {
      payload = data;
      kind = PAYLOAD_TEXT;
    } else {
      // Structured data without received text: its serialisation is what every format writes.
      payload = stringifyJson(data);
      kind = PAYLOAD_JSON;
    }
  }
  packer.record(event.seq, event.receivedAt, event.time, kind);
  packer.value(event.hub);
  packer.value(event.event);
  packer.unique(event.id);
  packer.value(event.level);
  packer.value(event.source);
  packer.value(event.entity === null ? null : event.entity.type);
  packer.value(event.entity === null ? null : event.entity.id);
  packer.value(event.message);
  packer.value(payload);
}

/** A record read back from a packed batch; `data` is parsed only if something reads it. */
class UnpackedEvent implements EngineEvent {
  hub = '';
  seq = 0;
  receivedAt = 0;
  time = 0;
  event = '';
  id: string | null = null;
  level: Level = 'info';
  source: string | null = null;
  entity: EntityRef | null = null;
  message: string | null = null;
  raw: string | null = null;
  /** Not carried: no export format writes it (nor `gap`). */
  malformed = false;
  private payload: string | null = null;
  private payloadKind = PAYLOAD_NULL;
  private parsed: JsonValue | undefined = undefined;

  constructor(batch: PackedBatch, index: number) {
    const { strings, refs, numbers } = batch;
    let r = index * FIELDS * 3;
    const next = (): string | null => {
      const table = refs[r]!;
      const start = refs[r + 1]!;
      const length = refs[r + 2]!;
      r += 3;
      if (table < 0) return null;
      const source = strings[table]!;
      return length === WHOLE ? source : source.slice(start, start + length);
    };
    this.hub = next() ?? '';
    this.event = next() ?? '';
    this.id = next();
    this.level = (next() ?? 'info') as Level;
    this.source = next();
    const entityType = next();
    const entityId = next();
    this.entity = entityType === null ? null : ({ type: entityType, id: entityId ?? '' } as EntityRef);
    this.message = next();
    this.payload = next();
    this.payloadKind = batch.payloadKinds[index]!;
    this.raw = this.payloadKind === PAYLOAD_JSON ? this.payload : null;
    this.seq = numbers[index * NUMBERS]!;
    this.receivedAt = numbers[index * NUMBERS + 1]!;
    this.time = numbers[index * NUMBERS + 2]!;
  }

  get data(): JsonValue {
    if (this.parsed === undefined) this.parsed = payloadData(this.payloadKind, this.payload);
    return this.parsed;
  }
}

/** Records in a packed batch. */
export function packedLength(batch: PackedBatch): number {
  return batch.payloadKinds.length;
}

/** The records of a packed batch, in order. */
export function* unpackBatch(batch: PackedBatch): Generator<EngineEvent> {
  for (let i = 0; i < packedLength(batch); i++) yield new UnpackedEvent(batch, i);
}
