import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attachmentDisposition,
  cookieValues,
  decodeComponent,
  parseRequestTarget,
  singleHeader,
} from '../../../../src/cli/serve/request-guard';

function requestWith(rawHeaders: string[]): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.rawHeaders = rawHeaders;
  return req;
}

describe('parseRequestTarget', () => {
  it('reads a path and its query', () => {
    const url = parseRequestTarget('/assets/app.js?token=abc&x=%20');
    expect(url?.pathname).toBe('/assets/app.js');
    expect(url?.searchParams.get('token')).toBe('abc');
    expect(url?.searchParams.get('x')).toBe(' ');
  });

  it('reads leading double slashes and backslashes as part of the path, never as a host', () => {
    expect(parseRequestTarget('//')?.pathname).toBe('//');
    expect(parseRequestTarget('//evil.example/x')?.pathname).toBe('//evil.example/x');
    expect(parseRequestTarget('/\\evil.example/x')?.pathname).toBe('//evil.example/x');
  });

  it('refuses absolute-form, authority-form, asterisk-form and empty targets', () => {
    for (const target of [
      'http://evil.example/',
      'HTTP://127.0.0.1/',
      'evil.example:443',
      '*',
      '',
      undefined,
    ]) {
      expect(parseRequestTarget(target), String(target)).toBeNull();
    }
  });

  it('never throws, and whatever it returns is a path on this server', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `/${s}`),
          fc.string({ unit: 'binary' }),
        ),
        (target) => {
          const url = parseRequestTarget(target);
          if (url) expect(url.origin).toBe(parseRequestTarget('/')!.origin);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('singleHeader', () => {
  it('gives the value of a header sent once, whatever its case', () => {
    expect(singleHeader(requestWith(['HOST', 'a:1', 'Cookie', 'x']), 'host')).toBe('a:1');
  });

  it('gives undefined for an absent header and null for one sent twice', () => {
    expect(singleHeader(requestWith(['Cookie', 'x']), 'origin')).toBeUndefined();
    expect(singleHeader(requestWith(['Host', 'a:1', 'host', 'a:1']), 'host')).toBeNull();
    expect(singleHeader(requestWith(['Origin', 'null', 'Origin', '']), 'origin')).toBeNull();
  });
});

describe('cookieValues', () => {
  it('gives every value of the cookie, decoded, and skips the ones that are not valid percent-encoding', () => {
    expect(cookieValues('a=1; t=%E0%A4%A; t=x%20y; b=2;t=z=w', 't')).toEqual(['x y', 'z=w']);
  });

  it('finds nothing in an absent, empty or nameless header', () => {
    expect(cookieValues(undefined, 't')).toEqual([]);
    expect(cookieValues('', 't')).toEqual([]);
    expect(cookieValues('t; =t; tt=1', 't')).toEqual([]);
  });

  it('never throws on any header', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), (header, name) => {
        expect(Array.isArray(cookieValues(header, name))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('decodeComponent', () => {
  it('decodes valid percent-encoding and gives null for the rest', () => {
    expect(decodeComponent('a%20b%E2%98%83')).toBe('a b☃');
    expect(decodeComponent('%E0%A4%A')).toBeNull();
    expect(decodeComponent('%')).toBeNull();
  });
});

describe('attachmentDisposition', () => {
  it('gives an ASCII fallback name and the exact name as filename*', () => {
    expect(attachmentDisposition('☃ "q"\r\n\\.ndjson')).toBe(
      `attachment; filename="_ _q____.ndjson"; filename*=UTF-8''%E2%98%83%20%22q%22%0D%0A%5C.ndjson`,
    );
    expect(attachmentDisposition("it's (1)*.csv")).toBe(
      `attachment; filename="it's (1)*.csv"; filename*=UTF-8''it%27s%20%281%29%2a.csv`,
    );
  });

  it('always gives a value Node accepts as a header', async () => {
    const { validateHeaderValue } = await import('node:http');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (name) => {
        expect(() => validateHeaderValue('Content-Disposition', attachmentDisposition(name))).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
