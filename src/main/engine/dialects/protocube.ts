/**
 * Protocube's global server event bus (seed 001): SSE `GET /api/events` or WebSocket
 * `GET /api/events/ws`, Bearer on both. Every message is `{"Topic", "Data": {server_id,
 * payload}}`; topics `status` (payload a status string), `crash` (`{reason, exit_code,
 * timestamp}`) and `deleted` (null). A `topic:suffix` is the topic.
 */
import type { EntityRef, JsonValue, Level } from '../../../shared/hub-event';
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
  numberField,
  numberValue,
  parseJsonPayload,
  sseEventName,
  stringField,
  stringValue,
  unreadablePayloadEvent,
  type JsonObject,
} from './json-payload';
import { normalizeLevel } from './levels';
import { findPayloadTime } from './payload-time';
import type { Dialect } from './types';

/**
 * A topic as Protocube's bus names its listener: the segment before the first `:`
 * (`crash:node-7` → `crash`); `message` when nothing is left.
 */
export function normalizeTopic(topic: string): string {
  const colon = topic.indexOf(':');
  if (colon === -1) return topic.length > 0 ? topic : 'message';
  return colon > 0 ? topic.slice(0, colon) : 'message';
}

function derivedLevel(event: string): Level {
  if (event === 'crash') return 'error';
  if (event === 'deleted') return 'warn';
  return 'info';
}

/** `signal: killed (exit 137)` from a crash payload, or `null` when it says nothing. */
function crashDetail(payload: JsonValue | undefined): string | null {
  if (typeof payload === 'string') return payload.length > 0 ? payload : null;
  if (!isJsonObject(payload)) return null;
  const reason = stringField(payload, 'reason');
  const exitCode = numberField(payload, 'exit_code');
  if (reason !== null && exitCode !== null) return `${reason} (exit ${exitCode})`;
  if (reason !== null) return reason;
  return exitCode !== null ? `exit ${exitCode}` : null;
}

function describe(event: string, subject: string, payload: JsonValue | undefined): string {
  switch (event) {
    case 'status':
      return typeof payload === 'string' ? `${subject} → ${payload}` : `${subject} status changed`;
    case 'crash': {
      const detail = crashDetail(payload);
      return detail === null ? `${subject} crashed` : `${subject} crashed: ${detail}`;
    }
    case 'deleted':
      return `${subject} deleted`;
    default:
      return typeof payload === 'string' && payload.length > 0
        ? `${subject} ${event}: ${payload}`
        : `${subject} ${event}`;
  }
}

/** The event time: the crash payload's own `timestamp`, else any time field of Data or the message. */
function eventTime(
  message: JsonObject,
  data: JsonObject | null,
  payload: JsonValue | undefined,
  receivedAt: number,
): number {
  if (isJsonObject(payload)) {
    const time = findPayloadTime(payload, receivedAt);
    if (time !== null) return time;
  }
  if (data !== null) {
    const time = findPayloadTime(data, receivedAt);
    if (time !== null) return time;
  }
  return findPayloadTime(message, receivedAt) ?? receivedAt;
}

/**
 * Maps one Protocube message, from SSE or WebSocket alike. The event is the SSE event name
 * or, on WebSocket (and for an SSE frame without a name), the message's `Topic`, normalised
 * by `normalizeTopic`. The entity is the server `Data.server_id`; the message reads
 * `srv_1 → running`, `srv_1 crashed: signal: killed (exit 137)` or `srv_1 deleted`.
 */
export function mapProtocubeFrame(frame: Frame): MappedEvent {
  const parsed = parseJsonPayload(frame.data);
  if (parsed === NOT_JSON) {
    const event = normalizeTopic(sseEventName(frame) ?? 'message');
    return malformedEvent(frame, event, null, event === 'crash' ? 'error' : 'warn');
  }
  if (parsed === EMPTY_PAYLOAD || !isJsonObject(parsed)) {
    const event = normalizeTopic(sseEventName(frame) ?? 'message');
    return unreadablePayloadEvent(frame, event, parsed, null, derivedLevel(event));
  }
  const topic = parsed['Topic'] ?? parsed['topic'];
  const event = normalizeTopic(sseEventName(frame) ?? (typeof topic === 'string' ? topic : 'message'));
  const dataField = parsed['Data'] ?? parsed['data'];
  const data = isJsonObject(dataField) ? dataField : null;
  // Data is normally the {server_id, payload} wrapper, but the bus allows any value there.
  const payload = data === null ? dataField : data['payload'];
  const serverId = data === null ? null : idValue(data['server_id']);
  const entity: EntityRef | null = serverId === null ? null : { type: 'server', id: serverId };
  return {
    event,
    time: eventTime(parsed, data, payload, frame.receivedAt),
    level: normalizeLevel(parsed['level']) ?? derivedLevel(event),
    source: null,
    entity,
    message: describe(event, serverId ?? 'server', payload),
    data: parsed,
    raw: frame.data,
    malformed: false,
  };
}

/**
 * What a Protocube event says about its server, from `Data.payload`: the new status
 * (`status`), the crash's reason and exit code (`crash`), or that it was deleted.
 */
export function readProtocubeEntity(event: EntityEvent): EntityUpdate | null {
  const inner = isJsonObject(event.data) ? event.data['Data'] : undefined;
  const payload = isJsonObject(inner) ? inner['payload'] : undefined;
  switch (event.event) {
    case 'status': {
      const status = stringValue(payload);
      return status === null ? null : { type: 'server', status };
    }
    case 'crash': {
      const crash = isJsonObject(payload) ? payload : null;
      return {
        type: 'server',
        crash: { reason: stringValue(crash?.['reason']), exitCode: numberValue(crash?.['exit_code']) },
      };
    }
    case 'deleted':
      return { type: 'server', deleted: true };
    default:
      return null;
  }
}

/** The Protocube dialect: SSE, or WebSocket for a `ws:`/`wss:` URL or `transport: "websocket"`. */
export const protocubeDialect: Dialect = {
  id: 'protocube',
  create(hub, context) {
    return { plan: singleStreamPlan(hub, context, 0), map: mapProtocubeFrame };
  },
  entityUpdate: readProtocubeEntity,
};
