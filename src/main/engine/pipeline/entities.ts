/**
 * Derives the live state of bots, servers, sessions, background tasks and rdev commands
 * from events. What an event says about its entity is read by the hub's dialect (an
 * `EntityUpdate`); the tracker applies it and knows no payload shape. Changes are collected
 * and handed out in batches (`takeChanges`), never one notification per event.
 */
import {
  COMMAND_LINES_KEPT,
  SERVER_CRASHES_KEPT,
  entityKey,
  type BotState,
  type CommandState,
  type EntityState,
  type ServerState,
  type SessionState,
  type TaskState,
} from '../../../shared/entities';
import type { EntityType } from '../../../shared/hub-event';
import type {
  BotUpdate,
  CommandUpdate,
  EntityUpdate,
  ServerUpdate,
  SessionUpdate,
  TaskUpdate,
} from '../entity-update';
import type { EngineEvent } from '../event-record';

/** Entities kept per hub and type. */
export const MAX_ENTITIES_PER_KIND = 2000;

export class EntityTracker {
  private readonly states = new Map<string, EntityState>();
  /** hub → type → id → state: the per-event lookup builds no key string. */
  private readonly byHub = new Map<string, Map<EntityType, Map<string, EntityState>>>();
  private readonly changed = new Set<EntityState>();
  private readonly removed = new Set<string>();

  /**
   * @param commandOf the command line Hubwatch started on an rdev hub, if any.
   * @param maxPerKind entities kept per hub and type: hubs that churn ids (sessions,
   *   commands) would otherwise grow without end; the least recently active go first.
   * @param readUpdate what an event says about its entity, read by its hub's dialect;
   *   without it only activity (times, counts, levels) is tracked.
   */
  constructor(
    private readonly commandOf: (hub: string) => string | null = () => null,
    private readonly maxPerKind = MAX_ENTITIES_PER_KIND,
    private readonly readUpdate: (event: EngineEvent) => EntityUpdate | null = () => null,
  ) {}

  private evictOldest(ids: Map<string, EntityState>): void {
    let oldest: EntityState | null = null;
    for (const state of ids.values()) {
      if (oldest === null || state.lastEventAt < oldest.lastEventAt) oldest = state;
    }
    if (!oldest) return;
    ids.delete(oldest.id);
    this.states.delete(oldest.key);
    this.changed.delete(oldest);
    this.removed.add(oldest.key);
  }

  /** Takes back entities saved with the history (before any event is applied). */
  restore(states: readonly EntityState[]): void {
    for (const state of states) {
      let types = this.byHub.get(state.hub);
      if (!types) {
        types = new Map();
        this.byHub.set(state.hub, types);
      }
      let ids = types.get(state.type);
      if (!ids) {
        ids = new Map();
        types.set(state.type, ids);
      }
      ids.set(state.id, state);
      this.states.set(state.key, state);
    }
  }

  /** Updates the entity an event is about; ignores events about none. */
  update(event: EngineEvent): void {
    const entity = event.entity;
    if (!entity || event.gap) return;
    let types = this.byHub.get(event.hub);
    if (!types) {
      types = new Map();
      this.byHub.set(event.hub, types);
    }
    let ids = types.get(entity.type);
    if (!ids) {
      ids = new Map();
      types.set(entity.type, ids);
    }
    let state = ids.get(entity.id);
    if (!state) {
      if (ids.size >= this.maxPerKind) this.evictOldest(ids);
      const key = entityKey(event.hub, entity.type, entity.id);
      state = this.create(key, event, entity.type, entity.id);
      this.states.set(key, state);
      ids.set(entity.id, state);
    }
    state.lastEventAt = event.time;
    state.lastSeq = event.seq;
    state.events++;
    if (state.type === 'bot') {
      if (event.level === 'error') state.errors++;
      if (event.level === 'warn') state.warnings++;
    }
    const change = this.readUpdate(event);
    // A reader that names another type than the entity's says nothing about this one.
    if (change !== null && change.type === state.type) {
      switch (change.type) {
        case 'bot':
          applyBot(state as BotState, change);
          break;
        case 'server':
          applyServer(state as ServerState, change, event);
          break;
        case 'session':
          applySession(state as SessionState, change, event);
          break;
        case 'task':
          applyTask(state as TaskState, change, event);
          break;
        case 'command':
          applyCommand(state as CommandState, change, event);
          break;
      }
    }
    this.changed.add(state);
  }

  /** Every entity, optionally of one type or one hub. */
  list(filter: { type?: EntityType; hub?: string } = {}): EntityState[] {
    const out: EntityState[] = [];
    for (const state of this.states.values()) {
      if (filter.type && state.type !== filter.type) continue;
      if (filter.hub && state.hub !== filter.hub) continue;
      out.push(state);
    }
    return out;
  }

  get(hub: string, type: EntityType, id: string): EntityState | undefined {
    return this.states.get(entityKey(hub, type, id));
  }

  /** Marks a hub's running commands as no longer followed (a new command replaced them). */
  detachCommands(hub: string): void {
    for (const state of this.byHub.get(hub)?.get('command')?.values() ?? []) {
      if (state.type === 'command' && state.status === 'running') {
        state.status = 'detached';
        this.changed.add(state);
      }
    }
  }

  /** Forgets a hub's entities (the hub was removed). */
  removeHub(hub: string): void {
    for (const [key, state] of this.states) {
      if (state.hub === hub) {
        this.states.delete(key);
        this.changed.delete(state);
        this.removed.add(key);
      }
    }
    this.byHub.delete(hub);
  }

  /** What changed since the last call: copies, safe to send. */
  takeChanges(): { changed: EntityState[]; removed: string[] } {
    const changed: EntityState[] = [];
    for (const state of this.changed) changed.push(structuredClone(state));
    const removed = [...this.removed];
    this.changed.clear();
    this.removed.clear();
    return { changed, removed };
  }

  private create(key: string, event: EngineEvent, type: EntityType, id: string): EntityState {
    const base = {
      key,
      hub: event.hub,
      id,
      firstSeenAt: event.time,
      lastEventAt: event.time,
      lastSeq: event.seq,
      events: 0,
    };
    switch (type) {
      case 'bot':
        return { ...base, type, status: null, snapshot: null, errors: 0, warnings: 0 } satisfies BotState;
      case 'server':
        return {
          ...base,
          type,
          status: null,
          statusSince: null,
          crashes: [],
          deleted: false,
        } satisfies ServerState;
      case 'session':
        return {
          ...base,
          type,
          phase: null,
          phases: [],
          result: null,
          reason: null,
          ownerAccessKey: null,
        } satisfies SessionState;
      case 'task':
        return {
          ...base,
          type,
          current: 0,
          total: 0,
          message: null,
          outcome: 'running',
          startedAt: event.time,
          finishedAt: null,
        } satisfies TaskState;
      case 'command':
        return {
          ...base,
          type,
          command: this.commandOf(event.hub),
          status: 'running',
          exitCode: null,
          durationMs: null,
          errorMessage: null,
          lines: [],
          linesDropped: 0,
        } satisfies CommandState;
    }
  }
}

function applyBot(state: BotState, change: BotUpdate): void {
  if (change.snapshot !== undefined) state.snapshot = change.snapshot;
  if (change.status !== undefined) state.status = change.status;
}

function applyServer(state: ServerState, change: ServerUpdate, event: EngineEvent): void {
  if (change.crash !== undefined) {
    state.crashes.push({ at: event.time, ...change.crash, seq: event.seq });
    if (state.crashes.length > SERVER_CRASHES_KEPT)
      state.crashes.splice(0, state.crashes.length - SERVER_CRASHES_KEPT);
    state.status = 'crashed';
    state.statusSince = event.time;
  } else if (change.deleted) {
    state.deleted = true;
    state.status = 'deleted';
    state.statusSince = event.time;
  } else if (change.status !== undefined && change.status !== state.status) {
    state.status = change.status;
    state.statusSince = event.time;
  }
}

function applySession(state: SessionState, change: SessionUpdate, event: EngineEvent): void {
  if (change.phase !== undefined) {
    state.phase = change.phase;
    state.phases.push({ phase: change.phase, at: event.time });
  }
  if (change.reason !== undefined) state.reason = change.reason;
  if (change.ownerAccessKey !== undefined) state.ownerAccessKey = change.ownerAccessKey;
  if (change.result !== undefined) state.result = change.result;
}

function applyTask(state: TaskState, change: TaskUpdate, event: EngineEvent): void {
  if (change.current !== undefined) state.current = change.current;
  if (change.total !== undefined) state.total = change.total;
  if (change.message !== undefined) state.message = change.message;
  if (change.outcome === undefined) return;
  state.outcome = change.outcome;
  state.finishedAt = event.time;
  if (change.outcome === 'done' && state.total > 0) state.current = state.total;
}

function applyCommand(state: CommandState, change: CommandUpdate, event: EngineEvent): void {
  if (change.output !== undefined) {
    state.lines.push({ seq: event.seq, ...change.output });
    if (state.lines.length > COMMAND_LINES_KEPT) {
      const drop = state.lines.length - COMMAND_LINES_KEPT;
      state.lines.splice(0, drop);
      state.linesDropped += drop;
    }
  }
  if (change.complete !== undefined) {
    state.exitCode = change.complete.exitCode;
    state.durationMs = change.complete.durationMs;
    state.status = change.complete.exitCode === 0 ? 'completed' : 'failed';
  }
  if (change.errorMessage !== undefined) state.errorMessage = change.errorMessage;
}
