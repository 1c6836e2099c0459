/**
 * The bot event hub (seed 000): SSE `GET /events`, Bearer or `?token=`. `event: log` lines
 * `{timestamp_ms, level, scope, session_id, transport, direction, message}` and
 * `event: session` bot snapshots `{snapshot: {id, status, …}}`.
 */
import type { EntityRef } from '../../../shared/hub-event';
import type { EntityEvent, EntityUpdate } from '../entity-update';
import type { MappedEvent } from '../event-record';
import type { Frame } from '../transports/types';
import { singleStreamPlan } from './attempt-request';
import {
  EMPTY_PAYLOAD,
  NOT_JSON,
  idValue,
  isJsonObject,
  malformedEvent,
  parseJsonPayload,
  sseEventName,
  preview,
  stringField,
  stringValue,
  unreadablePayloadEvent,
  type JsonObject,
} from './json-payload';
import { normalizeLevel } from './levels';
import { findPayloadTime } from './payload-time';
import type { Dialect } from './types';

function botEntity(id: string | null): EntityRef | null {
  return id === null ? null : { type: 'bot', id };
}

/** A `session` frame: the bot's snapshot, summarised as `bot-1 in_world`. */
function mapSnapshot(frame: Frame, event: string, payload: JsonObject, snapshot: JsonObject): MappedEvent {
  const botId = idValue(snapshot['id']);
  const status = stringField(snapshot, 'status');
  return {
    event,
    time: findPayloadTime(payload, frame.receivedAt) ?? frame.receivedAt,
    level: normalizeLevel(payload['level']) ?? 'info',
    source: stringField(payload, 'scope'),
    entity: botEntity(botId),
    message: `${botId ?? 'bot'} ${status ?? 'snapshot'}`,
    data: payload,
    raw: frame.data,
    malformed: false,
  };
}

/**
 * Maps one bot-hub frame. Logs take level, scope (as source), session_id (as the bot) and
 * timestamp_ms from the payload; snapshots name the bot by `snapshot.id`. Untyped and
 * unknown frames are read the same way as logs, so a new event kind is shown, not lost.
 */
export function mapBotHubFrame(frame: Frame): MappedEvent {
  const event = sseEventName(frame) ?? 'message';
  const payload = parseJsonPayload(frame.data);
  if (payload === NOT_JSON) return malformedEvent(frame, event, null);
  if (payload === EMPTY_PAYLOAD || !isJsonObject(payload))
    return unreadablePayloadEvent(frame, event, payload, null);
  const snapshot = payload['snapshot'];
  if (isJsonObject(snapshot)) return mapSnapshot(frame, event, payload, snapshot);
  const message = payload['message'];
  return {
    event,
    time: findPayloadTime(payload, frame.receivedAt) ?? frame.receivedAt,
    level: normalizeLevel(payload['level']) ?? 'info',
    source: stringField(payload, 'scope'),
    entity: botEntity(idValue(payload['session_id'])),
    message: typeof message === 'string' ? message : preview(frame.data),
    data: payload,
    raw: frame.data,
    malformed: false,
  };
}

/** A `session` event's snapshot becomes the bot's, with the status it gives. */
export function readBotHubEntity(event: EntityEvent): EntityUpdate | null {
  const snapshot = isJsonObject(event.data) ? event.data['snapshot'] : undefined;
  if (event.event !== 'session' || !isJsonObject(snapshot)) return null;
  const status = stringValue(snapshot['status']);
  return { type: 'bot', snapshot, ...(status !== null ? { status } : {}) };
}

/** The bot-hub dialect: one plain SSE stream, no watchdog unless configured. */
export const botHubDialect: Dialect = {
  id: 'bot-hub',
  create(hub, context) {
    return { plan: singleStreamPlan(hub, context, 0), map: mapBotHubFrame };
  },
  entityUpdate: readBotHubEntity,
};
