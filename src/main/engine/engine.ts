/**
 * The engine: many hubs at once, each with its own connection and dialect, feeding one
 * pipeline — store (ring buffers), views, entities, alerts, and batched subscribers.
 * Electron-free: the desktop app, `hubwatch capture`, `hubwatch serve` and the tests all
 * drive this same class. A failing hub never affects the others.
 */
import type { Alert, AlertRule } from '../../shared/alerts';
import { DEFAULT_ALERT_RULES } from '../../shared/alerts';
import type { ConnectionState, HubStats } from '../../shared/connection-state';
import type { HubConfig } from '../../shared/hub-config';
import { GAP_EVENT, GAP_SOURCE, type Level } from '../../shared/hub-event';
import { AlertEngine, type AlertSnapshot } from './pipeline/alerts';
import type { EntityState } from '../../shared/entities';
import { getDialect } from './dialects';
import type { DialectResume, HubDialect } from './dialects/types';
import type { History, HubEnd } from './history/history';
import { EntityTracker, MAX_ENTITIES_PER_KIND } from './pipeline/entities';
import { IngestedEvent, gapMarker, type EngineEvent, type MappedEvent } from './event-record';
import { createRedactor, type Redactor } from './redaction';
import {
  HubConnection,
  frameFingerprint,
  type ConnectionResume,
  type HubConnectionOptions,
} from './transports/hub-connection';
import { collectSecretValues, resolveAuth, type SecretProvider } from './secrets';
import { EventStore, type HubRing } from './store/store';
import type { Frame, StreamPlan } from './transports/types';
import { ViewRegistry } from './store/views';

/** Everything an engine user hears about, in batches where it matters. */
export interface EngineListener {
  /** Records in arrival order, batched by time and size (never one call per event). */
  onEvents?(batch: readonly EngineEvent[]): void;
  onState?(hub: string, state: ConnectionState): void;
  onAlert?(alert: Alert, isNew: boolean): void;
  /** The set of hubs or their configs changed. */
  onHubsChanged?(): void;
}

export interface EngineOptions {
  /** Resolves `{env}` and `{secret}` values; by default only `process.env`. */
  secrets?: SecretProvider;
  /** Events kept per hub (a hub's `retention` overrides it); 0 keeps none (headless capture). */
  capacityPerHub?: number;
  alertRules?: readonly AlertRule[];
  fetch?: typeof fetch;
  now?: () => number;
  /** Overrides for every hub connection (tests shorten timeouts). */
  connection?: HubConnectionOptions;
  /** Longest a subscriber batch waits. */
  batchDelayMs?: number;
  /** Largest subscriber batch. */
  batchSize?: number;
  /**
   * The persistent history (history/history.ts): every record is appended to it, each hub
   * continues its seq after its last stored one and resumes from its last stored event id,
   * and arrival numbers continue after the stored ones. The engine does not close it.
   */
  history?: History | null;
}

/** A hub as the engine runs it. */
export interface HubInfo {
  config: HubConfig;
  state: ConnectionState;
  stats: HubStats;
  /** Events per second over the last few seconds. */
  rate: number;
}

/** How often entities and alerts are saved with the history. */
const STATE_SAVE_MS = 5_000;

/** Entities and alerts as saved with the history (history/state.json). */
interface SavedState {
  version: 1;
  entities: EntityState[];
  alerts: AlertSnapshot;
}

function isSavedState(value: unknown): value is SavedState {
  const state = value as SavedState;
  return typeof state === 'object' && state !== null && state.version === 1 && Array.isArray(state.entities);
}

/** What a connection resumes from, from where the history says a hub stopped. */
function resumeOf(end: HubEnd): ConnectionResume {
  return { lastEventId: end.lastId, recentIds: end.recentIds, replayFingerprints: end.replayFingerprints };
}

/** Distinct event names remembered per hub. */
const MAX_EVENT_NAMES = 1000;

const emptyLevels = (): Record<Level, number> => ({ debug: 0, info: 0, warn: 0, error: 0, state: 0 });

const defaultSecrets: SecretProvider = {
  env: (name) => process.env[name],
  secret: () => undefined,
};

/** Fields whose change needs a new connection (a renamed hub keeps streaming). */
function connectionKey(config: HubConfig): string {
  const { name: _name, retention: _retention, enabled: _enabled, ...rest } = config;
  return JSON.stringify(rest);
}

class HubRuntime {
  seq = 0;
  state: ConnectionState = { state: 'idle' };
  readonly stats: HubStats = {
    events: 0,
    bytes: 0,
    reconnects: 0,
    gaps: 0,
    malformed: 0,
    duplicatesSkipped: 0,
    evicted: 0,
    lastEventAt: null,
    levels: emptyLevels(),
  };
  connection: HubConnection | null = null;
  dialect: HubDialect | null = null;
  /** The connection settings the dialect was built for. */
  dialectKey = '';
  ring: HubRing | null = null;
  paused = false;
  /** The connection is stopped by a pause and will resume where it left off. */
  pausedConnection = false;
  /** Counters of the connections this hub had before the current one. */
  closed = { bytes: 0, reconnects: 0, duplicatesSkipped: 0 };
  /** Event counts sampled once a second over the last few seconds, for the rate. */
  rateWindow: { at: number; events: number }[] = [];
  /**
   * The event names this hub has sent (for the UI's event picker), each kept as one string
   * that every later event of that name shares: equal strings compare and hash for free in
   * the store, the alert rules and the picker. Bounded, so a hub that makes up a name per
   * event cannot grow it without end.
   */
  readonly eventNames = new Map<string, string>();
  /** The previous event's name: the usual stream repeats a handful of names. */
  lastEventName = '';
  /** Where the history says this hub's earlier run stopped; taken by the first connect. */
  resume: HubEnd | null = null;

  /** `name` as the one string this hub keeps for it. */
  canonicalEventName(name: string): string {
    if (name === this.lastEventName) return this.lastEventName;
    let known = this.eventNames.get(name);
    if (known === undefined) {
      known = name;
      if (this.eventNames.size < MAX_EVENT_NAMES) this.eventNames.set(name, name);
    }
    this.lastEventName = known;
    return known;
  }

  constructor(public config: HubConfig) {}
}

export class Engine {
  readonly store: EventStore;
  readonly views: ViewRegistry;
  readonly entities: EntityTracker;
  readonly alerts: AlertEngine;
  private readonly hubs = new Map<string, HubRuntime>();
  private readonly listeners = new Set<EngineListener>();
  /** Listeners that take record batches. */
  private eventListeners = 0;
  private pending: EngineEvent[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private rateTimer: NodeJS.Timeout | null = null;
  private started = false;
  private readonly secrets: SecretProvider;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly batchDelayMs: number;
  private readonly batchSize: number;
  /** Built from the hubs' secrets when first needed after they changed. */
  private currentRedactor: Redactor | null = null;
  private readonly history: History | null;
  /** While entities and alerts are rebuilt from the history: alerts go to the list, not out. */
  private restoring = false;
  private stateTimer: NodeJS.Timeout | null = null;
  private stateSaved = 0;

  constructor(private readonly options: EngineOptions = {}) {
    this.secrets = options.secrets ?? defaultSecrets;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.now = options.now ?? Date.now;
    this.batchDelayMs = options.batchDelayMs ?? 50;
    this.batchSize = options.batchSize ?? 4096;
    this.history = options.history ?? null;
    this.store = new EventStore({
      capacityPerHub: options.capacityPerHub,
      firstG: (this.history?.lastArrival ?? 0) + 1,
    });
    const dialectOf = (hub: string) => this.hubs.get(hub)?.config.dialect ?? '';
    this.views = new ViewRegistry(this.store, dialectOf);
    this.entities = new EntityTracker(
      (hub) => {
        const config = this.hubs.get(hub)?.config;
        return config?.dialect === 'rdev' ? (config.command ?? null) : null;
      },
      MAX_ENTITIES_PER_KIND,
      (event) => {
        const dialect = this.hubs.get(event.hub)?.config.dialect;
        return dialect === undefined ? null : (getDialect(dialect).entityUpdate?.(event) ?? null);
      },
    );
    this.alerts = new AlertEngine(
      {
        raised: (alert) => {
          if (!this.restoring) this.emit((l) => l.onAlert?.(alert, true));
        },
        updated: (alert) => {
          if (!this.restoring) this.emit((l) => l.onAlert?.(alert, false));
        },
      },
      dialectOf,
      options.alertRules ?? DEFAULT_ALERT_RULES,
      this.now,
      (event) => this.redactor.message(event),
    );
    if (this.history) {
      const history = this.history;
      history.useRedactor(() => this.redactor);
      history.onLost((hub, count, from, to) => {
        const runtime = this.hubs.get(hub);
        if (!runtime) return;
        this.ingestGap(
          runtime,
          `${count} events (seq ${from}–${to}) could not be written to the history (${history.status().message ?? 'writing failed'}); they were shown live only`,
          this.now(),
        );
      });
    }
  }

  /**
   * Rebuilds entities (bots, servers, sessions, tasks, commands) and the alert list from the
   * history: the state saved with it, then every record stored after that state, oldest
   * first. Alerts raised meanwhile are listed, not notified again. Call before `start()`.
   */
  async restoreFromHistory(options: { maxReplay?: number } = {}): Promise<void> {
    const history = this.history;
    if (!history) return;
    const saved = await history.loadState();
    let after: number;
    if (saved && isSavedState(saved.state)) {
      this.entities.restore(saved.state.entities);
      this.alerts.restore(saved.state.alerts);
      after = saved.arrival;
    } else {
      // No saved state: replay the newest records only, so a long history starts quickly.
      const limit = options.maxReplay ?? 200_000;
      after = Math.max(0, history.lastArrival - limit);
    }
    this.restoring = true;
    try {
      for await (const batch of history.recordsAfter(after)) {
        for (const record of batch) {
          this.entities.update(record);
          this.alerts.check(record, record.receivedAt);
        }
      }
    } finally {
      this.restoring = false;
    }
    // What was rebuilt is the UI's first list, not a change to push.
    this.entities.takeChanges();
    await this.saveState();
    this.stateTimer = setInterval(() => void this.saveState(), STATE_SAVE_MS);
    this.stateTimer.unref();
  }

  /** Saves entities and alerts with the history, when anything arrived since the last save. */
  private async saveState(): Promise<void> {
    const history = this.history;
    if (!history) return;
    const arrival = this.store.lastG;
    if (arrival === this.stateSaved && arrival !== 0) return;
    this.stateSaved = arrival;
    // Taken now, with `arrival`: the state is exactly what the records up to it made. It is
    // saved once those records are in the journal, so a restore never applies one twice.
    const state: SavedState = {
      version: 1,
      entities: structuredClone(this.entities.list()),
      alerts: structuredClone(this.alerts.snapshot()),
    };
    await history.flush();
    try {
      await history.saveState(arrival, state);
    } catch {
      // A full disk: the history says so itself; the next save tries again.
      this.stateSaved = -1;
    }
  }

  /**
   * Redaction for what this engine's hubs send and what is said about them: their known
   * secret values (the config's, resolved), no payload scrubbing. Alerts are built with it.
   */
  get redactor(): Redactor {
    this.currentRedactor ??= createRedactor(
      collectSecretValues({ hubs: [...this.hubs.values()].map((runtime) => runtime.config) }, this.secrets),
    );
    return this.currentRedactor;
  }

  /** Listens to the engine; returns the unsubscribe function. */
  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    if (listener.onEvents) this.eventListeners++;
    return () => {
      if (this.listeners.delete(listener) && listener.onEvents) this.eventListeners--;
    };
  }

  /** Connects every enabled hub (and every hub added later). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const runtime of this.hubs.values()) this.connect(runtime);
    this.rateTimer = setInterval(() => this.tickRates(), 1000);
    this.rateTimer.unref();
  }

  /** Disconnects every hub and flushes what subscribers have not seen yet. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.rateTimer) clearInterval(this.rateTimer);
    this.rateTimer = null;
    if (this.stateTimer) clearInterval(this.stateTimer);
    this.stateTimer = null;
    await Promise.all([...this.hubs.values()].map((runtime) => this.disconnect(runtime)));
    this.flush();
    if (this.history) {
      this.stateSaved = -1;
      await this.saveState();
    }
  }

  /** Makes the running hubs exactly `configs`: adds, reconnects what changed, removes the rest. */
  setHubs(configs: readonly HubConfig[]): void {
    const wanted = new Set(configs.map((config) => config.id));
    for (const id of [...this.hubs.keys()]) if (!wanted.has(id)) this.removeHub(id);
    for (const config of configs) this.upsertHub(config);
  }

  /** Adds a hub or applies a changed config to it (reconnecting only when needed; seq goes on). */
  upsertHub(config: HubConfig): void {
    this.currentRedactor = null;
    const existing = this.hubs.get(config.id);
    if (!existing) {
      const runtime = new HubRuntime(config);
      // After a restart (or a removal in this run) seq goes on after what is stored.
      const end = this.history?.hubEnd(config.id);
      if (end) {
        runtime.seq = end.lastSeq;
        runtime.resume = end;
      }
      this.hubs.set(config.id, runtime);
      runtime.ring = this.store.ensureRing(config.id, config.dialect, config.retention);
      if (this.started) this.connect(runtime);
      this.emit((l) => l.onHubsChanged?.());
      return;
    }
    const reconnect =
      connectionKey(existing.config) !== connectionKey(config) || existing.config.enabled !== config.enabled;
    const retentionChanged = existing.config.retention !== config.retention;
    existing.config = config;
    existing.ring = this.store.ensureRing(
      config.id,
      config.dialect,
      config.retention ?? this.store.defaultCapacity,
    );
    if (retentionChanged) this.views.rescanAll();
    if (reconnect && this.started) {
      void this.disconnect(existing).then(() => {
        if (this.started && this.hubs.get(config.id) === existing) this.connect(existing);
      });
    }
    this.emit((l) => l.onHubsChanged?.());
  }

  /** Disconnects and forgets a hub, its events and its entities. */
  removeHub(id: string): void {
    const runtime = this.hubs.get(id);
    if (!runtime) return;
    this.hubs.delete(id);
    this.currentRedactor = null;
    void this.disconnect(runtime);
    this.store.dropRing(id);
    this.entities.removeHub(id);
    this.views.rescanAll();
    this.emit((l) => l.onHubsChanged?.());
  }

  /** Enables or disables one hub. */
  setEnabled(id: string, enabled: boolean): void {
    const runtime = this.hubs.get(id);
    if (!runtime) throw new Error(`no hub "${id}"`);
    this.upsertHub({ ...runtime.config, enabled });
  }

  /** Pauses (disconnects) or resumes every hub; what is paused stays configured. */
  setPaused(paused: boolean): void {
    for (const runtime of this.hubs.values()) {
      runtime.paused = paused;
      if (paused) void this.disconnect(runtime, true);
      else if (this.started) this.connect(runtime);
    }
  }

  /** Starts a new command on an rdev hub: it follows the new stream; seq goes on. */
  runCommand(id: string, command: string): void {
    const runtime = this.hubs.get(id);
    if (!runtime) throw new Error(`no hub "${id}"`);
    if (runtime.config.dialect !== 'rdev') throw new Error(`hub "${id}" is not an rdev hub`);
    const { streamId: _streamId, ...rest } = runtime.config;
    // The stream followed so far is left behind: its command is no longer watched.
    this.entities.detachCommands(id);
    this.upsertHub({ ...rest, command });
  }

  /** The event names each hub has sent so far. */
  eventNames(hubIds?: readonly string[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, runtime] of this.hubs) {
      if (hubIds && !hubIds.includes(id)) continue;
      out[id] = [...runtime.eventNames.keys()].sort();
    }
    return out;
  }

  hub(id: string): HubInfo | undefined {
    const runtime = this.hubs.get(id);
    return runtime ? this.info(runtime) : undefined;
  }

  listHubs(): HubInfo[] {
    return [...this.hubs.values()].map((runtime) => this.info(runtime));
  }

  /** True when every hub has stopped for good (ended or failed) and at least one exists. */
  allFinal(): boolean {
    if (this.hubs.size === 0) return false;
    for (const runtime of this.hubs.values()) {
      const state = runtime.state.state;
      if (state !== 'ended' && state !== 'failed') return false;
    }
    return true;
  }

  /** Hands pending records to subscribers now. */
  flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.emit((l) => l.onEvents?.(batch));
  }

  /** The plan and mapper a hub would use (for "Test connection"); throws for unresolved secrets. */
  dialectFor(config: HubConfig, resume?: DialectResume): HubDialect {
    const auth = resolveAuth(config, this.secrets);
    return getDialect(config.dialect).create(config, {
      auth,
      fetch: this.fetchImpl,
      now: this.now,
      ...(resume ? { resume } : {}),
    });
  }

  private info(runtime: HubRuntime): HubInfo {
    const current = runtime.connection?.stats() ?? { bytes: 0, reconnects: 0, duplicatesSkipped: 0 };
    runtime.stats.bytes = runtime.closed.bytes + current.bytes;
    runtime.stats.reconnects = runtime.closed.reconnects + current.reconnects;
    runtime.stats.duplicatesSkipped = runtime.closed.duplicatesSkipped + current.duplicatesSkipped;
    runtime.stats.evicted = runtime.ring?.evicted ?? 0;
    // Over the sampled window up to now, so a hub shows its rate from its first second on.
    const oldest = runtime.rateWindow[0];
    const elapsed = oldest ? performance.now() - oldest.at : 0;
    const rate = oldest && elapsed >= 250 ? ((runtime.stats.events - oldest.events) * 1000) / elapsed : 0;
    return {
      config: runtime.config,
      state: runtime.state,
      stats: { ...runtime.stats, levels: { ...runtime.stats.levels } },
      rate,
    };
  }

  private tickRates(): void {
    const now = performance.now();
    for (const runtime of this.hubs.values()) {
      runtime.rateWindow.push({ at: now, events: runtime.stats.events });
      if (runtime.rateWindow.length > 5) runtime.rateWindow.shift();
    }
  }

  private connect(runtime: HubRuntime): void {
    if (runtime.connection && runtime.pausedConnection) {
      // Resuming: the same connection keeps its last event id, so nothing is lost or repeated.
      runtime.pausedConnection = false;
      runtime.connection.start();
      return;
    }
    if (runtime.connection || runtime.config.enabled === false || runtime.paused) {
      if (runtime.config.enabled === false || runtime.paused)
        this.setState(runtime, { state: 'idle', paused: runtime.paused });
      return;
    }
    let dialect: HubDialect;
    const key = connectionKey(runtime.config);
    if (runtime.dialect && runtime.dialectKey === key) {
      // Same connection settings (a disable/enable): keep the dialect, and with it what it
      // learned — an rdev hub must follow its stream, not start its command again.
      dialect = runtime.dialect;
    } else {
      try {
        const end = runtime.resume;
        dialect = this.dialectFor(
          runtime.config,
          end ? { lastEvent: end.lastEvent, lastEntityId: end.lastEntityId } : undefined,
        );
      } catch (error) {
        this.setState(runtime, { state: 'failed', reason: 'bad_config', detail: (error as Error).message });
        return;
      }
    }
    runtime.dialect = dialect;
    runtime.dialectKey = key;
    if (runtime.rateWindow.length === 0)
      runtime.rateWindow.push({ at: performance.now(), events: runtime.stats.events });
    const connection = new HubConnection(
      dialect.plan,
      {
        onFrame: (frame) => this.onFrame(runtime, dialect, frame),
        onState: (state) => {
          if (runtime.connection !== connection) return;
          // stop() reports idle; a pause reports it itself, with the reason.
          if (runtime.pausedConnection && state.state === 'idle') return;
          this.setState(runtime, state);
        },
        onGap: (detail, at) => {
          if (runtime.connection === connection) this.ingestGap(runtime, detail, at);
        },
      },
      {
        ...this.options.connection,
        fetch: this.fetchImpl,
        now: this.now,
        ...(runtime.resume ? { resume: resumeOf(runtime.resume) } : {}),
      },
    );
    // Only the first connection of this run picks up from the history.
    runtime.resume = null;
    runtime.connection = connection;
    connection.start();
  }

  private async disconnect(runtime: HubRuntime, paused = false): Promise<void> {
    const connection = runtime.connection;
    if (!connection) return;
    if (paused) {
      if (runtime.pausedConnection) return;
      runtime.pausedConnection = true;
      await connection.stop();
      if (runtime.connection === connection && runtime.pausedConnection) {
        this.setState(runtime, { state: 'idle', paused: true });
      }
      return;
    }
    runtime.pausedConnection = false;
    const stats = connection.stats();
    // Keep the counters of connections gone by.
    runtime.closed.bytes += stats.bytes;
    runtime.closed.reconnects += stats.reconnects;
    runtime.closed.duplicatesSkipped += stats.duplicatesSkipped;
    runtime.connection = null;
    const final = runtime.state.state === 'ended' || runtime.state.state === 'failed';
    await connection.stop();
    // A hub that stopped for good keeps saying why.
    if (!final && runtime.connection === null) this.setState(runtime, { state: 'idle' });
  }

  private setState(runtime: HubRuntime, state: ConnectionState): void {
    runtime.state = state;
    const id = runtime.config.id;
    this.emit((l) => l.onState?.(id, state));
  }

  /** Hot path: one frame → one record → store, views, entities, alerts, subscribers. */
  private onFrame(runtime: HubRuntime, dialect: HubDialect, frame: Frame): void {
    let mapped: MappedEvent;
    try {
      mapped = dialect.map(frame);
    } catch (error) {
      // Dialects must not throw; if one does, the frame is still kept.
      mapped = {
        event: frame.event ?? 'message',
        time: frame.receivedAt,
        level: 'warn',
        source: null,
        entity: null,
        message: `unreadable frame (${(error as Error).message})`,
        data: frame.data,
        raw: null,
        malformed: true,
      };
    }
    const record = new IngestedEvent(
      runtime.config.id,
      ++runtime.seq,
      frame.receivedAt,
      mapped.time,
      runtime.canonicalEventName(mapped.event),
      frame.id,
      mapped.level,
      // docs/architecture.md: a real event named gap never has source "hubwatch" — that pair is how
      // readers of a file tell our markers apart. The payload still holds what it said.
      mapped.source === GAP_SOURCE && mapped.event === GAP_EVENT ? null : mapped.source,
      mapped.entity,
      mapped.message,
      mapped.data,
      mapped.raw,
      mapped.malformed,
    );
    // The history keeps it, so a restarted hub still skips what its server replays.
    if (dialect.plan.replaysFromStart) record.replayFingerprint = frameFingerprint(frame.event, frame.data);
    const stats = runtime.stats;
    stats.events++;
    stats.levels[record.level]++;
    stats.lastEventAt = record.receivedAt;
    if (record.malformed) stats.malformed++;
    this.ingest(runtime, record);
  }

  /** A gap marker (docs/architecture.md): `detail` says why events may be missing here. */
  private ingestGap(runtime: HubRuntime, detail: string, at: number): void {
    runtime.stats.gaps++;
    this.ingest(runtime, gapMarker(runtime.config.id, ++runtime.seq, at, detail));
  }

  private ingest(runtime: HubRuntime, record: IngestedEvent): void {
    const g = this.store.takeG();
    this.history?.append(record, g, runtime.config.dialect);
    if (runtime.ring) {
      const pos = this.store.append(runtime.ring, g, record);
      if (pos >= 0 && this.views.anyOpen) this.views.offer(runtime.ring, pos, record);
    }
    this.entities.update(record);
    this.alerts.check(record);
    // Records wait for a batch only when someone takes batches (capture does; the UI reads the store).
    if (this.eventListeners === 0) return;
    record.release();
    this.pending.push(record);
    if (this.pending.length >= this.batchSize) this.flush();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), this.batchDelayMs);
  }

  private emit(call: (listener: EngineListener) => void): void {
    for (const listener of this.listeners) {
      try {
        call(listener);
      } catch (error) {
        // One broken subscriber must not stop ingest or the others.
        console.error('hubwatch: engine listener failed:', error);
      }
    }
  }

  /** The plan of a running hub (tests, probes). */
  planOf(id: string): StreamPlan | null {
    return this.hubs.get(id)?.dialect?.plan ?? null;
  }
}
