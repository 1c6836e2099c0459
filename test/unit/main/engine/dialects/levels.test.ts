import { describe, expect, it } from 'vitest';
import { normalizeLevel } from '../../../../../src/main/engine/dialects/levels';

describe('level normalisation', () => {
  it.each([
    ['debug', 'debug'],
    ['trace', 'debug'],
    ['TRACE', 'debug'],
    ['info', 'info'],
    ['Info', 'info'],
    ['notice', 'info'],
    ['warn', 'warn'],
    ['warning', 'warn'],
    ['WARNING', 'warn'],
    [' Warning ', 'warn'],
    ['error', 'error'],
    ['err', 'error'],
    ['fatal', 'error'],
    ['critical', 'error'],
    ['CRITICAL', 'error'],
    ['panic', 'error'],
    ['state', 'state'],
    ['something new', 'info'],
    ['50', 'error'],
  ])('reads %j as %s', (given, expected) => {
    expect(normalizeLevel(given)).toBe(expected);
  });

  it.each([
    [10, 'debug'],
    [20, 'debug'],
    [30, 'info'],
    [40, 'warn'],
    [50, 'error'],
    [60, 'error'],
  ])('reads the pino level %i as %s', (given, expected) => {
    expect(normalizeLevel(given)).toBe(expected);
  });

  it.each([
    [0, 'error'],
    [3, 'error'],
    [4, 'warn'],
    [6, 'info'],
    [7, 'debug'],
  ])('reads the syslog severity %i as %s', (given, expected) => {
    expect(normalizeLevel(given)).toBe(expected);
  });

  it.each([[undefined], [null], [''], ['   '], [true], [{ level: 'error' }], [['error']], [Number.NaN]])(
    'states no level for %j, so the dialect derives one',
    (given) => {
      expect(normalizeLevel(given as never)).toBeNull();
    },
  );
});
