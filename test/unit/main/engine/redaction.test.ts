import { describe, expect, it } from 'vitest';
import { REDACTED, createRedactor } from '../../../../src/main/engine/redaction';

describe('the pattern heuristics (diagnostics and messages)', () => {
  const redact = (text: string) => createRedactor([]).text(text);

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

  it('redacts every known secret value in text, also URL-encoded', () => {
    const withSecrets = createRedactor(['s3cr3t-token', 'p"a ss/w', 'abc']);
    expect(withSecrets.text('logged in with s3cr3t-token')).toBe(`logged in with ${REDACTED}`);
    expect(withSecrets.text('GET /x?q=p%22a%20ss%2Fw')).toBe(`GET /x?q=${REDACTED}`);
    expect(withSecrets.text('GET /x?q=p%22a+ss%2Fw')).toBe(`GET /x?q=${REDACTED}`);
    // Too short to redact by value without shredding the text.
    expect(withSecrets.text('abc abc')).toBe('abc abc');
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    expect(createRedactor(['token', 'token-long']).text('x token-long y')).toBe(`x ${REDACTED} y`);
  });
});

describe('redaction by field', () => {
  // A hub whose short token turns up in its own id and name, and in what it sends.
  const redact = createRedactor(['fleet']);
  const scrubbing = createRedactor(['fleet'], { scrub: true });

  it('(a) keeps the identities a diagnostic names, and masks the secret elsewhere in it', () => {
    expect(redact.text('hub "ops-fleet": HTTP 401 for fleet', ['ops-fleet', 'Ops fleet'])).toBe(
      `hub "ops-fleet": HTTP 401 for ${REDACTED}`,
    );
    expect(redact.text('Ops fleet is failing', ['ops-fleet', 'Ops fleet'])).toBe('Ops fleet is failing');
    // Nothing to keep: a diagnostic is redacted whole.
    expect(redact.text('ops-fleet failed')).toBe(`ops-${REDACTED} failed`);
  });

  it('(a) keeps an identity only where the secret lies inside it, never a secret that reaches beyond it', () => {
    const long = createRedactor(['sk-ops-fleet-1234']);
    expect(long.text('sent sk-ops-fleet-1234 to ops-fleet', ['ops-fleet'])).toBe(
      `sent ${REDACTED} to ops-fleet`,
    );
  });

  it("(a) keeps the event's own hub, event name and entity id where its message names them", () => {
    const event = {
      hub: 'ops-fleet',
      event: 'fleet-crash',
      entity: { id: 'srv-fleet' },
      message: 'srv-fleet crashed on ops-fleet (fleet-crash): token fleet expired',
    };
    expect(redact.message(event)).toBe(
      `srv-fleet crashed on ops-fleet (fleet-crash): token ${REDACTED} expired`,
    );
    expect(redact.message({ ...event, message: null })).toBeNull();
  });

  it("(a) keeps the event's own identities where its payload or source names them", () => {
    const of = { hub: 'ops-fleet', event: 'fleet-status', entity: { id: 'srv-fleet' } };
    expect(redact.payloadJson('{"server_id":"srv-fleet","note":"fleet online"}', of)).toBe(
      `{"server_id":"srv-fleet","note":"${REDACTED} online"}`,
    );
    expect(redact.payloadValue({ hub: 'ops-fleet', note: 'fleet' }, of)).toEqual({
      hub: 'ops-fleet',
      note: REDACTED,
    });
    expect(redact.secrets('ops-fleet worker', of)).toBe('ops-fleet worker');
  });

  it('(b) replaces known secrets in the source, and nothing else even when scrubbing', () => {
    expect(redact.secrets('fleet-core')).toBe(`${REDACTED}-core`);
    expect(scrubbing.secrets('auth?token=abc')).toBe('auth?token=abc');
  });

  it('(b) replaces known secrets in payload strings, JSON-escaped and URL-encoded forms too', () => {
    const tricky = createRedactor(['p"a ss/w']);
    expect(tricky.payloadJson('{"m":"p\\"a ss/w","u":"/x?q=p%22a%20ss%2Fw"}')).toBe(
      `{"m":"${REDACTED}","u":"/x?q=${REDACTED}"}`,
    );
    expect(tricky.payloadString('p"a ss/w')).toBe(REDACTED);
    expect(redact.payloadValue({ fleet: ['the fleet', 1, null], n: 2 })).toEqual({
      [REDACTED]: [`the ${REDACTED}`, 1, null],
      n: 2,
    });
  });

  it('(b) replaces a secret only inside the string literals of JSON text, so the JSON stays valid', () => {
    const digits = createRedactor(['123456']);
    const json = '{"count":12345678,"note":"pin 123456"}';
    expect(digits.payloadJson(json)).toBe(`{"count":12345678,"note":"pin ${REDACTED}"}`);
    expect(JSON.parse(digits.payloadJson(json))).toMatchObject({ count: 12345678 });
  });

  it('(c) leaves credential patterns in the payload as received', () => {
    const json = '{"url":"http://h/e?token=abc","auth":"Bearer xyz"}';
    expect(redact.payloadJson(json)).toBe(json);
    expect(redact.payloadString('http://h/e?token=abc')).toBe('http://h/e?token=abc');
    const value = { url: 'http://h/e?token=abc' };
    expect(redact.payloadValue(value)).toBe(value);
  });

  it('(c) applies the credential patterns to the derived message', () => {
    const event = { hub: 'h', event: 'log', entity: null, message: 'GET /e?token=abc with Bearer xyz' };
    expect(redact.message(event)).toBe(`GET /e?token=${REDACTED} with Bearer ${REDACTED}`);
  });

  it('(c) with scrub, applies the credential patterns to the payload as well', () => {
    expect(scrubbing.scrub).toBe(true);
    expect(scrubbing.payloadJson('{"url":"http://h/e?token=abc","auth":"Bearer xyz","who":"fleet"}')).toBe(
      `{"url":"http://h/e?token=${REDACTED}","auth":"Bearer ${REDACTED}","who":"${REDACTED}"}`,
    );
    expect(scrubbing.payloadString('http://h/e?token=abc')).toBe(`http://h/e?token=${REDACTED}`);
    expect(scrubbing.payloadValue({ url: 'http://h/e?token=abc' })).toEqual({
      url: `http://h/e?token=${REDACTED}`,
    });
  });

  it('returns text without a credential untouched, and says what it was built from', () => {
    const text = 'nothing to see';
    expect(redact.text(text)).toBe(text);
    expect(redact.payloadJson(text)).toBe(text);
    expect({ secretValues: redact.secretValues, scrub: redact.scrub }).toEqual({
      secretValues: ['fleet'],
      scrub: false,
    });
  });
});
