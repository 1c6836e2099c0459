import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../../../../../src/main/engine/pipeline/alerts';
import type { Alert } from '../../../../../src/shared/alerts';
import { makeRecord } from '../../../../support/records';

function setup() {
  let now = 1_000_000;
  const raised: Alert[] = [];
  const updated: Alert[] = [];
  const dialects: Record<string, string> = {
    cube: 'protocube',
    bai: 'backendai',
    build: 'rdev',
    bots: 'bot-hub',
  };
  const engine = new AlertEngine(
    { raised: (a) => raised.push(a), updated: (a) => updated.push(a) },
    (hub) => dialects[hub] ?? 'generic',
    undefined,
    () => now,
  );
  return { engine, raised, updated, advance: (ms: number) => (now += ms) };
}

const crash = (seq: number, hub = 'cube') =>
  makeRecord({
    hub,
    seq,
    event: 'crash',
    level: 'error',
    entity: { type: 'server', id: 'srv_01' },
    message: 'srv_01 crashed: signal: killed (exit 137)',
  });

describe('alert rules', () => {
  it('raise the default alerts: crash, session terminated, task failed (typo too), non-zero exit', () => {
    const { engine, raised } = setup();
    engine.check(crash(1));
    engine.check(
      makeRecord({ hub: 'bai', event: 'session_terminated', entity: { type: 'session', id: 's1' } }),
    );
    engine.check(makeRecord({ hub: 'bai', seq: 2, event: 'tak_failed', entity: { type: 'task', id: 't1' } }));
    engine.check(
      makeRecord({
        hub: 'build',
        event: 'complete',
        entity: { type: 'command', id: 'c1' },
        data: { exit_code: 2, duration_ms: 5 },
      }),
    );
    engine.check(
      makeRecord({
        hub: 'build',
        seq: 2,
        event: 'complete',
        entity: { type: 'command', id: 'c2' },
        data: { exit_code: 0, duration_ms: 5 },
      }),
    );
    engine.check(makeRecord({ hub: 'bots', event: 'crash' }));
    expect(raised.map((a) => a.ruleId)).toEqual([
      'protocube-crash',
      'backendai-session-terminated',
      'backendai-task-failed',
      'rdev-nonzero-exit',
    ]);
    expect(raised[0]).toMatchObject({
      hub: 'cube',
      entity: { type: 'server', id: 'srv_01' },
      title: 'Server srv_01 crashed on cube',
      event: { hub: 'cube', seq: 1 },
    });
  });

  it('coalesce a storm within the window into one alert with a count', () => {
    const { engine, raised, updated, advance } = setup();
    for (let i = 1; i <= 50; i++) {
      engine.check(crash(i));
      advance(100);
    }
    expect(raised).toHaveLength(1);
    expect(updated).toHaveLength(49);
    expect(updated.at(-1)!.count).toBe(50);
    expect(engine.list()[0]!.count).toBe(50);
    advance(60_000);
    engine.check(crash(51));
    expect(raised).toHaveLength(2);
  });

  it('stay silent for a muted hub and speak again when unmuted', () => {
    const { engine, raised } = setup();
    engine.setMuted('cube', true);
    engine.check(crash(1));
    expect(raised).toHaveLength(0);
    expect(engine.suppressed).toBe(1);
    engine.check(crash(1, 'other-cube'));
    engine.setMuted('cube', false);
    engine.check(crash(2));
    expect(raised.map((a) => a.hub)).toEqual(['cube']);
  });

  it('name the rule when a custom one does not compile', () => {
    const { engine } = setup();
    expect(() =>
      engine.setRules([
        {
          id: 'bad',
          name: 'bad',
          enabled: true,
          match: { where: 'data.x ==' },
          title: 't',
          coalesceMs: 1,
          severity: 'warn',
        },
      ]),
    ).toThrow(/alert rule "bad"/);
  });
});

describe('alert text', () => {
  it('is built from the hub, entity and event as they are and the redacted message', () => {
    const raised: Alert[] = [];
    const engine = new AlertEngine(
      { raised: (a) => raised.push(a), updated: () => undefined },
      () => 'protocube',
      [
        {
          id: 'crash',
          name: 'Crash',
          enabled: true,
          match: { events: ['fleet-crash'] },
          title: '{event} of {entity} on {hub}: {message}',
          coalesceMs: 0,
          severity: 'error',
        },
      ],
      () => 1,
      (event) => event.message?.replaceAll(' fleet ', ' REDACTED ') ?? null,
    );
    const event = makeRecord({
      hub: 'ops-fleet',
      event: 'fleet-crash',
      entity: { type: 'server', id: 'srv-fleet' },
      message: 'auth fleet expired',
    });
    engine.check(event);
    engine.check({ ...event, hub: 'fleet', message: null });
    expect(raised.map(({ title, body }) => ({ title, body }))).toEqual([
      {
        title: 'fleet-crash of srv-fleet on ops-fleet: auth REDACTED expired',
        body: 'auth REDACTED expired',
      },
      // Without a message the body is the event name, which is identity.
      { title: 'fleet-crash of srv-fleet on fleet: ', body: 'fleet-crash' },
    ]);
  });
});
