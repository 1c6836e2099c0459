import { describe, expect, it } from 'vitest';
import {
  epochFromNumber,
  findPayloadTime,
  parseIsoTime,
  parseTimeOfDay,
  timeFromValue,
} from '../../../../../src/main/engine/dialects/payload-time';

describe('ISO 8601 / RFC 3339 times', () => {
  it.each([
    ['2026-04-03T12:00:00Z', Date.UTC(2026, 3, 3, 12)],
    ['2026-04-03t12:00:00z', Date.UTC(2026, 3, 3, 12)],
    ['2026-04-03 12:00:00Z', Date.UTC(2026, 3, 3, 12)],
    ['2026-04-03T12:00:00.123456789Z', Date.UTC(2026, 3, 3, 12, 0, 0, 123)],
    ['2026-04-03T12:00:00,5Z', Date.UTC(2026, 3, 3, 12, 0, 0, 500)],
    ['2026-04-03T17:30:00+05:30', Date.UTC(2026, 3, 3, 12)],
    ['2026-04-03T04:00:00-0800', Date.UTC(2026, 3, 3, 12)],
    ['2026-04-03T14:00:00+02', Date.UTC(2026, 3, 3, 12)],
    ['2026-04-03T12:00', Date.UTC(2026, 3, 3, 12)],
    ['2026-04-03T12:00:00', Date.UTC(2026, 3, 3, 12)],
    ['2026-04-03', Date.UTC(2026, 3, 3)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2026-04-03T24:00:00Z', Date.UTC(2026, 3, 4)],
    ['0099-01-01T00:00:00Z', -59042995200000],
  ])('reads %s', (text, expected) => {
    expect(parseIsoTime(text)).toBe(expected);
  });

  it.each([
    ['2026-13-01T00:00:00Z'],
    ['2026-02-29T00:00:00Z'],
    ['2026-04-31'],
    ['2026-04-03T25:00:00Z'],
    ['2026-04-03T24:00:01Z'],
    ['2026-04-03T12:60:00Z'],
    ['2026-04-03T12:00:00.Z'],
    ['2026-04-03T12:00:00Zjunk'],
    ['2026-04-03T12:00:00+2'],
    ['2026-04-03X12:00:00Z'],
    ['26-04-03T12:00:00Z'],
    ['yesterday at noon'],
    [''],
  ])('rejects %j', (text) => {
    expect(parseIsoTime(text)).toBeNull();
  });
});

describe('times of day', () => {
  const local = (day: number, h: number, m: number, s: number, ms = 0) =>
    new Date(2026, 4, day, h, m, s, ms).getTime();

  it('places a time on the day it was received when that is nearest', () => {
    expect(parseTimeOfDay('10:30:05', local(8, 10, 30, 7))).toBe(local(8, 10, 30, 5));
    expect(parseTimeOfDay('10:30:05.250', local(8, 10, 30, 7))).toBe(local(8, 10, 30, 5, 250));
  });

  it('places 23:59:59 received at 00:00:02 on the previous day', () => {
    expect(parseTimeOfDay('23:59:59', local(8, 0, 0, 2))).toBe(local(7, 23, 59, 59));
  });

  it('places 00:00:01 received at 23:59:58 on the next day', () => {
    expect(parseTimeOfDay('00:00:01', local(7, 23, 59, 58))).toBe(local(8, 0, 0, 1));
  });

  it.each([['25:00:00'], ['10:61:00'], ['10:30:5'], ['10:30:05 PM'], ['1030']])('rejects %j', (text) => {
    expect(parseTimeOfDay(text, 0)).toBeNull();
  });
});

describe('numeric epoch times', () => {
  it.each([
    [1778203931, 1778203931000],
    [1778203931.5, 1778203931500],
    [1778203931300, 1778203931300],
    [1778203931300123, 1778203931300],
    [1778203931300000000, 1778203931300],
  ])('reads %d as %d ms', (value, expected) => {
    expect(epochFromNumber(value)).toBe(expected);
  });

  it.each([[0], [42], [8200], [-1778203931], [Number.POSITIVE_INFINITY], [1e25]])(
    'does not take %d for a time',
    (value) => {
      expect(epochFromNumber(value)).toBeNull();
    },
  );
});

describe('payload time fields', () => {
  it('tries timestamp_ms, timestamp, time, ts and created_at, first readable wins', () => {
    expect(findPayloadTime({ timestamp_ms: 1778201531241 }, 0)).toBe(1778201531241);
    expect(findPayloadTime({ ts: '2026-04-03T12:00:00Z' }, 0)).toBe(Date.UTC(2026, 3, 3, 12));
    expect(findPayloadTime({ created_at: '2026-04-03T12:00:00Z' }, 0)).toBe(Date.UTC(2026, 3, 3, 12));
    expect(findPayloadTime({ timestamp: 'garbled', time: '2026-04-03' }, 0)).toBe(Date.UTC(2026, 3, 3));
    expect(findPayloadTime({ message: '2026-04-03' }, 0)).toBeNull();
  });

  it('reads nothing from values that are not times', () => {
    expect(timeFromValue(null, 0)).toBeNull();
    expect(timeFromValue(true, 0)).toBeNull();
    expect(timeFromValue({ time: 1 }, 0)).toBeNull();
  });
});
