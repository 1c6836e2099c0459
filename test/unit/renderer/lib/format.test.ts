import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatBytes,
  formatClock,
  formatCount,
  formatDuration,
  formatExact,
  formatRate,
  formatRelative,
  formatRowTime,
  parseLocalDateTime,
  secondsUntil,
  toLocalDateTimeInput,
} from '../../../../src/renderer/src/lib/format';

const at = new Date(2026, 4, 8, 14, 3, 7, 45).getTime();

describe('formatting', () => {
  it('shows absolute times to the millisecond in local time', () => {
    expect(formatClock(at)).toBe('14:03:07.045');
    expect(formatRowTime(at, 'absolute', at + 5000)).toBe('14:03:07.045');
  });

  it('shows ages compactly, and future times (clock skew) as now', () => {
    expect(formatAge(at, at + 400)).toBe('now');
    expect(formatAge(at, at + 4_500)).toBe('4 s');
    expect(formatAge(at, at + 12 * 60_000)).toBe('12 min');
    expect(formatAge(at, at + 3 * 3_600_000)).toBe('3 h');
    expect(formatAge(at, at + 72 * 3_600_000)).toBe('3 d');
    expect(formatAge(at + 10_000, at)).toBe('now');
    expect(formatRelative(at, at + 4_000)).toBe('4 s ago');
    expect(formatRowTime(at, 'relative', at + 61_000)).toBe('1 min ago');
  });

  it('keeps counts and rates to a few characters', () => {
    expect(formatCount(987)).toBe('987');
    expect(formatCount(1234)).toBe('1.2k');
    expect(formatCount(2000)).toBe('2k');
    expect(formatCount(34_567)).toBe('35k');
    expect(formatCount(1_500_000)).toBe('1.5M');
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(0.44)).toBe('0.4/s');
    expect(formatRate(12)).toBe('12/s');
    expect(formatRate(20_000)).toBe('20k/s');
    expect(formatExact(1234567)).toBe('1,234,567');
  });

  it('shows sizes and durations in the unit that reads best', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3500)).toBe('3.4 KB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12 MB');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(2 * 3_600_000 + 14 * 60_000)).toBe('2 h 14 min');
  });

  it('counts down whole seconds, never below zero', () => {
    expect(secondsUntil(at + 2100, at)).toBe(3);
    expect(secondsUntil(at - 500, at)).toBe(0);
  });

  it('reads and writes datetime-local values', () => {
    expect(parseLocalDateTime('')).toBe(null);
    expect(parseLocalDateTime('not a date')).toBe(null);
    const text = toLocalDateTimeInput(at);
    expect(text).toBe('2026-05-08T14:03:07');
    expect(parseLocalDateTime(text)).toBe(at - 45);
  });
});
