import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../../../src/main/engine/redaction';
import { exactPayloadText } from '../../../../../src/main/engine/workspace/payload-text';
import { parseExactJson, type NumberText } from '../../../../../src/shared/exact-json';

const SECRET = 'tok/3f9a7c1e5b';
const redactor = createRedactor([SECRET]);
const redact = (text: string) => redactor.payloadString(text);

describe('the payload text the detail pane gets', () => {
  it('is the received text itself when it carries nothing to redact', () => {
    const raw = '{\n  "big": 12345678901234567890,\n  "huge": 1e400\n}';
    expect(exactPayloadText(raw, redact)).toBe(raw);
  });

  it('has secrets redacted in strings and keys, with every number still as received', () => {
    const raw = `{"reason":"auth ${SECRET} expired","${SECRET}":1,"big":12345678901234567890,"list":[1e400,-0]}`;
    const text = exactPayloadText(raw, redact)!;
    expect(text).not.toContain(SECRET);
    // A renamed key goes last, as in the parsed `data` the same redaction walks.
    expect(text).toBe(
      '{"reason":"auth REDACTED expired","big":12345678901234567890,"list":[1e400,-0],"REDACTED":1}',
    );
    expect((parseExactJson(text) as { big: NumberText }).big.text).toBe('12345678901234567890');
  });

  it('has a secret redacted that the JSON spelled with escapes', () => {
    // `\/` and `\u0074` are the same characters to JSON.parse, but no text search finds the secret.
    const raw = '{"reason":"auth \\u0074ok\\/3f9a7c1e5b expired","n":1.0}';
    expect(raw).not.toContain(SECRET);
    const text = exactPayloadText(raw, redact)!;
    expect(text).toBe('{"reason":"auth REDACTED expired","n":1.0}');
  });

  it('is null when the payload is not JSON', () => {
    expect(exactPayloadText('not json {', redact)).toBeNull();
  });
});
