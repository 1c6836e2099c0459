/**
 * The UI's filters as SQL over the history. Each part becomes a condition that is either
 * exact (it keeps precisely the records the filter keeps) or a superset (it never drops a
 * record the filter keeps, and the rows it lets through are tested again in JavaScript
 * with the filter itself). So the history answers every filter exactly as the RAM ring
 * does, and in DuckDB alone whenever the whole condition is exact.
 */
import type { FilterSpec } from '../../../shared/filter';
import {
  parseExpression,
  statelessFlags,
  type ExprNode,
  type Literal,
  type PathSegment,
} from '../../../shared/filter-expression';
import { re2Pattern } from './re2-pattern';
import { sqlString } from './history-schema';

/** A condition and whether it is the whole truth. */
export interface SqlCondition {
  sql: string;
  exact: boolean;
}

const TRUE: SqlCondition = { sql: 'TRUE', exact: false };

function exactly(sql: string): SqlCondition {
  return { sql, exact: true };
}

function and(parts: SqlCondition[]): SqlCondition {
  const real = parts.filter((part) => part.sql !== 'TRUE' || part.exact);
  if (real.length === 0) return parts.every((part) => part.exact) ? exactly('TRUE') : TRUE;
  return {
    sql: real.length === 1 ? real[0]!.sql : real.map((part) => `(${part.sql})`).join(' AND '),
    exact: parts.every((part) => part.exact),
  };
}

function or(left: SqlCondition, right: SqlCondition): SqlCondition {
  if ((left.sql === 'TRUE' && !left.exact) || (right.sql === 'TRUE' && !right.exact)) return TRUE;
  return { sql: `(${left.sql}) OR (${right.sql})`, exact: left.exact && right.exact };
}

/** NOT of a condition: exact only when it was; a superset cannot be negated (it becomes TRUE). */
function not(operand: SqlCondition): SqlCondition {
  return operand.exact ? exactly(`NOT (${operand.sql})`) : TRUE;
}

function list(values: readonly string[]): string {
  return values.map(sqlString).join(', ');
}

/** SQL `NULL` never leaks into a boolean: an unknown is false, as a JS test on null is. */
function definite(sql: string): string {
  return `coalesce(${sql}, false)`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `regexp_matches` of a JS pattern over a column, or null when it does not translate. */
function regexOver(column: string, source: string, flags: string): SqlCondition | null {
  const translation = re2Pattern(source, statelessFlags(flags));
  if (translation === null) return null;
  return {
    sql: definite(`regexp_matches(${column}, ${sqlString(translation.pattern)})`),
    exact: translation.exact,
  };
}

/** The text filter's fields: message, source, entity id, event name. */
const TEXT_COLUMNS = ['message', 'source', 'entity_id', 'event'];

function overTextColumns(source: string, flags: string): SqlCondition {
  const parts = TEXT_COLUMNS.map((column) => regexOver(column, source, flags));
  if (parts.some((part) => part === null)) return TRUE;
  return parts.reduce((left, right) => or(left!, right!))!;
}

/** Top-level string fields of the predicate language and their columns. */
const STRING_FIELDS: Readonly<Record<string, string>> = {
  hub: 'hub',
  dialect: 'dialect',
  level: 'level',
  event: 'event',
  source: 'source',
  message: 'message',
  id: 'id',
};

const NUMBER_FIELDS: Readonly<Record<string, string>> = {
  seq: 'seq',
  time: 'time',
  receivedAt: 'received_at',
};

/** The column a path names when it is a plain top-level field (or `entity.type`/`entity.id`). */
function columnOf(path: PathSegment[]): { column: string; kind: 'string' | 'number' } | null {
  const head = path[0];
  if (typeof head !== 'string') return null;
  if (path.length === 1) {
    if (head in STRING_FIELDS) return { column: STRING_FIELDS[head]!, kind: 'string' };
    if (head in NUMBER_FIELDS) return { column: NUMBER_FIELDS[head]!, kind: 'number' };
    return null;
  }
  if (head === 'entity' && path.length === 2) {
    if (path[1] === 'type') return { column: 'entity_type', kind: 'string' };
    if (path[1] === 'id') return { column: 'entity_id', kind: 'string' };
  }
  return null;
}

function numberLiteral(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? "'infinity'::DOUBLE" : "'-infinity'::DOUBLE";
}

const SQL_OPS: Readonly<Record<string, string>> = { '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

/** One comparison of the predicate language (semantics in filter-expression.ts `compare`). */
function comparison(path: PathSegment[], op: string, value: Literal): SqlCondition {
  const field = columnOf(path);
  if (field === null) return payloadPresence(path);
  const { column, kind } = field;
  if (value instanceof RegExp) {
    // Only strings (and numbers) are tested; null never matches, `!=` neither on null.
    if (kind === 'number') return TRUE;
    const matches = regexOver(column, value.source, value.flags);
    if (matches === null) return TRUE;
    if (op === '~' || op === '==') return matches;
    // A superset cannot be negated.
    if (op === '!=') return matches.exact ? exactly(`${column} IS NOT NULL AND NOT ${matches.sql}`) : TRUE;
    return exactly('FALSE');
  }
  if (kind === 'number') {
    if (typeof value !== 'number') return op === '!=' ? TRUE : TRUE;
    if (op === '==') return exactly(definite(`${column} = ${numberLiteral(value)}`));
    if (op === '!=') return exactly(`NOT ${definite(`${column} = ${numberLiteral(value)}`)}`);
    const sqlOp = SQL_OPS[op];
    if (sqlOp === undefined) return op === 'contains' || op === '~' ? exactly('FALSE') : TRUE;
    return exactly(definite(`${column} ${sqlOp} ${numberLiteral(value)}`));
  }
  // A string field (or null).
  if (typeof value === 'string') {
    if (op === '==') return exactly(definite(`${column} = ${sqlString(value)}`));
    if (op === '!=') return exactly(`NOT ${definite(`${column} = ${sqlString(value)}`)}`);
    if (op === 'contains') {
      // Lower-casing differs between JS and DuckDB outside ASCII: a superset, tested again.
      if (!/^[\x20-\x7e]*$/.test(value)) return TRUE;
      return { sql: definite(`contains(lower(${column}), ${sqlString(value.toLowerCase())})`), exact: false };
    }
    const sqlOp = SQL_OPS[op];
    // Ordering compares UTF-16 code units in JS and bytes in DuckDB: tested again.
    if (sqlOp !== undefined) return TRUE;
    return op === '~' ? exactly('FALSE') : TRUE;
  }
  if (value === null) {
    if (op === '==') return exactly(`${column} IS NULL`);
    if (op === '!=') return exactly(`${column} IS NOT NULL`);
  }
  // Numbers and booleans against strings follow loose rules: tested in JavaScript.
  return TRUE;
}

/**
 * A payload path: the record can only have it when its last key is in the payload's text
 * (the same test the JavaScript filter starts with). A superset, always tested again.
 */
function payloadPresence(path: PathSegment[]): SqlCondition {
  if (path[0] !== 'data' || path.length < 2) return TRUE;
  const last = path[path.length - 1];
  if (typeof last !== 'string') return TRUE;
  return { sql: definite(`contains(data::VARCHAR, ${sqlString(JSON.stringify(last))})`), exact: false };
}

function expression(node: ExprNode): SqlCondition {
  switch (node.kind) {
    case 'and':
      return and([expression(node.left), expression(node.right)]);
    case 'or':
      return or(expression(node.left), expression(node.right));
    case 'not':
      return not(expression(node.operand));
    case 'exists': {
      const field = columnOf(node.path);
      if (field !== null) return exactly('TRUE');
      return payloadPresence(node.path);
    }
    case 'truthy': {
      const field = columnOf(node.path);
      if (field === null) return payloadPresence(node.path);
      if (field.kind === 'number') return exactly(definite(`${field.column} <> 0`));
      return exactly(definite(`${field.column} <> ''`));
    }
    case 'compare':
      return comparison(node.path, node.op, node.value);
  }
}

/** An expression's condition; one that does not parse gives a superset (compileFilter reports it). */
function expressionCondition(source: string): SqlCondition {
  let node: ExprNode;
  try {
    node = parseExpression(source);
  } catch {
    return TRUE;
  }
  return expression(node);
}

/**
 * The SQL condition of a filter over the history's columns. `spec` must be valid
 * (`filterError(spec) === null`); an expression that does not parse gives a superset.
 */
export function filterCondition(spec: FilterSpec): SqlCondition {
  const scope: SqlCondition[] = [];
  const content: SqlCondition[] = [];
  if (spec.hubs && spec.hubs.length > 0) scope.push(exactly(`hub IN (${list(spec.hubs)})`));
  if (spec.dialects && spec.dialects.length > 0) scope.push(exactly(`dialect IN (${list(spec.dialects)})`));
  if (spec.from != null) scope.push(exactly(definite(`time >= ${numberLiteral(spec.from)}`)));
  if (spec.to != null) scope.push(exactly(definite(`time <= ${numberLiteral(spec.to)}`)));
  if (spec.levels && spec.levels.length > 0) content.push(exactly(`level IN (${list(spec.levels)})`));
  if (spec.events && spec.events.length > 0) content.push(exactly(`event IN (${list(spec.events)})`));
  if (spec.entity) {
    const { type, id } = spec.entity;
    content.push(
      exactly(
        id
          ? definite(`entity_type = ${sqlString(type)} AND entity_id = ${sqlString(id)}`)
          : definite(`entity_type = ${sqlString(type)}`),
      ),
    );
  }
  if (spec.text && spec.text.trim() !== '') content.push(overTextColumns(escapeRegex(spec.text.trim()), 'i'));
  if (spec.regex && spec.regex !== '') content.push(overTextColumns(spec.regex, spec.regexFlags ?? 'i'));
  if (spec.where && spec.where.trim() !== '') {
    content.push(expressionCondition(spec.where));
  }
  const contentCondition = content.length === 0 ? exactly('TRUE') : and(content);
  const shown = spec.invert === true ? not(contentCondition) : contentCondition;
  return and([...scope, shown]);
}
