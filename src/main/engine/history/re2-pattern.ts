/**
 * JavaScript regular expressions as RE2 patterns (DuckDB's `regexp_matches`), for the part
 * of the language where both match exactly the same strings. Filters over the history run
 * in DuckDB when their regex translates, and fall back to testing each stored value in
 * JavaScript when it does not: a translation is only offered when it is exact, never close.
 *
 * Covered: literals, `.`, classes (ranges, negation, `\d \w \s` and their negations),
 * groups (capturing, non-capturing, named), alternation, greedy and lazy quantifiers
 * (`* + ? {n} {n,} {n,m}`, m ≤ 1000), `^` and `$` at the start and end of the pattern (without the `m` flag), `\b \B`, the usual
 * escapes, and the flags `i`, `s` and `g` (which does not change what `test` finds in a
 * fresh pattern). Not covered (fall back): look-around, back-references, the `m`, `u`, `v`
 * and `y` (a match only at the start) flags, an astral character with a quantifier, and `i`
 * over a range that is not plain ASCII letters or digits. Filters drop `g` and `y` first
 * (filter-expression.ts `statelessFlags`).
 */

/** Not translatable: the caller tests in JavaScript instead. */
class Untranslatable extends Error {}

/** ES `Canonicalize` for non-unicode ignoreCase: the code unit a character folds to. */
function canonicalize(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit;
  const upper = String.fromCharCode(unit).toUpperCase();
  if (upper.length !== 1) return unit;
  const folded = upper.charCodeAt(0);
  // A non-ASCII character never folds to an ASCII one (so `ſ` is not `s`).
  if (unit >= 128 && folded < 128) return unit;
  return folded;
}

let foldClasses: Map<number, number[]> | null = null;

/** Every code unit that `i` makes equal to `unit` (itself included). */
function foldEquivalents(unit: number): number[] {
  if (foldClasses === null) {
    foldClasses = new Map();
    for (let u = 0; u < 0x10000; u++) {
      const key = canonicalize(u);
      const list = foldClasses.get(key);
      if (list) list.push(u);
      else foldClasses.set(key, [u]);
    }
  }
  const key = canonicalize(unit);
  const list = foldClasses.get(key);
  if (!list) return [unit];
  const all = new Set([key, ...list]);
  return [...all].filter((u) => canonicalize(u) === key).sort((a, b) => a - b);
}

/** One code point in RE2 syntax (always escaped: safe inside and outside classes). */
function re2Char(code: number): string {
  if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)) {
    return String.fromCharCode(code);
  }
  return `\\x{${code.toString(16)}}`;
}

/** JS `\s`: WhiteSpace and LineTerminator. */
const JS_SPACE =
  '\\x{9}-\\x{d}\\x{20}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
const JS_DIGIT = '0-9';
const JS_WORD = '0-9A-Za-z_';
/** What `.` does not match without the `s` flag. */
const JS_LINE_TERMINATORS = '\\x{a}\\x{d}\\x{2028}\\x{2029}';

interface Flags {
  ignoreCase: boolean;
  dotAll: boolean;
}

class Translator {
  private i = 0;
  /**
   * Set when the pattern has an atom that can match half of a surrogate pair in JavaScript
   * (`.`, a negated class, `\S`, `\W`, `\D`): JavaScript counts UTF-16 code units where RE2
   * counts code points, so such an atom is made optional in RE2 — a superset, whose matches
   * the caller tests again.
   */
  inexact = false;
  constructor(
    private readonly src: string,
    private readonly flags: Flags,
  ) {}

  translate(): string {
    const out = this.alternation();
    if (this.i < this.src.length) throw new Untranslatable(`unexpected ${this.src[this.i]}`);
    return out;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alternation(): string {
    const parts = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      parts.push(this.sequence());
    }
    return parts.join('|');
  }

  private sequence(): string {
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === '|' || ch === ')') return out;
      const atom = this.atom();
      out += atom === null ? '' : atom + this.quantifier();
    }
  }

  private quantifier(): string {
    const ch = this.peek();
    let q: string;
    if (ch === '*' || ch === '+' || ch === '?') {
      this.i++;
      q = ch;
    } else if (ch === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!match) return '';
      const min = Number(match[1]);
      const max = match[3] === undefined || match[3] === '' ? null : Number(match[3]);
      if (min > 1000 || (max !== null && (max > 1000 || max < min))) throw new Untranslatable('repeat count');
      this.i += match[0].length;
      q = match[0];
    } else {
      return '';
    }
    if (this.peek() === '?') {
      this.i++;
      q += '?';
    }
    return q;
  }

  /** Whether a quantifier starts here (a `{` that is not one is a literal). */
  private startsQuantifier(): boolean {
    const ch = this.peek();
    return (
      ch === '*' || ch === '+' || ch === '?' || (ch === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i)))
    );
  }

  /** One atom; null for an assertion that takes no quantifier. */
  private atom(): string | null {
    const ch = this.src[this.i]!;
    switch (ch) {
      case '^':
      case '$': {
        // Only at the very start or end of the pattern (groups aside): DuckDB 1.5.6 answers
        // `\za` (`/$a/`, which never matches) true for "a", so a pattern where an anchor
        // sits next to anything it must match against is tested in JavaScript instead.
        if (ch === '^' && !/^(?:\((?:\?:)?)*$/.test(this.src.slice(0, this.i))) throw new Untranslatable();
        if (ch === '$' && !/^\)*$/.test(this.src.slice(this.i + 1))) throw new Untranslatable();
        this.i++;
        return ch === '^' ? '\\A' : '\\z';
      }
      case '.':
        this.i++;
        return this.unitAtom(this.flags.dotAll ? '(?s:.)' : `[^${JS_LINE_TERMINATORS}]`);
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '\\':
        return this.escape(false);
      case '*':
      case '+':
      case '?':
        throw new Untranslatable('nothing to repeat');
      case '{': {
        // Annex B: a brace that does not start a quantifier is a literal.
        this.i++;
        return this.literal(ch.charCodeAt(0));
      }
      default: {
        const code = this.src.codePointAt(this.i)!;
        this.i += code > 0xffff ? 2 : 1;
        // JavaScript (without `u`) repeats only the low surrogate of an astral character, a
        // half RE2 cannot name: `😀*` needs the high one once. RE2 would repeat the whole.
        if (code > 0xffff && this.startsQuantifier()) throw new Untranslatable('quantified astral character');
        return this.literal(code);
      }
    }
  }

  /** An atom that may stand for one half of a surrogate pair (see `inexact`). */
  private unitAtom(re2: string): string {
    this.inexact = true;
    return `(?:${re2}|)`;
  }

  private group(): string {
    this.i++;
    if (this.src.startsWith('?:', this.i)) this.i += 2;
    else if (
      this.src.startsWith('?<', this.i) &&
      !this.src.startsWith('?<=', this.i) &&
      !this.src.startsWith('?<!', this.i)
    ) {
      const end = this.src.indexOf('>', this.i);
      if (end === -1) throw new Untranslatable('group name');
      this.i = end + 1;
    } else if (this.peek() === '?') throw new Untranslatable('look-around');
    const inner = this.alternation();
    if (this.peek() !== ')') throw new Untranslatable('unclosed group');
    this.i++;
    return `(?:${inner})`;
  }

  private literal(code: number): string {
    if (!this.flags.ignoreCase || code > 0xffff) return re2Char(code);
    const equivalents = foldEquivalents(code);
    if (equivalents.length === 1) return re2Char(code);
    return `[${equivalents.map(re2Char).join('')}]`;
  }

  /** `\…` outside a class (inClass false) or the members it stands for inside one. */
  private escape(inClass: boolean): string {
    this.i++;
    const ch = this.src[this.i];
    if (ch === undefined) throw new Untranslatable('trailing backslash');
    this.i++;
    switch (ch) {
      case 'd':
        return inClass ? JS_DIGIT : `[${JS_DIGIT}]`;
      case 'D':
        if (inClass) throw new Untranslatable('negated escape in a class');
        return this.unitAtom(`[^${JS_DIGIT}]`);
      case 'w':
        return inClass ? JS_WORD : `[${JS_WORD}]`;
      case 'W':
        if (inClass) throw new Untranslatable('negated escape in a class');
        return this.unitAtom(`[^${JS_WORD}]`);
      case 's':
        return inClass ? JS_SPACE : `[${JS_SPACE}]`;
      case 'S':
        if (inClass) throw new Untranslatable('negated escape in a class');
        return this.unitAtom(`[^${JS_SPACE}]`);
      case 'b':
        if (inClass) return re2Char(8);
        return '\\b';
      case 'B':
        if (inClass) throw new Untranslatable('\\B in a class');
        return '\\B';
      default: {
        const code = this.escapedCode(ch);
        return inClass ? this.classMember(code) : this.literal(code);
      }
    }
  }

  /** The code unit of a character escape (after the backslash and `ch`). */
  private escapedCode(ch: string): number {
    switch (ch) {
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'f':
        return 12;
      case 'v':
        return 11;
      case '0':
        if (/[0-9]/.test(this.peek() ?? '')) throw new Untranslatable('octal escape');
        return 0;
      case 'x': {
        const hex = /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.i));
        if (!hex) return 'x'.charCodeAt(0);
        this.i += 2;
        return parseInt(hex[0], 16);
      }
      case 'u': {
        const hex = /^[0-9a-fA-F]{4}/.exec(this.src.slice(this.i));
        if (!hex) return 'u'.charCodeAt(0);
        this.i += 4;
        const code = parseInt(hex[0], 16);
        if (code >= 0xd800 && code <= 0xdfff) throw new Untranslatable('surrogate escape');
        return code;
      }
      case 'c': {
        const letter = this.peek();
        if (letter !== undefined && /[A-Za-z]/.test(letter)) {
          this.i++;
          return letter.charCodeAt(0) % 32;
        }
        throw new Untranslatable('\\c');
      }
      case 'k':
        throw new Untranslatable('back-reference');
      default:
        if (/[1-9]/.test(ch)) throw new Untranslatable('back-reference');
        // An identity escape (`\.`, `\/`, `\-`…): the character itself.
        return ch.codePointAt(0)!;
    }
  }

  private classMember(code: number): string {
    if (!this.flags.ignoreCase) return re2Char(code);
    return foldEquivalents(code).map(re2Char).join('');
  }

  private charClass(): string {
    this.i++;
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.i++;
    }
    let body = '';
    let first = true;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new Untranslatable('unclosed class');
      if (ch === ']') {
        this.i++;
        break;
      }
      first = false;
      const start = this.classAtom();
      if (start.kind === 'set') {
        body += start.text;
        continue;
      }
      if (this.peek() === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined) {
        this.i++;
        const end = this.classAtom();
        if (end.kind === 'set') throw new Untranslatable('range to a class escape');
        if (end.code < start.code) throw new Untranslatable('range out of order');
        body += this.range(start.code, end.code);
      } else {
        body += this.classMember(start.code);
      }
    }
    // JS `[]` matches nothing and `[^]` anything; RE2 has no empty class.
    if (first) return negated ? this.unitAtom('(?s:.)') : '[^\\x{0}-\\x{10ffff}]';
    return negated ? this.unitAtom(`[^${body}]`) : `[${body}]`;
  }

  private range(from: number, to: number): string {
    const plain = `${re2Char(from)}-${re2Char(to)}`;
    if (!this.flags.ignoreCase) return plain;
    const isLower = (c: number) => c >= 97 && c <= 122;
    const isUpper = (c: number) => c >= 65 && c <= 90;
    const isDigit = (c: number) => c >= 48 && c <= 57;
    if (isLower(from) && isLower(to)) return `${plain}${re2Char(from - 32)}-${re2Char(to - 32)}`;
    if (isUpper(from) && isUpper(to)) return `${plain}${re2Char(from + 32)}-${re2Char(to + 32)}`;
    if (isDigit(from) && isDigit(to)) return plain;
    throw new Untranslatable('case-insensitive range');
  }

  private classAtom(): { kind: 'code'; code: number } | { kind: 'set'; text: string } {
    const ch = this.src[this.i]!;
    if (ch === '\\') {
      const next = this.src[this.i + 1];
      if (next !== undefined && 'dwsDWS'.includes(next)) return { kind: 'set', text: this.escape(true) };
      this.i++;
      const esc = this.src[this.i];
      if (esc === undefined) throw new Untranslatable('trailing backslash');
      this.i++;
      if (esc === 'b') return { kind: 'code', code: 8 };
      if (esc === '-') return { kind: 'code', code: 45 };
      return { kind: 'code', code: this.escapedCode(esc) };
    }
    const code = this.src.codePointAt(this.i)!;
    if (code > 0xffff) throw new Untranslatable('astral character in a class');
    this.i++;
    return { kind: 'code', code };
  }
}

/** An RE2 pattern for a JavaScript one: `exact` when it matches the same strings, else a superset of them. */
export interface Re2Translation {
  pattern: string;
  exact: boolean;
}

/**
 * The RE2 pattern that matches the strings `new RegExp(source, flags).test` does — exactly,
 * or (for patterns that count UTF-16 code units) a superset to test again — or null when
 * this translator cannot promise either.
 */
export function re2Pattern(source: string, flags: string): Re2Translation | null {
  if (/[muvy]/.test(flags)) return null;
  try {
    // Refuse what JavaScript itself refuses.
    new RegExp(source, flags);
    const translator = new Translator(source, {
      ignoreCase: flags.includes('i'),
      dotAll: flags.includes('s'),
    });
    let pattern = translator.translate();
    // DuckDB answers a pattern that can match the empty string (`$$`, `^^`) wrongly over a
    // column (seen in 1.5.6); an alternative that never matches makes it take the general path.
    if (new RegExp(source, flags).test('')) pattern = `(?:${pattern})|[^\\x{0}-\\x{10ffff}]`;
    return { pattern, exact: !translator.inexact };
  } catch {
    return null;
  }
}
