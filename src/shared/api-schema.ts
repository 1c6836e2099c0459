/**
 * Schemas of every call's request. Both transports (Electron IPC and the serve WebSocket)
 * check each payload against them before anything reaches the engine, and answer a clear
 * error naming the field. Hand-written checks: small, and no dependency in the sandboxed
 * preload or the renderer.
 */
import type { ApiError, CallName } from './api';
import { DIALECT_IDS } from './hub-config';
import { ENTITY_TYPES, LEVELS } from './hub-event';

/** Returns an error message for `value` at `path`, or null when it is valid. */
type Check = (value: unknown, path: string) => string | null;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const MAX_STRING = 1_000_000;

const string =
  (max = MAX_STRING): Check =>
  (value, path) =>
    typeof value !== 'string'
      ? `${path} must be a string`
      : value.length > max
        ? `${path} is too long`
        : null;

const number =
  (min = -Infinity, max = Infinity): Check =>
  (value, path) =>
    typeof value !== 'number' || !Number.isFinite(value)
      ? `${path} must be a number`
      : value < min || value > max
        ? `${path} must be between ${min} and ${max}`
        : null;

const integer =
  (min = 0, max = Number.MAX_SAFE_INTEGER): Check =>
  (value, path) =>
    typeof value !== 'number' || !Number.isInteger(value)
      ? `${path} must be a whole number`
      : value < min || value > max
        ? `${path} must be between ${min} and ${max}`
        : null;

const boolean: Check = (value, path) => (typeof value === 'boolean' ? null : `${path} must be true or false`);

const oneOf =
  (values: readonly string[]): Check =>
  (value, path) =>
    typeof value === 'string' && values.includes(value)
      ? null
      : `${path} must be one of ${values.join(', ')}`;

const nullable =
  (check: Check): Check =>
  (value, path) =>
    value === null ? null : check(value, path);

const isNull: Check = (value, path) =>
  value === null || value === undefined ? null : `${path} must be empty`;

const arrayOf =
  (check: Check, max = 10_000): Check =>
  (value, path) => {
    if (!Array.isArray(value)) return `${path} must be a list`;
    if (value.length > max) return `${path} has too many items`;
    for (let i = 0; i < value.length; i++) {
      const error = check(value[i], `${path}[${i}]`);
      if (error) return error;
    }
    return null;
  };

const recordOf =
  (check: Check): Check =>
  (value, path) => {
    if (!isPlainObject(value)) return `${path} must be an object`;
    for (const [key, item] of Object.entries(value)) {
      const error = check(item, `${path}.${key}`);
      if (error) return error;
    }
    return null;
  };

/** An object with known keys; `?` marks optional ones. Unknown keys are refused. */
const object =
  (shape: Record<string, Check>, options: { open?: boolean } = {}): Check =>
  (value, path) => {
    if (!isPlainObject(value)) return `${path} must be an object`;
    for (const [rawKey, check] of Object.entries(shape)) {
      const optional = rawKey.endsWith('?');
      const key = optional ? rawKey.slice(0, -1) : rawKey;
      if (!(key in value) || value[key] === undefined) {
        if (optional) continue;
        return `${path}.${key} is required`;
      }
      const error = check(value[key], `${path}.${key}`);
      if (error) return error;
    }
    if (!options.open) {
      const known = new Set(Object.keys(shape).map((key) => key.replace(/\?$/, '')));
      for (const key of Object.keys(value)) if (!known.has(key)) return `${path}.${key} is not a known field`;
    }
    return null;
  };

const id = string(200);

const filterSpec: Check = object({
  'hubs?': nullable(arrayOf(id, 1000)),
  'dialects?': nullable(arrayOf(oneOf(DIALECT_IDS), 10)),
  'levels?': nullable(arrayOf(oneOf(LEVELS), 10)),
  'events?': nullable(arrayOf(string(500), 1000)),
  'entity?': nullable(object({ type: oneOf(ENTITY_TYPES), 'id?': nullable(string(1000)) })),
  'text?': nullable(string(10_000)),
  'regex?': nullable(string(10_000)),
  'regexFlags?': nullable(string(10)),
  'where?': nullable(string(10_000)),
  'from?': nullable(number()),
  'to?': nullable(number()),
  'invert?': boolean,
});

const secretView: Check = (value, path) => {
  if (!isPlainObject(value)) return `${path} must be an object`;
  if (value['kind'] === 'env') return object({ kind: oneOf(['env']), env: string(200) })(value, path);
  if (value['kind'] === 'stored') return object({ kind: oneOf(['stored']), set: boolean })(value, path);
  return `${path}.kind must be env or stored`;
};

const authView: Check = (value, path) => {
  if (!isPlainObject(value)) return `${path} must be an object`;
  switch (value['type']) {
    case 'none':
      return object({ type: string() })(value, path);
    case 'bearer':
      return object({ type: string(), token: secretView })(value, path);
    case 'header':
      return object({ type: string(), name: string(200), value: secretView })(value, path);
    case 'query':
      return object({ type: string(), param: string(200), value: secretView })(value, path);
    case 'backendai':
      return object({
        type: string(),
        accessKey: string(500),
        secretKey: secretView,
        'apiVersion?': string(100),
      })(value, path);
    default:
      return `${path}.type must be one of none, bearer, header, query, backendai`;
  }
};

/**
 * The hub as the UI edits it: checked for shape here; the full config rules
 * (validateConfig) run once secrets are resolved.
 */
const hubView: Check = object({
  id,
  'name?': string(200),
  dialect: oneOf(DIALECT_IDS),
  'transport?': oneOf(['sse', 'websocket']),
  url: string(8192),
  'auth?': authView,
  'headers?': recordOf(string(8192)),
  'enabled?': boolean,
  'pollUrl?': string(8192),
  'pollIntervalSec?': number(1, 86_400),
  'project?': string(500),
  'command?': string(10_000),
  'streamId?': string(500),
  'fields?': recordOf(string(500)),
  'silenceTimeoutSec?': number(0, 86_400),
  'retention?': integer(0, 10_000_000),
});

const hubSave: Check = object({
  hub: hubView,
  'secrets?': object({
    'auth.token?': nullable(string(65_536)),
    'auth.value?': nullable(string(65_536)),
    'auth.secretKey?': nullable(string(65_536)),
  }),
  'previousId?': id,
  'create?': boolean,
});

const uiSettings: Check = object({
  'tabOrder?': arrayOf(id, 1000),
  'splitTab?': nullable(id),
  'theme?': oneOf(['system', 'light', 'dark']),
  'tabFilters?': recordOf(filterSpec),
  'timeFormat?': oneOf(['absolute', 'relative']),
});

const REQUEST_SCHEMAS: Record<CallName, Check> = {
  'app.info': isNull,
  'hubs.list': isNull,
  'hubs.save': hubSave,
  'hubs.remove': object({ id }),
  'hubs.setEnabled': object({ id, enabled: boolean }),
  'hubs.setPaused': object({ paused: boolean }),
  'hubs.test': hubSave,
  'hubs.runCommand': object({ id, command: string(10_000) }),
  'demo.start': isNull,
  'view.open': object({ filter: filterSpec, 'tailSize?': integer(0, 1000) }),
  'view.setFilter': object({ viewId: id, filter: filterSpec }),
  'view.rows': object({ viewId: id, start: integer(0), count: integer(0, 5000) }),
  'view.indexOf': object({ viewId: id, g: number(0) }),
  'view.indexOfEvent': object({ viewId: id, hub: id, seq: integer(1) }),
  'view.close': object({ viewId: id }),
  'events.get': object({ hub: id, seq: integer(1) }),
  'events.detail': object({ hub: id, seq: integer(1) }),
  'events.names': nullable(object({ 'hubs?': arrayOf(id, 1000) })),
  'entities.list': nullable(object({ 'type?': oneOf(ENTITY_TYPES) })),
  'alerts.list': isNull,
  'alerts.setMuted': object({ hub: id, muted: boolean }),
  'filters.list': isNull,
  'filters.save': object({ name: string(200), filter: filterSpec }),
  'filters.remove': object({ name: string(200) }),
  'export.start': object({ format: oneOf(['ndjson', 'csv', 'text']), filter: filterSpec, 'scrub?': boolean }),
  'export.cancel': object({ exportId: id }),
  'settings.get': isNull,
  'settings.set': uiSettings,
};

/** True for a name of the API (the rest is refused before anything runs). */
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, name);
}

/** Checks one call; `null` when it may go ahead, else the error to answer. */
export function validateRequest(name: unknown, payload: unknown): ApiError | null {
  if (!isCallName(name)) return { message: `unknown call ${JSON.stringify(String(name)).slice(0, 80)}` };
  const error = REQUEST_SCHEMAS[name](payload, 'request');
  if (!error) return null;
  const field = /^request\.([^ ]+)/.exec(error)?.[1];
  return { message: `${name}: ${error}`, ...(field ? { field } : {}) };
}
