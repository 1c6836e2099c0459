/**
 * The hub configuration: the JSON users write for `hubwatch capture --config`, and the
 * objects the desktop app keeps in its settings. Stable contract (see DESIGN.md).
 */

/** The hub kinds Hubwatch speaks. */
export type DialectId = 'bot-hub' | 'protocube' | 'evoclaw' | 'rdev' | 'backendai' | 'generic';

export const DIALECT_IDS: readonly DialectId[] = [
  'bot-hub',
  'protocube',
  'evoclaw',
  'rdev',
  'backendai',
  'generic',
];

export type TransportKind = 'sse' | 'websocket';

/**
 * A secret: the value itself, an environment variable, or a reference into the app's
 * secure store. Settings on disk only ever hold the `{ secret }` form.
 */
export type SecretValue = string | { env: string } | { secret: string };

/** An auth whose secret takes the form `S`: a config's value, or what the UI may see of it. */
export type AuthWith<S> =
  | { type: 'none' }
  | { type: 'bearer'; token: S }
  | { type: 'header'; name: string; value: S }
  | { type: 'query'; param: string; value: S }
  | { type: 'backendai'; accessKey: string; secretKey: S; apiVersion?: string };

export type AuthConfig = AuthWith<SecretValue>;

/** Where an auth keeps its secret, by path. */
export type SecretField = 'auth.token' | 'auth.value' | 'auth.secretKey';

/** The secret field of an auth type, or null for `none`. */
export function secretFieldOf(type: AuthConfig['type']): SecretField | null {
  switch (type) {
    case 'bearer':
      return 'auth.token';
    case 'header':
    case 'query':
      return 'auth.value';
    case 'backendai':
      return 'auth.secretKey';
    default:
      return null;
  }
}

/** The secret of an auth, or null when it has none. */
export function secretOf<S>(auth: AuthWith<S> | undefined): S | null {
  switch (auth?.type) {
    case 'bearer':
      return auth.token;
    case 'header':
    case 'query':
      return auth.value;
    case 'backendai':
      return auth.secretKey;
    default:
      return null;
  }
}

/** Where the `generic` dialect finds the record's fields in a JSON payload (dotted paths). */
export interface FieldMap {
  time?: string;
  level?: string;
  message?: string;
  source?: string;
  event?: string;
  /** Path of the entity id; the entity type comes from `entityType`. */
  entity?: string;
  entityType?: string;
}

/** One configured hub. */
export interface HubConfig {
  /** Unique, stable id: `[A-Za-z0-9._-]`, 1–64 characters. */
  id: string;
  /** Display name; defaults to the id. */
  name?: string;
  dialect: DialectId;
  /** `sse` by default, `websocket` by default when the URL is `ws:`/`wss:`. */
  transport?: TransportKind;
  url: string;
  auth?: AuthConfig;
  /** Extra request headers (also on the WebSocket upgrade). */
  headers?: Record<string, string>;
  /** `false` keeps the hub configured but disconnected. */
  enabled?: boolean;
  /** evoclaw: the polling fallback URL; defaults to `/api/status` next to the stream. */
  pollUrl?: string;
  /** evoclaw: polling interval while the stream is failing, seconds (default 30). */
  pollIntervalSec?: number;
  /** rdev: the project id. */
  project?: string;
  /** rdev: a command to start (POST …/shell) and then follow. */
  command?: string;
  /** rdev: an existing stream to follow. */
  streamId?: string;
  /** generic: where the fields are. */
  fields?: FieldMap;
  /** Silence watchdog: reconnect after this many seconds without a byte (0 = off). */
  silenceTimeoutSec?: number;
  /** How many events the app keeps in memory for this hub. */
  retention?: number;
}

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
