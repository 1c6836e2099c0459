/**
 * Filters: what a tab shows, what an export contains and what an alert rule matches.
 * One spec, compiled once into a predicate over any record shape through an accessor,
 * so the engine can run it over live events and over its columnar store alike.
 */
import type { InferOutput } from 'valibot';
import type { FilterSpecSchema } from './api-schema';
import type { EntityType, JsonValue, Level } from './hub-event';
import {
  evaluateExpression,
  ExpressionError,
  parseExpression,
  statelessFlags,
  walkPath,
  type PathSegment,
} from './filter-expression';

/**
 * A filter as the operator sets it. Every part is optional; an empty spec matches
 * everything. Its parts are described in api-schema.ts (`FilterSpecSchema`).
 */
export type FilterSpec = InferOutput<typeof FilterSpecSchema>;

/** Read access to one record, whatever its storage. */
export interface FilterAccessor<R> {
  hub(record: R): string;
  dialect(record: R): string;
  level(record: R): Level;
  event(record: R): string;
  source(record: R): string | null;
  entityType(record: R): EntityType | null;
  entityId(record: R): string | null;
  message(record: R): string | null;
  id(record: R): string | null;
  seq(record: R): number;
  time(record: R): number;
  receivedAt(record: R): number;
  /** The payload (parsed lazily by stores that keep text). */
  data(record: R): JsonValue;
  /** The payload's JSON text when known, so data predicates can skip parsing when a key is absent. */
  raw(record: R): string | null;
  /** Present when the store keeps these fields as dictionary codes: text filters then test each distinct value once. */
  coded?: CodedFieldAccess<R>;
}

/** The code of a null field. */
export const FIELD_CODE_NULL = 0;
/** The code of a field kept as itself rather than coded: read it with the accessor. */
export const FIELD_CODE_UNCODED = 0xffffffff;

/** Fields kept as codes into one dictionary (the store's event names, sources and entity ids). */
export interface CodedFieldAccess<R> {
  event(record: R): number;
  source(record: R): number;
  entityId(record: R): number;
  /** The value of a code other than `FIELD_CODE_NULL` and `FIELD_CODE_UNCODED`. */
  value(code: number): string;
}

export type CompiledFilter<R> =
  | { ok: true; test: (record: R) => boolean; matchesAll: boolean }
  | { ok: false; field: 'regex' | 'where' | 'range'; error: string };

const TOP_LEVEL_FIELDS = new Set([
  'hub',
  'dialect',
  'level',
  'event',
  'source',
  'entity',
  'message',
  'id',
  'seq',
  'time',
  'receivedAt',
  'data',
]);

/** Checks a spec without compiling it for a record type; `null` when it is valid. */
export function filterError(spec: FilterSpec): { field: 'regex' | 'where' | 'range'; error: string } | null {
  const compiled = compileFilter(spec, NULL_ACCESSOR);
  return compiled.ok ? null : { field: compiled.field, error: compiled.error };
}

/** True when the spec restricts nothing. */
export function isEmptyFilter(spec: FilterSpec): boolean {
  return (
    !spec.hubs &&
    !spec.dialects &&
    !spec.levels &&
    !spec.events &&
    !spec.entity &&
    !spec.text &&
    !spec.regex &&
    !spec.where &&
    spec.from == null &&
    spec.to == null &&
    !spec.invert
  );
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles a spec into a predicate. Never throws: an invalid regex or expression comes
 * back as an error naming the part, for the UI to show where the operator typed it.
 */
export function compileFilter<R>(spec: FilterSpec, access: FilterAccessor<R>): CompiledFilter<R> {
  const scope: ((r: R) => boolean)[] = [];
  const content: ((r: R) => boolean)[] = [];

  if (spec.hubs && spec.hubs.length > 0) {
    const hubs = new Set(spec.hubs);
    scope.push((r) => hubs.has(access.hub(r)));
  }
  if (spec.dialects && spec.dialects.length > 0) {
    const dialects = new Set<string>(spec.dialects);
    scope.push((r) => dialects.has(access.dialect(r)));
  }
  if (spec.from != null || spec.to != null) {
    const from = spec.from ?? -Infinity;
    const to = spec.to ?? Infinity;
    if (Number.isNaN(from) || Number.isNaN(to) || from > to) {
      return { ok: false, field: 'range', error: 'the time range ends before it starts' };
    }
    scope.push((r) => {
      const t = access.time(r);
      return t >= from && t <= to;
    });
  }

  if (spec.levels && spec.levels.length > 0) {
    const levels = new Set<Level>(spec.levels);
    content.push((r) => levels.has(access.level(r)));
  }
  if (spec.events && spec.events.length > 0) {
    const events = new Set(spec.events);
    content.push((r) => events.has(access.event(r)));
  }
  if (spec.entity) {
    const { type, id } = spec.entity;
    if (id) content.push((r) => access.entityType(r) === type && access.entityId(r) === id);
    else content.push((r) => access.entityType(r) === type);
  }
  const textual: RegExp[] = [];
  if (spec.text && spec.text.trim() !== '') textual.push(new RegExp(escapeRegex(spec.text.trim()), 'i'));
  if (spec.regex && spec.regex !== '') {
    try {
      textual.push(new RegExp(spec.regex, statelessFlags(spec.regexFlags ?? 'i')));
    } catch (error) {
      return { ok: false, field: 'regex', error: `invalid regular expression: ${(error as Error).message}` };
    }
  }
  for (const pattern of textual) {
    // Source, entity id and event name repeat across events: each distinct value is
    // tested once. Messages are tested as they come. No per-record string building.
    const matches = cachedTest(pattern);
    const coded = access.coded;
    if (coded) {
      // By code: one byte per distinct value remembers the answer, no map lookups per event.
      const known = codedTest(pattern, (code) => coded.value(code));
      content.push((r) => {
        const message = access.message(r);
        if (message !== null && pattern.test(message)) return true;
        // A null field (code 0) never matches; an uncoded one is read and tested itself.
        let code = coded.source(r);
        if (
          code !== FIELD_CODE_NULL &&
          (code === FIELD_CODE_UNCODED ? matches(access.source(r)!) : known(code))
        )
          return true;
        code = coded.entityId(r);
        if (
          code !== FIELD_CODE_NULL &&
          (code === FIELD_CODE_UNCODED ? matches(access.entityId(r)!) : known(code))
        )
          return true;
        code = coded.event(r);
        return code === FIELD_CODE_UNCODED
          ? matches(access.event(r))
          : code !== FIELD_CODE_NULL && known(code);
      });
      continue;
    }
    content.push((r) => {
      const message = access.message(r);
      if (message !== null && pattern.test(message)) return true;
      const source = access.source(r);
      if (source !== null && matches(source)) return true;
      const entityId = access.entityId(r);
      if (entityId !== null && matches(entityId)) return true;
      return matches(access.event(r));
    });
  }
  if (spec.where && spec.where.trim() !== '') {
    let node;
    try {
      node = parseExpression(spec.where);
    } catch (error) {
      const message =
        error instanceof ExpressionError ? `${error.message} (at ${error.offset + 1})` : String(error);
      return { ok: false, field: 'where', error: message };
    }
    const unknown = unknownField(node);
    if (unknown !== null) {
      return {
        ok: false,
        field: 'where',
        error: `unknown field '${unknown}' — use data.${unknown} for a payload field`,
      };
    }
    const tree = node;
    content.push((r) => evaluateExpression(tree, makeResolver(r, access)));
  }

  const invert = spec.invert === true;
  const matchesAll = scope.length === 0 && content.length === 0 && !invert;
  const scopeTest = allOf(scope);
  if (content.length === 0 && !invert) return { ok: true, test: scopeTest, matchesAll };
  const contentTest = allOf(content);
  // The common shapes get a predicate without a loop: a store scan calls it a million times.
  if (scope.length === 0)
    return { ok: true, matchesAll, test: invert ? (r) => !contentTest(r) : contentTest };
  return { ok: true, matchesAll, test: (r) => scopeTest(r) && contentTest(r) !== invert };
}

/** One predicate that holds when all of `checks` hold (no loop for none or one). */
function allOf<R>(checks: ((r: R) => boolean)[]): (r: R) => boolean {
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0]!;
  return (r) => {
    for (const check of checks) if (!check(r)) return false;
    return true;
  };
}

/** Distinct values remembered per pattern; past this, values are tested directly. */
const TEST_CACHE_LIMIT = 4096;

/** `pattern.test` that remembers the answer for values that repeat. */
function cachedTest(pattern: RegExp): (value: string) => boolean {
  const answers = new Map<string, boolean>();
  return (value) => {
    const known = answers.get(value);
    if (known !== undefined) return known;
    const answer = pattern.test(value);
    if (answers.size < TEST_CACHE_LIMIT) answers.set(value, answer);
    return answer;
  };
}

/** `pattern.test` of a coded value, remembered per code (codes are small and dense). */
function codedTest(pattern: RegExp, value: (code: number) => string): (code: number) => boolean {
  // 0: not tested yet, 1: no match, 2: match.
  let answers = new Uint8Array(256);
  return (code) => {
    if (code >= answers.length) {
      const grown = new Uint8Array(Math.max(code + 1, answers.length * 2));
      grown.set(answers);
      answers = grown;
    }
    let answer = answers[code]!;
    if (answer === 0) {
      answer = pattern.test(value(code)) ? 2 : 1;
      answers[code] = answer;
    }
    return answer === 2;
  };
}

function unknownField(node: ReturnType<typeof parseExpression>): string | null {
  switch (node.kind) {
    case 'and':
    case 'or':
      return unknownField(node.left) ?? unknownField(node.right);
    case 'not':
      return unknownField(node.operand);
    default: {
      const first = node.path[0];
      return typeof first === 'string' && TOP_LEVEL_FIELDS.has(first) ? null : String(first);
    }
  }
}

function makeResolver<R>(
  record: R,
  access: FilterAccessor<R>,
): (path: PathSegment[]) => JsonValue | undefined {
  let parsed: JsonValue | undefined;
  let parsedDone = false;
  return (path) => {
    const head = path[0];
    switch (head) {
      case 'data': {
        const last = path[path.length - 1];
        if (path.length > 1 && typeof last === 'string') {
          // A key that is nowhere in the JSON text cannot be on the path: skip parsing.
          const raw = access.raw(record);
          if (raw !== null && !raw.includes(JSON.stringify(last))) return undefined;
        }
        if (!parsedDone) {
          parsed = access.data(record);
          parsedDone = true;
        }
        return walkPath(parsed, path, 1);
      }
      case 'hub':
        return access.hub(record);
      case 'dialect':
        return access.dialect(record);
      case 'level':
        return access.level(record);
      case 'event':
        return access.event(record);
      case 'source':
        return access.source(record);
      case 'message':
        return access.message(record);
      case 'id':
        return access.id(record);
      case 'seq':
        return access.seq(record);
      case 'time':
        return access.time(record);
      case 'receivedAt':
        return access.receivedAt(record);
      case 'entity': {
        const type = access.entityType(record);
        if (path.length === 1) return type === null ? null : { type, id: access.entityId(record) ?? '' };
        if (path[1] === 'type') return path.length === 2 ? type : undefined;
        if (path[1] === 'id') return path.length === 2 ? access.entityId(record) : undefined;
        return undefined;
      }
      default:
        return undefined;
    }
  };
}

const NULL_ACCESSOR: FilterAccessor<null> = {
  hub: () => '',
  dialect: () => '',
  level: () => 'info',
  event: () => '',
  source: () => null,
  entityType: () => null,
  entityId: () => null,
  message: () => null,
  id: () => null,
  seq: () => 0,
  time: () => 0,
  receivedAt: () => 0,
  data: () => null,
  raw: () => null,
};
