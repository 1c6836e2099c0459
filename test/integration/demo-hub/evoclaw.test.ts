import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import { json, openStream, takeEvents } from './support';

let hub: DemoHub;

beforeAll(async () => {
  hub = await startDemoHub({ port: 0, rate: 2000 });
});
afterAll(() => hub.close());

interface EvoEntry {
  time: string;
  level: string;
  component: string;
  message: string;
}

const LEVELS = ['debug', 'info', 'warn', 'error'];
const COMPONENTS = [
  'api',
  'orchestrator',
  'model-router',
  'registry',
  'evolution',
  'mqtt',
  'telegram',
  'system',
];

describe('the demo EvoClaw log stream', () => {
  it('sends the documented headers, CORS included, without any auth', async () => {
    const response = await openStream(`${hub.url}/evoclaw/api/logs/stream`);
    try {
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['connection']).toBe('keep-alive');
      expect(response.headers['access-control-allow-origin']).toBe('*');
      await response.untilEvents(1);
    } finally {
      response.close();
    }
  });

  it('sends untyped data frames of {time, level, component, message} with the seed values', async () => {
    const response = await openStream(`${hub.url}/evoclaw/api/logs/stream`);
    const events = await response.untilEvents(200);
    response.close();
    expect(response.body).toMatch(/^data: \{"time":"\d{2}:\d{2}:\d{2}","level":/);
    expect(response.body).not.toMatch(/^event:/m);
    for (const event of events) {
      expect(event.event).toBeNull();
      const entry = json<EvoEntry>(event);
      expect(Object.keys(entry)).toEqual(['time', 'level', 'component', 'message']);
      expect(entry.time).toMatch(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/);
      expect(LEVELS).toContain(entry.level);
      expect(COMPONENTS).toContain(entry.component);
    }
  });

  it('uses every level and component within the first 80 events, 20 s at the default rate', async () => {
    for (const seed of [1, 2, 3]) {
      const entries = (await takeEvents(`${hub.url}/evoclaw/api/logs/stream?seed=${seed}`, 80)).map((e) =>
        json<EvoEntry>(e),
      );
      expect(new Set(entries.map((e) => e.level))).toEqual(new Set(LEVELS));
      expect(new Set(entries.map((e) => e.component))).toEqual(new Set(COMPONENTS));
    }
  });

  it('sends a heartbeat line from system every heartbeat interval', async () => {
    const started = Date.now();
    const response = await openStream(`${hub.url}/evoclaw/api/logs/stream?rate=1&heartbeatMs=100`);
    const heartbeats = (): EvoEntry[] =>
      response.events.map((e) => json<EvoEntry>(e)).filter((e) => e.message.startsWith('heartbeat:'));
    await response.until(() => heartbeats().length >= 3, 3000, '3 heartbeats');
    response.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    for (const beat of heartbeats()) {
      expect(beat).toMatchObject({ level: 'info', component: 'system' });
      expect(beat.message).toMatch(/^heartbeat: [1-3] agents online$/);
    }
  });

  it('schedules heartbeats by stream time: one after every heartbeatMs worth of events', async () => {
    // 400 events/s and 50 ms: 20 events, a heartbeat, 20 events, a heartbeat (the default 5 s
    // at 4 events/s is the same 20).
    const events = await takeEvents(`${hub.url}/evoclaw/api/logs/stream?rate=400&heartbeatMs=50`, 45);
    const beats = events
      .map((e, i) => (json<EvoEntry>(e).message.startsWith('heartbeat:') ? i : -1))
      .filter((i) => i >= 0);
    expect(beats).toEqual([20, 41]);
  });

  it('serves the polling fallback at /evoclaw/api/status', async () => {
    const response = await fetch(`${hub.url}/evoclaw/api/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const status = (await response.json()) as {
      status: string;
      agents_online: number;
      uptime_s: number;
      agents: unknown[];
    };
    expect(status).toMatchObject({ status: 'ok', agents_online: 3 });
    expect(status.agents).toHaveLength(3);
    expect(typeof status.uptime_s).toBe('number');
  });
});
