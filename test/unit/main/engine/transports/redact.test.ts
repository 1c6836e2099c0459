import { describe, expect, it } from 'vitest';
import {
  isCredentialHeader,
  isCredentialParam,
  redactHeaders,
  redactUrl,
} from '../../../../../src/main/engine/transports/redact';

describe('credential names', () => {
  it('recognises the usual credential headers and the hub’s own', () => {
    for (const name of [
      'Authorization',
      'cookie',
      'Proxy-Authorization',
      'X-API-Key',
      'X-Auth-Token',
      'x-access-key',
    ]) {
      expect(isCredentialHeader(name)).toBe(true);
    }
    expect(isCredentialHeader('X-Rdev', ['x-rdev'])).toBe(true);
    for (const name of ['Accept', 'X-Team', 'X-BackendAI-Version', 'Date', 'Last-Event-ID']) {
      expect(isCredentialHeader(name)).toBe(false);
    }
  });

  it('recognises credential-looking query parameters', () => {
    for (const name of [
      'token',
      'key',
      'secret',
      'signature',
      'password',
      'access_token',
      'api_key',
      'apiKey',
      'sig',
    ]) {
      expect(isCredentialParam(name)).toBe(true);
    }
    expect(isCredentialParam('x', ['X'])).toBe(true);
    for (const name of ['sessionId', 'group', 'taskId', 'stream_id', 'ownerAccessKey']) {
      expect(isCredentialParam(name)).toBe(false);
    }
  });
});

describe('redactHeaders', () => {
  it('masks credential values and keeps the Authorization scheme', () => {
    expect(
      redactHeaders(
        {
          Authorization: 'BackendAI signMethod=HMAC-SHA256, credential=AK:abcdef',
          'X-API-Key': 'rdev_xxx',
          Custom: 'v',
          Accept: 'text/event-stream',
        },
        ['custom'],
      ),
    ).toEqual({
      Authorization: 'BackendAI ••••',
      'X-API-Key': '••••',
      Custom: '••••',
      Accept: 'text/event-stream',
    });
  });
});

describe('redactUrl', () => {
  it('masks credential query values and passwords and keeps the rest byte for byte', () => {
    expect(redactUrl('http://h:8090/events?token=abc&sessionId=*&group=a%20b')).toBe(
      'http://h:8090/events?token=••••&sessionId=*&group=a%20b',
    );
    expect(redactUrl('https://user:pw@h/x?access=1', ['access'])).toBe('https://user:••••@h/x?access=••••');
    expect(redactUrl('http://h/x')).toBe('http://h/x');
    expect(redactUrl('not a url')).toBe('not a url');
  });
});
