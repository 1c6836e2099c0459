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

/** Parses a frame's text once; never throws. */
export function parseJsonPayload(text: string): JsonValue | typeof NOT_JSON | typeof EMPTY_PAYLOAD {
  if (text.length === 0) return EMPTY_PAYLOAD;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // Checked only after the parse failed, so the hot path never pays for the trim.
    return text.trim().length === 0 ? EMPTY_PAYLOAD : NOT_JSON;
  }
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
