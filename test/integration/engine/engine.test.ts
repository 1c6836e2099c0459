import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/main/engine/engine';
import { toHubEvent, type EngineEvent } from '../../../src/main/engine/event-record';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import type { HubConfig } from '../../../src/shared/hub-config';
import { isGapMarker } from '../../../src/shared/hub-event';
import { matchCount } from '../../support/store-matches';

let demo: DemoHub;

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function hub(id: string): HubConfig {
  const found = demo.config().hubs.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no demo hub ${id}`);
  return found;
}

beforeAll(async () => {
  demo = await startDemoHub({ port: 0, rate: 40, speed: 3, heartbeatMs: 500 });
});

afterAll(async () => {
  await demo?.close();
});

describe('the engine', () => {
  it('runs many hubs at once and a failing one never affects the others', async () => {
    const engine = new Engine();
    const events: EngineEvent[] = [];
    let batches = 0;
    engine.subscribe({
      onEvents(batch) {
        batches++;
        events.push(...batch);
      },
    });
    engine.setHubs([
      hub('bots'),
      hub('evo'),
      { ...hub('cube'), id: 'cube-bad', auth: { type: 'bearer', token: 'wrong' } },
      hub('cube-ws'),
    ]);
    engine.start();
    await until(
      () =>
        engine.hub('cube-bad')?.state.state === 'failed' &&
        events.filter((e) => e.hub === 'cube-ws').length > 10,
    );
    expect(engine.hub('cube-bad')!.state).toMatchObject({ state: 'failed', reason: 'credentials_rejected' });
    for (const id of ['bots', 'evo', 'cube-ws']) {
      expect(engine.hub(id)!.state.state).toBe('open');
      expect(events.some((event) => event.hub === id)).toBe(true);
    }
    // Subscribers get batches, never one call per event.
    expect(batches).toBeLessThan(events.length);
    await engine.stop();
  });

  it('adds, changes and removes hubs at runtime, keeping seq going across a change', async () => {
    const engine = new Engine();
    const events: EngineEvent[] = [];
    engine.subscribe({ onEvents: (batch) => events.push(...batch) });
    engine.start();
    engine.upsertHub(hub('evo'));
    await until(() => events.filter((e) => e.hub === 'evo').length >= 5);
    engine.upsertHub({ ...hub('evo'), url: `${hub('evo').url}?seed=7`, name: 'changed' });
    const before = events.filter((e) => e.hub === 'evo').length;
    await until(() => events.filter((e) => e.hub === 'evo').length >= before + 5);
    const seqs = events.filter((e) => e.hub === 'evo' && !e.gap).map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(Math.max(...seqs)).toBeGreaterThan(before);
    engine.removeHub('evo');
    expect(engine.listHubs()).toEqual([]);
    expect(engine.store.ring('evo')).toBeUndefined();
    await engine.stop();
  });

  it('pauses and resumes an rdev stream without losing or repeating an event', async () => {
    const engine = new Engine();
    const events: EngineEvent[] = [];
    engine.subscribe({ onEvents: (batch) => events.push(...batch) });
    engine.setHubs([{ ...hub('build'), command: 'npm test' }]);
    engine.start();
    await until(() => events.length >= 4);
    engine.setPaused(true);
    await until(() => engine.hub('build')!.state.state === 'idle');
    await new Promise((r) => setTimeout(r, 800));
    engine.setPaused(false);
    await until(() => engine.hub('build')!.state.state === 'ended', 30_000);
    engine.flush();
    const ids = events.filter((event) => !event.gap).map((event) => Number(event.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(events.some((event) => event.gap)).toBe(false);
    expect(events.at(-1)!.event).toBe('complete');
    await engine.stop();
  }, 40_000);

  it('keeps a bounded store and counts what it evicted', async () => {
    const engine = new Engine({ capacityPerHub: 50 });
    engine.setHubs([{ ...hub('evo'), url: `${hub('evo').url}?rate=400` }]);
    engine.start();
    await until(() => (engine.hub('evo')?.stats.events ?? 0) > 200);
    const info = engine.hub('evo')!;
    expect(engine.store.ring('evo')!.size).toBe(50);
    expect(info.stats.evicted).toBeGreaterThan(100);
    await engine.stop();
  });

  it('raises the default alerts and derives entities from the demo hub', async () => {
    const engine = new Engine();
    const raised: string[] = [];
    engine.subscribe({ onAlert: (alert, isNew) => isNew && raised.push(alert.ruleId) });
    engine.setHubs([hub('cube'), hub('bai'), hub('bai-task-failed')]);
    engine.start();
    await until(() => raised.includes('protocube-crash') && raised.includes('backendai-task-failed'), 25_000);
    expect(engine.entities.list({ type: 'server' }).length).toBeGreaterThan(0);
    expect(engine.entities.list({ type: 'task' })).toEqual([expect.objectContaining({ outcome: 'failed' })]);
    await engine.stop();
  }, 30_000);
});

describe('an rdev hub that is disabled and enabled again', () => {
  let server: Server;
  let posts = 0;
  let base = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.method === 'POST') {
        posts++;
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ data: { id: `cmd-${posts}` } }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('id: 1\nevent: connected\ndata: {}\n\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('follows the same stream instead of running its command again', async () => {
    const engine = new Engine();
    engine.setHubs([
      {
        id: 'build',
        dialect: 'rdev',
        url: base,
        project: 'p',
        command: 'make',
        auth: { type: 'header', name: 'X-API-Key', value: 'k' },
      },
    ]);
    engine.start();
    await until(() => engine.hub('build')?.state.state === 'open');
    engine.setEnabled('build', false);
    await until(() => engine.hub('build')?.state.state === 'idle');
    engine.setEnabled('build', true);
    await until(() => engine.hub('build')?.state.state === 'open');
    expect(posts).toBe(1);
    engine.runCommand('build', 'make test');
    await until(() => posts === 2);
    await engine.stop();
  });
});

describe('event names and batched records', () => {
  let server: Server;
  let url = '';
  const NAMES = 1200;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      let body = '';
      // Each name twice in a row, then a name never seen before: 1,200 names in all.
      for (let i = 0; i < NAMES; i++) {
        for (let repeat = 0; repeat < 2; repeat++) {
          body += `event: kind-${i}\ndata: {"n":${i},"repeat":${repeat},"nested":{"list":[1,"two",null]}}\n\n`;
        }
      }
      res.write(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('lists each name a hub sent, up to a bound, and hands subscribers payloads equal to what was sent', async () => {
    const engine = new Engine({ batchDelayMs: 5 });
    const received: EngineEvent[] = [];
    engine.subscribe({ onEvents: (batch) => received.push(...batch) });
    engine.setHubs([{ id: 'names', dialect: 'generic', url }]);
    engine.start();
    await until(() => received.length === NAMES * 2);
    await engine.stop();

    const names = engine.eventNames()['names']!;
    expect(names).toHaveLength(1000);
    expect(names).toContain('kind-0');
    expect(names).toContain('kind-999');
    expect(names).not.toContain('kind-1000');
    // Records are read after the batch waited: the payload comes back from its text, intact.
    received.forEach((event, index) => {
      const n = Math.floor(index / 2);
      expect(event.event).toBe(`kind-${n}`);
      expect(event.data).toEqual({ n, repeat: index % 2, nested: { list: [1, 'two', null] } });
      expect(JSON.parse(event.raw!)).toEqual(event.data);
    });
  });
});

describe('gap markers and a real event named gap', () => {
  let server: Server;
  let url = '';
  let connections = 0;

  beforeAll(async () => {
    // A hub whose own events are named gap, from a component it calls "hubwatch", with a
    // null payload: everything a marker has. No ids, so every reconnect is a real gap.
    server = createServer((_req, res) => {
      connections++;
      res.writeHead(connections > 2 ? 204 : 200, { 'Content-Type': 'text/event-stream' });
      if (connections > 2) return res.end();
      res.write('event: gap\ndata: {"component":"hubwatch","severity":"warn","msg":null}\n\n');
      res.end('event: gap\ndata: null\n\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('are told apart by source "hubwatch", which a real event named gap never gets', async () => {
    const engine = new Engine({
      batchDelayMs: 1,
      connection: { backoffBaseMs: 5, backoffCapMs: 10, random: () => 0 },
    });
    const received: EngineEvent[] = [];
    engine.subscribe({ onEvents: (batch) => received.push(...batch) });
    engine.setHubs([
      {
        id: 'g',
        dialect: 'generic',
        url,
        fields: { source: 'component', level: 'severity', message: 'msg' },
      },
    ]);
    engine.start();
    await until(() => engine.hub('g')?.state.state === 'ended');
    await engine.stop();

    const records = received.map(toHubEvent);
    const markers = records.filter(isGapMarker);
    const real = records.filter((record) => !isGapMarker(record));
    // Two connections of two events each, and one marker at the reconnect between them.
    expect(real).toHaveLength(4);
    expect(markers).toHaveLength(1);
    expect(received.filter((event) => event.gap).map(toHubEvent)).toEqual(markers);
    expect(markers[0]).toMatchObject({
      event: 'gap',
      level: 'warn',
      source: 'hubwatch',
      data: null,
      id: null,
    });
    expect(markers[0]!.message).toMatch(/without a last event id.*may be missing/);
    for (const event of real) {
      expect(event.event).toBe('gap');
      expect(event.source).not.toBe('hubwatch');
    }
    // The hub's own source field is not taken over: its payload still says what it said.
    expect(real[0]).toMatchObject({ level: 'warn', source: null, data: { component: 'hubwatch' } });
    expect(matchCount(engine.store, {})).toBe(5);
  });
});
