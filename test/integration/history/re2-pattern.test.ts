import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { re2Pattern } from '../../../src/main/engine/history/re2-pattern';
import { sqlString } from '../../../src/main/engine/history/history-schema';

let db: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  connection = await db.connect();
});
afterAll(() => db.closeSync());

/** Which of `texts` DuckDB's regexp_matches finds `pattern` in. */
async function duckMatches(pattern: string, texts: string[]): Promise<boolean[]> {
  const values = texts.map((text, i) => `(${i}, ${sqlString(text)})`).join(', ');
  const reader = await connection.runAndReadAll(
    `SELECT i, regexp_matches(t, ${sqlString(pattern)}) FROM (VALUES ${values}) AS v(i, t) ORDER BY i`,
  );
  return reader.getRows().map((row) => row[1] === true);
}

const SAMPLES = [
  '',
  'a',
  'A',
  'abc',
  'ABC',
  'x\ny',
  'x\ry',
  'x\u2028y',
  'a b',
  'a\u00a0b',
  'a\tb',
  'é',
  'É',
  'µ',
  'Μ',
  'μ',
  'ſ',
  's',
  'S',
  'K',
  'k',
  '\u212a',
  'error: 42',
  'ERROR',
  'items/777 ',
  '{x}',
  'a{2}',
  '_w0',
  '-',
  ']',
  '^$',
  'café',
  'naïve',
  '😀',
  'x😀y',
  'line1\nline2',
  'tab\there',
  '1234',
  'a.b',
  'a+b',
  'a\\b',
  '/path/to',
];

describe('JavaScript regular expressions as RE2 patterns', () => {
  const cases: [string, string][] = [
    ['abc', ''],
    ['abc', 'i'],
    ['^a', ''],
    ['c$', ''],
    ['(?:^a|b)', ''],
    ['(a|c)$', ''],
    ['a.b', ''],
    ['a.b', 's'],
    ['x.y', ''],
    ['\\d+', ''],
    ['\\w+', 'i'],
    ['\\s', ''],
    ['\\S+', ''],
    ['\\bk', 'i'],
    ['[a-c]+', 'i'],
    ['[^a-c]', ''],
    ['[^a]', 'i'],
    ['é', 'i'],
    ['µ', 'i'],
    ['s', 'i'],
    ['k', 'i'],
    ['a{2}', ''],
    ['a{', ''],
    ['\\{x\\}', ''],
    ['(?:ab|cd)+', ''],
    ['(?<n>a)b', ''],
    ['colou?r', 'i'],
    ['items/7+ ', 'i'],
    ['error|warn', 'i'],
    ['[.]', ''],
    ['\\.', ''],
    ['[\\d_]+', ''],
    ['a\\u00a0b', ''],
    ['\\x41', 'i'],
    ['\\t', ''],
    ['[]', ''],
    ['[^]', ''],
    ['😀', ''],
    ['a*?b', ''],
    ['\\/path', ''],
    ['\\\\', ''],
    ['[\\s]', ''],
    ['-', ''],
    ['[a-]', ''],
  ];

  it.each(cases)('/%s/%s matches in DuckDB exactly what it matches in JavaScript', async (source, flags) => {
    const translation = re2Pattern(source, flags);
    expect(translation, 'translatable').not.toBeNull();
    const js = SAMPLES.map((text) => new RegExp(source, flags).test(text));
    const duck = await duckMatches(translation!.pattern, SAMPLES);
    if (translation!.exact) expect(duck).toEqual(js);
    // A superset: everything JavaScript finds, DuckDB finds too.
    else expect(js.map((hit, i) => hit && !duck[i])).not.toContain(true);
  });

  it.each([
    ['(?=a)b', ''],
    ['(?<=a)b', ''],
    ['(a)\\1', ''],
    ['^a', 'm'],
    ['a', 'u'],
    ['[é-ü]', 'i'],
    ['\\k<x>', ''],
    // Without `u` a quantifier repeats only the second half of an astral character.
    ['😀*', ''],
    ['x😀{0,}', 'i'],
    ['😀+?', ''],
    // DuckDB 1.5.6 answers `\za` true for "a": an anchor next to what it must match.
    ['$a', ''],
    ['a^', ''],
    ['a$|b', ''],
    ['(a$)b', ''],
  ])('gives up on /%s/%s rather than guess', (source, flags) => {
    expect(re2Pattern(source, flags)).toBeNull();
  });

  it('agrees with JavaScript on random patterns of the supported language and random text', async () => {
    const atom = fc.oneof(
      fc.constantFrom(
        'a',
        'b',
        'A',
        'é',
        'k',
        's',
        '.',
        '\\d',
        '\\w',
        '\\s',
        '\\S',
        '[a-c]',
        '[^b]',
        '[\\d.]',
        ' ',
        '\\n',
        '-',
      ),
      fc.constantFrom('^', '$', '\\b'),
    );
    const piece = fc
      .tuple(atom, fc.constantFrom('', '*', '+', '?', '{1,2}', '*?'))
      .map(([a, q]) => (['^', '$', '\\b'].includes(a) ? a : a + q));
    const regex = fc.tuple(
      fc.array(piece, { minLength: 1, maxLength: 5 }),
      fc.option(fc.array(piece, { minLength: 1, maxLength: 3 })),
    );
    const text = fc.string({
      unit: fc.constantFrom(
        'a',
        'b',
        'A',
        'B',
        'é',
        'É',
        'k',
        'K',
        '\u212a',
        's',
        'ſ',
        ' ',
        '\n',
        '\r',
        '\u00a0',
        '1',
        '.',
        '-',
        '_',
        '😀',
      ),
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(
        regex,
        fc.constantFrom('', 'i', 's', 'is'),
        fc.array(text, { minLength: 1, maxLength: 12 }),
        async ([left, right], flags, texts) => {
          const source = left.join('') + (right ? `|${right.join('')}` : '');
          let js: RegExp;
          try {
            js = new RegExp(source, flags);
          } catch {
            return;
          }
          const translation = re2Pattern(source, flags);
          if (translation === null) return;
          const duck = await duckMatches(translation.pattern, texts);
          const expected = texts.map((t) => js.test(t));
          const label = `/${source}/${flags} → ${translation.pattern} on ${JSON.stringify(texts)}`;
          if (translation.exact) expect(duck, label).toEqual(expected);
          else
            expect(
              expected.map((hit, i) => hit && !duck[i]),
              label,
            ).not.toContain(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
