/**
 * Backend.AI manager (seed 004): SSE `GET /events/session?sessionId=&group=` with
 * `session_preparing/pulling/creating/started/terminated {sessionId, ownerAccessKey,
 * reason, result}`, and `GET /events/background-task?taskId=` with `task_updated/done/
 * failed/cancelled {task_id, current_progress, total_progress, message}` then
 * `server_close` (do not reconnect). The documented failure event is spelled `tak_failed`;
 * finished tasks may answer 404. Keypair auth: HMAC-SHA256 signed headers per request.
 */
import {
  BACKENDAI_SESSION_EVENT_NAMES,
  BACKENDAI_TASK_CANCELLED_EVENT_NAMES,
  BACKENDAI_TASK_FAILED_EVENT_NAMES,
} from '../../../shared/dialect-catalog';
import type { SessionPhase } from '../../../shared/entities';
import { effectiveTransport, type HubConfig } from '../../../shared/hub-config';
import type { EntityRef, Level } from '../../../shared/hub-event';
import type { EntityEvent, EntityUpdate, SessionUpdate, TaskUpdate } from '../entity-update';
import type { MappedEvent } from '../event-record';
import type { Frame } from '../transports/types';
import { buildRequest, silenceTimeoutMs } from './attempt-request';
import {
  NOT_JSON,
  idValue,
  isJsonObject,
  malformedEvent,
  numberField,
  numberValue,
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

/** Event names that mean a background task failed (the catalog's list, `tak_failed` among them). */
export const BACKENDAI_TASK_FAILED_EVENTS: ReadonlySet<string> = new Set(BACKENDAI_TASK_FAILED_EVENT_NAMES);

/** Event names that mean a background task was cancelled. */
export const BACKENDAI_TASK_CANCELLED_EVENTS: ReadonlySet<string> = new Set(
  BACKENDAI_TASK_CANCELLED_EVENT_NAMES,
);

/** The session phase each lifecycle event starts (`session_pulling` → `pulling`). */
const SESSION_PHASES: ReadonlyMap<string, SessionPhase> = new Map(
  BACKENDAI_SESSION_EVENT_NAMES.map((name) => [name, name.slice('session_'.length) as SessionPhase]),
);

/** The path of background-task streams. */
const BACKGROUND_TASK_PATH = '/events/background-task';

/** The task a background-task URL watches (`taskId`), or `null` for any other URL. */
export function backgroundTaskIdOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (!parsed.pathname.replace(/\/+$/, '').endsWith(BACKGROUND_TASK_PATH)) return null;
    const taskId = parsed.searchParams.get('taskId');
    return taskId !== null && taskId.length > 0 ? taskId : null;
  } catch {
    return null;
  }
}

/** Whether a URL is a background-task stream (with or without a `taskId`). */
function isBackgroundTaskUrl(url: string): boolean {
  try {
    return new URL(url).pathname.replace(/\/+$/, '').endsWith(BACKGROUND_TASK_PATH);
  } catch {
    return false;
  }
}

function derivedLevel(event: string, payload: JsonObject | null): Level {
  if (BACKENDAI_TASK_FAILED_EVENTS.has(event)) return 'error';
  if (BACKENDAI_TASK_CANCELLED_EVENTS.has(event)) return 'warn';
  if (event === 'session_terminated' && payload !== null) {
    const result = payload['result'];
    if (typeof result === 'string' && result.toUpperCase() === 'FAILURE') return 'error';
  }
  return 'info';
}

/**
 * `mysession-01 started`, `mysession-01 terminated (FAILURE): self-terminated`; an unknown
 * session event keeps its name (`mysession-01 kernel_pulling`).
 */
function describeSession(event: string, sessionId: string, payload: JsonObject): string {
  const phase = event.startsWith('session_') ? event.slice('session_'.length) : event;
  const result = event === 'session_terminated' ? stringField(payload, 'result') : null;
  const reason = stringField(payload, 'reason');
  return `${sessionId} ${phase}${result === null ? '' : ` (${result})`}${reason === null ? '' : `: ${reason}`}`;
}

/** `task 3fa8… 40/100 preloading image`, `task 3fa8… failed: <message>`. */
function describeTask(event: string, taskId: string | null, payload: JsonObject | null): string {
  const subject = taskId === null ? 'task' : `task ${taskId}`;
  const message = payload === null ? null : stringField(payload, 'message');
  const said = message === null ? '' : `: ${message}`;
  if (BACKENDAI_TASK_FAILED_EVENTS.has(event)) return `${subject} failed${said}`;
  if (BACKENDAI_TASK_CANCELLED_EVENTS.has(event)) return `${subject} cancelled${said}`;
  switch (event) {
    case 'task_done':
      return `${subject} done${said}`;
    case 'task_updated': {
      const current = payload === null ? null : numberField(payload, 'current_progress');
      const total = payload === null ? null : numberField(payload, 'total_progress');
      // The docs: when total_progress is zero, current_progress means nothing.
      const progress = total !== null && total > 0 && current !== null ? ` ${current}/${total}` : '';
      if (progress === '' && message === null) return `${subject} updated`;
      return `${subject}${progress}${message === null ? '' : ` ${message}`}`;
    }
    case 'server_close':
      return taskId === null ? 'server closed the stream' : `server closed the stream (${subject})`;
    default:
      return `${subject} ${event}${said}`;
  }
}

/** True for the events of background-task streams (`task_*`, the typo, `server_close`). */
function isTaskEvent(event: string): boolean {
  return event.startsWith('task_') || BACKENDAI_TASK_FAILED_EVENTS.has(event) || event === 'server_close';
}

/**
 * Maps Backend.AI frames of one hub. Session events name the session (`sessionId`), task
 * events the task (`task_id`, or the URL's `taskId` when the frame has none, as
 * `server_close` may not). Levels: `task_failed`/`tak_failed` and a `session_terminated`
 * with `result: FAILURE` are errors, `task_cancelled` is a warning.
 */
export function createBackendAiMapper(urlTaskId: string | null): (frame: Frame) => MappedEvent {
  return (frame) => {
    const event = sseEventName(frame) ?? 'message';
    const payload = parseJsonPayload(frame.data);
    const object = isJsonObject(payload) ? payload : null;
    const taskId = (object === null ? null : idValue(object['task_id'])) ?? urlTaskId;
    const sessionId = object === null ? null : idValue(object['sessionId']);
    let entity: EntityRef | null = null;
    if (sessionId !== null && !isTaskEvent(event)) entity = { type: 'session', id: sessionId };
    else if (taskId !== null && (isTaskEvent(event) || sessionId === null))
      entity = { type: 'task', id: taskId };
    if (payload === NOT_JSON) {
      return malformedEvent(frame, event, entity, derivedLevel(event, null) === 'error' ? 'error' : 'warn');
    }
    if (object === null) {
      const record = unreadablePayloadEvent(frame, event, payload, entity, derivedLevel(event, null));
      // No readable fields, but the event name alone still tells what happened to the task.
      if (isTaskEvent(event) && typeof payload !== 'string')
        record.message = describeTask(event, taskId, null);
      return record;
    }
    let message: string;
    if (isTaskEvent(event)) message = describeTask(event, taskId, object);
    else if (sessionId !== null) message = describeSession(event, sessionId, object);
    else if (taskId !== null) message = describeTask(event, taskId, object);
    else message = stringField(object, 'message') ?? preview(frame.data);
    return {
      event,
      time: findPayloadTime(object, frame.receivedAt) ?? frame.receivedAt,
      level: normalizeLevel(object['level']) ?? derivedLevel(event, object),
      source: null,
      entity,
      message,
      data: object,
      raw: frame.data,
      malformed: false,
    };
  };
}

/** A non-empty string field of the payload, or `undefined`. */
function filledString(data: JsonObject | null, key: string): string | undefined {
  return stringValue(data?.[key]) || undefined;
}

/**
 * What a Backend.AI event says about its session (the phase it starts, `reason`, `result`,
 * `ownerAccessKey`) or background task (`current_progress`/`total_progress`, `message`, and
 * whether it is done, failed — `tak_failed` too — or cancelled).
 */
export function readBackendAiEntity(event: EntityEvent): EntityUpdate | null {
  const data = isJsonObject(event.data) ? event.data : null;
  if (event.entity?.type === 'session') {
    const update: SessionUpdate = { type: 'session' };
    const phase = SESSION_PHASES.get(event.event);
    if (phase !== undefined) update.phase = phase;
    const reason = filledString(data, 'reason');
    if (reason !== undefined) update.reason = reason;
    const owner = filledString(data, 'ownerAccessKey');
    if (owner !== undefined) update.ownerAccessKey = owner;
    const result = filledString(data, 'result');
    if (result !== undefined) update.result = result;
    return update;
  }
  if (event.entity?.type === 'task') {
    const update: TaskUpdate = { type: 'task' };
    const current = numberValue(data?.['current_progress']);
    if (current !== null) update.current = current;
    const total = numberValue(data?.['total_progress']);
    if (total !== null) update.total = total;
    const message = filledString(data, 'message');
    if (message !== undefined) update.message = message;
    if (event.event === 'task_done') update.outcome = 'done';
    else if (BACKENDAI_TASK_FAILED_EVENTS.has(event.event)) update.outcome = 'failed';
    else if (BACKENDAI_TASK_CANCELLED_EVENTS.has(event.event)) update.outcome = 'cancelled';
    return update;
  }
  return null;
}

/**
 * The Backend.AI dialect. Every attempt is signed afresh. Background-task streams replay from
 * the start to each subscriber (so reconnects skip what we have), and a 404 there means the
 * task finished or expired (ended, not failed). `server_close` ends the hub without reconnecting.
 */
export const backendAiDialect: Dialect = {
  id: 'backendai',
  create(hub: HubConfig, context) {
    const backgroundTask = isBackgroundTaskUrl(hub.url);
    return {
      plan: {
        transport: effectiveTransport(hub),
        silenceTimeoutMs: silenceTimeoutMs(hub, 0),
        prepare: () => Promise.resolve().then(() => buildRequest(hub, context, 'GET', hub.url)),
        replaysFromStart: backgroundTask,
        classifyStatus: (status) =>
          backgroundTask && status === 404
            ? { state: 'ended', reason: 'task_expired', detail: 'task finished or expired' }
            : undefined,
        endsStream: (frame) =>
          frame.event === 'server_close'
            ? { reason: 'server_close', detail: 'server closed the stream (nothing more to monitor)' }
            : null,
      },
      map: createBackendAiMapper(backgroundTaskIdOf(hub.url)),
    };
  },
  entityUpdate: readBackendAiEntity,
};
