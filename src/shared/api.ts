/**
 * The API the UI uses: request/response calls and pushed events, as typed maps. The
 * Electron preload (over IPC) and `hubwatch serve` (over a WebSocket) both carry it, and
 * one engine-side session implements it, so the renderer cannot tell which one it talks to.
 * Secret values never travel here: the UI sends new ones write-only and sees only whether
 * one is set.
 */
import type { InferOutput } from 'valibot';
import type { Alert, AlertRule } from './alerts';
import type {
  AuthViewSchema,
  ExportRequestSchema,
  HubConfigViewSchema,
  HubSaveRequestSchema,
  REQUEST_SCHEMAS,
  SavedFilterSchema,
  SecretViewSchema,
  UiSettingsSchema,
} from './api-schema';
import type { ConnectionState, HubStats } from './connection-state';
import type { EntityState } from './entities';
import type { ListRow } from './event-row';
import type { ExportFormatId } from './export-formats';
import type { AuthConfig, DialectId, SecretField, TransportKind } from './hub-config';
import type { HubEvent } from './hub-event';

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
export type SecretView = InferOutput<typeof SecretViewSchema>;

/** The auth of a hub as the UI sees it (secret values replaced by `SecretView`). */
export type AuthView = InferOutput<typeof AuthViewSchema>;

/** A hub config as the UI sees and edits it. */
export type HubConfigView = InferOutput<typeof HubConfigViewSchema>;

export type { SecretField };

/** A hub to save: its config as the UI edits it, plus new secret values (see api-schema.ts). */
export type HubSaveRequest = InferOutput<typeof HubSaveRequestSchema>;

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

export type SavedFilter = InferOutput<typeof SavedFilterSchema>;

/** An export format's id (the formats are described in export-formats.ts). */
export type ExportFormat = ExportFormatId;

/** An export: its format, its filter and whether to scrub payloads (see api-schema.ts). */
export type ExportRequest = InferOutput<typeof ExportRequestSchema>;

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

/** The UI's themes. */
export const THEMES = ['system', 'light', 'dark'] as const;

/** How the list shows times: `absolute` (a clock) or `relative` (`10 s ago`). */
export const TIME_FORMATS = ['absolute', 'relative'] as const;

/** What the UI remembers between runs (the desktop app keeps it in its settings). */
export type UiSettings = InferOutput<typeof UiSettingsSchema>;

export const DEFAULT_UI_SETTINGS: UiSettings = {
  tabOrder: [],
  splitTab: null,
  theme: 'system',
  tabFilters: {},
  timeFormat: 'absolute',
};

/** The persistent history as the UI and `hubwatch history --stats` show it. */
export interface HistoryStatus {
  dir: string;
  /** `failing`: writing fails (the message says why); events are kept in memory meanwhile. */
  state: 'ok' | 'failing';
  message: string | null;
  bytes: number;
  events: number;
  /** Earliest and latest receive time held (epoch ms), or null when empty. */
  first: number | null;
  last: number | null;
  maxAgeMs: number;
  maxBytes: number;
  /** Records waiting to be written. */
  backlog: number;
}

/** Whether this workspace keeps a history, and its state; `problem` says why one is off. */
export type HistoryInfo =
  ({ enabled: true; problem: null } & HistoryStatus) | { enabled: false; problem: string | null };

/** The request a call takes: its schema's output (api-schema.ts). */
type RequestOf<K extends keyof typeof REQUEST_SCHEMAS> = InferOutput<(typeof REQUEST_SCHEMAS)[K]>;

/** Request/response calls: name → request and response types. */
export interface ApiCalls {
  'app.info': { req: RequestOf<'app.info'>; res: AppInfo };
  'hubs.list': { req: RequestOf<'hubs.list'>; res: HubSummary[] };
  'hubs.save': { req: RequestOf<'hubs.save'>; res: HubSummary };
  'hubs.remove': { req: RequestOf<'hubs.remove'>; res: null };
  'hubs.setEnabled': { req: RequestOf<'hubs.setEnabled'>; res: null };
  'hubs.setPaused': { req: RequestOf<'hubs.setPaused'>; res: null };
  'hubs.test': { req: RequestOf<'hubs.test'>; res: ProbeReport };
  'hubs.runCommand': { req: RequestOf<'hubs.runCommand'>; res: null };
  'demo.start': { req: RequestOf<'demo.start'>; res: HubSummary[] };
  'view.open': { req: RequestOf<'view.open'>; res: ViewUpdate };
  'view.setFilter': { req: RequestOf<'view.setFilter'>; res: ViewUpdate };
  'view.rows': { req: RequestOf<'view.rows'>; res: { version: number; total: number; rows: ListRow[] } };
  'view.indexOf': { req: RequestOf<'view.indexOf'>; res: number };
  /** Index of one event in a view (to show an alert's event), or -1 when the view does not hold it. */
  'view.indexOfEvent': { req: RequestOf<'view.indexOfEvent'>; res: number };
  'view.close': { req: RequestOf<'view.close'>; res: null };
  'events.get': { req: RequestOf<'events.get'>; res: HubEvent | null };
  /** The record and its payload's text, for the detail pane. */
  'events.detail': { req: RequestOf<'events.detail'>; res: EventDetail | null };
  /** Event names seen so far, per hub (for the event-type picker). */
  'events.names': { req: RequestOf<'events.names'>; res: Record<string, string[]> };
  'entities.list': { req: RequestOf<'entities.list'>; res: EntityState[] };
  'alerts.list': {
    req: RequestOf<'alerts.list'>;
    res: { alerts: Alert[]; muted: string[]; rules: AlertRule[] };
  };
  'alerts.setMuted': { req: RequestOf<'alerts.setMuted'>; res: null };
  'filters.list': { req: RequestOf<'filters.list'>; res: SavedFilter[] };
  'filters.save': { req: RequestOf<'filters.save'>; res: SavedFilter[] };
  'filters.remove': { req: RequestOf<'filters.remove'>; res: SavedFilter[] };
  'export.start': { req: RequestOf<'export.start'>; res: ExportProgress };
  'export.cancel': { req: RequestOf<'export.cancel'>; res: null };
  'settings.get': { req: RequestOf<'settings.get'>; res: UiSettings };
  'settings.set': { req: RequestOf<'settings.set'>; res: UiSettings };
  'history.status': { req: RequestOf<'history.status'>; res: HistoryInfo };
}

/** Pushed events: name → payload type. */
export interface ApiPushes {
  /** Every hub, when states or counters changed (at most a few times a second). */
  hubs: HubSummary[];
  /** The history's state changed (writing failed or works again, a file was moved aside). */
  history: HistoryInfo;
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
