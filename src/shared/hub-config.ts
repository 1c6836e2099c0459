/**
 * The hub configuration: the JSON users write for `hubwatch capture --config`, and the
 * objects the desktop app keeps in its settings. Stable contract (see docs/architecture.md). The
 * config's shape is its valibot schema (hub-config-schema.ts); the types here derive from it.
 */
import type { InferOutput } from 'valibot';
import type { FieldMapSchema, HubConfigSchema, SecretValueSchema } from './hub-config-schema';

export { DIALECT_IDS, type DialectId } from './dialect-catalog';

/** The transports a hub can use. */
export const TRANSPORTS = ['sse', 'websocket'] as const;

export type TransportKind = (typeof TRANSPORTS)[number];

/**
 * A secret: the value itself, an environment variable, or a reference into the app's
 * secure store. Settings on disk only ever hold the `{ secret }` form.
 */
export type SecretValue = InferOutput<typeof SecretValueSchema>;

/** Every auth type, in the order the UI offers them. */
export const AUTH_TYPES = ['none', 'bearer', 'header', 'query', 'backendai'] as const;

export type AuthType = (typeof AUTH_TYPES)[number];

/** The fields of each auth type other than `type` and its secret. */
export interface AuthPlainFields {
  none: object;
  bearer: object;
  header: { name: string };
  query: { param: string };
  backendai: { accessKey: string; apiVersion?: string };
}

/**
 * Which key of each auth type holds its secret (`null`: it has none). The one place this is
 * said: resolving, redacting, storing, showing and validating secrets all go through it
 * (`mapAuthSecret`, `secretOf`, `secretFieldOf`), so a new auth type declares its secret here.
 */
export const AUTH_SECRET_KEYS = {
  none: null,
  bearer: 'token',
  header: 'value',
  query: 'value',
  backendai: 'secretKey',
} as const satisfies { readonly [T in AuthType]: string | null };

type SecretKeyOf<T extends AuthType> = NonNullable<(typeof AUTH_SECRET_KEYS)[T]>;

type AuthParts<T extends AuthType, S> = { type: T } & AuthPlainFields[T] & Record<SecretKeyOf<T>, S>;

/** One auth type's object, its secret in the form `S`. */
export type AuthOf<T extends AuthType, S> = { [K in keyof AuthParts<T, S>]: AuthParts<T, S>[K] };

/** An auth whose secret takes the form `S`: a config's value, or what the UI may see of it. */
export type AuthWith<S> = { [T in AuthType]: AuthOf<T, S> }[AuthType];

export type AuthConfig = AuthWith<SecretValue>;

/** Where an auth keeps its secret, by path (`auth.token`…). */
export type SecretField = { [T in AuthType]: `auth.${SecretKeyOf<T>}` }[AuthType];

/** Every secret field, once each. */
export const SECRET_FIELDS: readonly SecretField[] = [
  ...new Set(
    Object.values(AUTH_SECRET_KEYS).flatMap((key) => (key === null ? [] : [`auth.${key}` as SecretField])),
  ),
];

/** The secret field of an auth type, or null for one without a secret (`none`). */
export function secretFieldOf(type: AuthType): SecretField | null {
  const key: string | null = AUTH_SECRET_KEYS[type];
  return key === null ? null : (`auth.${key}` as SecretField);
}

/** The secret of an auth, or null when it has none. */
export function secretOf<S>(auth: AuthWith<S> | undefined): S | null {
  if (auth === undefined) return null;
  const key: string | null = AUTH_SECRET_KEYS[auth.type];
  return key === null ? null : ((auth as Record<string, unknown>)[key] as S);
}

/**
 * The same auth with its secret replaced by `map(secret, field)`; every other field is
 * copied as it is. An auth without a secret comes back as a copy, `map` never called.
 */
export function mapAuthSecret<A, B>(
  auth: AuthWith<A>,
  map: (secret: A, field: SecretField) => B,
): AuthWith<B> {
  const key: string | null = AUTH_SECRET_KEYS[auth.type];
  if (key === null) return { ...auth } as AuthWith<B>;
  const secret = (auth as Record<string, unknown>)[key] as A;
  return { ...auth, [key]: map(secret, `auth.${key}` as SecretField) } as AuthWith<B>;
}

/** An auth of type `type` made of its other fields and its secret (ignored by a type without one). */
export function authOf<T extends AuthType, S>(
  type: T,
  fields: AuthPlainFields[T],
  secret: S,
): Extract<AuthWith<S>, { type: T }> {
  const key: string | null = AUTH_SECRET_KEYS[type];
  const auth = key === null ? { type, ...fields } : { type, ...fields, [key]: secret };
  return auth as unknown as Extract<AuthWith<S>, { type: T }>;
}

/** Where the `generic` dialect finds the record's fields in a JSON payload (dotted paths). */
export type FieldMap = InferOutput<typeof FieldMapSchema>;

/** One configured hub (each field is described in hub-config-schema.ts). */
export type HubConfig = InferOutput<typeof HubConfigSchema>;

/** The whole config file. */
export interface HubwatchConfig {
  hubs: HubConfig[];
}

/** The transport a hub uses once defaults are applied. */
export function effectiveTransport(hub: Pick<HubConfig, 'transport' | 'url'>): TransportKind {
  if (hub.transport) return hub.transport;
  return /^wss?:/i.test(hub.url) ? 'websocket' : 'sse';
}

/** True when a secret value is set in any form. */
export function isSecretSet(value: SecretValue | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return value.length > 0;
  return true;
}
