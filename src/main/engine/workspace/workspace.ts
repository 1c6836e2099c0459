/**
 * The operator's workspace around one engine: the configured hubs (the source of truth the
 * engine runs), the secrets entered in the UI, saved filters, UI settings, alert mutes and
 * exports. Electron-free: the desktop app and `hubwatch serve` give it a `WorkspaceHost`
 * for what differs (where settings and secrets live, where exported files go).
 */
import type {
  HistoryInfo,
  AppInfo,
  ExportProgress,
  ExportRequest,
  HubConfigView,
  HubSaveRequest,
  HubSummary,
  ProbeReport,
  SavedFilter,
  SecretField,
  SecretView,
  UiSettings,
} from '../../../shared/api';
import { ApiCallError, DEFAULT_UI_SETTINGS } from '../../../shared/api';
import type { Alert } from '../../../shared/alerts';
import type { EntityState } from '../../../shared/entities';
import { formatConfigIssues, validateConfig } from '../../../shared/config-validation';
import { exportFormat } from '../../../shared/export-formats';
import type { AuthConfig, AuthWith, HubConfig, SecretValue } from '../../../shared/hub-config';
import { mapAuthSecret, secretFieldOf, secretOf } from '../../../shared/hub-config';
import { effectiveTransport } from '../../../shared/hub-config';
import { VERSION } from '../../../shared/version';
import { redactConnectionState } from './api-redaction';
import { Engine, type EngineOptions } from '../engine';
import { History } from '../history/history';
import { exportToFile } from '../export/file-export';
import { packedBatches } from '../export/store-batches';
import { createRedactor, redactStrings, type Redactor } from '../redaction';
import { collectSecretValues, type SecretProvider } from '../secrets';
import { probeHub } from '../transports/probe';
import { redactUrl } from '../transports/redact';

/** Where secrets typed into the UI are kept. */
export interface SecretVault {
  status(): AppInfo['secretStorage'];
  /** Stores a secret and returns its reference for `{ "secret": REF }`; throws when storing is not allowed. */
  store(hubId: string, field: SecretField, value: string): Promise<string>;
  remove(ref: string): void;
  /** Looks a reference up (main process only). */
  get(ref: string): string | undefined;
}

/** What the workspace remembers between runs. */
export interface WorkspacePersistence {
  loadHubs(): HubConfig[];
  saveHubs(hubs: HubConfig[]): void;
  loadUi(): UiSettings;
  saveUi(settings: UiSettings): void;
  loadFilters(): SavedFilter[];
  saveFilters(filters: SavedFilter[]): void;
  loadMuted(): string[];
  saveMuted(hubs: string[]): void;
}

/** What differs between the desktop app and `hubwatch serve`. */
export interface WorkspaceHost {
  mode: 'electron' | 'browser';
  platform: string;
  vault: SecretVault;
  persistence: WorkspacePersistence;
  /** `process.env` lookups for `{env}` secrets. */
  env(name: string): string | undefined;
  /** Asks where an export goes; null when the operator cancelled. */
  chooseExportPath(request: ExportRequest, suggestedName: string): Promise<string | null>;
  /** The URL the browser downloads a finished export from (serve), or null (desktop). */
  downloadUrl(path: string): string | null;
  /** Starts the built-in demo hub in-process and returns its hubs. */
  startDemo(): Promise<HubConfig[]>;
  demoRunning(): boolean;
  /** The export format worker of this build (`bundledExportWorker`); without it exports format on the main thread. */
  exportWorker?: URL | null;
}

/** Pushes the workspace makes to every connected UI (batched by time where it matters). */
export interface WorkspaceListener {
  onHubs?(hubs: HubSummary[]): void;
  onEntities?(changes: { changed: EntityState[]; removed: string[] }): void;
  onAlert?(alert: Alert, isNew: boolean): void;
  onExport?(progress: ExportProgress): void;
  onNotice?(notice: { level: 'info' | 'warn' | 'error'; message: string }): void;
  onFocus?(event: { hub: string; seq: number }): void;
  onSettings?(): void;
  onHistory?(status: HistoryInfo): void;
}

/** Where a workspace keeps its history, and how much. */
export interface HistorySettings {
  dir: string;
  maxAgeMs?: number;
  maxBytes?: number;
}

/** How often hub summaries and entity changes go out. */
export const HUBS_PUSH_MS = 500;
export const ENTITIES_PUSH_MS = 250;
export const HISTORY_PUSH_MS = 5_000;

/** True for a `{ secret: REF }` value (kept in the vault). */
function isStored(value: SecretValue | null): value is { secret: string } {
  return value !== null && typeof value === 'object' && 'secret' in value;
}

/** The secret an auth keeps in `field`, if that is where its type keeps one. */
function secretIn<S>(auth: AuthWith<S> | undefined, field: SecretField): S | null {
  return auth && secretFieldOf(auth.type) === field ? secretOf(auth) : null;
}

export class Workspace {
  private hubs: HubConfig[];
  private ui: UiSettings;
  private filters: SavedFilter[];
  private readonly exports = new Map<
    string,
    { controller: AbortController; progress: ExportProgress; settled: Promise<void> }
  >();
  private readonly listeners = new Set<WorkspaceListener>();
  private readonly history: History | null;
  private historyProblem: string | null = null;
  private ownsHistory = false;
  /** Notices from before anyone listened (the history's start): the first listener gets them. */
  private readonly pendingNotices: { level: 'info' | 'warn' | 'error'; message: string }[] = [];
  private nextExport = 1;
  private timers: NodeJS.Timeout[] = [];
  private hubsSoon: NodeJS.Timeout | null = null;
  private unsubscribeEngine: (() => void) | null = null;
  readonly secrets: SecretProvider;
  readonly engine: Engine;
  private readonly fetchForProbe: typeof fetch;

  /** Builds the engine around the host's secrets (vault and environment) and starts the saved hubs. */
  constructor(
    readonly host: WorkspaceHost,
    engineOptions: Omit<EngineOptions, 'secrets'> = {},
    /** `Workspace.open` starts the engine itself, once the history is rebuilt. */
    start = true,
  ) {
    this.secrets = { env: (name) => host.env(name), secret: (ref) => host.vault.get(ref) };
    this.history = engineOptions.history ?? null;
    const engine = new Engine({ ...engineOptions, secrets: this.secrets });
    this.fetchForProbe = engineOptions.fetch ?? globalThis.fetch.bind(globalThis);
    this.engine = engine;
    this.hubs = host.persistence.loadHubs();
    this.ui = { ...DEFAULT_UI_SETTINGS, ...host.persistence.loadUi() };
    this.filters = host.persistence.loadFilters();
    for (const hub of host.persistence.loadMuted()) engine.alerts.setMuted(hub, true);
    engine.setHubs(this.hubs);
    if (start) engine.start();
  }

  /**
   * A workspace with a persistent history in `history.dir`: opened (or created), entities
   * and alerts rebuilt from it, then the hubs connected — each resuming where it stopped.
   * A history that cannot be opened (another process writes it, a folder that cannot be
   * written) leaves the workspace in memory only, with a notice that stays until it works.
   */
  static async open(
    host: WorkspaceHost,
    engineOptions: Omit<EngineOptions, 'secrets' | 'history'> = {},
    history: HistorySettings | null = null,
  ): Promise<Workspace> {
    let opened: History | null = null;
    let problem: string | null = null;
    const pending: { level: 'info' | 'warn' | 'error'; message: string }[] = [];
    let workspace: Workspace | null = null;
    const notice = (level: 'info' | 'warn' | 'error', message: string) => {
      if (workspace) workspace.notice(level, message);
      else pending.push({ level, message });
      console.error(`hubwatch: ${message}`);
    };
    if (history) {
      try {
        opened = await History.open({
          dir: history.dir,
          maxAgeMs: history.maxAgeMs,
          maxBytes: history.maxBytes,
          onNotice: (level, message) => {
            notice(level, message);
            workspace?.historyChanged();
          },
        });
      } catch (error) {
        problem = `history is off: ${(error as Error).message}`;
      }
    }
    workspace = new Workspace(host, { ...engineOptions, history: opened }, false);
    workspace.historyProblem = problem;
    workspace.ownsHistory = opened !== null;
    workspace.pendingNotices.push(...pending);
    if (problem) workspace.pendingNotices.push({ level: 'warn', message: problem });
    await workspace.engine.restoreFromHistory();
    workspace.engine.start();
    return workspace;
  }

  /** The history's state for the UI, or null when there is none (with why, when it failed to open). */
  historyStatus(): HistoryInfo {
    if (this.history) return { enabled: true, problem: null, ...this.history.status() };
    return { enabled: false, problem: this.historyProblem };
  }

  private historyChanged(): void {
    for (const listener of this.listeners) listener.onHistory?.(this.historyStatus());
  }

  /** Listens to the workspace; timers run only while someone listens. */
  subscribe(listener: WorkspaceListener): () => void {
    this.listeners.add(listener);
    for (const notice of this.pendingNotices.splice(0)) listener.onNotice?.(notice);
    this.startBroadcast();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopBroadcast();
    };
  }

  /** Asks every UI to show one event (a notification was clicked). */
  focus(hub: string, seq: number): void {
    for (const listener of this.listeners) listener.onFocus?.({ hub, seq });
  }

  /** Stops timers and exports (shutdown). */
  async close(): Promise<void> {
    this.stopBroadcast();
    await Promise.all([this.cancelAllExports(), this.engine.stop()]);
    if (this.ownsHistory) await this.history?.close();
  }

  private startBroadcast(): void {
    if (this.timers.length > 0) return;
    this.unsubscribeEngine = this.engine.subscribe({
      onAlert: (alert, isNew) => {
        for (const listener of this.listeners) listener.onAlert?.(alert, isNew);
      },
      // State changes go out soon, not on every flap.
      onState: () => this.scheduleHubs(),
      onHubsChanged: () => this.scheduleHubs(),
    });
    const hubs = setInterval(() => this.broadcastHubs(), HUBS_PUSH_MS);
    const entities = setInterval(() => {
      const changes = this.engine.entities.takeChanges();
      if (changes.changed.length === 0 && changes.removed.length === 0) return;
      for (const listener of this.listeners) listener.onEntities?.(changes);
    }, ENTITIES_PUSH_MS);
    hubs.unref();
    entities.unref();
    this.timers.push(hubs, entities);
    if (this.history) {
      // The span and size held change with every event: shown, not pushed on each.
      const history = setInterval(() => this.historyChanged(), HISTORY_PUSH_MS);
      history.unref();
      this.timers.push(history);
    }
  }

  private stopBroadcast(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.hubsSoon) clearTimeout(this.hubsSoon);
    this.hubsSoon = null;
    this.unsubscribeEngine?.();
    this.unsubscribeEngine = null;
  }

  private scheduleHubs(): void {
    if (this.hubsSoon) return;
    this.hubsSoon = setTimeout(() => {
      this.hubsSoon = null;
      this.broadcastHubs();
    }, 100);
    this.hubsSoon.unref();
  }

  private broadcastHubs(): void {
    if (this.listeners.size === 0) return;
    const summaries = this.summaries();
    for (const listener of this.listeners) listener.onHubs?.(summaries);
  }

  notice(level: 'info' | 'warn' | 'error', message: string): void {
    for (const listener of this.listeners) listener.onNotice?.({ level, message });
  }

  /** Redaction for the configured hubs' secrets (see redaction.ts for what it does where). */
  get redactor(): Redactor {
    return this.engine.redactor;
  }

  /**
   * Text Hubwatch built (a notice, an error) made safe for the UI: known secrets and
   * credential patterns masked, every hub's id and name left as they are.
   */
  redactDiagnostic(text: string): string {
    return this.engine.redactor.text(
      text,
      this.hubs.flatMap((hub) => [hub.id, hub.name]),
    );
  }

  info(): AppInfo {
    return {
      version: VERSION,
      mode: this.host.mode,
      platform: this.host.platform,
      secretStorage: this.host.vault.status(),
      firstRun: this.hubs.length === 0,
      demoRunning: this.host.demoRunning(),
    };
  }

  hubConfigs(): HubConfig[] {
    return [...this.hubs];
  }

  /**
   * Every hub as the UI sees it: id, name and config as configured (identity is never
   * redacted), the URL's credentials masked for display, the state's details redacted.
   */
  summaries(): HubSummary[] {
    const redact = this.engine.redactor;
    return this.engine.listHubs().map((info) => ({
      id: info.config.id,
      name: info.config.name ?? info.config.id,
      dialect: info.config.dialect,
      transport: effectiveTransport(info.config),
      url: redactUrl(info.config.url),
      enabled: info.config.enabled !== false,
      state: redactConnectionState(info.state, redact, [info.config.id, info.config.name ?? info.config.id]),
      stats: info.stats,
      rate: info.rate,
      muted: this.engine.alerts.mutedHubs().includes(info.config.id),
      config: this.toView(info.config),
    }));
  }

  summary(id: string): HubSummary {
    const found = this.summaries().find((hub) => hub.id === id);
    if (!found) throw new ApiCallError(`no hub "${id}"`, 'id');
    return found;
  }

  /** A config as the UI may see it: secret values replaced by whether they are set. */
  toView(config: HubConfig): HubConfigView {
    const { auth, ...rest } = config;
    if (!auth) return rest;
    const view = (value: SecretValue): SecretView => {
      if (typeof value === 'string') return { kind: 'stored', set: value.length > 0 };
      if ('env' in value) return { kind: 'env', env: value.env };
      return { kind: 'stored', set: this.host.vault.get(value.secret) !== undefined };
    };
    return { ...rest, auth: mapAuthSecret(auth, view) };
  }

  /**
   * Builds the full config of a save/test request: secrets from the request, else kept
   * from the hub being edited. `persist` stores new secrets in the vault; otherwise they
   * are used inline (for "Test connection", which must not store anything).
   */
  private async materialize(request: HubSaveRequest, persist: boolean): Promise<HubConfig> {
    const { auth: authView, ...rest } = request.hub;
    // A new hub inherits nothing, even from one that had its id.
    const previous = request.create
      ? undefined
      : this.hubs.find((hub) => hub.id === (request.previousId ?? request.hub.id));
    const field = authView ? secretFieldOf(authView.type) : null;
    let secret: SecretValue | undefined;
    if (field) {
      const incoming = request.secrets?.[field];
      const current = secretIn(authView, field);
      if (typeof incoming === 'string' && incoming.length > 0) {
        secret = persist
          ? { secret: await this.host.vault.store(request.hub.id, field, incoming) }
          : incoming;
      } else if (current?.kind === 'env') {
        secret = { env: current.env };
      } else if (incoming === null) {
        secret = undefined;
      } else {
        secret = secretIn(previous?.auth, field) ?? undefined;
      }
    }
    const missing = (): never => {
      throw new ApiCallError(
        `hub "${request.hub.id}": ${field ?? 'auth'}: a secret is required`,
        field ?? 'auth',
      );
    };
    let auth: AuthConfig | undefined = authView && mapAuthSecret(authView, () => secret ?? missing());
    // An empty API version means the default, as the form sends it.
    if (auth?.type === 'backendai' && !auth.apiVersion) {
      const { apiVersion: _default, ...withoutVersion } = auth;
      auth = withoutVersion;
    }
    return auth ? { ...rest, auth } : { ...rest };
  }

  private check(hubs: HubConfig[]): void {
    const result = validateConfig({ hubs });
    if (!result.ok) {
      const first = result.errors[0];
      throw new ApiCallError(formatConfigIssues(result.errors), first?.field);
    }
  }

  async saveHub(request: HubSaveRequest): Promise<HubSummary> {
    if (request.create && this.hubs.some((hub) => hub.id === request.hub.id)) {
      throw new ApiCallError(`a hub with id "${request.hub.id}" already exists`, 'id');
    }
    const previousId = request.create ? null : (request.previousId ?? request.hub.id);
    const placed = (config: HubConfig): HubConfig[] => {
      const others = this.hubs.filter((hub) => hub.id !== previousId);
      if (others.some((hub) => hub.id === config.id)) {
        throw new ApiCallError(`a hub with id "${config.id}" already exists`, 'id');
      }
      const next = [...others];
      const index = this.hubs.findIndex((hub) => hub.id === previousId);
      next.splice(index < 0 ? next.length : index, 0, config);
      return next;
    };
    // Check first with the secret inline, so a refused hub leaves nothing in the vault.
    this.check(placed(await this.materialize(request, false)));
    const config = await this.materialize(request, true);
    const next = placed(config);
    // A secret the edit replaced or cleared leaves the vault.
    const previous = this.hubs.find((hub) => hub.id === previousId);
    const old = secretOf(previous?.auth);
    const now = secretOf(config.auth);
    if (isStored(old) && !(isStored(now) && now.secret === old.secret)) this.host.vault.remove(old.secret);
    this.hubs = next;
    this.persistHubs();
    if (previousId !== null && previousId !== config.id) this.engine.removeHub(previousId);
    this.engine.upsertHub(config);
    this.engine.start();
    return this.summary(config.id);
  }

  removeHub(id: string): void {
    const hub = this.hubs.find((candidate) => candidate.id === id);
    if (!hub) throw new ApiCallError(`no hub "${id}"`, 'id');
    const secret = secretOf(hub.auth);
    if (isStored(secret)) this.host.vault.remove(secret.secret);
    this.hubs = this.hubs.filter((candidate) => candidate.id !== id);
    this.persistHubs();
    this.engine.removeHub(id);
  }

  setEnabled(id: string, enabled: boolean): void {
    const hub = this.hubs.find((candidate) => candidate.id === id);
    if (!hub) throw new ApiCallError(`no hub "${id}"`, 'id');
    const updated = { ...hub, enabled };
    this.hubs = this.hubs.map((candidate) => (candidate.id === id ? updated : candidate));
    this.persistHubs();
    this.engine.upsertHub(updated);
  }

  runCommand(id: string, command: string): void {
    const hub = this.hubs.find((candidate) => candidate.id === id);
    if (!hub) throw new ApiCallError(`no hub "${id}"`, 'id');
    if (hub.dialect !== 'rdev') throw new ApiCallError(`hub "${id}" is not an rdev hub`, 'id');
    if (command.trim() === '') throw new ApiCallError('the command is empty', 'command');
    const { streamId: _streamId, ...rest } = hub;
    const updated: HubConfig = { ...rest, command };
    this.hubs = this.hubs.map((candidate) => (candidate.id === id ? updated : candidate));
    this.persistHubs();
    this.engine.runCommand(id, command);
  }

  async testHub(request: HubSaveRequest): Promise<ProbeReport> {
    const config = await this.materialize(request, false);
    const result = validateConfig({ hubs: [config] });
    if (!result.ok) throw new ApiCallError(formatConfigIssues(result.errors), result.errors[0]?.field);
    const dialect = this.engine.dialectFor(config);
    const report = await probeHub(dialect.plan, { listenMs: 5000, fetch: this.fetchForProbe });
    // The probe masked the credentials it sent; the rest is diagnostics, secrets included
    // (a careless hub echoes them), with this hub's id and name kept.
    const redact = createRedactor([
      ...this.engine.redactor.secretValues,
      ...collectSecretValues({ hubs: [config] }, this.secrets),
    ]);
    return redactStrings(report, (text) => redact.text(text, [config.id, config.name]));
  }

  async startDemo(): Promise<HubSummary[]> {
    const configs = await this.host.startDemo();
    const ids = new Set(configs.map((hub) => hub.id));
    this.hubs = [...this.hubs.filter((hub) => !ids.has(hub.id)), ...configs];
    this.persistHubs();
    for (const config of configs) this.engine.upsertHub(config);
    this.engine.start();
    return this.summaries();
  }

  setMuted(hub: string, muted: boolean): void {
    this.engine.alerts.setMuted(hub, muted);
    this.host.persistence.saveMuted(this.engine.alerts.mutedHubs());
  }

  savedFilters(): SavedFilter[] {
    return [...this.filters];
  }

  saveFilter(filter: SavedFilter): SavedFilter[] {
    if (filter.name.trim() === '') throw new ApiCallError('a saved filter needs a name', 'name');
    this.filters = [...this.filters.filter((f) => f.name !== filter.name), filter];
    this.host.persistence.saveFilters(this.filters);
    return this.savedFilters();
  }

  removeFilter(name: string): SavedFilter[] {
    this.filters = this.filters.filter((f) => f.name !== name);
    this.host.persistence.saveFilters(this.filters);
    return this.savedFilters();
  }

  uiSettings(): UiSettings {
    return structuredClone(this.ui);
  }

  setUiSettings(patch: Partial<UiSettings>): UiSettings {
    this.ui = { ...this.ui, ...patch };
    this.host.persistence.saveUi(this.ui);
    for (const listener of this.listeners) listener.onSettings?.();
    return this.uiSettings();
  }

  /** Starts an export in the background; progress is pushed. */
  async startExport(request: ExportRequest): Promise<ExportProgress> {
    const [extension] = exportFormat(request.format).extensions;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const exportId = `x${this.nextExport++}`;
    const path = await this.host.chooseExportPath(request, `hubwatch-${stamp}.${extension}`);
    // With a history, an export reads it: complete and consistent up to this moment, however
    // fast the hubs are (the ring's eviction cannot punch holes into it).
    const history = this.history;
    const until = this.engine.store.lastG;
    if (history) await history.flush();
    const progress: ExportProgress = {
      exportId,
      written: 0,
      evicted: 0,
      total: history
        ? await history.queries.exactCount(request.filter, until).catch(() => null)
        : this.engine.store.knownCount(request.filter),
      state: path === null ? 'cancelled' : 'running',
      file: path,
      downloadUrl: null,
      error: null,
      bytes: 0,
    };
    if (path === null) return progress;
    const controller = new AbortController();
    const emit = () => {
      for (const listener of this.listeners) listener.onExport?.({ ...progress });
    };
    let lastEmit = 0;
    const settled = exportToFile({
      path,
      format: request.format,
      batches: history
        ? history.queries.records(request.filter, { signal: controller.signal, untilArrival: until })
        : packedBatches(this.engine.store, request.filter, { signal: controller.signal }),
      redact: createRedactor(this.engine.redactor.secretValues, { scrub: request.scrub === true }),
      worker: this.host.exportWorker ?? null,
      signal: controller.signal,
      onProgress: (written: number, evicted: number) => {
        progress.written = written;
        progress.evicted = evicted;
        const now = Date.now();
        if (now - lastEmit > 200) {
          lastEmit = now;
          emit();
        }
      },
    })
      .then(
        (result) => {
          progress.state = 'done';
          progress.written = result.count;
          progress.evicted = result.evicted;
          progress.bytes = result.bytes;
          progress.downloadUrl = this.host.downloadUrl(result.path);
          emit();
        },
        (error: unknown) => {
          progress.state = controller.signal.aborted ? 'cancelled' : 'failed';
          progress.error = controller.signal.aborted
            ? null
            : error instanceof Error
              ? error.message
              : String(error);
          emit();
        },
      )
      .finally(() => this.exports.delete(exportId));
    this.exports.set(exportId, { controller, progress, settled });
    return { ...progress };
  }

  cancelExport(exportId: string): void {
    this.exports.get(exportId)?.controller.abort(new Error('export cancelled'));
  }

  /** Cancels running exports and resolves once their temp files are removed — for shutdown. */
  async cancelAllExports(): Promise<void> {
    const running = [...this.exports.values()];
    for (const entry of running) entry.controller.abort(new Error('shutting down'));
    await Promise.all(running.map((entry) => entry.settled));
  }

  private persistHubs(): void {
    this.host.persistence.saveHubs(this.hubs);
  }
}
