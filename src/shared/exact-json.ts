/**
 * JSON whose numbers keep the text they arrived as. `JSON.parse` reads every number as a
 * double, so `12345678901234567890` becomes 12345678901234567000, `1e400` becomes Infinity
 * (written back as `null`), and `-0`, `1.0` or `1E5` lose their spelling. The reviver's
 * `context.source` (TC39 "JSON.parse source text access": Chromium 114, Node 21) gives each
 * number's own text, and `JSON.rawJSON` writes it back unchanged.
 */

/** What `JSON.parse` passes a reviver as its third argument for a primitive value. */
interface ReviverContext {
  source?: string;
}

/** The parts of the proposal TypeScript's `lib` does not declare yet. */
interface JsonWithSourceText {
  parse(text: string, reviver: (key: string, value: unknown, context?: ReviverContext) => unknown): unknown;
  rawJSON(text: string): object;
}

const sourceTextJson = JSON as unknown as JsonWithSourceText;

/**
 * A JSON number whose text a double does not give back (`String(value)` differs): shown and
 * written exactly as received. Its text is a private field, so walks over plain JSON
 * (redaction, structured clone of its container) find no properties to change in it.
 */
export class NumberText {
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  /** The number as received, e.g. `12345678901234567890`. */
  get text(): string {
    return this.#text;
  }

  /** The nearest double (Infinity past the range), for comparisons. */
  get value(): number {
    return Number(this.#text);
  }

  /** `JSON.stringify` writes the received text, not the double. */
  toJSON(): object {
    return sourceTextJson.rawJSON(this.#text);
  }
}

/** A JSON value as `parseExactJson` reads it: numbers that a double would alter are `NumberText`. */
export type ExactJsonValue =
  string | number | boolean | null | NumberText | ExactJsonValue[] | { [key: string]: ExactJsonValue };

/**
 * Parses JSON text like `JSON.parse` (and throws the same `SyntaxError`), except that each
 * number whose double would not write back as its own text stays that text.
 */
export function parseExactJson(text: string): ExactJsonValue {
  return sourceTextJson.parse(text, (_key, value, context) => {
    if (typeof value !== 'number') return value;
    const source = context?.source;
    return source !== undefined && source !== String(value) ? new NumberText(source) : value;
  }) as ExactJsonValue;
}

/** JSON text of a value that may hold `NumberText`: their received text, everything else as `JSON.stringify`. */
export function stringifyExactJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent);
}

/**
 * The payload of an event detail for showing: `dataText` read with its numbers' text, or
 * `data` as it is when there is no text (not JSON, a gap marker) or the text does not
 * parse (it was cut by redaction).
 */
export function exactPayload(dataText: string | null, data: ExactJsonValue): ExactJsonValue {
  if (dataText === null) return data;
  try {
    return parseExactJson(dataText);
  } catch {
    return data;
  }
}
