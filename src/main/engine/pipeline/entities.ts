/**
 * Derives the live state of bots, servers, sessions, background tasks and rdev commands
 * from events. Changes are collected and handed out in batches (`takeChanges`), never
 * one notification per event.
 */
import {
  COMMAND_LINES_KEPT,
  SERVER_CRASHES_KEPT,
  entityKey,
  type BotState,
  type CommandState,
  type EntityState,
  type ServerState,
  type SessionPhase,
  type SessionState,
  type TaskState,
} from '../../../shared/entities';
import type { EntityType, JsonValue } from '../../../shared/hub-event';
import type { EngineEvent } from '../event-record';

type JsonObject = { [key: string]: JsonValue };

/** Entities kept per hub and type. */
export const MAX_ENTITIES_PER_KIND = 2000;

function asObject(value: JsonValue | undefined): JsonObject | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
}
function asString(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}
function asNumber(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const SESSION_PHASES: Record<string, SessionPhase> = {
  session_preparing: 'preparing',
  session_pulling: 'pulling',
  session_creating: 'creating',
  session_started: 'started',
  session_terminated: 'terminated',
};

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
   */
  constructor(
    private readonly commandOf: (hub: string) => string | null = () => null,
    private readonly maxPerKind = MAX_ENTITIES_PER_KIND,
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
    const data = asObject(event.data);
    switch (state.type) {
      case 'bot':
        this.updateBot(state, event, data);
        break;
      case 'server':
        this.updateServer(state, event, data);
        break;
      case 'session':
        this.updateSession(state, event, data);
        break;
      case 'task':
        this.updateTask(state, event, data);
        break;
      case 'command':
        this.updateCommand(state, event, data);
        break;
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

  private updateBot(state: BotState, event: EngineEvent, data: JsonObject | null): void {
    if (event.level === 'error') state.errors++;
    if (event.level === 'warn') state.warnings++;
    const snapshot = asObject(data?.['snapshot']);
    if (event.event === 'session' && snapshot) {
      state.snapshot = snapshot;
      state.status = asString(snapshot['status']) ?? state.status;
    }
  }

  private updateServer(state: ServerState, event: EngineEvent, data: JsonObject | null): void {
    const inner = asObject(data?.['Data']);
    const payload = inner?.['payload'];
    switch (event.event) {
      case 'status': {
        const status = asString(payload);
        if (status !== null && status !== state.status) {
          state.status = status;
          state.statusSince = event.time;
        }
        break;
      }
      case 'crash': {
        const crash = asObject(payload);
        state.crashes.push({
          at: event.time,
          reason: asString(crash?.['reason']),
          exitCode: asNumber(crash?.['exit_code']),
          seq: event.seq,
        });
        if (state.crashes.length > SERVER_CRASHES_KEPT)
          state.crashes.splice(0, state.crashes.length - SERVER_CRASHES_KEPT);
        state.status = 'crashed';
        state.statusSince = event.time;
        break;
      }
      case 'deleted':
        state.deleted = true;
        state.status = 'deleted';
        state.statusSince = event.time;
        break;
    }
  }

  private updateSession(state: SessionState, event: EngineEvent, data: JsonObject | null): void {
    const phase = SESSION_PHASES[event.event];
    if (phase) {
      state.phase = phase;
      state.phases.push({ phase, at: event.time });
    }
    const reason = asString(data?.['reason']);
    if (reason) state.reason = reason;
    const owner = asString(data?.['ownerAccessKey']);
    if (owner) state.ownerAccessKey = owner;
    const result = asString(data?.['result']);
    if (result) state.result = result;
  }

  private updateTask(state: TaskState, event: EngineEvent, data: JsonObject | null): void {
    const current = asNumber(data?.['current_progress']);
    const total = asNumber(data?.['total_progress']);
    if (current !== null) state.current = current;
    if (total !== null) state.total = total;
    const message = asString(data?.['message']);
    if (message) state.message = message;
    switch (event.event) {
      case 'task_done':
        state.outcome = 'done';
        state.finishedAt = event.time;
        if (state.total > 0) state.current = state.total;
        break;
      case 'task_failed':
      case 'tak_failed':
      case 'task_fail':
        state.outcome = 'failed';
        state.finishedAt = event.time;
        break;
      case 'task_cancelled':
      case 'task_cancel':
        state.outcome = 'cancelled';
        state.finishedAt = event.time;
        break;
    }
  }

  private updateCommand(state: CommandState, event: EngineEvent, data: JsonObject | null): void {
    switch (event.event) {
      case 'output': {
        const line = asString(data?.['line']) ?? (typeof event.data === 'string' ? event.data : '');
        const stream = asString(data?.['stream']) === 'stderr' ? 'stderr' : 'stdout';
        state.lines.push({ seq: event.seq, stream, line });
        if (state.lines.length > COMMAND_LINES_KEPT) {
          const drop = state.lines.length - COMMAND_LINES_KEPT;
          state.lines.splice(0, drop);
          state.linesDropped += drop;
        }
        break;
      }
      case 'complete': {
        const exitCode = asNumber(data?.['exit_code']);
        state.exitCode = exitCode;
        state.durationMs = asNumber(data?.['duration_ms']);
        state.status = exitCode === 0 ? 'completed' : 'failed';
        break;
      }
      case 'error':
        state.errorMessage = asString(data?.['message']) ?? event.message;
        break;
    }
  }
}
