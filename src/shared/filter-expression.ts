/**
 * The field-predicate language of filters and alert rules, e.g.
 *   data.Data.payload.exit_code != 0
 *   level == "error" and (source ~ /^tcp/ or entity.id == "bot-1")
 *   not data.result exists
 *
 * Grammar:
 *   expr       := orExpr
 *   orExpr     := andExpr (("or" | "||") andExpr)*
 *   andExpr    := unary (("and" | "&&") unary)*
 *   unary      := ("not" | "!") unary | "(" expr ")" | comparison
 *   comparison := path (op literal | "exists")?
 *   op         := "==" | "!=" | ">" | ">=" | "<" | "<=" | "~" (regex) | "contains"
 *   path       := name ("." name | "[" integer "]")*
 *   literal    := number | "string" | 'string' | true | false | null | /regex/flags
 *
 * A path that does not exist makes every comparison false (`exists` tests for it), so
 * `data.Data.payload.exit_code != 0` matches only events that have an exit code.
 * A bare path is true when its value is truthy.
 */
import type { JsonValue } from './hub-event';

export type Literal = string | number | boolean | null | RegExp;

export type ComparisonOp = '==' | '!=' | '>' | '>=' | '<' | '<=' | '~' | 'contains';

export type ExprNode =
  | { kind: 'and'; left: ExprNode; right: ExprNode }
  | { kind: 'or'; left: ExprNode; right: ExprNode }
  | { kind: 'not'; operand: ExprNode }
  | { kind: 'compare'; path: PathSegment[]; op: ComparisonOp; value: Literal }
  | { kind: 'exists'; path: PathSegment[] }
  | { kind: 'truthy'; path: PathSegment[] };

export type PathSegment = string | number;

/** A parse failure, with the character offset it refers to. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token =
  | { type: 'name'; text: string; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'regex'; value: RegExp; at: number }
  | { type: 'op'; text: string; at: number }
  | { type: 'punct'; text: '(' | ')' | '.' | '[' | ']'; at: number }
  | { type: 'end'; at: number };

const OPERATORS = ['==', '!=', '>=', '<=', '&&', '||', '>', '<', '~', '!', '='];

/**
 * Regex flags for testing values one by one: `g` and `y` make `test` start where the last
 * match ended (`lastIndex`), so a filter with them would skip matches depending on which
 * record came before — and `y` would only match at that position. A filter asks whether
 * the pattern occurs, so they are dropped.
 */
export function statelessFlags(flags: string): string {
  return flags.replace(/[gy]/g, '');
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const previousAllowsRegex = (): boolean => {
    const last = tokens[tokens.length - 1];
    return (
      last !== undefined &&
      last.type === 'op' &&
      (last.text === '~' || last.text === '==' || last.text === '!=')
    );
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const at = i;
    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      while (i < source.length && source[i] !== ch) {
        if (source[i] === '\\' && i + 1 < source.length) {
          const next = source[i + 1]!;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
        } else {
          value += source[i];
          i++;
        }
      }
      if (i >= source.length) throw new ExpressionError('unterminated string', at);
      i++;
      tokens.push({ type: 'string', value, at });
      continue;
    }
    if (ch === '/' && previousAllowsRegex()) {
      let body = '';
      i++;
      let inClass = false;
      while (i < source.length && (source[i] !== '/' || inClass)) {
        if (source[i] === '\\' && i + 1 < source.length) {
          body += source[i]! + source[i + 1]!;
          i += 2;
          continue;
        }
        if (source[i] === '[') inClass = true;
        if (source[i] === ']') inClass = false;
        body += source[i];
        i++;
      }
      if (i >= source.length) throw new ExpressionError('unterminated regular expression', at);
      i++;
      let flags = '';
      while (i < source.length && /[a-z]/.test(source[i]!)) flags += source[i++];
      try {
        tokens.push({ type: 'regex', value: new RegExp(body, statelessFlags(flags)), at });
      } catch (error) {
        throw new ExpressionError(`invalid regular expression: ${(error as Error).message}`, at);
      }
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '-' && /[0-9.]/.test(source[i + 1] ?? ''))) {
      const last = tokens[tokens.length - 1];
      // After a '.', a number is an array index in a path (`data.list.0.name`).
      const pattern =
        last?.type === 'punct' && last.text === '.' ? /^\d+/ : /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
      const match = pattern.exec(source.slice(i));
      if (!match) throw new ExpressionError('invalid number', at);
      tokens.push({ type: 'number', value: Number(match[0]), at });
      i += match[0].length;
      continue;
    }
    if (/[A-Za-z_$@]/.test(ch)) {
      const match = /^[A-Za-z_$@][\w$@-]*/.exec(source.slice(i))!;
      tokens.push({ type: 'name', text: match[0], at });
      i += match[0].length;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === '.' || ch === '[' || ch === ']') {
      tokens.push({ type: 'punct', text: ch, at });
      i++;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (op) {
      tokens.push({ type: 'op', text: op === '=' ? '==' : op, at });
      i += op.length;
      continue;
    }
    throw new ExpressionError(`unexpected character '${ch}'`, at);
  }
  tokens.push({ type: 'end', at: source.length });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.index]!;
  }
  private next(): Token {
    return this.tokens[this.index++]!;
  }
  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.type === 'name' && token.text.toLowerCase() === word;
  }
  private isOp(text: string): boolean {
    const token = this.peek();
    return token.type === 'op' && token.text === text;
  }

  parse(): ExprNode {
    const node = this.parseOr();
    const token = this.peek();
    if (token.type !== 'end') throw new ExpressionError(`unexpected ${describe(token)}`, token.at);
    return node;
  }

  private parseOr(): ExprNode {
    let left = this.parseAnd();
    while (this.isKeyword('or') || this.isOp('||')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): ExprNode {
    let left = this.parseUnary();
    while (this.isKeyword('and') || this.isOp('&&')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): ExprNode {
    if (this.isKeyword('not') || this.isOp('!')) {
      this.next();
      return { kind: 'not', operand: this.parseUnary() };
    }
    const token = this.peek();
    if (token.type === 'punct' && token.text === '(') {
      this.next();
      const inner = this.parseOr();
      const close = this.next();
      if (close.type !== 'punct' || close.text !== ')') throw new ExpressionError("expected ')'", close.at);
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): ExprNode {
    const path = this.parsePath();
    if (this.isKeyword('exists')) {
      this.next();
      return { kind: 'exists', path };
    }
    if (this.isKeyword('contains')) {
      this.next();
      return { kind: 'compare', path, op: 'contains', value: this.parseLiteral() };
    }
    const token = this.peek();
    if (token.type === 'op' && ['==', '!=', '>', '>=', '<', '<=', '~'].includes(token.text)) {
      this.next();
      const value = this.parseLiteral();
      const op = token.text as ComparisonOp;
      if (op === '~' && !(value instanceof RegExp) && typeof value !== 'string') {
        throw new ExpressionError("'~' needs a /regex/ or a string", token.at);
      }
      return {
        kind: 'compare',
        path,
        op,
        value: op === '~' && typeof value === 'string' ? safeRegex(value, token.at) : value,
      };
    }
    return { kind: 'truthy', path };
  }

  private parsePath(): PathSegment[] {
    const first = this.next();
    if (first.type !== 'name')
      throw new ExpressionError(`expected a field name, found ${describe(first)}`, first.at);
    const path: PathSegment[] = [first.text];
    for (;;) {
      const token = this.peek();
      if (token.type === 'punct' && token.text === '.') {
        this.next();
        const name = this.next();
        if (name.type === 'name') path.push(name.text);
        else if (name.type === 'number' && Number.isInteger(name.value)) path.push(name.value);
        else throw new ExpressionError(`expected a field name after '.', found ${describe(name)}`, name.at);
      } else if (token.type === 'punct' && token.text === '[') {
        this.next();
        const key = this.next();
        if (key.type === 'number' && Number.isInteger(key.value)) path.push(key.value);
        else if (key.type === 'string') path.push(key.value);
        else throw new ExpressionError('expected an index or a quoted key inside [ ]', key.at);
        const close = this.next();
        if (close.type !== 'punct' || close.text !== ']') throw new ExpressionError("expected ']'", close.at);
      } else {
        return path;
      }
    }
  }

  private parseLiteral(): Literal {
    const token = this.next();
    switch (token.type) {
      case 'number':
        return token.value;
      case 'string':
        return token.value;
      case 'regex':
        return token.value;
      case 'name': {
        const word = token.text.toLowerCase();
        if (word === 'true') return true;
        if (word === 'false') return false;
        if (word === 'null') return null;
        // A bare word is a string: `level == error` reads as the operator means it.
        return token.text;
      }
      default:
        throw new ExpressionError(`expected a value, found ${describe(token)}`, token.at);
    }
  }
}

function safeRegex(source: string, at: number): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new ExpressionError(`invalid regular expression: ${(error as Error).message}`, at);
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the expression';
    case 'name':
      return `'${token.text}'`;
    case 'op':
    case 'punct':
      return `'${token.text}'`;
    case 'number':
      return `the number ${token.value}`;
    case 'string':
      return `the string "${token.value}"`;
    case 'regex':
      return `the regex ${String(token.value)}`;
  }
}

/** Parses an expression; throws `ExpressionError` with the offset of the problem. */
export function parseExpression(source: string): ExprNode {
  return new Parser(tokenize(source)).parse();
}

/** Reads a path from a record: the caller resolves the first segment (field name). */
export type PathResolver = (path: PathSegment[]) => JsonValue | undefined;

function compare(actual: JsonValue | undefined, op: ComparisonOp, expected: Literal): boolean {
  if (actual === undefined) return false;
  if (expected instanceof RegExp) {
    if (actual === null || typeof actual === 'object') return false;
    const text = String(actual);
    if (op === '~' || op === '==') return expected.test(text);
    if (op === '!=') return !expected.test(text);
    return false;
  }
  switch (op) {
    case 'contains':
      if (Array.isArray(actual)) return actual.some((item) => item === expected);
      if (typeof actual === 'string' && expected !== null)
        return actual.toLowerCase().includes(String(expected).toLowerCase());
      return false;
    case '~':
      return false;
    case '==':
      return looseEquals(actual, expected);
    case '!=':
      return !looseEquals(actual, expected);
    default: {
      const a = typeof expected === 'number' && typeof actual === 'string' ? Number(actual) : actual;
      if (typeof a === 'number' && typeof expected === 'number') {
        if (Number.isNaN(a)) return false;
        return op === '>'
          ? a > expected
          : op === '>='
            ? a >= expected
            : op === '<'
              ? a < expected
              : a <= expected;
      }
      if (typeof a === 'string' && typeof expected === 'string') {
        return op === '>'
          ? a > expected
          : op === '>='
            ? a >= expected
            : op === '<'
              ? a < expected
              : a <= expected;
      }
      return false;
    }
  }
}

function looseEquals(actual: JsonValue, expected: Literal): boolean {
  if (actual === expected) return true;
  if (typeof expected === 'number' && typeof actual === 'string')
    return actual.trim() !== '' && Number(actual) === expected;
  if (typeof expected === 'string' && typeof actual === 'number') return String(actual) === expected;
  if (typeof expected === 'string' && typeof actual === 'boolean')
    return String(actual) === expected.toLowerCase();
  return false;
}

/** Evaluates a parsed expression against a record reached through `resolve`. */
export function evaluateExpression(node: ExprNode, resolve: PathResolver): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateExpression(node.left, resolve) && evaluateExpression(node.right, resolve);
    case 'or':
      return evaluateExpression(node.left, resolve) || evaluateExpression(node.right, resolve);
    case 'not':
      return !evaluateExpression(node.operand, resolve);
    case 'exists':
      return resolve(node.path) !== undefined;
    case 'truthy': {
      const value = resolve(node.path);
      return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
    }
    case 'compare':
      return compare(resolve(node.path), node.op, node.value);
  }
}

/** Follows `path` (after its first segment) into a JSON value. */
export function walkPath(
  value: JsonValue | undefined,
  path: PathSegment[],
  from: number,
): JsonValue | undefined {
  let current = value;
  for (let i = from; i < path.length; i++) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    const key = path[i]!;
    if (Array.isArray(current)) {
      if (typeof key !== 'number') return undefined;
      current = current[key];
    } else {
      if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
      current = current[String(key)];
    }
  }
  return current;
}
