import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactPayload, NumberText, parseExactJson, stringifyExactJson } from '../../../src/shared/exact-json';

describe('reading JSON with its numbers’ own text', () => {
  it('keeps each number a double would alter as the text received', () => {
    const value = parseExactJson(
      '{"big":12345678901234567890,"huge":1e400,"tiny":-1e-400,"negativeZero":-0,' +
        '"oneDotZero":1.0,"exponent":1E5,"shortExponent":1e21,"unsafe":9007199254740993}',
    ) as Record<string, NumberText>;
    const texts = Object.fromEntries(
      Object.entries(value).map(([key, number]) => [
        key,
        number instanceof NumberText ? number.text : number,
      ]),
    );
    expect(texts).toEqual({
      big: '12345678901234567890',
      huge: '1e400',
      tiny: '-1e-400',
      negativeZero: '-0',
      oneDotZero: '1.0',
      exponent: '1E5',
      shortExponent: '1e21',
      unsafe: '9007199254740993',
    });
    expect(value['huge']!.value).toBe(Infinity);
    expect(value['big']!.value).toBe(Number('12345678901234567890'));
  });

  it('leaves numbers a double writes back unchanged as plain numbers, and everything else as JSON.parse', () => {
    const text =
      '{"n":42,"f":0.1,"neg":-7.25,"e":1e+21,"s":"12345678901234567890","b":true,"z":null,"a":[1,[2]]}';
    expect(parseExactJson(text)).toEqual(JSON.parse(text));
    expect(parseExactJson('3')).toBe(3);
    expect(parseExactJson('"x"')).toBe('x');
  });

  it('finds numbers at any depth, in arrays and at the top', () => {
    const value = parseExactJson('[{"a":[[1.50]]},12345678901234567890]') as [
      { a: NumberText[][] },
      NumberText,
    ];
    expect(value[0].a[0]![0]!.text).toBe('1.50');
    expect(value[1].text).toBe('12345678901234567890');
    expect((parseExactJson('1e400') as NumberText).text).toBe('1e400');
  });

  it('throws what JSON.parse throws for text that is not JSON', () => {
    expect(() => parseExactJson('{"a":')).toThrow(SyntaxError);
    expect(() => parseExactJson('NaN')).toThrow(SyntaxError);
  });

  it('writes the numbers back exactly as they came, indented or not', () => {
    const text = '{"big":12345678901234567890,"list":[1e400,-0,1.0,1E5,2],"s":"a\\"b"}';
    expect(stringifyExactJson(parseExactJson(text))).toBe(text);
    expect(stringifyExactJson(parseExactJson('{"big":12345678901234567890,"list":[1e400,-0]}'), 2)).toBe(
      '{\n  "big": 12345678901234567890,\n  "list": [\n    1e400,\n    -0\n  ]\n}',
    );
  });

  it('gives back any compact JSON text unchanged', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(stringifyExactJson(parseExactJson(text))).toBe(JSON.stringify(JSON.parse(text)));
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.bigInt(), fc.double({ noNaN: true, noDefaultInfinity: true }))),
        (numbers) => {
          const text = `[${numbers.map(String).join(',')}]`;
          expect(stringifyExactJson(parseExactJson(text))).toBe(text);
        },
      ),
    );
  });
});

describe('the payload to show', () => {
  it('is read from its text when there is one, else the parsed data as it is', () => {
    expect((exactPayload('12345678901234567890', 12345678901234567000) as NumberText).text).toBe(
      '12345678901234567890',
    );
    expect(exactPayload(null, 'not json')).toBe('not json');
    const data = { big: 12345678901234567000 };
    // Text that redaction cut mid-number no longer parses: the parsed data is shown.
    expect(exactPayload('{"big":1234REDACTED}', data)).toBe(data);
  });
});
