/**
 * Validation of the hub config (the JSON of `hubwatch capture --config`, and the hubs the
 * app's settings hold). Pure TypeScript — the UI validates its forms with the same rules.
 * Every problem is reported, each naming the hub and the field; any problem rejects the
 * whole config, so a typo never silently drops a hub.
 *
 * Decisions where the contract leaves room:
 * - `ws:`/`wss:` URLs (and `transport: "websocket"`) are accepted for the dialects that
 *   speak WebSocket (protocube, generic). An `http(s):` URL with `transport: "websocket"`
 *   is accepted and opened as `ws(s):`. `transport: "sse"` with a `ws:` URL is an error.
 * - Dialect-specific fields on another dialect (`command` on bot-hub) are errors: they are
 *   always a mistake, and silently ignoring them hides it.
 * - Unknown fields are errors ("unknown field", with a suggestion for near misses). At the
 *   top level `$schema` is allowed beside `hubs`.
 */
import {
  AUTH_SECRET_KEYS,
  authOf,
  DIALECT_IDS,
  type AuthConfig,
  type AuthPlainFields,
  type AuthType,
  type DialectId,
  type FieldMap,
  type HubConfig,
  type HubwatchConfig,
  type SecretValue,
  type TransportKind,
} from './hub-config';
import {
  AUTH_CONFIG_KEYS,
  CONFIG_FILE_ENTRIES,
  ENV_NAME_PATTERN,
  FIELD_MAP_ENTRIES,
  HEADER_NAME_PATTERN,
  HUB_CONFIG_ENTRIES,
  HUB_ID_PATTERN,
} from './hub-config-schema';
import { DIALECT_FIELD_OWNERS, WEBSOCKET_DIALECTS } from './dialect-catalog';
import { ENTITY_TYPES, type EntityType } from './hub-event';
import { unknownFieldMessage } from './schema-parts';

/** One problem in a config: which hub (by id when it has a usable one, and by position) and which field. */
export interface ConfigIssue {
  /** The hub's id, when it has a string id; `null` for problems outside a hub or without one. */
  hubId: string | null;
  /** The hub's position in `hubs`, or `null` for problems outside a hub. */
  index: number | null;
  /** Dotted path inside the hub (`auth.token`, `headers.X-Team`), or a top-level key. */
  field: string;
  message: string;
}

/** The outcome of `validateConfig`. */
export type ConfigValidationResult =
  { ok: true; config: HubwatchConfig } | { ok: false; errors: ConfigIssue[] };

/** CR, LF and NUL would split or end a header line. */
const HEADER_BREAKING = /[\r\n\0]/;

/** The keys the config's schema knows, in its order. */
const TOP_LEVEL_KEYS = Object.keys(CONFIG_FILE_ENTRIES);
const HUB_KEYS = Object.keys(HUB_CONFIG_ENTRIES);
const FIELD_MAP_KEYS = Object.keys(FIELD_MAP_ENTRIES) as (keyof FieldMap)[];
const AUTH_KEYS = AUTH_CONFIG_KEYS;
/** The keys of every auth type besides `type` and its secret. */
type AuthPlainKey = { [T in AuthType]: keyof AuthPlainFields[T] }[AuthType];
/** How each of those is checked (the secret is checked by `HubChecker.secret`). */
const AUTH_FIELD_CHECKS: Readonly<
  Record<
    AuthPlainKey,
    {
      required: boolean;
      check: (hub: HubChecker, value: unknown, field: string, required: string | null) => string | undefined;
    }
  >
> = {
  name: {
    required: true,
    check(hub, value, field, required) {
      const name = hub.nonEmptyString(value, field, required);
      if (name !== undefined && !HEADER_NAME_PATTERN.test(name))
        hub.report(field, 'is not a valid HTTP header name');
      return name;
    },
  },
  param: {
    required: true,
    check: (hub, value, field, required) => hub.nonEmptyString(value, field, required),
  },
  accessKey: {
    required: true,
    check: (hub, value, field, required) => hub.headerSafeString(value, field, required),
  },
  apiVersion: {
    required: false,
    check: (hub, value, field, required) => hub.headerSafeString(value, field, required),
  },
};

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEntityType(value: string): value is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(value);
}

function quoteList(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}

/** The URL's protocol (`http:`…) or `null` when it does not parse. */
function protocolOf(url: string): string | null {
  try {
    return new URL(url).protocol;
  } catch {
    return null;
  }
}

/** Collects the issues of one hub while copying its valid fields. */
class HubChecker {
  readonly issues: ConfigIssue[] = [];

  constructor(
    private readonly hubId: string | null,
    private readonly index: number,
  ) {}

  report(field: string, message: string): void {
    this.issues.push({ hubId: this.hubId, index: this.index, field, message });
  }

  unknownKeys(object: JsonRecord, known: readonly string[], prefix: string): void {
    for (const key of Object.keys(object)) {
      if (!known.includes(key)) this.report(`${prefix}${key}`, unknownFieldMessage(key, known));
    }
  }

  nonEmptyString(value: unknown, field: string, required: string | null): string | undefined {
    if (value === undefined) {
      if (required !== null) this.report(field, required);
      return undefined;
    }
    if (typeof value !== 'string' || value.trim().length === 0) {
      this.report(field, 'must be a non-empty string');
      return undefined;
    }
    return value;
  }

  headerSafeString(value: unknown, field: string, required: string | null): string | undefined {
    const text = this.nonEmptyString(value, field, required);
    if (text !== undefined && HEADER_BREAKING.test(text)) {
      this.report(field, 'must not contain line breaks or NUL characters');
      return undefined;
    }
    return text;
  }

  secret(value: unknown, field: string, required: string): SecretValue | undefined {
    if (value === undefined) {
      this.report(field, required);
      return undefined;
    }
    if (typeof value === 'string') return this.headerSafeString(value, field, required);
    const shape = 'must be a string, {"env": "NAME"} or {"secret": "REF"}';
    if (!isRecord(value)) {
      this.report(field, shape);
      return undefined;
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'env') {
      if (typeof value['env'] !== 'string' || !ENV_NAME_PATTERN.test(value['env'])) {
        this.report(`${field}.env`, 'must be an environment variable name (letters, digits, "_")');
        return undefined;
      }
      return { env: value['env'] };
    }
    if (keys.length === 1 && keys[0] === 'secret') {
      const ref = this.nonEmptyString(value['secret'], `${field}.secret`, null);
      return ref === undefined ? undefined : { secret: ref };
    }
    this.report(field, shape);
    return undefined;
  }

  httpUrl(value: unknown, field: string): string | undefined {
    const url = this.nonEmptyString(value, field, null);
    if (url === undefined) return undefined;
    const protocol = protocolOf(url);
    if (protocol === null) {
      this.report(field, 'is not a valid URL');
      return undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      this.report(field, `must be an http:// or https:// URL, not ${protocol}//`);
      return undefined;
    }
    return url;
  }

  number(
    value: unknown,
    field: string,
    rule: 'positive' | 'non-negative' | 'positive integer',
  ): number | undefined {
    if (value === undefined) return undefined;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (rule === 'non-negative' ? value >= 0 : value > 0) &&
      (rule !== 'positive integer' || Number.isInteger(value));
    if (!ok) {
      this.report(
        field,
        rule === 'positive integer' ? 'must be a positive integer' : `must be a ${rule} number`,
      );
      return undefined;
    }
    return value;
  }

  auth(value: unknown): AuthConfig | undefined {
    if (value === undefined) return undefined;
    if (!isRecord(value)) {
      this.report('auth', 'must be an object with a "type"');
      return undefined;
    }
    const type = value['type'];
    if (type === undefined) {
      this.report('auth.type', `required (one of ${quoteList(Object.keys(AUTH_KEYS))})`);
      return undefined;
    }
    if (typeof type !== 'string' || !Object.hasOwn(AUTH_KEYS, type)) {
      this.report('auth.type', `must be one of ${quoteList(Object.keys(AUTH_KEYS))}`);
      return undefined;
    }
    const authType = type as AuthType;
    this.unknownKeys(value, AUTH_KEYS[authType], 'auth.');
    const required = `required for ${authType} auth`;
    const secretKey: string | null = AUTH_SECRET_KEYS[authType];
    const fields: Record<string, string> = {};
    let secret: SecretValue | undefined;
    let complete = true;
    // In the order the keys are declared, so the problems are listed in that order.
    for (const key of AUTH_KEYS[authType]) {
      if (key === 'type') continue;
      const field = `auth.${key}`;
      if (key === secretKey) {
        secret = this.secret(value[key], field, required);
        if (secret === undefined) complete = false;
        continue;
      }
      const check = AUTH_FIELD_CHECKS[key as AuthPlainKey];
      const checked = check.check(this, value[key], field, check.required ? required : null);
      if (checked !== undefined) fields[key] = checked;
      else if (check.required) complete = false;
    }
    if (!complete) return undefined;
    // `secret` is set whenever the type has one; a type without one ignores it.
    return authOf<AuthType, SecretValue>(authType, fields, secret ?? '');
  }

  headers(value: unknown): Record<string, string> | undefined {
    if (value === undefined) return undefined;
    if (!isRecord(value)) {
      this.report('headers', 'must be an object of header names to string values');
      return undefined;
    }
    const headers: Record<string, string> = {};
    for (const [name, headerValue] of Object.entries(value)) {
      const field = `headers.${name}`;
      if (!HEADER_NAME_PATTERN.test(name)) this.report(field, 'is not a valid HTTP header name');
      if (typeof headerValue !== 'string') this.report(field, 'must be a string');
      else if (HEADER_BREAKING.test(headerValue))
        this.report(field, 'must not contain line breaks or NUL characters');
      else headers[name] = headerValue;
    }
    return headers;
  }

  fields(value: unknown): FieldMap | undefined {
    if (value === undefined) return undefined;
    if (!isRecord(value)) {
      this.report('fields', 'must be an object of field names to dotted paths');
      return undefined;
    }
    this.unknownKeys(value, FIELD_MAP_KEYS, 'fields.');
    const fields: FieldMap = {};
    for (const key of FIELD_MAP_KEYS) {
      const path = this.nonEmptyString(value[key], `fields.${key}`, null);
      if (path === undefined) continue;
      if (key !== 'entityType') fields[key] = path;
      else if (isEntityType(path)) fields.entityType = path;
      else this.report('fields.entityType', `must be one of ${quoteList(ENTITY_TYPES)}`);
    }
    if (value['entity'] !== undefined && value['entityType'] === undefined) {
      this.report('fields.entityType', 'required with fields.entity (the type of the entity it names)');
    }
    if (value['entityType'] !== undefined && value['entity'] === undefined) {
      this.report('fields.entity', 'required with fields.entityType (the path of the entity id)');
    }
    return fields;
  }
}

function checkHub(
  value: unknown,
  index: number,
  firstIndexById: Map<string, number>,
): {
  hub: HubConfig | null;
  issues: ConfigIssue[];
} {
  if (!isRecord(value)) {
    return {
      hub: null,
      issues: [{ hubId: null, index, field: '', message: 'must be an object' }],
    };
  }
  const rawId = value['id'];
  const check = new HubChecker(typeof rawId === 'string' && rawId.length <= 64 ? rawId : null, index);
  check.unknownKeys(value, HUB_KEYS, '');

  let id: string | undefined;
  if (rawId === undefined) check.report('id', 'required');
  else if (typeof rawId !== 'string' || !HUB_ID_PATTERN.test(rawId)) {
    check.report('id', 'must be 1–64 characters of letters, digits, ".", "_" or "-"');
  } else if (firstIndexById.has(rawId)) {
    check.report('id', `duplicate of hubs[${firstIndexById.get(rawId)}]`);
  } else {
    firstIndexById.set(rawId, index);
    id = rawId;
  }

  const name = check.nonEmptyString(value['name'], 'name', null);

  let dialect: DialectId | undefined;
  const rawDialect = value['dialect'];
  if (rawDialect === undefined) check.report('dialect', `required (one of ${quoteList(DIALECT_IDS)})`);
  else if (typeof rawDialect !== 'string' || !(DIALECT_IDS as readonly string[]).includes(rawDialect)) {
    check.report('dialect', `must be one of ${quoteList(DIALECT_IDS)}`);
  } else dialect = rawDialect as DialectId;

  let transport: TransportKind | undefined;
  const rawTransport = value['transport'];
  if (rawTransport !== undefined) {
    if (rawTransport !== 'sse' && rawTransport !== 'websocket') {
      check.report('transport', 'must be "sse" or "websocket"');
    } else transport = rawTransport;
  }

  const url = check.nonEmptyString(value['url'], 'url', 'required');
  if (url !== undefined) {
    const protocol = protocolOf(url);
    if (protocol === null) check.report('url', 'is not a valid URL');
    else if (!['http:', 'https:', 'ws:', 'wss:'].includes(protocol)) {
      check.report('url', `must be an http(s):// or ws(s):// URL, not ${protocol}//`);
    } else {
      const websocketUrl = protocol === 'ws:' || protocol === 'wss:';
      if (websocketUrl && transport === 'sse') {
        check.report('url', 'must be an http:// or https:// URL for transport "sse"');
      }
      const wantsWebsocket = transport === 'websocket' || (transport === undefined && websocketUrl);
      if (wantsWebsocket && dialect !== undefined && !WEBSOCKET_DIALECTS.includes(dialect)) {
        check.report(
          transport === 'websocket' ? 'transport' : 'url',
          `the ${dialect} dialect speaks SSE only (WebSocket: ${WEBSOCKET_DIALECTS.join(', ')})`,
        );
      }
    }
  }

  const auth = check.auth(value['auth']);
  const headers = check.headers(value['headers']);
  const enabled = value['enabled'];
  if (enabled !== undefined && typeof enabled !== 'boolean') check.report('enabled', 'must be true or false');

  if (dialect !== undefined) {
    for (const [field, owner] of Object.entries(DIALECT_FIELD_OWNERS)) {
      if (value[field] !== undefined && owner !== dialect)
        check.report(field, `only used by the ${owner} dialect`);
    }
  }
  const pollUrl = check.httpUrl(value['pollUrl'], 'pollUrl');
  const pollIntervalSec = check.number(value['pollIntervalSec'], 'pollIntervalSec', 'positive');
  const silenceTimeoutSec = check.number(value['silenceTimeoutSec'], 'silenceTimeoutSec', 'non-negative');
  const retention = check.number(value['retention'], 'retention', 'positive integer');

  const isRdev = dialect === 'rdev';
  const project = check.nonEmptyString(
    value['project'],
    'project',
    isRdev ? 'required for the rdev dialect' : null,
  );
  const command = check.nonEmptyString(value['command'], 'command', null);
  const streamId = check.nonEmptyString(value['streamId'], 'streamId', null);
  if (isRdev && value['command'] === undefined && value['streamId'] === undefined) {
    check.report('command', 'required for the rdev dialect (or streamId to follow a running command)');
  }
  if (isRdev && value['command'] !== undefined && value['streamId'] !== undefined) {
    check.report('streamId', 'give either command or streamId, not both');
  }
  const fields = check.fields(value['fields']);

  if (check.issues.length > 0 || id === undefined || dialect === undefined || url === undefined) {
    return { hub: null, issues: check.issues };
  }
  const hub: HubConfig = { id, dialect, url };
  if (name !== undefined) hub.name = name;
  if (transport !== undefined) hub.transport = transport;
  if (auth !== undefined) hub.auth = auth;
  if (headers !== undefined) hub.headers = headers;
  if (typeof enabled === 'boolean') hub.enabled = enabled;
  if (pollUrl !== undefined) hub.pollUrl = pollUrl;
  if (pollIntervalSec !== undefined) hub.pollIntervalSec = pollIntervalSec;
  if (project !== undefined) hub.project = project;
  if (command !== undefined) hub.command = command;
  if (streamId !== undefined) hub.streamId = streamId;
  if (fields !== undefined) hub.fields = fields;
  if (silenceTimeoutSec !== undefined) hub.silenceTimeoutSec = silenceTimeoutSec;
  if (retention !== undefined) hub.retention = retention;
  return { hub, issues: [] };
}

/**
 * Validates a parsed config file (or the app's hub list wrapped as `{hubs}`). On success the
 * config is a fresh copy holding only known fields; on failure every issue is listed. An empty
 * `hubs` array is a valid config: whether that is acceptable is the caller's decision.
 */
export function validateConfig(input: unknown): ConfigValidationResult {
  if (!isRecord(input)) {
    return {
      ok: false,
      errors: [
        { hubId: null, index: null, field: 'config', message: 'must be a JSON object with a "hubs" array' },
      ],
    };
  }
  const errors: ConfigIssue[] = [];
  for (const key of Object.keys(input)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      errors.push({
        hubId: null,
        index: null,
        field: key,
        message: unknownFieldMessage(key, TOP_LEVEL_KEYS),
      });
    }
  }
  const schema = input['$schema'];
  if (schema !== undefined && typeof schema !== 'string') {
    errors.push({ hubId: null, index: null, field: '$schema', message: 'must be a string' });
  }
  const hubsValue = input['hubs'];
  if (!Array.isArray(hubsValue)) {
    errors.push({
      hubId: null,
      index: null,
      field: 'hubs',
      message: hubsValue === undefined ? 'required (an array of hubs)' : 'must be an array of hubs',
    });
    return { ok: false, errors };
  }
  const hubs: HubConfig[] = [];
  const firstIndexById = new Map<string, number>();
  (hubsValue as unknown[]).forEach((value, index) => {
    const { hub, issues } = checkHub(value, index, firstIndexById);
    if (hub !== null) hubs.push(hub);
    errors.push(...issues);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: { hubs } };
}

/** One issue as a line: `hub "bots" (hubs[0]): auth.token: required for bearer auth`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  let where = '';
  if (issue.index !== null) {
    where =
      issue.hubId !== null
        ? `hub ${JSON.stringify(issue.hubId)} (hubs[${issue.index}]): `
        : `hubs[${issue.index}]: `;
  }
  return issue.field.length > 0 ? `${where}${issue.field}: ${issue.message}` : `${where}${issue.message}`;
}

/** Every issue, one line each (see `formatConfigIssue`). */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues.map(formatConfigIssue).join('\n');
}
