import { describe, expect, it } from 'vitest';
import {
  CodedStrings,
  LONGEST_CODED,
  StringDictionary,
} from '../../../../../src/main/engine/store/coded-strings';
import {
  FIELD_CODE_NULL,
  FIELD_CODE_UNCODED,
  compileFilter,
  type FilterSpec,
} from '../../../../../src/shared/filter';
import { EventStore, recordAccessor } from '../../../../../src/main/engine/store/store';
import type { EngineEvent } from '../../../../../src/main/engine/event-record';
import { makeRecord } from '../../../../support/records';

describe('coded string columns', () => {
  it('gives back every value: nulls, empty strings, non-ASCII, values too long to code', () => {
    const column = new CodedStrings(new StringDictionary(), 6);
    const values = [null, '', 'tcp', 'bot-漢字-🙂', 'x'.repeat(LONGEST_CODED + 1), 'tcp'];
    values.forEach((value, slot) => column.set(slot, value));
    expect(values.map((_, slot) => column.get(slot))).toEqual(values);
    expect(column.code(0)).toBe(FIELD_CODE_NULL);
    expect(column.code(4)).toBe(FIELD_CODE_UNCODED);
    // Equal values share one code.
    expect(column.code(5)).toBe(column.code(2));
  });

  it('shares one dictionary between columns, and keeps values past its limit per slot', () => {
    const dictionary = new StringDictionary(2);
    const sources = new CodedStrings(dictionary, 4);
    const ids = new CodedStrings(dictionary, 4);
    sources.set(0, 'a');
    ids.set(0, 'a');
    expect(ids.code(0)).toBe(sources.code(0));
    sources.set(1, 'b');
    // The dictionary is full: new values are kept beside the codes, known ones still coded.
    sources.set(2, 'c');
    ids.set(1, 'd');
    ids.set(2, 'b');
    expect([sources.get(2), ids.get(1), ids.get(2)]).toEqual(['c', 'd', 'b']);
    expect([sources.code(2), ids.code(1)]).toEqual([FIELD_CODE_UNCODED, FIELD_CODE_UNCODED]);
    expect(ids.code(2)).toBe(sources.code(1));
  });

  it('forgets a slot’s uncoded value once the slot is written again', () => {
    const column = new CodedStrings(new StringDictionary(0), 1);
    column.set(0, 'kept beside');
    expect(column.get(0)).toBe('kept beside');
    column.set(0, null);
    expect(column.get(0)).toBeNull();
    column.set(0, 'another');
    expect(column.get(0)).toBe('another');
  });
});

describe('text filters over coded columns', () => {
  const long = `source-${'s'.repeat(LONGEST_CODED)}`;
  const records: EngineEvent[] = Array.from({ length: 60 }, (_, i) =>
    makeRecord({
      hub: 'h',
      seq: i + 1,
      event: i % 5 === 0 ? 'crash' : 'log',
      source: i % 4 === 0 ? null : i % 4 === 1 ? long : `src-${i % 3}`,
      entity: i % 6 === 0 ? null : { type: 'bot', id: `bot-${i % 7}` },
      message: i % 10 === 0 ? null : `line ${i}`,
    }),
  );

  it.each<FilterSpec>([
    { regex: 'crash' },
    { regex: 'bot-3' },
    { regex: 'src-[12]' },
    { regex: 'sss' },
    { regex: '^line 1' },
    { text: 'BOT-5' },
    { regex: 'nothing matches this' },
    { regex: 'crash|bot-2', invert: true },
  ])('matches what the same filter matches over the records themselves: %j', async (spec) => {
    const store = new EventStore();
    const ring = store.ensureRing('h', 'generic');
    for (const record of records) store.append(ring, store.takeG(), record);
    const direct = compileFilter(
      spec,
      recordAccessor(() => 'generic'),
    );
    if (!direct.ok) throw new Error(direct.error);
    const expected = records.filter((record) => direct.test(record)).map((record) => record.seq);
    const stored: number[] = [];
    for await (const batch of store.iterate(spec)) stored.push(...batch.map((event) => event.seq));
    expect(stored).toEqual(expected);
    // Each spec picks some events and not others, except the one meant to pick none.
    if (spec.regex === 'nothing matches this') expect(expected).toEqual([]);
    else expect(expected.length).toBeGreaterThan(0);
  });
});
