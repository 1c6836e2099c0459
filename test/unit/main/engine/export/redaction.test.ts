import { describe, expect, it } from 'vitest';
import { REDACTED, createRedactor } from '../../../../../src/main/engine/export/redaction';

describe('export redaction', () => {
  const redact = createRedactor([]);

  it.each([
    ['GET http://h/events?token=abc123', 'GET http://h/events?token=REDACTED'],
    ['http://h/e?a=1&access_token=eyJhbGciOi.x-y_z&b=2', 'http://h/e?a=1&access_token=REDACTED&b=2'],
    ['http://h/e?API_KEY=k1', 'http://h/e?API_KEY=REDACTED'],
    ['http://h/e?apiKey=k1#frag', 'http://h/e?apiKey=REDACTED#frag'],
    ['http://h/e?key=k1', 'http://h/e?key=REDACTED'],
    ['http://h/e?x-api-key=k1', 'http://h/e?x-api-key=REDACTED'],
    ['http://h/e?client_secret=s3', 'http://h/e?client_secret=REDACTED'],
    [
      's3://b/o?X-Amz-Signature=abcdef&X-Amz-Credential=AK%2F2026',
      's3://b/o?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED',
    ],
    ['http://h/e?sig=ff00', 'http://h/e?sig=REDACTED'],
    ['http://h/e?password=hunter2 next', 'http://h/e?password=REDACTED next'],
    ['http://h/e?auth=xyz', 'http://h/e?auth=REDACTED'],
    ['"url":"http://h/e?token=abc","n":1', '"url":"http://h/e?token=REDACTED","n":1'],
  ])('redacts the credential parameter in %s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    ['http://h/e?monkey=banana&sdk=UnitySDK-2.178'],
    ['http://h/e?sessionId=*&group=*'],
    ['body={...} ID="VChk" OSt=2'],
    ['no credentials here'],
  ])('leaves %s alone', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('redacts a Backend.AI signed credential', () => {
    const header =
      'Authorization: BackendAI signMethod=HMAC-SHA256, credential=AKIAIOSFODNN7EXAMPLE:0f3c9a1be2d4c5f6a7b8c9d0e1f20314';
    expect(redact(header)).toBe('Authorization: BackendAI signMethod=HMAC-SHA256, credential=REDACTED');
  });

  it('leaves the realm of a Bearer challenge alone', () => {
    expect(redact('www-authenticate: Bearer realm="bot-hub"')).toBe(
      'www-authenticate: Bearer realm="bot-hub"',
    );
    expect(redact('Bearer error="invalid_token", Bearer abc.def')).toBe(
      'Bearer error="invalid_token", Bearer REDACTED',
    );
  });

  it('redacts a Bearer token in any case', () => {
    expect(redact('authorization: Bearer sls_live_abc.def-123==')).toBe('authorization: Bearer REDACTED');
    expect(redact('AUTHORIZATION: BEARER xyz')).toBe('AUTHORIZATION: BEARER REDACTED');
  });

  it('redacts every known secret value anywhere, also JSON-escaped and URL-encoded', () => {
    const withSecrets = createRedactor(['s3cr3t-token', 'p"a ss/w', 'abc']);
    expect(withSecrets('{"message":"logged in with s3cr3t-token"}')).toBe(
      `{"message":"logged in with ${REDACTED}"}`,
    );
    expect(withSecrets('{"m":"p\\"a ss/w"}')).toBe(`{"m":"${REDACTED}"}`);
    expect(withSecrets('GET /x?q=p%22a%20ss%2Fw')).toBe(`GET /x?q=${REDACTED}`);
    expect(withSecrets('"p""a ss/w"')).toBe(`"${REDACTED}"`);
    // Too short to redact by value without shredding the text.
    expect(withSecrets('abc abc')).toBe('abc abc');
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    expect(createRedactor(['token', 'token-long'])('x token-long y')).toBe(`x ${REDACTED} y`);
  });
});
