import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  headerValueProblem,
  isClientRefusal,
  unsendableHeader,
  utf8HeaderValue,
} from '../../../../../src/main/engine/transports/http-fetch';

describe('header values the HTTP client cannot send', () => {
  it.each([
    ['a\u0001b', 'the control character U+0001'],
    ['a\u001fb', 'the control character U+001F'],
    ['a\u007fb', 'the control character U+007F'],
    ['\u4e2d', 'U+4E2D'],
  ])('%j is refused, naming %s', (value, named) => {
    expect(headerValueProblem(value)).toBe(`holds ${named}, which an HTTP header cannot carry`);
  });

  it('accept a tab, visible ASCII and UTF-8 bytes', () => {
    for (const value of ['a\tb', 'plain value', utf8HeaderValue('é中😀'), '']) {
      expect(headerValueProblem(value)).toBeNull();
    }
  });

  it('name the first header that cannot be sent, never its value', () => {
    expect(unsendableHeader({ Accept: 'text/event-stream', 'X-Key': 'secret\u0002' })).toBe(
      'header X-Key holds the control character U+0002, which an HTTP header cannot carry',
    );
    expect(unsendableHeader({ Accept: 'text/event-stream' })).toBeNull();
  });
});

describe('a request fetch refuses to send', () => {
  it('is told from a network failure', async () => {
    // A server that drops every connection: a request that reaches it fails on the network.
    let requests = 0;
    const server = createServer((req) => {
      requests++;
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const failure = (headers: Record<string, string>) =>
        fetch(url, { headers }).then(
          () => null,
          (error: unknown) => error,
        );
      expect(isClientRefusal(await failure({ 'X-A': 'a\u0001b' }))).toBe(true);
      expect(isClientRefusal(await failure({ 'X-A': '\u4e2d' }))).toBe(true);
      expect(requests).toBe(0);
      expect(isClientRefusal(await failure({}))).toBe(false);
      expect(requests).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
