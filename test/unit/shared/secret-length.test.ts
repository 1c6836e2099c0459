import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/main/engine/redaction';
import {
  MIN_REDACTED_SECRET_LENGTH,
  SHORT_SECRET_LENGTH,
  shortSecretWarning,
} from '../../../src/shared/secret-length';

describe('the short-secret warning', () => {
  it('warns about a secret shorter than 8 characters that it may turn up in event text', () => {
    expect(SHORT_SECRET_LENGTH).toBe(8);
    expect(shortSecretWarning('fleet')).toMatch(/shorter than 8 characters.*by chance in event text/i);
    expect(shortSecretWarning('1234567')).not.toBeNull();
  });

  it('says a secret too short to be masked at all cannot be', () => {
    expect(shortSecretWarning('abc')).toMatch(/shorter than 4 characters.*cannot mask it/i);
    // The redactor agrees: such a value is left in the text.
    expect(createRedactor(['abc']).text('abc')).toBe('abc');
    expect(createRedactor(['a'.repeat(MIN_REDACTED_SECRET_LENGTH)]).text('aaaa')).toBe('REDACTED');
  });

  it('says nothing about an empty or a long enough secret', () => {
    expect(shortSecretWarning('')).toBeNull();
    expect(shortSecretWarning('12345678')).toBeNull();
  });
});
