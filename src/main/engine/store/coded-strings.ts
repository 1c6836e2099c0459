/**
 * Columns of strings that repeat — event names, sources, entity ids — kept as numeric codes
 * into one dictionary shared by the whole store.
 *
 * Why: a million events name a few hundred distinct values, so each is held once; a column
 * of codes is a typed array the garbage collector never traces; and a text filter can test
 * each distinct value once and then answer every event from a byte array, instead of looking
 * its answer up in a map three times per event (a third of a regex filter's time over a
 * million events, measured before this).
 */

import { FIELD_CODE_NULL, FIELD_CODE_UNCODED } from '../../../shared/filter';

/** Distinct values the dictionary holds; later ones are kept per slot. */
const DICTIONARY_LIMIT = 200_000;
/** Longer values are kept per slot (a message-like source is not worth sharing). */
export const LONGEST_CODED = 256;

/** Value ↔ code, for every coded column of a store. Codes start at 1 and are never reused. */
export class StringDictionary {
  private readonly codes = new Map<string, number>();
  /** `values[code]`; index 0 is the null code's. */
  private readonly values: string[] = [''];

  /** `limit`: distinct values held (tests lower it). */
  constructor(private readonly limit = DICTIONARY_LIMIT) {}

  /** The code of `value`, or `FIELD_CODE_UNCODED` when the dictionary does not take it. */
  code(value: string): number {
    const found = this.codes.get(value);
    if (found !== undefined) return found;
    if (this.values.length > this.limit || value.length > LONGEST_CODED) return FIELD_CODE_UNCODED;
    const code = this.values.length;
    this.values.push(value);
    this.codes.set(value, code);
    return code;
  }

  /** The value of a code the dictionary gave out. */
  value(code: number): string {
    return this.values[code]!;
  }
}

/** One ring column of coded strings. */
export class CodedStrings {
  private codes: Uint32Array;
  /** Values the dictionary did not take, by slot. */
  private overflow: Map<number, string> | null = null;

  constructor(
    private readonly dictionary: StringDictionary,
    slots: number,
  ) {
    this.codes = new Uint32Array(slots);
  }

  /** Grows to `slots`, keeping slots `0 … used-1`. */
  grow(slots: number, used: number): void {
    const codes = new Uint32Array(slots);
    codes.set(this.codes.subarray(0, used));
    this.codes = codes;
  }

  set(slot: number, value: string | null): void {
    const code = value === null ? FIELD_CODE_NULL : this.dictionary.code(value);
    this.codes[slot] = code;
    if (code === FIELD_CODE_UNCODED) (this.overflow ??= new Map()).set(slot, value!);
    else if (this.overflow !== null) this.overflow.delete(slot);
  }

  get(slot: number): string | null {
    const code = this.codes[slot]!;
    if (code === FIELD_CODE_NULL) return null;
    if (code === FIELD_CODE_UNCODED) return this.overflow?.get(slot) ?? null;
    return this.dictionary.value(code);
  }

  /** The slot's code: `FIELD_CODE_NULL`, `FIELD_CODE_UNCODED` (read the value with `get`), or a dictionary code. */
  code(slot: number): number {
    return this.codes[slot]!;
  }
}
