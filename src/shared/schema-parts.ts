/**
 * Building blocks of the valibot schemas (the API's requests, the hub config file, the
 * desktop settings): objects that are plain and closed, operator-facing messages, and the
 * path of an issue as the operator reads it (`filter.levels[2]`).
 */
import * as v from 'valibot';

/** True for an object that is not an array (nor null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Edit distance, capped: only used to suggest a known key for a typo. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** `unknown field`, with the known key a typo most likely meant: `(did you mean "pollUrl"?)`. */
export function unknownFieldMessage(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  const suggestion =
    known.find((candidate) => candidate.toLowerCase() === lower) ??
    known.find((candidate) => editDistance(candidate.toLowerCase(), lower) <= 2);
  return suggestion === undefined ? 'unknown field' : `unknown field (did you mean "${suggestion}"?)`;
}

/**
 * An object with exactly these keys (valibot's `strictObject`), whose issues read
 * `is required`, `unknown field (did you mean …)` and `must be an object`. Arrays pass
 * valibot's own object check, so use it through `plain` wherever it may meet one.
 */
export function closedObject<const E extends v.ObjectEntries>(
  entries: E,
): v.StrictObjectSchema<E, (issue: v.StrictObjectIssue) => string> {
  const known = Object.keys(entries);
  return v.strictObject(entries, (issue) => {
    if (issue.expected === 'never') return unknownFieldMessage(String(issue.input), known);
    return issue.input === undefined && issue.expected !== 'Object' ? 'is required' : 'must be an object';
  });
}

/** `schema`, for values that are plain objects only (not arrays). */
export function plain<const S extends v.GenericSchema>(schema: S): PlainSchema<S> {
  const guard = v.custom<Record<string, unknown>>(isPlainObject, 'must be an object');
  // valibot cannot type a pipe over a schema parameter; the declared type is what it makes.
  return v.pipe(guard, schema as v.GenericSchema<Record<string, unknown>>) as unknown as PlainSchema<S>;
}

/** What `plain` makes of `S`. */
export type PlainSchema<S extends v.GenericSchema> = v.SchemaWithPipe<
  readonly [v.CustomSchema<Record<string, unknown>, 'must be an object'>, S]
>;

/**
 * Where an issue is, as the operator reads it: `filter.levels[2]`, `hub.headers.X-Team`;
 * `''` for the value itself.
 */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  let path = '';
  for (const item of issue.path ?? []) {
    const key: unknown = item.key;
    if (typeof key === 'number') path += `[${key}]`;
    else path += path === '' ? String(key) : `.${String(key)}`;
  }
  return path;
}

/** The two types are the same (each assignable to the other): a compile-time check. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Compiles only when `T` is `true`: `type _Check = Assert<Same<A, B>>`. */
export type Assert<T extends true> = T;

/** Keys valibot's `record` skips (assigning them could change an object's prototype). */
const SKIPPED_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

type LooseDataset = {
  typed: boolean;
  value: unknown;
  issues?: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]];
};

/**
 * An object of any string keys, each value checked by `value` — valibot's `record`, except
 * that keys it skips (`__proto__`, `constructor`, `prototype`: a hub may be called
 * `constructor`) are checked and kept too, as own properties, instead of vanishing.
 */
export function recordOf<const S extends v.GenericSchema>(
  value: S,
  message: string,
): PlainSchema<v.RecordSchema<v.StringSchema<undefined>, S, string>> {
  const base = v.record(v.string(), value, message);
  const runBase = base['~run'].bind(base);
  const keeping: typeof base = {
    ...base,
    '~run'(dataset, config) {
      const input = dataset.value;
      const result = runBase(dataset, config) as LooseDataset;
      if (!isPlainObject(input) || !isPlainObject(result.value)) return result as ReturnType<typeof runBase>;
      for (const key of SKIPPED_KEYS) {
        if (result.issues && config.abortEarly) break;
        if (!Object.hasOwn(input, key)) continue;
        const entry = value['~run']({ value: input[key] }, config) as LooseDataset;
        for (const inner of entry.issues ?? []) {
          const item: v.ObjectPathItem = { type: 'object', origin: 'value', input, key, value: input[key] };
          const issue = { ...inner, path: [item, ...(inner.path ?? [])] } as v.BaseIssue<unknown>;
          if (result.issues) result.issues.push(issue);
          else result.issues = [issue];
        }
        if (!entry.typed) result.typed = false;
        Object.defineProperty(result.value, key, {
          value: entry.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return result as ReturnType<typeof runBase>;
    },
    // Standard Schema users validate through `~run` too, as valibot's own schemas do.
    '~standard': {
      ...base['~standard'],
      validate: (input) => keeping['~run']({ value: input }, v.getGlobalConfig()) as never,
    },
  };
  return plain(keeping);
}
