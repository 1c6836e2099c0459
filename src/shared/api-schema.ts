/**
 * Schemas of every call's request (valibot). Both transports (Electron IPC and the serve
 * WebSocket) parse each payload with them before anything reaches the engine, and answer a
 * clear error naming the field (`view.open: filter.levels[2]: must be one of debug, …`).
 * The request types of `ApiCalls` (api.ts) are these schemas' outputs, so a type and its
 * check cannot drift apart. The limits are the API's (what a sane UI ever sends); the hub
 * config rules (`validateConfig`) run on a hub once its secrets are resolved.
 */
import * as v from 'valibot';
import { THEMES, TIME_FORMATS, type ApiError, type AuthView, type CallName } from './api';
import { EXPORT_FORMAT_IDS } from './export-formats';
import { authSchema } from './hub-config-schema';
import { DIALECT_IDS, SECRET_FIELDS, TRANSPORTS, type HubConfig, type SecretField } from './hub-config';
import { ENTITY_TYPES, LEVELS } from './hub-event';
import { closedObject, issuePath, plain, recordOf, type Assert, type Same } from './schema-parts';

/** A string of at most `max` characters. */
const text = (max: number) => v.pipe(v.string('must be a string'), v.maxLength(max, 'is too long'));

/** A finite number. */
const number = v.pipe(v.number('must be a number'), v.finite('must be a number'));

const between = (min: number, max: number) => `must be between ${min} and ${max}`;

/** A finite number from `min` to `max`. */
const numberIn = (min: number, max: number) =>
  v.pipe(number, v.minValue(min, between(min, max)), v.maxValue(max, between(min, max)));

/** A whole number from `min` to `max`. */
const integer = (min = 0, max = Number.MAX_SAFE_INTEGER) =>
  v.pipe(
    v.number('must be a whole number'),
    v.integer('must be a whole number'),
    v.minValue(min, between(min, max)),
    v.maxValue(max, between(min, max)),
  );

const boolean = v.boolean('must be true or false');

/** One of `values`. */
const oneOf = <const T extends readonly string[]>(values: T) =>
  v.picklist(values, `must be one of ${values.join(', ')}`);

/** A list of at most `max` items. */
const list = <const S extends v.GenericSchema>(item: S, max = 10_000) =>
  v.pipe(v.array(item, 'must be a list'), v.maxLength(max, 'has too many items'));

/** An object with exactly these keys (`v.optional` ones may be absent). */
const object = <const E extends v.ObjectEntries>(entries: E) => plain(closedObject(entries));

/** Absent or null; handlers receive null. */
const empty = v.pipe(
  v.nullish(v.never('must be empty')),
  v.transform(() => null),
);

const id = text(200);

/** A filter as the operator sets it. Every part is optional; an empty spec matches everything. */
export const FilterSpecSchema = object({
  /** Only these hubs (null or absent: all). */
  hubs: v.nullish(list(id, 1000)),
  /** Only hubs of these dialects. */
  dialects: v.nullish(list(oneOf(DIALECT_IDS), 10)),
  /** Only these levels. */
  levels: v.nullish(list(oneOf(LEVELS), 10)),
  /** Only these event names. */
  events: v.nullish(list(text(500), 1000)),
  /** Only events about this entity (or any entity of this type when `id` is absent). */
  entity: v.nullish(object({ type: oneOf(ENTITY_TYPES), id: v.nullish(text(1000)) })),
  /** Case-insensitive text in the message, source, event name or entity id. */
  text: v.nullish(text(10_000)),
  /** A regular expression over the same fields. */
  regex: v.nullish(text(10_000)),
  /** Regex flags; default `i`. */
  regexFlags: v.nullish(text(10)),
  /** A field predicate, e.g. `data.Data.payload.exit_code != 0` (see filter-expression.ts). */
  where: v.nullish(text(10_000)),
  /** Event time range, epoch ms, inclusive. */
  from: v.nullish(number),
  to: v.nullish(number),
  /** Show what does NOT match the level/event/entity/text/regex/where parts (hub, dialect and time stay as they are). */
  invert: v.optional(boolean),
});

/** How the UI sees a secret: never its value. */
export const SecretViewSchema = plain(
  v.variant(
    'kind',
    [
      closedObject({ kind: v.literal('env'), env: text(200) }),
      closedObject({ kind: v.literal('stored'), set: boolean }),
    ],
    'must be env or stored',
  ),
);

/** The auth of a hub as the UI sees it (secret values replaced by `SecretView`). */
export const AuthViewSchema = authSchema(
  {
    none: {},
    bearer: {},
    header: { name: text(200) },
    query: { param: text(200) },
    backendai: { accessKey: text(500), apiVersion: v.optional(text(100)) },
  },
  SecretViewSchema,
);

/**
 * A hub config as the UI sees and edits it: checked for shape here; the full config rules
 * (validateConfig) run once secrets are resolved.
 */
export const HubConfigViewSchema = object({
  id,
  name: v.optional(text(200)),
  dialect: oneOf(DIALECT_IDS),
  transport: v.optional(oneOf(TRANSPORTS)),
  url: text(8192),
  auth: v.optional(AuthViewSchema),
  headers: v.optional(recordOf(text(8192), 'must be an object')),
  enabled: v.optional(boolean),
  pollUrl: v.optional(text(8192)),
  pollIntervalSec: v.optional(numberIn(1, 86_400)),
  project: v.optional(text(500)),
  command: v.optional(text(10_000)),
  streamId: v.optional(text(500)),
  fields: v.optional(
    object({
      time: v.optional(text(500)),
      level: v.optional(text(500)),
      message: v.optional(text(500)),
      source: v.optional(text(500)),
      event: v.optional(text(500)),
      entity: v.optional(text(500)),
      entityType: v.optional(oneOf(ENTITY_TYPES)),
    }),
  ),
  silenceTimeoutSec: v.optional(numberIn(0, 86_400)),
  retention: v.optional(integer(0, 10_000_000)),
});

/** A new secret value per field (write-only): a string sets or replaces it, `null` clears it. */
const secretsSchema = object(
  Object.fromEntries(SECRET_FIELDS.map((field) => [field, v.optional(v.nullable(text(65_536)))])) as {
    [F in SecretField]: v.OptionalSchema<v.NullableSchema<ReturnType<typeof text>, undefined>, undefined>;
  },
);

/**
 * A hub to save: its config as the UI edits it, plus new secret values (write-only):
 * a string sets or replaces the secret, `null` clears it, an absent field keeps it.
 * A `SecretView` of kind `env` in `hub.auth` keeps referring to that variable.
 */
export const HubSaveRequestSchema = object({
  hub: HubConfigViewSchema,
  secrets: v.optional(secretsSchema),
  /** The id the hub had before this edit, when it is renamed. */
  previousId: v.optional(id),
  /** A new hub: refused (field `id`) when a hub with this id exists, instead of replacing it. */
  create: v.optional(boolean),
});

const uiSettingsEntries = {
  /** Tab order by hub id; hubs not listed go last. */
  tabOrder: list(id, 1000),
  /** The tab shown on the right in split view, or null. */
  splitTab: v.nullable(id),
  theme: oneOf(THEMES),
  /** Per-tab filters, by tab id (`all` or a hub id). */
  tabFilters: recordOf(FilterSpecSchema, 'must be an object'),
  /** Relative (`10 s ago`) or absolute times in the list. */
  timeFormat: oneOf(TIME_FORMATS),
};

/** What the UI remembers between runs (the desktop app keeps it in its settings). */
export const UiSettingsSchema = plain(closedObject(uiSettingsEntries));

export const SavedFilterSchema = object({ name: text(200), filter: FilterSpecSchema });

export const ExportRequestSchema = object({
  format: oneOf(EXPORT_FORMAT_IDS),
  /** The filter to apply (a tab's current filter), or `{}` for everything. */
  filter: FilterSpecSchema,
  /**
   * Also apply the credential patterns (`?token=`, `Bearer …`, signatures) to the payloads,
   * not only to messages (default false: `data` stays as received, known secrets aside).
   */
  scrub: v.optional(boolean),
});

/** Every call's request, by call name. */
export const REQUEST_SCHEMAS = {
  'app.info': empty,
  'hubs.list': empty,
  'hubs.save': HubSaveRequestSchema,
  'hubs.remove': object({ id }),
  'hubs.setEnabled': object({ id, enabled: boolean }),
  'hubs.setPaused': object({ paused: boolean }),
  'hubs.test': HubSaveRequestSchema,
  'hubs.runCommand': object({ id, command: text(10_000) }),
  'demo.start': empty,
  'view.open': object({ filter: FilterSpecSchema, tailSize: v.optional(integer(0, 1000)) }),
  'view.setFilter': object({ viewId: id, filter: FilterSpecSchema }),
  'view.rows': object({ viewId: id, start: integer(0), count: integer(0, 5000) }),
  'view.indexOf': object({ viewId: id, g: numberIn(0, Infinity) }),
  'view.indexOfEvent': object({ viewId: id, hub: id, seq: integer(1) }),
  'view.close': object({ viewId: id }),
  'events.get': object({ hub: id, seq: integer(1) }),
  'events.detail': object({ hub: id, seq: integer(1) }),
  'events.names': v.nullable(object({ hubs: v.optional(list(id, 1000)) })),
  'entities.list': v.nullable(object({ type: v.optional(oneOf(ENTITY_TYPES)) })),
  'alerts.list': empty,
  'alerts.setMuted': object({ hub: id, muted: boolean }),
  'filters.list': empty,
  'filters.save': SavedFilterSchema,
  'filters.remove': object({ name: text(200) }),
  'export.start': ExportRequestSchema,
  'export.cancel': object({ exportId: id }),
  'settings.get': empty,
  'settings.set': plain(v.partial(closedObject(uiSettingsEntries))),
  'history.status': empty,
} satisfies Record<CallName, v.GenericSchema>;

/** Compile-time: the UI's hub is the config's, with the secrets as the UI sees them. */
type _HubViewIsHubConfig = Assert<
  Same<v.InferOutput<typeof HubConfigViewSchema>, Omit<HubConfig, 'auth'> & { auth?: AuthView }>
>;

/** True for a name of the API (the rest is refused before anything runs). */
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, name);
}

/** A request as its handler takes it, or the error to answer. */
export type ParsedRequest = { ok: true; request: unknown } | { ok: false; error: ApiError };

/**
 * Parses one call's payload. The request that goes ahead is the schema's output: a copy
 * holding only the keys the schema knows.
 */
export function parseRequest(name: unknown, payload: unknown): ParsedRequest {
  if (!isCallName(name)) {
    return { ok: false, error: { message: `unknown call ${JSON.stringify(String(name)).slice(0, 80)}` } };
  }
  const result = v.safeParse(REQUEST_SCHEMAS[name], payload, { abortEarly: true });
  if (result.success) return { ok: true, request: result.output };
  const issue = result.issues[0];
  const field = issuePath(issue);
  return {
    ok: false,
    error: { message: `${name}: ${field || 'request'}: ${issue.message}`, ...(field ? { field } : {}) },
  };
}

/** Checks one call; `null` when it may go ahead, else the error to answer. */
export function validateRequest(name: unknown, payload: unknown): ApiError | null {
  const parsed = parseRequest(name, payload);
  return parsed.ok ? null : parsed.error;
}
