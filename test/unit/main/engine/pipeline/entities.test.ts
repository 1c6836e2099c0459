import { describe, expect, it } from 'vitest';
import { getDialect } from '../../../../../src/main/engine/dialects';
import type { EngineEvent } from '../../../../../src/main/engine/event-record';
import { EntityTracker, MAX_ENTITIES_PER_KIND } from '../../../../../src/main/engine/pipeline/entities';
import type { DialectId } from '../../../../../src/shared/hub-config';
import type {
  CommandState,
  ServerState,
  SessionState,
  TaskState,
  BotState,
} from '../../../../../src/shared/entities';
import { makeRecord } from '../../../../support/records';

/** The dialect of each hub these tests feed. */
const DIALECT_OF_HUB: Readonly<Record<string, DialectId>> = {
  bots: 'bot-hub',
  cube: 'protocube',
  bai: 'backendai',
  build: 'rdev',
};

/** Reads a record's entity payload as the engine does: with its hub's dialect. */
function readByDialect(event: EngineEvent) {
  const dialect = DIALECT_OF_HUB[event.hub];
  return dialect === undefined ? null : (getDialect(dialect).entityUpdate?.(event) ?? null);
}

describe('the entity tracker', () => {
  it('keeps a bot’s latest snapshot and status', () => {
    const tracker = new EntityTracker(undefined, MAX_ENTITIES_PER_KIND, readByDialect);
    tracker.update(
      makeRecord({
        hub: 'bots',
        event: 'session',
        entity: { type: 'bot', id: 'bot-1' },
        data: { snapshot: { id: 'bot-1', status: 'loading' } },
      }),
    );
    tracker.update(
      makeRecord({
        hub: 'bots',
        seq: 2,
        event: 'log',
        level: 'error',
        entity: { type: 'bot', id: 'bot-1' },
        data: { message: 'x' },
      }),
    );
    tracker.update(
      makeRecord({
        hub: 'bots',
        seq: 3,
        event: 'session',
        entity: { type: 'bot', id: 'bot-1' },
        data: { snapshot: { id: 'bot-1', status: 'in_world' } },
      }),
    );
    const bot = tracker.get('bots', 'bot', 'bot-1') as BotState;
    expect(bot.status).toBe('in_world');
    expect(bot.snapshot).toEqual({ id: 'bot-1', status: 'in_world' });
    expect(bot.errors).toBe(1);
    expect(bot.events).toBe(3);
    expect(bot.lastSeq).toBe(3);
  });

  it('follows a server’s status and keeps its crash history', () => {
    const tracker = new EntityTracker(undefined, MAX_ENTITIES_PER_KIND, readByDialect);
    const server = { type: 'server' as const, id: 'srv_01' };
    tracker.update(
      makeRecord({
        hub: 'cube',
        event: 'status',
        entity: server,
        time: 1000,
        data: { Topic: 'status', Data: { server_id: 'srv_01', payload: 'running' } },
      }),
    );
    tracker.update(
      makeRecord({
        hub: 'cube',
        seq: 2,
        event: 'crash',
        entity: server,
        time: 2000,
        data: {
          Topic: 'crash',
          Data: {
            server_id: 'srv_01',
            payload: { reason: 'signal: killed', exit_code: 137, timestamp: '2026-04-03T12:00:00Z' },
          },
        },
      }),
    );
    const state = tracker.get('cube', 'server', 'srv_01') as ServerState;
    expect(state.status).toBe('crashed');
    expect(state.crashes).toEqual([{ at: 2000, reason: 'signal: killed', exitCode: 137, seq: 2 }]);
    tracker.update(
      makeRecord({
        hub: 'cube',
        seq: 3,
        event: 'deleted',
        entity: server,
        data: { Topic: 'deleted', Data: { server_id: 'srv_01', payload: null } },
      }),
    );
    expect((tracker.get('cube', 'server', 'srv_01') as ServerState).deleted).toBe(true);
  });

  it('records a session’s phases with their times and its result', () => {
    const tracker = new EntityTracker(undefined, MAX_ENTITIES_PER_KIND, readByDialect);
    const session = { type: 'session' as const, id: 'mysession-01' };
    const phases = [
      'session_preparing',
      'session_pulling',
      'session_creating',
      'session_started',
      'session_terminated',
    ];
    phases.forEach((event, i) =>
      tracker.update(
        makeRecord({
          hub: 'bai',
          seq: i + 1,
          event,
          time: 1000 * (i + 1),
          entity: session,
          data: {
            sessionId: 'mysession-01',
            ownerAccessKey: 'AK',
            reason: i === 4 ? 'self-terminated' : null,
            ...(i === 4 ? { result: 'FAILURE' } : {}),
          },
        }),
      ),
    );
    const state = tracker.get('bai', 'session', 'mysession-01') as SessionState;
    expect(state.phases.map((p) => [p.phase, p.at])).toEqual([
      ['preparing', 1000],
      ['pulling', 2000],
      ['creating', 3000],
      ['started', 4000],
      ['terminated', 5000],
    ]);
    expect(state.result).toBe('FAILURE');
    expect(state.reason).toBe('self-terminated');
  });

  it('tracks task progress and understands the tak_failed typo', () => {
    const tracker = new EntityTracker(undefined, MAX_ENTITIES_PER_KIND, readByDialect);
    const task = { type: 'task' as const, id: 't1' };
    tracker.update(
      makeRecord({
        hub: 'bai',
        event: 'task_updated',
        entity: task,
        data: { task_id: 't1', current_progress: 40, total_progress: 100, message: 'pulling' },
      }),
    );
    let state = tracker.get('bai', 'task', 't1') as TaskState;
    expect([state.current, state.total, state.message, state.outcome]).toEqual([
      40,
      100,
      'pulling',
      'running',
    ]);
    tracker.update(
      makeRecord({
        hub: 'bai',
        seq: 2,
        event: 'tak_failed',
        entity: task,
        data: { task_id: 't1', message: 'boom' },
      }),
    );
    state = tracker.get('bai', 'task', 't1') as TaskState;
    expect(state.outcome).toBe('failed');
    expect(state.message).toBe('boom');
  });

  it('collects a command’s output, exit code and duration, naming the command Hubwatch started', () => {
    const tracker = new EntityTracker(
      (hub) => (hub === 'build' ? 'npm test' : null),
      MAX_ENTITIES_PER_KIND,
      readByDialect,
    );
    const command = { type: 'command' as const, id: 'cmd-1' };
    tracker.update(
      makeRecord({
        hub: 'build',
        event: 'output',
        entity: command,
        data: { line: 'PASS a.test.js', stream: 'stdout' },
      }),
    );
    tracker.update(
      makeRecord({
        hub: 'build',
        seq: 2,
        event: 'output',
        entity: command,
        data: { line: 'warning', stream: 'stderr' },
      }),
    );
    tracker.update(
      makeRecord({
        hub: 'build',
        seq: 3,
        event: 'complete',
        entity: command,
        data: { exit_code: 1, duration_ms: 8200 },
      }),
    );
    const state = tracker.get('build', 'command', 'cmd-1') as CommandState;
    expect(state.command).toBe('npm test');
    expect(state.lines).toEqual([
      { seq: 1, stream: 'stdout', line: 'PASS a.test.js' },
      { seq: 2, stream: 'stderr', line: 'warning' },
    ]);
    expect([state.exitCode, state.durationMs, state.status]).toEqual([1, 8200, 'failed']);
  });

  it('hands out each change once, batched', () => {
    const tracker = new EntityTracker(undefined, MAX_ENTITIES_PER_KIND, readByDialect);
    for (let i = 0; i < 100; i++)
      tracker.update(makeRecord({ seq: i + 1, entity: { type: 'bot', id: `bot-${i % 3}` } }));
    const first = tracker.takeChanges();
    expect(first.changed.map((s) => s.id).sort()).toEqual(['bot-0', 'bot-1', 'bot-2']);
    expect(tracker.takeChanges().changed).toEqual([]);
    tracker.removeHub('h1');
    expect(tracker.takeChanges().removed).toHaveLength(3);
    expect(tracker.list()).toEqual([]);
  });

  it('keeps at most a bounded number of entities per hub and type, dropping the least recently active', () => {
    const tracker = new EntityTracker(() => null, 3, readByDialect);
    for (let i = 1; i <= 5; i++) {
      tracker.update(
        makeRecord({
          hub: 'bai',
          seq: i,
          time: i,
          event: 'session_started',
          entity: { type: 'session', id: `s${i}` },
        }),
      );
    }
    tracker.update(
      makeRecord({
        hub: 'bai',
        seq: 6,
        time: 6,
        event: 'session_started',
        entity: { type: 'server', id: 'other-kind' },
      }),
    );
    expect(tracker.list({ type: 'session' }).map((state) => state.id)).toEqual(['s3', 's4', 's5']);
    expect(tracker.list({ type: 'server' })).toHaveLength(1);
    expect(tracker.takeChanges().removed).toHaveLength(2);
  });

  it('applies what the dialect read from a payload and reads none itself', () => {
    const crash = makeRecord({
      hub: 'cube',
      event: 'crash',
      entity: { type: 'server', id: 'srv_01' },
      time: 5000,
      data: { Topic: 'crash', Data: { server_id: 'srv_01', payload: { reason: 'oom', exit_code: 137 } } },
    });
    const blind = new EntityTracker();
    blind.update(crash);
    const unread = blind.get('cube', 'server', 'srv_01') as ServerState;
    expect(unread.events).toBe(1);
    expect(unread.crashes).toEqual([]);
    expect(unread.status).toBeNull();

    const told = new EntityTracker(undefined, MAX_ENTITIES_PER_KIND, () => ({
      type: 'server',
      crash: { reason: 'told', exitCode: 1 },
    }));
    told.update(crash);
    const server = told.get('cube', 'server', 'srv_01') as ServerState;
    expect(server.crashes).toEqual([{ at: 5000, reason: 'told', exitCode: 1, seq: 1 }]);
    expect(server.status).toBe('crashed');
  });

  it('ignores an update that names another entity type than the event’s entity', () => {
    const tracker = new EntityTracker(undefined, MAX_ENTITIES_PER_KIND, () => ({
      type: 'task',
      outcome: 'failed',
    }));
    tracker.update(makeRecord({ hub: 'cube', event: 'status', entity: { type: 'server', id: 'srv_01' } }));
    const server = tracker.get('cube', 'server', 'srv_01') as ServerState;
    expect(server.status).toBeNull();
    expect(server.events).toBe(1);
  });
});
