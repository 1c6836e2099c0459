import { describe, expect, it } from 'vitest';
import type { EntityState, SessionState, TaskState } from '../../../../src/shared/entities';
import {
  entityStatusText,
  entityTone,
  phaseSpans,
  sessionLifetime,
  snapshotFields,
  taskFraction,
} from '../../../../src/renderer/src/lib/entity-facts';
import {
  applyEntityDelta,
  entityIds,
  groupEntities,
  indexEntities,
} from '../../../../src/renderer/src/lib/entity-index';

const base = { hub: 'bai', firstSeenAt: 0, lastEventAt: 0, lastSeq: 1, events: 1 };

function session(phases: SessionState['phases'], result: string | null = null): SessionState {
  return {
    ...base,
    key: 's',
    type: 'session',
    id: 's1',
    phase: phases[phases.length - 1]?.phase ?? null,
    phases,
    result,
    reason: null,
    ownerAccessKey: null,
  };
}

function task(overrides: Partial<TaskState>): TaskState {
  return {
    ...base,
    key: 't',
    type: 'task',
    id: 't1',
    current: 0,
    total: 0,
    message: null,
    outcome: 'running',
    startedAt: 0,
    finishedAt: null,
    ...overrides,
  };
}

describe('entity facts', () => {
  it('give each session phase its duration, the current one until now', () => {
    const spans = phaseSpans(
      session([
        { phase: 'preparing', at: 0 },
        { phase: 'pulling', at: 1000 },
        { phase: 'started', at: 4000 },
      ]),
      10_000,
    );
    expect(spans.map((span) => [span.phase, span.durationMs, span.current])).toEqual([
      ['preparing', 1000, false],
      ['pulling', 3000, false],
      ['started', 6000, true],
    ]);
  });

  it('end a session’s lifetime at its termination', () => {
    const done = session(
      [
        { phase: 'preparing', at: 100 },
        { phase: 'terminated', at: 2100 },
      ],
      'SUCCESS',
    );
    expect(sessionLifetime(done, 99_999)).toBe(2000);
    expect(phaseSpans(done, 99_999)[1]).toMatchObject({ durationMs: null, current: false });
    expect(entityTone(session([{ phase: 'terminated', at: 0 }], 'FAILURE'))).toBe('bad');
    expect(entityStatusText(done)).toBe('terminated · success');
  });

  it('measure task progress, unknown when the total is zero', () => {
    expect(taskFraction(task({ current: 3, total: 4 }))).toBe(0.75);
    expect(taskFraction(task({ current: 3, total: 0 }))).toBe(null);
    expect(taskFraction(task({ total: 0, outcome: 'done' }))).toBe(1);
    expect(entityTone(task({ outcome: 'failed' }))).toBe('bad');
    expect(entityTone(task({ outcome: 'cancelled' }))).toBe('warn');
  });

  it('read a command’s state from its exit code', () => {
    const command = {
      ...base,
      key: 'c',
      type: 'command' as const,
      id: 'cmd-1',
      command: 'npm test',
      status: 'completed' as const,
      exitCode: 1,
      durationMs: 10,
      errorMessage: null,
      lines: [],
      linesDropped: 0,
    };
    expect(entityTone(command)).toBe('bad');
    expect(entityStatusText(command)).toBe('exit 1');
    expect(entityTone({ ...command, exitCode: 0 })).toBe('ok');
    expect(entityTone({ ...command, status: 'running' })).toBe('busy');
    const detached = { ...command, status: 'detached' as const, exitCode: null };
    expect([entityTone(detached), entityStatusText(detached)]).toEqual(['idle', 'not followed']);
  });

  it('flatten a bot snapshot one level for the key/value grid', () => {
    expect(snapshotFields({ id: 'bot-1', stats: { hp: 10, gems: 5 }, tags: ['a'] })).toEqual([
      { key: 'id', value: 'bot-1' },
      { key: 'stats.hp', value: '10' },
      { key: 'stats.gems', value: '5' },
      { key: 'tags', value: '["a"]' },
    ]);
  });
});

describe('the entity index', () => {
  const a: EntityState = task({ key: 'a', id: 'a' });
  const b: EntityState = task({ key: 'b', id: 'b', hub: 'other' });

  it('applies a pushed delta without touching the previous snapshot', () => {
    const first = indexEntities([a]);
    const second = applyEntityDelta(first, {
      changed: [b, { ...a, current: 5 }],
      removed: [],
    });
    expect(first.size).toBe(1);
    expect((second.get('a') as TaskState).current).toBe(5);
    const third = applyEntityDelta(second, { changed: [], removed: ['a'] });
    expect([...third.keys()]).toEqual(['b']);
    expect(applyEntityDelta(third, { changed: [], removed: [] })).toBe(third);
  });

  it('groups by type and lists ids within a scope', () => {
    const index = indexEntities([a, b]);
    expect(groupEntities(index).task).toHaveLength(2);
    expect(entityIds([a, b], ['bai'])).toEqual(['a']);
    expect(entityIds([a, b], null)).toEqual(['a', 'b']);
  });
});
