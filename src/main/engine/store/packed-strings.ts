/**
 * A ring column of strings kept packed: consecutive values are joined into shared block
 * strings, and each slot holds only where its value sits (block, offset, length).
 *
 * Why: a store that keeps every event's payload and message as its own string keeps two
 * young objects per event, and the garbage collector copies each of them (twice) and tracks
 * every pointer to them from the old ring arrays. Measured over 2,000,000 ~250-byte events
 * that retention cost about 0.9 µs per event, more than parsing the event's JSON. Joined
 * blocks are one object per few hundred events; the per-event strings die young, where
 * freeing them costs nothing. Reading a value back is a `slice` (V8 shares the block's
 * characters rather than copying them).
 *
 * Values are appended in ring order and evicted oldest first, so blocks are freed oldest
 * first too: a block goes once the oldest value still held lies in a later one.
 */

/** Characters gathered before the open block is joined (one-byte text: 16 KiB, small enough to be an ordinary heap object). */
export const BLOCK_CHARS = 16 * 1024;

/** Where `packInto` puts a value: whole (null here) or as a part of a block. */
export interface SliceSink {
  value(value: null): void;
  slice(block: string, key: number, start: number, length: number): void;
}

/** Columns made so far: each numbers its blocks from its own base, so block keys are unique store-wide. */
let columns = 0;

/** The offset that marks a `null` value. */
const NULL_OFFSET = 0xffffffff;

export class PackedStrings {
  /** Block number of each slot's value (numbers grow for the life of the column). */
  private blockOf: Float64Array;
  private offset: Uint32Array;
  private length: Uint32Array;
  /** Joined blocks; `sealed[head]` is block number `firstSealed` (those before it are freed). */
  private sealed: string[] = [];
  private head = 0;
  private firstSealed = 0;
  /** The values of the open block (the number after the last joined one), not yet joined. */
  private open: string[] = [];
  private openChars = 0;
  /** Added to a block number to name the block among every column's (see `packInto`). */
  private readonly keyBase = columns++ * 2 ** 32;

  constructor(slots: number) {
    this.blockOf = new Float64Array(slots);
    this.offset = new Uint32Array(slots);
    this.length = new Uint32Array(slots);
  }

  /** Grows to `slots`, keeping slots `0 … used-1` (rings grow only before they first wrap). */
  grow(slots: number, used: number): void {
    const blockOf = new Float64Array(slots);
    blockOf.set(this.blockOf.subarray(0, used));
    const offset = new Uint32Array(slots);
    offset.set(this.offset.subarray(0, used));
    const length = new Uint32Array(slots);
    length.set(this.length.subarray(0, used));
    this.blockOf = blockOf;
    this.offset = offset;
    this.length = length;
  }

  /** Stores the newest value at `slot` (values must arrive in ring order). */
  set(slot: number, value: string | null): void {
    this.blockOf[slot] = this.firstSealed + this.sealed.length - this.head;
    if (value === null) {
      this.offset[slot] = NULL_OFFSET;
      this.length[slot] = 0;
      return;
    }
    this.offset[slot] = this.openChars;
    this.length[slot] = value.length;
    this.open.push(value);
    this.openChars += value.length;
    if (this.openChars >= BLOCK_CHARS) this.seal();
  }

  get(slot: number): string | null {
    const block = this.blockAt(slot);
    if (block === null) return null;
    const offset = this.offset[slot]!;
    const length = this.length[slot]!;
    return length === block.length ? block : block.slice(offset, offset + length);
  }

  /** Characters of the value at `slot` (0 for null). */
  lengthAt(slot: number): number {
    return this.offset[slot] === NULL_OFFSET ? 0 : this.length[slot]!;
  }

  /**
   * Hands the value at `slot` to an export packer as a part of its block, so a block many
   * values share crosses to a worker once rather than cut up (see export/packed-batch.ts).
   */
  packInto(slot: number, packer: SliceSink): void {
    const block = this.blockAt(slot);
    if (block === null) packer.value(null);
    else packer.slice(block, this.keyBase + this.blockOf[slot]!, this.offset[slot]!, this.length[slot]!);
  }

  /** The block holding the value at `slot`, or null when the value is null. */
  private blockAt(slot: number): string | null {
    if (this.offset[slot] === NULL_OFFSET) return null;
    const index = this.blockOf[slot]! - this.firstSealed + this.head;
    // A read of the open block joins it now (the newest rows are what a UI reads most).
    if (index === this.sealed.length) this.seal();
    return this.sealed[index] ?? null;
  }

  /** Frees the blocks older than the one holding `oldestSlot`, the oldest slot still held. */
  release(oldestSlot: number): void {
    const keepFrom = this.blockOf[oldestSlot]! - this.firstSealed;
    if (keepFrom <= 0) return;
    const drop = Math.min(keepFrom, this.sealed.length - this.head);
    // Freed slots are cleared and skipped; the array is compacted only now and then, since
    // shifting a ring's thousand-odd blocks at every free cost more than the rest of ingest.
    for (let i = this.head; i < this.head + drop; i++) this.sealed[i] = '';
    this.head += drop;
    this.firstSealed += drop;
    if (this.head >= 1024 && this.head * 2 >= this.sealed.length) {
      this.sealed = this.sealed.slice(this.head);
      this.head = 0;
    }
  }

  /** Blocks held (joined and open), for tests. */
  get blocks(): number {
    return this.sealed.length - this.head + (this.open.length > 0 ? 1 : 0);
  }

  private seal(): void {
    this.sealed.push(this.open.length === 1 ? this.open[0]! : this.open.join(''));
    this.open = [];
    this.openChars = 0;
  }
}
