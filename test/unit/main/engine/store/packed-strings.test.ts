import { describe, expect, it } from 'vitest';
import { BLOCK_CHARS, PackedStrings } from '../../../../../src/main/engine/store/packed-strings';
import { CodedStrings, StringDictionary } from '../../../../../src/main/engine/store/coded-strings';
import { EventStore } from '../../../../../src/main/engine/store/store';
import { makeRecord } from '../../../../support/records';

/** A ring-like driver: `capacity` slots written in order, oldest evicted first. */
function ringOf(capacity: number) {
  const column = new PackedStrings(capacity);
  let total = 0;
  return {
    column,
    push(value: string | null) {
      const slot = total % capacity;
      column.set(slot, value);
      total++;
      if (total > capacity) column.release(total % capacity);
      return slot;
    },
  };
}

describe('packed string columns', () => {
  it('gives back every value exactly: nulls, empty strings, non-ASCII, values spanning blocks', () => {
    const column = new PackedStrings(8);
    const values = [
      'plain',
      null,
      '',
      'é 漢字 🙂 \u0000 "quoted" \\',
      'x'.repeat(BLOCK_CHARS - 3),
      'after a block was sealed',
      'y'.repeat(BLOCK_CHARS * 2),
      'last',
    ];
    values.forEach((value, slot) => column.set(slot, value));
    expect(values.map((_, slot) => column.get(slot))).toEqual(values);
  });

  it('reads the open block before it is full, and keeps appending after that read', () => {
    const column = new PackedStrings(4);
    column.set(0, 'first');
    expect(column.get(0)).toBe('first');
    column.set(1, 'second');
    column.set(2, 'third');
    expect([column.get(0), column.get(1), column.get(2)]).toEqual(['first', 'second', 'third']);
  });

  it('frees blocks once every value in them has been evicted, and only then', () => {
    const capacity = 1000;
    const ring = ringOf(capacity);
    const value = (i: number) => `event ${i} `.padEnd(300, '.');
    // 21 million characters: well over a thousand blocks joined and freed.
    for (let i = 0; i < 70_000; i++) ring.push(value(i));
    // 1,000 values of 300 characters: about 300,000 characters, a handful of blocks.
    const needed = Math.ceil((capacity * 300) / BLOCK_CHARS) + 2;
    expect(ring.column.blocks).toBeLessThanOrEqual(needed);
    // The oldest values held are still readable.
    for (let i = 69_000; i < 70_000; i++) expect(ring.column.get(i % capacity)).toBe(value(i));
  });

  // Every ring column grows the same way: before the ring first wraps, keeping what it holds.
  it.each([
    ['packed strings', (slots: number) => new PackedStrings(slots)],
    ['coded strings', (slots: number) => new CodedStrings(new StringDictionary(), slots)],
  ])('keeps values when its slots grow (%s)', (_, make) => {
    const column = make(2);
    column.set(0, 'a');
    column.set(1, null);
    column.grow(4, 2);
    column.set(2, 'c');
    expect([column.get(0), column.get(1), column.get(2)]).toEqual(['a', null, 'c']);
  });
});

describe('the store over packed columns', () => {
  it('keeps messages and payloads of a wrapped ring exact, and its memory bounded', () => {
    const store = new EventStore({ capacityPerHub: 500 });
    const ring = store.ensureRing('h', 'generic');
    for (let i = 1; i <= 5000; i++) {
      store.append(
        ring,
        store.takeG(),
        makeRecord({ hub: 'h', seq: i, message: `message ${i} é`, data: { n: i, text: 'z'.repeat(200) } }),
      );
    }
    expect(store.get('h', 4500)).toBeNull();
    for (const seq of [4501, 4750, 5000]) {
      const event = store.get('h', seq)!;
      expect(event.message).toBe(`message ${seq} é`);
      expect(event.data).toEqual({ n: seq, text: 'z'.repeat(200) });
    }
    expect(ring.payload.blocks).toBeLessThanOrEqual(Math.ceil((500 * 220) / BLOCK_CHARS) + 2);
  });
});
