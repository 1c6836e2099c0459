/**
 * The hub config file as a valibot schema: the source of the `HubConfig` types, of the keys
 * `validateConfig` knows, and of `hubwatch.schema.json` (the JSON Schema editors complete
 * and check a config file with; see src/main/hub-config-json-schema.ts).
 *
 * It says what a config's structure is — every field's type, enum, pattern and range. The
 * rules across fields (a field of another dialect, rdev's project and command, the entity
 * pair of a field map, WebSocket dialects, duplicate ids) and the operator's messages are
 * `validateConfig`'s: a config this schema refuses, `validateConfig` refuses too, at the same
 * field (test/unit/shared/hub-config-schema.test.ts).
 */
import * as v from 'valibot';
import {
  AUTH_SECRET_KEYS,
  AUTH_TYPES,
  DIALECT_IDS,
  TRANSPORTS,
  type AuthType,
  type AuthWith,
  type SecretValue,
} from './hub-config';
import { WEBSOCKET_DIALECTS } from './dialect-catalog';
import { ENTITY_TYPES } from './hub-event';
import { closedObject, plain, type Assert, type PlainSchema, type Same } from './schema-parts';

/** `[A-Za-z0-9._-]`, 1–64 characters. */
export const HUB_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** RFC 9110 token characters. */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The schemas of each auth type's fields besides `type` and its secret. */
export type AuthPlainEntries = { readonly [T in AuthType]: v.ObjectEntries };

type SecretKeyOf<T extends AuthType> = NonNullable<(typeof AUTH_SECRET_KEYS)[T]>;

type AuthOptionSchema<
  T extends AuthType,
  P extends AuthPlainEntries,
  S extends v.GenericSchema,
> = v.StrictObjectSchema<
  { type: v.LiteralSchema<T, undefined> } & P[T] & { [K in SecretKeyOf<T>]: S },
  (issue: v.StrictObjectIssue) => string
>;

/** One option schema per auth type, in `AUTH_TYPES` order (a tuple, as `v.variant` takes). */
type AuthOptionTuple<
  Types extends readonly AuthType[],
  P extends AuthPlainEntries,
  S extends v.GenericSchema,
> = {
  -readonly [I in keyof Types]: AuthOptionSchema<Types[I] & AuthType, P, S>;
};

type AuthOptionSchemas<P extends AuthPlainEntries, S extends v.GenericSchema> = AuthOptionTuple<
  typeof AUTH_TYPES,
  P,
  S
>;

/**
 * The entries of an auth of type `type`: its secret checked by `secret` (under the key
 * `AUTH_SECRET_KEYS` names) and its other fields by `plainEntries`. In the order the
 * operator reads them: `type`, the required fields, the secret, the optional fields.
 */
function authEntries(
  type: AuthType,
  plainEntries: AuthPlainEntries,
  secret: v.GenericSchema,
): v.ObjectEntries {
  const key: string | null = AUTH_SECRET_KEYS[type];
  const fields = Object.entries(plainEntries[type]);
  const isOptional = ([, schema]: [string, v.GenericSchema]) => schema.type === 'optional';
  return {
    type: v.literal(type),
    ...Object.fromEntries(fields.filter((entry) => !isOptional(entry))),
    ...(key === null ? {} : { [key]: secret }),
    ...Object.fromEntries(fields.filter(isOptional)),
  };
}

/** An auth of any type (see `authEntries`), told apart by its `type`. */
export function authSchema<const P extends AuthPlainEntries, const S extends v.GenericSchema>(
  plainEntries: P,
  secret: S,
): PlainSchema<v.VariantSchema<'type', AuthOptionSchemas<P, S>, string>> {
  const options = AUTH_TYPES.map((type) => closedObject(authEntries(type, plainEntries, secret)));
  return plain(
    v.variant(
      'type',
      options as unknown as AuthOptionSchemas<P, S>,
      `must be one of ${AUTH_TYPES.join(', ')}`,
    ),
  );
}

const nonEmpty = v.pipe(v.string(), v.regex(/\S/));
/** Non-empty, without CR, LF or NUL (they would split or end a header line). */
const headerSafe = v.pipe(v.string(), v.regex(/^[^\r\n\0]*[^\s\0][^\r\n\0]*$/));
const number = v.pipe(v.number(), v.finite());

/** A secret: the value itself, an environment variable, or a reference into the app's secure store. */
export const SecretValueSchema = v.pipe(
  v.union([
    headerSafe,
    closedObject({ env: v.pipe(v.string(), v.regex(ENV_NAME_PATTERN)) }),
    closedObject({ secret: nonEmpty }),
  ]),
  v.description(
    'A secret: the value itself, {"env": "NAME"} (an environment variable) or {"secret": "REF"} (the desktop app\'s secure store).',
  ),
);

/** Each auth type's fields in a config file. */
const CONFIG_AUTH_FIELDS = {
  none: {},
  bearer: {},
  header: { name: v.pipe(v.string(), v.regex(HEADER_NAME_PATTERN), v.description('The header name.')) },
  query: { param: v.pipe(nonEmpty, v.description('The query parameter.')) },
  backendai: {
    accessKey: v.pipe(headerSafe, v.description('The keypair access key.')),
    apiVersion: v.optional(
      v.pipe(headerSafe, v.description('X-BackendAI-Version to sign with (default v4.20190615).')),
    ),
  },
} as const satisfies AuthPlainEntries;

/** The keys each auth type has in a config file, in order. */
export const AUTH_CONFIG_KEYS: Readonly<Record<AuthType, readonly string[]>> = {
  none: configAuthKeys('none'),
  bearer: configAuthKeys('bearer'),
  header: configAuthKeys('header'),
  query: configAuthKeys('query'),
  backendai: configAuthKeys('backendai'),
};

function configAuthKeys(type: AuthType): string[] {
  return Object.keys(authEntries(type, CONFIG_AUTH_FIELDS, SecretValueSchema));
}

export const AuthConfigSchema = v.pipe(
  authSchema(CONFIG_AUTH_FIELDS, SecretValueSchema),
  v.description(
    'How to authenticate: none, bearer {token}, header {name, value}, query {param, value}, backendai {accessKey, secretKey, apiVersion?}.',
  ),
);

/** The entries of the generic dialect's field map. */
export const FIELD_MAP_ENTRIES = {
  time: v.optional(v.pipe(nonEmpty, v.description('Dotted path of the event time.'))),
  level: v.optional(v.pipe(nonEmpty, v.description('Dotted path of the level.'))),
  message: v.optional(v.pipe(nonEmpty, v.description('Dotted path of the message.'))),
  source: v.optional(v.pipe(nonEmpty, v.description('Dotted path of the source (component).'))),
  event: v.optional(v.pipe(nonEmpty, v.description('Dotted path of the event name.'))),
  entity: v.optional(
    v.pipe(nonEmpty, v.description('Dotted path of the entity id; its type is `entityType`.')),
  ),
  entityType: v.optional(
    v.pipe(v.picklist(ENTITY_TYPES), v.description('The type of the entity `entity` names.')),
  ),
};

export const FieldMapSchema = v.pipe(
  plain(closedObject(FIELD_MAP_ENTRIES)),
  v.description('generic: where the fields are in a JSON payload (dotted paths).'),
);

/** The entries of one hub, in the order `validateConfig` checks them. */
export const HUB_CONFIG_ENTRIES = {
  id: v.pipe(
    v.string(),
    v.regex(HUB_ID_PATTERN),
    v.description('Unique, stable id: letters, digits, ".", "_" or "-", 1–64 characters.'),
  ),
  name: v.optional(v.pipe(nonEmpty, v.description('Display name; defaults to the id.'))),
  dialect: v.pipe(v.picklist(DIALECT_IDS), v.description('The kind of hub.')),
  transport: v.optional(
    v.pipe(
      v.picklist(TRANSPORTS),
      v.description(
        `\`sse\` by default, \`websocket\` by default when the URL is ws:/wss: (${WEBSOCKET_DIALECTS.join(' and ')} only).`,
      ),
    ),
  ),
  url: v.pipe(
    v.string(),
    v.regex(/^(?:[Hh][Tt][Tt][Pp][Ss]?|[Ww][Ss][Ss]?):\S/),
    v.description("The stream (http, https, ws or wss); for rdev the server's base URL."),
  ),
  auth: v.optional(AuthConfigSchema),
  headers: v.optional(
    v.pipe(
      plain(
        v.record(
          v.pipe(v.string(), v.regex(HEADER_NAME_PATTERN)),
          v.pipe(v.string(), v.regex(/^[^\r\n\0]*$/)),
        ),
      ),
      v.description('Extra request headers (also on the WebSocket upgrade).'),
    ),
  ),
  enabled: v.optional(
    v.pipe(v.boolean(), v.description('`false` keeps the hub configured but disconnected.')),
  ),
  pollUrl: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[Hh][Tt][Tt][Pp][Ss]?:\S/),
      v.description('evoclaw: the polling fallback URL; defaults to /api/status next to the stream.'),
    ),
  ),
  pollIntervalSec: v.optional(
    v.pipe(
      number,
      v.gtValue(0),
      v.description('evoclaw: polling interval while the stream fails, seconds (default 30).'),
    ),
  ),
  project: v.optional(v.pipe(nonEmpty, v.description('rdev: the project id.'))),
  command: v.optional(
    v.pipe(nonEmpty, v.description('rdev: a command to start (POST …/shell) and then follow.')),
  ),
  streamId: v.optional(v.pipe(nonEmpty, v.description('rdev: an existing stream to follow.'))),
  fields: v.optional(FieldMapSchema),
  silenceTimeoutSec: v.optional(
    v.pipe(
      number,
      v.minValue(0),
      v.description(
        'Reconnect after this many seconds without a byte (0 = off; default: evoclaw 20, rdev 60, others off).',
      ),
    ),
  ),
  retention: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1),
      v.description('How many events the app keeps in memory for this hub (default 100,000).'),
    ),
  ),
};

export const HubConfigSchema = v.pipe(plain(closedObject(HUB_CONFIG_ENTRIES)), v.description('One hub.'));

/** The entries of the whole file. */
export const CONFIG_FILE_ENTRIES = {
  hubs: v.pipe(v.array(HubConfigSchema), v.description('The hubs to connect to.')),
  $schema: v.optional(v.pipe(v.string(), v.description("Where this file's JSON Schema is, for editors."))),
};

/** A config file: `hubwatch capture --config FILE`, `hubwatch serve --config FILE`. */
export const HubwatchConfigFileSchema = v.pipe(
  plain(closedObject(CONFIG_FILE_ENTRIES)),
  v.title('Hubwatch hub config'),
  v.description('The hubs Hubwatch connects to (hubwatch capture/serve --config FILE).'),
);

/** Compile-time: the schema's auths are the ones `AuthWith` declares. */
type _AuthSchemaIsAuthWith = Assert<Same<v.InferOutput<typeof AuthConfigSchema>, AuthWith<SecretValue>>>;
