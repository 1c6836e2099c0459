/**
 * Any SSE or WebSocket stream: JSON or plain text. The record's fields come from the hub's
 * `fields` map (dotted paths into the JSON), falling back to the usual names.
 */
import type { FieldMap } from '../../../shared/hub-config';
import { ENTITY_TYPES, type EntityRef, type EntityType, type JsonValue } from '../../../shared/hub-event';
import type { EntityReader } from '../entity-update';
import type { MappedEvent } from '../event-record';
import type { Frame } from '../transports/types';
import { singleStreamPlan } from './attempt-request';
import { readBackendAiEntity } from './backendai';
import { readBotHubEntity } from './bot-hub';
import {
  EMPTY_PAYLOAD,
  NOT_JSON,
  idValue,
  isJsonObject,
  ownField,
  parseJsonPayload,
  preview,
  sseEventName,
} from './json-payload';
import { normalizeLevel } from './levels';
import { findPayloadTime, timeFromValue } from './payload-time';
import { readProtocubeEntity } from './protocube';
import { readRdevEntity } from './rdev';
import type { Dialect } from './types';

/** Where a field is looked for: the configured path first, then the usual names. */
type FieldLookup = readonly (readonly string[])[];

const MESSAGE_FALLBACKS = ['message', 'msg'];
const LEVEL_FALLBACKS = ['level', 'severity'];
const SOURCE_FALLBACKS = ['source', 'component'];

/** A dotted path split once (`a.b.0.c`), at create time rather than per event. */
function compilePath(path: string): readonly string[] {
  return path.split('.');
}

function lookup(configured: string | undefined, fallbacks: readonly string[]): FieldLookup {
  const paths = fallbacks.map((name) => [name]);
  return configured === undefined || configured.length === 0 ? paths : [compilePath(configured), ...paths];
}

/** The value at a path; own properties only, array segments by index. */
function valueAt(root: JsonValue, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = root;
  for (const segment of path) {
    if (Array.isArray(current)) {
      const index = Number(segment);
      current = Number.isInteger(index) && index >= 0 ? current[index] : undefined;
    } else if (isJsonObject(current)) {
      current = ownField(current, segment);
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** A scalar as text (strings as they are, numbers and booleans written out), or `null`. */
function textOf(value: JsonValue | undefined): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function firstText(root: JsonValue, paths: FieldLookup): string | null {
  for (const path of paths) {
    const text = textOf(valueAt(root, path));
    if (text !== null) return text;
  }
  return null;
}

function isEntityType(value: string | undefined): value is EntityType {
  return value !== undefined && (ENTITY_TYPES as readonly string[]).includes(value);
}

/**
 * A mapper for one generic hub. Text payloads are normal here (not malformed): `data` and
 * `message` are the text. JSON payloads: `event` is the SSE name, else `fields.event`, else
 * `message`; `message` from `fields.message`, `message` or `msg`; `level` from
 * `fields.level`, `level` or `severity`; `source` from `fields.source`, `source` or
 * `component`; `time` from `fields.time` or the usual time fields; the entity from
 * `fields.entity` with the type `fields.entityType`.
 */
export function createGenericMapper(fields: FieldMap = {}): (frame: Frame) => MappedEvent {
  const messagePaths = lookup(fields.message, MESSAGE_FALLBACKS);
  const levelPaths = lookup(fields.level, LEVEL_FALLBACKS);
  const sourcePaths = lookup(fields.source, SOURCE_FALLBACKS);
  const timePath = fields.time ? compilePath(fields.time) : null;
  const eventPath = fields.event ? compilePath(fields.event) : null;
  const entityPath = fields.entity ? compilePath(fields.entity) : null;
  const entityType = isEntityType(fields.entityType) ? fields.entityType : null;

  return (frame) => {
    const payload = parseJsonPayload(frame.data);
    if (payload === NOT_JSON || payload === EMPTY_PAYLOAD) {
      return {
        event: sseEventName(frame) ?? 'message',
        time: frame.receivedAt,
        level: 'info',
        source: null,
        entity: null,
        message: payload === EMPTY_PAYLOAD ? null : frame.data,
        data: frame.data,
        raw: null,
        malformed: false,
      };
    }
    let event = sseEventName(frame);
    if (event === null && eventPath !== null) {
      const named = valueAt(payload, eventPath);
      if (typeof named === 'string' && named.length > 0) event = named;
    }
    let level = null;
    for (const path of levelPaths) {
      level = normalizeLevel(valueAt(payload, path));
      if (level !== null) break;
    }
    let time: number | null = null;
    if (timePath !== null) time = timeFromValue(valueAt(payload, timePath), frame.receivedAt);
    if (time === null && isJsonObject(payload)) time = findPayloadTime(payload, frame.receivedAt);
    let entity: EntityRef | null = null;
    if (entityPath !== null && entityType !== null) {
      const id = idValue(valueAt(payload, entityPath));
      if (id !== null) entity = { type: entityType, id };
    }
    return {
      event: event ?? 'message',
      time: time ?? frame.receivedAt,
      level: level ?? 'info',
      source: firstText(payload, sourcePaths),
      entity,
      message:
        firstText(payload, messagePaths) ?? (typeof payload === 'string' ? payload : preview(frame.data)),
      data: payload,
      raw: frame.data,
      malformed: false,
    };
  };
}

/** The generic dialect: SSE or WebSocket, any JSON or text, fields by the configured map. */
/**
 * A generic hub's entities are of whatever type its field map names; their payloads are read
 * the way the dialect that speaks of that type reads its own (a `task` event with
 * `current_progress` moves the task along, as on Backend.AI).
 */
const READER_OF_TYPE: Readonly<Record<EntityType, EntityReader>> = {
  bot: readBotHubEntity,
  server: readProtocubeEntity,
  session: readBackendAiEntity,
  task: readBackendAiEntity,
  command: readRdevEntity,
};

export const genericDialect: Dialect = {
  id: 'generic',
  create(hub, context) {
    return { plan: singleStreamPlan(hub, context, 0), map: createGenericMapper(hub.fields) };
  },
  entityUpdate: (event) => (event.entity === null ? null : READER_OF_TYPE[event.entity.type](event)),
};
