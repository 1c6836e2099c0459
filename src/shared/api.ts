/**
 * The API the UI uses: request/response calls and pushed events, as typed maps. The
 * Electron preload (over IPC) and `hubwatch serve` (over a WebSocket) both carry it, and
 * one engine-side session implements it, so the renderer cannot tell which one it talks to.
 * Secret values never travel here: the UI sends new ones write-only and sees only whether
 * one is set.
 */
import type { Alert, AlertRule } from './alerts';
import type { ConnectionState, HubStats } from './connection-state';
import type { EntityState } from './entities';
import type { ListRow } from './event-row';
import type { FilterSpec } from './filter';
import type { AuthConfig, AuthWith, DialectId, HubConfig, SecretField, TransportKind } from './hub-config';
import type { EntityType, HubEvent } from './hub-event';

/** Facts about the running backend. */
export interface AppInfo {
  version: string;
  /** `electron` for the desktop app, `browser` for `hubwatch serve`. */
  mode: 'electron' | 'browser';
  platform: string;
  /** Where secrets entered in the UI are kept, in words for the operator. */
  secretStorage: {
    /** `encrypted` (OS store), `memory` (serve: gone when it stops), `unavailable` (ask before storing). */
    kind: 'encrypted' | 'memory' | 'unavailable';
    detail: string;
  };
  /** True until the operator has configured a hub or started the demo. */
  firstRun: boolean;
  demoRunning: boolean;
}

/** How the UI sees a secret: never its value. */
export type SecretView = { kind: 'env'; env: string } | { kind: 'stored'; set: boolean };

/** The auth of a hub as the UI sees it (secret values replaced by `SecretView`). */
export type AuthView = AuthWith<SecretView>;

/** A hub config as the UI sees and edits it. */
export type HubConfigView = Omit<HubConfig, 'auth'> & { auth?: AuthView };

export type { SecretField };

/**
 * A hub to save: its config as the UI edits it, plus new secret values (write-only):
 * a string sets or replaces the secret, `null` clears it, an absent field keeps it.
 * A `SecretView` of kind `env` in `hub.auth` keeps referring to that variable.
 */
export interface HubSaveRequest {
  hub: HubConfigView;
  secrets?: Partial<Record<SecretField, string | null>>;
  /** The id the hub had before this edit, when it is renamed. */
  previousId?: string;
  /** A new hub: refused (field `id`) when a hub with this id exists, instead of replacing it. */
  create?: boolean;
}

/** One hub: config, live state and counters. */
export interface HubSummary {
  id: string;
  name: string;
  dialect: DialectId;
  transport: TransportKind;
  /** The URL with any credential in it masked. */
  url: string;
  enabled: boolean;
  state: ConnectionState;
  stats: HubStats;
  /** Events per second over the last seconds. */
  rate: number;
  muted: boolean;
  config: HubConfigView;
}

/** "Test connection": what was sent, what came back, and what it probably means. */
export interface ProbeReport {
  request: { method: string; url: string; headers: Record<string, string> };
  status: number | null;
  statusText: string | null;
  responseHeaders: Record<string, string>;
  frames: string[];
  durationMs: number;
  outcome: 'ok' | 'failed';
  /** Plain-language explanation and what to do. */
  hint: string;
}

/** A view's state, pushed while it changes. */
export interface ViewUpdate {
  viewId: string;
  /** Bumped when indexes shift (rescan, compaction): re-read rows. */
  version: number;
  total: number;
  scanning: boolean;
  progress: number;
  /** Matches added since the previous update. */
  appended: number;
  /** The newest rows (at most `tailSize` of the view), for following the tail without a call. */
  tail: ListRow[];
  /** Index of `tail[0]`. */
  tailStart: number;
}

/** One event for the detail pane: the record, and its payload as JSON text. */
export interface EventDetail {
  event: HubEvent;
  /**
   * `event.data` as JSON text with every number spelled as the hub sent it (a double turns
   * 12345678901234567890 into 12345678901234567000 and 1e400 into null); read it with
   * `parseExactJson`. `null` when the payload is not JSON (or is a gap marker's).
   */
  dataText: string | null;
}

export interface SavedFilter {
  name: string;
  filter: FilterSpec;
}

export type ExportFormat = 'ndjson' | 'csv' | 'text';

export interface ExportRequest {
  format: ExportFormat;
  /** The filter to apply (a tab's current filter), or `{}` for everything. */
  filter: FilterSpec;
  /**
   * Also apply the credential patterns (`?token=`, `Bearer …`, signatures) to the payloads,
   * not only to messages (default false: `data` stays as received, known secrets aside).
   */
  scrub?: boolean;
}

export interface ExportProgress {
  exportId: string;
  /** Events written so far. */
  written: number;
  /**
   * Events evicted from memory (the retention limit) before the export could write them:
   * the file has a gap marker where they are missing. `written + evicted` reaches `total`.
   */
  evicted: number;
  /** Events the export will write, when known up front (everything, or one hub's all); else null. */
  total: number | null;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** Where the file went (desktop), or the URL to download it from (browser). */
  file: string | null;
  downloadUrl: string | null;
  error: string | null;
  bytes: number;
}

/** What the UI remembers between runs (the desktop app keeps it in its settings). */
export interface UiSettings {
  /** Tab order by hub id; hubs not listed go last. */
  tabOrder: string[];
  /** The tab shown on the right in split view, or null. */
  splitTab: string | null;
  theme: 'system' | 'light' | 'dark';
  /** Per-tab filters, by tab id (`all` or a hub id). */
  tabFilters: Record<string, FilterSpec>;
  /** Relative (`10 s ago`) or absolute times in the list. */
  timeFormat: 'absolute' | 'relative';
}

export const DEFAULT_UI_SETTINGS: UiSettings = {
  tabOrder: [],
  splitTab: null,
  theme: 'system',
  tabFilters: {},
  timeFormat: 'absolute',
};

/** Request/response calls: name → request and response types. */
export interface ApiCalls {
  'app.info': { req: null; res: AppInfo };
  'hubs.list': { req: null; res: HubSummary[] };
  'hubs.save': { req: HubSaveRequest; res: HubSummary };
  'hubs.remove': { req: { id: string }; res: null };
  'hubs.setEnabled': { req: { id: string; enabled: boolean }; res: null };
  'hubs.setPaused': { req: { paused: boolean }; res: null };
  'hubs.test': { req: HubSaveRequest; res: ProbeReport };
  'hubs.runCommand': { req: { id: string; command: string }; res: null };
  'demo.start': { req: null; res: HubSummary[] };
  'view.open': { req: { filter: FilterSpec; tailSize?: number }; res: ViewUpdate };
  'view.setFilter': { req: { viewId: string; filter: FilterSpec }; res: ViewUpdate };
  'view.rows': {
    req: { viewId: string; start: number; count: number };
    res: { version: number; total: number; rows: ListRow[] };
  };
  'view.indexOf': { req: { viewId: string; g: number }; res: number };
  /** Index of one event in a view (to show an alert's event), or -1 when the view does not hold it. */
  'view.indexOfEvent': { req: { viewId: string; hub: string; seq: number }; res: number };
  'view.close': { req: { viewId: string }; res: null };
  'events.get': { req: { hub: string; seq: number }; res: HubEvent | null };
  /** The record and its payload's text, for the detail pane. */
  'events.detail': { req: { hub: string; seq: number }; res: EventDetail | null };
  /** Event names seen so far, per hub (for the event-type picker). */
  'events.names': { req: { hubs?: string[] } | null; res: Record<string, string[]> };
  'entities.list': { req: { type?: EntityType } | null; res: EntityState[] };
  'alerts.list': { req: null; res: { alerts: Alert[]; muted: string[]; rules: AlertRule[] } };
  'alerts.setMuted': { req: { hub: string; muted: boolean }; res: null };
  'filters.list': { req: null; res: SavedFilter[] };
  'filters.save': { req: SavedFilter; res: SavedFilter[] };
  'filters.remove': { req: { name: string }; res: SavedFilter[] };
  'export.start': { req: ExportRequest; res: ExportProgress };
  'export.cancel': { req: { exportId: string }; res: null };
  'settings.get': { req: null; res: UiSettings };
  'settings.set': { req: Partial<UiSettings>; res: UiSettings };
}

/** Pushed events: name → payload type. */
export interface ApiPushes {
  /** Every hub, when states or counters changed (at most a few times a second). */
  hubs: HubSummary[];
  /** A view changed (new matches, rescan progress). */
  view: ViewUpdate;
  /** Entities changed since the previous push. */
  entities: { changed: EntityState[]; removed: string[] };
  /** An alert was raised, or absorbed more events (`isNew: false`). */
  alert: { alert: Alert; isNew: boolean };
  export: ExportProgress;
  /** Something the operator should read (settings moved aside, secure storage missing…). */
  notice: { level: 'info' | 'warn' | 'error'; message: string };
  /** Show this event (a notification was clicked). */
  focus: { hub: string; seq: number };
}

export type CallName = keyof ApiCalls;
export type PushName = keyof ApiPushes;
export type CallRequest<K extends CallName> = ApiCalls[K]['req'];
export type CallResponse<K extends CallName> = ApiCalls[K]['res'];

/** One pushed event on the wire; pushes travel in batches. */
export type PushMessage = { [K in PushName]: { name: K; payload: ApiPushes[K] } }[PushName];

/** A call that failed: the message is for the operator. */
export interface ApiError {
  message: string;
  /** The request field the error is about, when there is one. */
  field?: string;
}

/** The envelope a call's answer travels in, so errors arrive with their own words. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** What the renderer talks to: one object, two transports (IPC or WebSocket). */
export interface Backend {
  call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>>;
  /** Subscribes to pushed events (delivered in batches); returns the unsubscribe function. */
  onPush(listener: (batch: PushMessage[]) => void): () => void;
}

/**
 * What the preload exposes on `window.hubwatch`: the raw transport. The renderer wraps it
 * into a `Backend` (unwrapping `CallResult`), exactly as it wraps the serve WebSocket.
 */
export interface PreloadBridge {
  invoke(name: CallName, request: unknown): Promise<CallResult<unknown>>;
  onPush(listener: (batch: PushMessage[]) => void): () => void;
}

/** The name of the object the preload exposes on `window`. */
export const PRELOAD_GLOBAL = 'hubwatch';

/** A call error carrying the field it is about, for the UI to show next to it. */
export class ApiCallError extends Error {
  override name = 'ApiCallError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export type { AuthConfig };
