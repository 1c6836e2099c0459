/**
 * The HubEvent record: one per event, identical in the NDJSON export, the CLI output and
 * the payloads the UI receives. External tools rely on its exact shape (see docs/architecture.md).
 */

/** Severity of an event, from the payload when it has one, otherwise derived by the dialect. */
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'state';

/** Every level, in display order. */
export const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error', 'state'];

/** The kinds of things hubs report on. */
export type EntityType = 'bot' | 'server' | 'session' | 'task' | 'command';

/** Every entity type, in display order. */
export const ENTITY_TYPES: readonly EntityType[] = ['bot', 'server', 'session', 'task', 'command'];

/** The thing an event is about. */
export interface EntityRef {
  type: EntityType;
  id: string;
}

/** A JSON value as produced by `JSON.parse`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One event. All 11 keys are always present; absent values are `null`.
 * Key order matters for the NDJSON output and is the order declared here.
 */
export interface HubEvent {
  /** The configured hub id. */
  hub: string;
  /** 1, 2, 3… per hub in receive order, never reused, also across reconnects. */
  seq: number;
  /** Epoch ms when Hubwatch received the frame. */
  receivedAt: number;
  /** The event's own time in epoch ms when its payload carries one, else `receivedAt`. */
  time: number;
  /** SSE event name (`message` when none), WebSocket topic; `topic:suffix` becomes `topic`. */
  event: string;
  /** The SSE last event id in force, or `null` (never `""`). */
  id: string | null;
  level: Level;
  /** Module or component that emitted the event (scope, component, stream…), or `null`. */
  source: string | null;
  entity: EntityRef | null;
  /** A one-line human-readable summary. */
  message: string | null;
  /** The parsed JSON payload unchanged, or the raw string when it is not JSON. */
  data: JsonValue;
}

/** The keys of a HubEvent in their canonical order. */
export const HUB_EVENT_KEYS = [
  'hub',
  'seq',
  'receivedAt',
  'time',
  'event',
  'id',
  'level',
  'source',
  'entity',
  'message',
  'data',
] as const satisfies readonly (keyof HubEvent)[];

/** The `event` name of a gap marker: events may be missing before it. */
export const GAP_EVENT = 'gap';

/**
 * The `source` of a gap marker. Together with `event: "gap"` it tells a marker from a real
 * event a hub named `gap`: the engine never gives a real event named `gap` this source.
 */
export const GAP_SOURCE = 'hubwatch';

/** Whether a record is a gap marker Hubwatch wrote (not a hub's own event named `gap`). */
export function isGapMarker(event: Pick<HubEvent, 'event' | 'source'>): boolean {
  return event.event === GAP_EVENT && event.source === GAP_SOURCE;
}
