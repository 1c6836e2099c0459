/**
 * What the entity views compute from entity states: session phase durations, task
 * progress, status tones, the flat fields of a bot snapshot. Pure, for unit tests.
 */
import type { EntityState, SessionPhase, SessionState, TaskState } from '../../../shared/entities';
import type { EntityType, JsonValue } from '../../../shared/hub-event';

/** How a status reads at a glance: the colour of its badge. */
export type Tone = 'ok' | 'busy' | 'warn' | 'bad' | 'idle';

/** How entity types are named in the UI. */
export const ENTITY_LABELS: Record<EntityType, { one: string; many: string }> = {
  bot: { one: 'bot', many: 'Bots' },
  server: { one: 'server', many: 'Servers' },
  session: { one: 'session', many: 'Sessions' },
  task: { one: 'task', many: 'Tasks' },
  command: { one: 'command', many: 'Commands' },
};

/** Every lifecycle phase of a Backend.AI session, in order. */
export const SESSION_PHASES: readonly SessionPhase[] = [
  'preparing',
  'pulling',
  'creating',
  'started',
  'terminated',
];

export interface PhaseSpan {
  phase: SessionPhase;
  at: number;
  /** Until the next phase, or until `now` for the current one (null once terminated). */
  durationMs: number | null;
  current: boolean;
}

/** The phases a session went through, each with how long it lasted. */
export function phaseSpans(session: SessionState, now: number): PhaseSpan[] {
  return session.phases.map((entry, index) => {
    const next = session.phases[index + 1];
    const last = index === session.phases.length - 1;
    const terminated = entry.phase === 'terminated';
    return {
      phase: entry.phase,
      at: entry.at,
      durationMs: next ? next.at - entry.at : terminated ? null : Math.max(0, now - entry.at),
      current: last && !terminated,
    };
  });
}

/** From the first phase to termination (or now). */
export function sessionLifetime(session: SessionState, now: number): number | null {
  const first = session.phases[0];
  if (!first) return null;
  const end = session.phases.find((p) => p.phase === 'terminated')?.at ?? now;
  return Math.max(0, end - first.at);
}

/** Task progress as 0…1, or null when the total is unknown (0). */
export function taskFraction(task: TaskState): number | null {
  if (task.total <= 0) return task.outcome === 'done' ? 1 : null;
  return Math.min(1, Math.max(0, task.current / task.total));
}

/** The tone of an entity's current state. */
export function entityTone(entity: EntityState): Tone {
  switch (entity.type) {
    case 'bot': {
      const status = (entity.status ?? '').toLowerCase();
      if (/error|crash|fail|dead|banned/.test(status)) return 'bad';
      if (/offline|stopped|idle|disconnect/.test(status)) return 'idle';
      if (/wait|connect|login|start/.test(status)) return 'busy';
      return entity.errors > 0 && status === '' ? 'warn' : 'ok';
    }
    case 'server': {
      if (entity.deleted) return 'idle';
      const status = (entity.status ?? '').toLowerCase();
      if (/crash|fail|error/.test(status)) return 'bad';
      if (/stop|offline|off/.test(status)) return 'idle';
      if (/start|boot|restart|pending|provision/.test(status)) return 'busy';
      return 'ok';
    }
    case 'session': {
      if (entity.phase === 'terminated') return entity.result === 'FAILURE' ? 'bad' : 'idle';
      return entity.phase === 'started' ? 'ok' : 'busy';
    }
    case 'task':
      return entity.outcome === 'done'
        ? 'ok'
        : entity.outcome === 'failed'
          ? 'bad'
          : entity.outcome === 'cancelled'
            ? 'warn'
            : 'busy';
    case 'command':
      return entity.status === 'running'
        ? 'busy'
        : entity.status === 'detached'
          ? 'idle'
          : entity.status === 'failed' || (entity.exitCode ?? 0) !== 0
            ? 'bad'
            : 'ok';
  }
}

/** The word shown in an entity's status badge. */
export function entityStatusText(entity: EntityState): string {
  switch (entity.type) {
    case 'bot':
      return entity.status ?? 'unknown';
    case 'server':
      return entity.deleted ? 'deleted' : (entity.status ?? 'unknown');
    case 'session':
      return entity.phase === 'terminated' && entity.result
        ? `terminated · ${entity.result.toLowerCase()}`
        : (entity.phase ?? 'unknown');
    case 'task':
      return entity.outcome;
    case 'command':
      if (entity.status === 'running') return 'running';
      // A new command replaced it on its hub: Hubwatch no longer follows it.
      if (entity.status === 'detached') return 'not followed';
      return `exit ${entity.exitCode ?? '?'}`;
  }
}

/** A snapshot's fields flattened one level deep (`stats.hp`) for a key/value grid. */
export function snapshotFields(
  snapshot: { [key: string]: JsonValue } | null,
): { key: string; value: string }[] {
  if (!snapshot) return [];
  const out: { key: string; value: string }[] = [];
  const show = (value: JsonValue): string =>
    value === null ? 'null' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  for (const [key, value] of Object.entries(snapshot)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value))
        out.push({ key: `${key}.${inner}`, value: show(innerValue) });
    } else out.push({ key, value: show(value) });
  }
  return out;
}

/** Entities newest-activity first (what an operator looks at first). */
export function byRecentActivity<T extends EntityState>(entities: readonly T[]): T[] {
  return [...entities].sort((a, b) => b.lastEventAt - a.lastEventAt || a.id.localeCompare(b.id));
}
