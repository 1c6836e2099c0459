/**
 * Safe reading of frame payloads. Every dialect parses a frame at most once, through
 * `parseJsonPayload`, and reads fields through the guards here so that no payload — random
 * bytes, arrays, numbers, objects missing fields — can make `map()` throw.
 */
import type { EntityRef, JsonValue, Level } from '../../../shared/hub-event';
import type { MappedEvent } from '../event-record';
import type { Frame } from '../transports/types';

/** A JSON object as produced by `JSON.parse`. */
export type JsonObject = { [key: string]: JsonValue };

/** Returned by `parseJsonPayload` for text that is not JSON (a symbol, so no allocation per failure). */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/** Returned by `parseJsonPayload` for an empty (or whitespace-only) payload: nothing to parse, nothing wrong. */
export const EMPTY_PAYLOAD: unique symbol = Symbol('empty payload');

/**
 * The frame's SSE event name, or `null` when it has none. An empty name counts as none, as
 * in the EventSource model (where it dispatches as `message`).
 */
export function sseEventName(frame: Frame): string | null {
  return frame.event === null || frame.event.length === 0 ? null : frame.event;
}

/**
 * Payloads nested deeper than this are treated as text. `JSON.parse` builds any depth, but
 * `JSON.stringify` and structured clone recurse per level and overflow the stack a few
 * thousand levels down, so such a `data` would break every batch it is sent to the UI in
 * (over IPC or `hubwatch serve`), with the other hubs' events in the same batch. No real
 * event nests anywhere near this deep.
 */
export const MAX_PAYLOAD_DEPTH = 256;

/** Whether valid JSON text nests arrays/objects deeper than `limit`; stops at the first level past it. */
function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character; a quote ends the string.
      if (code === 92) i++;
      else if (code === 34) inString = false;
    } else if (code === 34) {
      inString = true;
    } else if (code === 91 || code === 123) {
      if (++depth > limit) return true;
    } else if (code === 93 || code === 125) {
      depth--;
    }
  }
  return false;
}

/**
 * Parses a frame's text once; never throws. JSON nested deeper than `MAX_PAYLOAD_DEPTH` is
 * `NOT_JSON`: kept as its text (and marked by the JSON dialects) like any unreadable payload.
 */
export function parseJsonPayload(text: string): JsonValue | typeof NOT_JSON | typeof EMPTY_PAYLOAD {
  if (text.length === 0) return EMPTY_PAYLOAD;
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    // Checked only after the parse failed, so the hot path never pays for the trim.
    return text.trim().length === 0 ? EMPTY_PAYLOAD : NOT_JSON;
  }
  // Each level takes two characters at least, so the usual short payload skips the scan.
  if (text.length > 2 * MAX_PAYLOAD_DEPTH && nestedDeeperThan(text, MAX_PAYLOAD_DEPTH)) return NOT_JSON;
  return value;
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value of an own property. Parsed JSON objects have `Object.prototype`, so reading a
 * user-chosen key such as `constructor` directly would return a function, not JSON.
 */
export function ownField(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A field that is a non-empty string, or `null`. Only for fixed keys that `Object.prototype` lacks. */
export function stringField(object: JsonObject, key: string): string | null {
  const value = object[key];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** A field that is a finite number, or `null`. Only for fixed keys that `Object.prototype` lacks. */
export function numberField(object: JsonObject, key: string): number | null {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A string value (possibly empty), or `null`. */
export function stringValue(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

/** A finite number value, or `null`. */
export function numberValue(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * An identifier: a non-empty string, or a finite number written as a string (ids in JSON are
 * sometimes numeric). Anything else is no id.
 */
export function idValue(value: JsonValue | undefined): string | null {
  if (typeof value === 'string') return value.length > 0 ? value : null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** Replaces CR and LF so a preview stays on one line; cheap when there are none. */
function oneLine(text: string): string {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return text;
  return text.replace(/\r\n|\r|\n/g, ' ');
}

/** The first `max` characters of a text on one line, with `…` when it was cut. */
export function preview(text: string, max = 120): string {
  return text.length > max ? `${oneLine(text.slice(0, max))}…` : oneLine(text);
}

/**
 * The record for a payload that should have been JSON and is not: kept with the raw text as
 * `data`, marked, level `warn` — never dropped and never fatal. A dialect passes `error`
 * when the event name alone says something failed (a `crash`, an rdev `error`), so an
 * unreadable failure still alerts.
 */
export function malformedEvent(
  frame: Frame,
  event: string,
  entity: EntityRef | null,
  level: 'warn' | 'error' = 'warn',
): MappedEvent {
  return {
    event,
    time: frame.receivedAt,
    level,
    source: null,
    entity,
    message: `unparsed payload: ${preview(frame.data)}`,
    data: frame.data,
    raw: null,
    malformed: true,
  };
}

/**
 * The record for a payload that is valid but not the object a dialect reads fields from:
 * an empty payload (`data` is the empty text) or JSON of another shape (array, number,
 * string…; a string is its own message, anything else is previewed). Not malformed. The
 * dialect still gives the level its event name implies and, for an empty payload, a message.
 */
export function unreadablePayloadEvent(
  frame: Frame,
  event: string,
  payload: JsonValue | typeof EMPTY_PAYLOAD,
  entity: EntityRef | null,
  level: Level = 'info',
  emptyMessage: string | null = null,
): MappedEvent {
  if (payload === EMPTY_PAYLOAD) {
    return {
      event,
      time: frame.receivedAt,
      level,
      source: null,
      entity,
      message: emptyMessage,
      data: frame.data,
      raw: null,
      malformed: false,
    };
  }
  return {
    event,
    time: frame.receivedAt,
    level,
    source: null,
    entity,
    message: typeof payload === 'string' ? payload : preview(frame.data),
    data: payload,
    raw: frame.data,
    malformed: false,
  };
}
