/**
 * EvoClaw (seed 002): SSE `GET /api/logs/stream`, no auth, untyped `data:` frames
 * `{time: "HH:MM:SS", level, component, message}`, a heartbeat line every 5 s, and
 * `GET /api/status` polled every 30 s while the stream fails.
 */
import { effectiveTransport, type HubConfig } from '../../../shared/hub-config';
import type { MappedEvent } from '../event-record';
import type { Frame } from '../transports/types';
import { buildRequest, silenceTimeoutMs } from './attempt-request';
import {
  EMPTY_PAYLOAD,
  NOT_JSON,
  isJsonObject,
  malformedEvent,
  numberField,
  parseJsonPayload,
  sseEventName,
  preview,
  stringField,
  unreadablePayloadEvent,
  type JsonObject,
} from './json-payload';
import { normalizeLevel } from './levels';
import { findPayloadTime, timeFromValue } from './payload-time';
import type { Dialect } from './types';

/** The `event` of a record made from a status poll. */
export const EVOCLAW_POLL_EVENT = 'status';

/** Heartbeats come every 5 s: four missed ones mean the stream is stuck. */
const DEFAULT_SILENCE_MS = 20_000;
const DEFAULT_POLL_INTERVAL_SEC = 30;
const STREAM_PATH = '/api/logs/stream';

/**
 * The status URL polled while the stream fails: `pollUrl`, or the stream URL with
 * `/api/logs/stream` replaced by `/api/status` (or `/api/status` on the stream's origin when
 * the stream lives elsewhere).
 */
export function evoclawPollUrl(hub: Pick<HubConfig, 'url' | 'pollUrl'>): string {
  if (hub.pollUrl !== undefined) return hub.pollUrl;
  try {
    const url = new URL(hub.url);
    url.pathname = url.pathname.includes(STREAM_PATH)
      ? url.pathname.replace(STREAM_PATH, '/api/status')
      : '/api/status';
    return url.href;
  } catch {
    // buildRequest reports the unusable URL as bad config.
    return hub.url;
  }
}

/** `status: ok, 3 agents online` from a status poll (each part only when the response has it). */
function describeStatus(payload: JsonObject, text: string): string {
  const status = stringField(payload, 'status');
  const online = numberField(payload, 'agents_online');
  const agents = payload['agents'];
  const count =
    online !== null ? `${online} agents online` : Array.isArray(agents) ? `${agents.length} agents` : null;
  if (status === null) return count === null ? `status: ${preview(text)}` : `status: ${count}`;
  return count === null ? `status: ${status}` : `status: ${status}, ${count}`;
}

/**
 * Maps one EvoClaw frame. Stream lines take level, component (as source) and message from
 * the payload, and their `HH:MM:SS` time on the local day nearest to when they arrived.
 * Status polls (`frame.via === 'poll'`) become `status` events summarised as `status: …`.
 */
export function mapEvoclawFrame(frame: Frame): MappedEvent {
  const event = frame.via === 'poll' ? EVOCLAW_POLL_EVENT : (sseEventName(frame) ?? 'message');
  const payload = parseJsonPayload(frame.data);
  if (payload === NOT_JSON) return malformedEvent(frame, event, null);
  if (payload === EMPTY_PAYLOAD || !isJsonObject(payload))
    return unreadablePayloadEvent(frame, event, payload, null);
  const message = payload['message'];
  let summary: string;
  if (typeof message === 'string') {
    summary = message;
  } else if (frame.via === 'poll') {
    summary = describeStatus(payload, frame.data);
  } else {
    summary = preview(frame.data);
  }
  return {
    event,
    time:
      timeFromValue(payload['time'], frame.receivedAt) ??
      findPayloadTime(payload, frame.receivedAt) ??
      frame.receivedAt,
    level: normalizeLevel(payload['level']) ?? 'info',
    source: stringField(payload, 'component'),
    entity: null,
    message: summary,
    data: payload,
    raw: frame.data,
    malformed: false,
  };
}

/** The EvoClaw dialect: SSE with a 20 s silence watchdog and the status-polling fallback. */
export const evoclawDialect: Dialect = {
  id: 'evoclaw',
  create(hub, context) {
    const pollUrl = evoclawPollUrl(hub);
    return {
      plan: {
        transport: effectiveTransport(hub),
        silenceTimeoutMs: silenceTimeoutMs(hub, DEFAULT_SILENCE_MS),
        prepare: () => Promise.resolve().then(() => buildRequest(hub, context, 'GET', hub.url)),
        pollFallback: {
          intervalMs: (hub.pollIntervalSec ?? DEFAULT_POLL_INTERVAL_SEC) * 1000,
          prepare: () => Promise.resolve().then(() => buildRequest(hub, context, 'GET', pollUrl)),
        },
      },
      map: mapEvoclawFrame,
    };
  },
};
