/**
 * An event's own time from its payload, in epoch ms. Hand-written parsers instead of
 * `Date.parse` or regular expressions: this runs for every event, and `Date.parse` accepts
 * (and guesses at) far more than ISO 8601.
 */
import type { JsonValue } from '../../../shared/hub-event';
import type { JsonObject } from './json-payload';

const MS_PER_HOUR = 3_600_000;
const HALF_DAY_MS = 12 * MS_PER_HOUR;

/** The fields that carry an event's time, in the order they are tried. */
export const TIME_FIELDS: readonly string[] = [
  'timestamp_ms',
  'timestamp',
  'time',
  'ts',
  '@timestamp',
  'created_at',
  'createdAt',
  'datetime',
];

/** `count` decimal digits at `start` as a number, or -1. */
function readDigits(text: string, start: number, count: number): number {
  if (start + count > text.length) return -1;
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Fractional seconds (`.` or `,` then digits) at `start`: milliseconds and where they end. */
function readFraction(text: string, start: number): { ms: number; end: number } {
  const separator = text.charCodeAt(start);
  if (separator !== 46 /* . */ && separator !== 44 /* , */) return { ms: 0, end: start };
  let end = start + 1;
  let ms = 0;
  let scale = 100;
  while (end < text.length) {
    const digit = text.charCodeAt(end) - 48;
    if (digit < 0 || digit > 9) break;
    ms += digit * scale;
    scale /= 10;
    end++;
  }
  // A separator without digits is not a fraction.
  return end === start + 1 ? { ms: 0, end: -1 } : { ms: Math.floor(ms), end };
}

/**
 * `HH:MM[:SS[.fff]]` at `start`: ms since midnight and where it ends, or `null`. Leaves
 * whatever follows (a zone, or the end of the text) to the caller.
 */
function readClock(text: string, start: number): { ms: number; end: number } | null {
  const hours = readDigits(text, start, 2);
  if (hours < 0 || text.charCodeAt(start + 2) !== 58 /* : */) return null;
  const minutes = readDigits(text, start + 3, 2);
  if (minutes < 0 || minutes > 59) return null;
  let end = start + 5;
  let seconds = 0;
  let fraction = 0;
  if (text.charCodeAt(end) === 58 /* : */) {
    seconds = readDigits(text, end + 1, 2);
    // 60 is a leap second; Date.UTC rolls it into the next minute.
    if (seconds < 0 || seconds > 60) return null;
    end += 3;
    const parsed = readFraction(text, end);
    if (parsed.end < 0) return null;
    fraction = parsed.ms;
    end = parsed.end;
  }
  if (hours > 24 || (hours === 24 && (minutes > 0 || seconds > 0 || fraction > 0))) return null;
  return { ms: ((hours * 60 + minutes) * 60 + seconds) * 1000 + fraction, end };
}

/**
 * An ISO 8601 / RFC 3339 date or date-time as epoch ms, or `null`. Accepts `T`, `t` or a
 * space between date and time, fractional seconds, and `Z` or a `±HH[:MM]` offset. A
 * date-time without an offset is read as UTC: servers that omit it (Python's
 * `utcnow().isoformat()`) almost always mean UTC, and the result must not depend on the
 * machine Hubwatch runs on. A date alone is midnight UTC.
 */
export function parseIsoTime(text: string): number | null {
  if (text.length < 10 || text.length > 64) return null;
  const year = readDigits(text, 0, 4);
  if (year < 0 || text.charCodeAt(4) !== 45 /* - */) return null;
  const month = readDigits(text, 5, 2);
  if (month < 1 || month > 12 || text.charCodeAt(7) !== 45) return null;
  const day = readDigits(text, 8, 2);
  if (day < 1 || day > daysInMonth(year, month)) return null;
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const midnight = new Date(0).setUTCFullYear(year, month - 1, day);
  if (text.length === 10) return midnight;
  const separator = text.charCodeAt(10);
  if (separator !== 84 /* T */ && separator !== 116 /* t */ && separator !== 32 /* space */) return null;
  const clock = readClock(text, 11);
  if (clock === null) return null;
  let end = clock.end;
  let offsetMs = 0;
  if (end < text.length) {
    const zone = text.charCodeAt(end);
    if (zone === 90 /* Z */ || zone === 122 /* z */) {
      end += 1;
    } else if (zone === 43 /* + */ || zone === 45 /* - */) {
      const offsetHours = readDigits(text, end + 1, 2);
      if (offsetHours < 0 || offsetHours > 23) return null;
      end += 3;
      let offsetMinutes = 0;
      if (end < text.length) {
        const minutesAt = text.charCodeAt(end) === 58 /* : */ ? end + 1 : end;
        offsetMinutes = readDigits(text, minutesAt, 2);
        if (offsetMinutes < 0 || offsetMinutes > 59) return null;
        end = minutesAt + 2;
      }
      offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (zone === 43 ? 1 : -1);
    } else {
      return null;
    }
  }
  if (end !== text.length) return null;
  return midnight + clock.ms - offsetMs;
}

/**
 * A bare time of day (`HH:MM:SS`, as EvoClaw sends) placed on the local calendar day that
 * puts it nearest to `receivedAt`: `23:59:59` received at `00:00:02` is the previous day.
 * `null` when the text is not a time of day.
 */
export function parseTimeOfDay(text: string, receivedAt: number): number | null {
  if (text.length < 5 || text.length > 20) return null;
  const clock = readClock(text, 0);
  if (clock === null || clock.end !== text.length) return null;
  const reference = new Date(receivedAt);
  const hours = Math.floor(clock.ms / MS_PER_HOUR);
  const rest = clock.ms - hours * MS_PER_HOUR;
  // Built from calendar fields (not midnight + ms) so days with a DST change come out right.
  const onDay = (dayOffset: number): number =>
    new Date(
      reference.getFullYear(),
      reference.getMonth(),
      reference.getDate() + dayOffset,
      hours,
      0,
      0,
      rest,
    ).getTime();
  const sameDay = onDay(0);
  if (sameDay - receivedAt > HALF_DAY_MS) return onDay(-1);
  if (receivedAt - sameDay > HALF_DAY_MS) return onDay(1);
  return sameDay;
}

/** Epoch seconds, ms, µs or ns told apart by magnitude, accepted only from 2000-01-01 on. */
const EPOCH_2000_S = 946_684_800;

/**
 * A numeric epoch time as ms, or `null` when the number cannot be one. The unit is chosen
 * by magnitude (seconds, ms, µs, ns); numbers before 2000-01-01 in every unit are rejected,
 * so counters and durations in a `time` field are not mistaken for 1970 dates.
 */
export function epochFromNumber(value: number): number | null {
  if (!Number.isFinite(value) || value < EPOCH_2000_S) return null;
  if (value < 1e11) return Math.round(value * 1000);
  if (value < EPOCH_2000_S * 1000) return null;
  if (value < 1e14) return Math.round(value);
  if (value < 1e17) return Math.round(value / 1e3);
  if (value < 1e20) return Math.round(value / 1e6);
  return null;
}

/** A payload time value — ISO string, time of day, or epoch number — as epoch ms, or `null`. */
export function timeFromValue(value: JsonValue | undefined, receivedAt: number): number | null {
  if (typeof value === 'string') {
    if (value.length >= 10 && value.charCodeAt(4) === 45 /* - */) return parseIsoTime(value);
    if (value.charCodeAt(2) === 58 /* : */) return parseTimeOfDay(value, receivedAt);
    return null;
  }
  if (typeof value === 'number') return epochFromNumber(value);
  return null;
}

/** The first recognised time field of an object (see `TIME_FIELDS`) as epoch ms, or `null`. */
export function findPayloadTime(object: JsonObject, receivedAt: number): number | null {
  for (const field of TIME_FIELDS) {
    const value = object[field];
    if (value === undefined) continue;
    const time = timeFromValue(value, receivedAt);
    if (time !== null) return time;
  }
  return null;
}
