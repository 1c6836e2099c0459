/**
 * The dialect catalog: per hub kind, everything the config rules, the UI and the default
 * alert rules say about it — its label and blurbs, its transports, the config fields only it
 * reads, the auth new hubs start with, the event names it emits (from the seed API
 * documents), the URL placeholder and its default alert rules. Pure data: the tables the rest
 * of the app used to keep (dialect lists, WebSocket dialects, field owners, known events,
 * default auth, alert rules) are derived from it, so a new dialect is described here once and
 * a missing entry is a compile error.
 */
import type { AlertRule } from './alerts';
import type { FilterSpec } from './filter';
import type { AuthType, HubConfig, TransportKind } from './hub-config';

/** The hub kinds Hubwatch speaks. */
export type DialectId = 'bot-hub' | 'protocube' | 'evoclaw' | 'rdev' | 'backendai' | 'generic';

/**
 * Event names that mean a background task failed: the documented `tak_failed` typo, the
 * spelling it should have, and `task_fail` (named for finished tasks). `event` keeps the name
 * as received; entities and alerts test membership here.
 */
export const BACKENDAI_TASK_FAILED_EVENT_NAMES = ['task_failed', 'tak_failed', 'task_fail'] as const;

/** Event names that mean a background task was cancelled (`task_cancel` is named for finished tasks). */
export const BACKENDAI_TASK_CANCELLED_EVENT_NAMES = ['task_cancelled', 'task_cancel'] as const;

/** Backend.AI's session lifecycle events, in the order a session goes through them. */
export const BACKENDAI_SESSION_EVENT_NAMES = [
  'session_preparing',
  'session_pulling',
  'session_creating',
  'session_started',
  'session_terminated',
] as const;

/** The config keys a single dialect reads (any other dialect's hub must not have them). */
export type DialectOnlyField = Extract<
  keyof HubConfig,
  'pollUrl' | 'pollIntervalSec' | 'project' | 'command' | 'streamId' | 'fields'
>;

/** A default alert rule of one dialect; its filter's `dialects` is that dialect. */
export interface DialectAlertRule extends Omit<AlertRule, 'match'> {
  match: Omit<FilterSpec, 'dialects'>;
}

/** What the catalog says about one dialect. */
export interface DialectEntry {
  /** The name the UI shows. */
  label: string;
  /** One line under the hub editor's Kind: what it is and how it connects. */
  hint: string;
  /** One line on the welcome screen: what it shows. */
  welcome: string;
  /** The transports it speaks; the first is the default (`websocket` also for ws:/wss: URLs). */
  transports: readonly [TransportKind, ...TransportKind[]];
  /** Config fields only this dialect reads. */
  fields: readonly DialectOnlyField[];
  /** The auth a new hub of this kind starts with (`name`: the header of header auth). */
  defaultAuth: { type: AuthType; name?: string };
  /** The event names it emits, offered in the filter before they are seen. */
  events: readonly string[];
  /** The hub editor's label for `url`. */
  urlLabel: string;
  /** The hub editor's example URL for each transport it speaks ('' when the form builds the URL). */
  urlPlaceholder: { readonly [T in TransportKind]?: string } & { sse: string };
  /** The alert rules every installation starts with. */
  alertRules: readonly DialectAlertRule[];
}

/** Every dialect, in the order the UI offers them. */
export const DIALECT_CATALOG = {
  'bot-hub': {
    label: 'Bot hub',
    hint: 'game-bot logger: SSE GET /events, bearer or ?token=',
    welcome: 'game-bot logs and bot snapshots',
    transports: ['sse'],
    fields: [],
    defaultAuth: { type: 'bearer' },
    events: ['log', 'session'],
    urlLabel: 'Stream URL',
    urlPlaceholder: { sse: 'http://host:8090/events' },
    alertRules: [],
  },
  protocube: {
    label: 'Protocube',
    hint: 'server event bus: SSE /api/events or WebSocket /api/events/ws, bearer',
    welcome: 'server status, crashes, deletions — SSE or WebSocket',
    transports: ['sse', 'websocket'],
    fields: [],
    defaultAuth: { type: 'bearer' },
    events: ['status', 'crash', 'deleted'],
    urlLabel: 'Stream URL',
    urlPlaceholder: { sse: 'http://host:9000/api/events', websocket: 'ws://host:9000/api/events/ws' },
    alertRules: [
      {
        id: 'protocube-crash',
        name: 'Server crashed',
        enabled: true,
        match: { events: ['crash'] },
        title: 'Server {entity} crashed on {hub}',
        coalesceMs: 30_000,
        severity: 'error',
      },
    ],
  },
  evoclaw: {
    label: 'EvoClaw',
    hint: 'agent platform: SSE /api/logs/stream with a polling fallback',
    welcome: 'agent logs, with a polling fallback',
    transports: ['sse'],
    fields: ['pollUrl', 'pollIntervalSec'],
    defaultAuth: { type: 'none' },
    events: ['message', 'status'],
    urlLabel: 'Stream URL',
    urlPlaceholder: { sse: 'http://host:8420/api/logs/stream' },
    alertRules: [],
  },
  rdev: {
    label: 'rdev',
    hint: 'remote shell: runs a command (or follows a stream) and streams its output',
    welcome: 'remote shell commands, stdout/stderr and exit codes',
    transports: ['sse'],
    fields: ['project', 'command', 'streamId'],
    defaultAuth: { type: 'header', name: 'X-API-Key' },
    events: ['connected', 'output', 'complete', 'heartbeat', 'error'],
    urlLabel: 'Server URL',
    urlPlaceholder: { sse: 'http://host:8080' },
    alertRules: [
      {
        id: 'rdev-nonzero-exit',
        name: 'Command failed',
        enabled: true,
        match: { events: ['complete'], where: 'data.exit_code != 0' },
        title: 'Command {entity} on {hub} exited non-zero',
        coalesceMs: 30_000,
        severity: 'error',
      },
    ],
  },
  backendai: {
    label: 'Backend.AI',
    hint: 'compute sessions and background tasks, HMAC-signed keypair',
    welcome: 'compute sessions and background tasks, HMAC-signed',
    transports: ['sse'],
    fields: [],
    defaultAuth: { type: 'backendai' },
    events: [
      ...BACKENDAI_SESSION_EVENT_NAMES,
      'task_updated',
      'task_done',
      ...BACKENDAI_TASK_FAILED_EVENT_NAMES,
      ...BACKENDAI_TASK_CANCELLED_EVENT_NAMES,
      'server_close',
    ],
    urlLabel: 'Stream URL',
    urlPlaceholder: { sse: '' },
    alertRules: [
      {
        id: 'backendai-session-terminated',
        name: 'Session terminated',
        enabled: true,
        match: { events: ['session_terminated'] },
        title: 'Session {entity} terminated on {hub}',
        coalesceMs: 30_000,
        severity: 'warn',
      },
      {
        id: 'backendai-task-failed',
        name: 'Background task failed',
        enabled: true,
        match: { events: [...BACKENDAI_TASK_FAILED_EVENT_NAMES] },
        title: 'Background task {entity} failed on {hub}',
        coalesceMs: 30_000,
        severity: 'error',
      },
    ],
  },
  generic: {
    label: 'Generic',
    hint: 'any SSE or WebSocket JSON stream, with a field map',
    welcome: 'any SSE or WebSocket JSON stream',
    transports: ['sse', 'websocket'],
    fields: ['fields'],
    defaultAuth: { type: 'none' },
    events: [],
    urlLabel: 'Stream URL',
    urlPlaceholder: { sse: 'https://example.test/stream', websocket: 'https://example.test/stream' },
    alertRules: [],
  },
} as const satisfies Record<DialectId, DialectEntry>;

/** Every dialect id, in the catalog's order. */
export const DIALECT_IDS: readonly DialectId[] = Object.keys(DIALECT_CATALOG) as DialectId[];

/** The catalog entry of a dialect, typed as the general entry (not its literal). */
export function dialectEntry(id: DialectId): DialectEntry {
  return DIALECT_CATALOG[id];
}

/** The dialects that may use a WebSocket, in catalog order. */
export const WEBSOCKET_DIALECTS: readonly DialectId[] = DIALECT_IDS.filter((id) =>
  dialectEntry(id).transports.includes('websocket'),
);

/** Which dialect reads each dialect-only config field. */
export const DIALECT_FIELD_OWNERS: Readonly<Partial<Record<DialectOnlyField, DialectId>>> =
  Object.fromEntries(DIALECT_IDS.flatMap((id) => dialectEntry(id).fields.map((field) => [field, id])));

/** The alert rules every installation starts with: each dialect's, in catalog order. */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = DIALECT_IDS.flatMap((id) =>
  dialectEntry(id).alertRules.map((rule): AlertRule => ({
    ...rule,
    match: { dialects: [id], ...rule.match },
  })),
);
