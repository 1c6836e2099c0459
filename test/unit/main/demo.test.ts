import { beforeEach, describe, expect, it } from 'vitest';
import './support/electron';
import type { DemoHub } from '../../../src/demo-hub/demo-hub';
import type { HubConfig } from '../../../src/shared/hub-config';

const { DemoController } = await import('../../../src/main/demo');
const { demoHubConfig, DEMO_CREDENTIALS } = await import('../../../src/demo-hub/demo-config');

function fakeHub(port: number, closed: number[]): DemoHub {
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    credentials: DEMO_CREDENTIALS,
    config: () => demoHubConfig(url),
    close: () => {
      closed.push(port);
      return Promise.resolve();
    },
  } as unknown as DemoHub;
}

describe('the demo controller', () => {
  let kept: Map<string, string>;
  let started: number[];
  let closed: number[];
  let busy: Set<number>;
  let nextPort: number;
  const controller = () =>
    new DemoController({
      start: ({ port }) => {
        started.push(port);
        if (busy.has(port))
          return Promise.reject(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }));
        return Promise.resolve(fakeHub(port === 0 ? nextPort++ : port, closed));
      },
      keepSecret: (ref, value) => kept.set(ref, value),
    });

  beforeEach(() => {
    kept = new Map();
    started = [];
    closed = [];
    busy = new Set();
    nextPort = 41000;
  });

  it('gives the demo hubs with their credentials as in-memory references, never inline', async () => {
    const demo = controller();
    const hubs = await demo.start();
    expect(hubs.map((hub) => hub.id)).toContain('cube');
    expect(JSON.stringify(hubs)).not.toContain(DEMO_CREDENTIALS.protocubeToken);
    expect(JSON.stringify(hubs)).not.toContain(DEMO_CREDENTIALS.backendAi.secretKey);
    expect(hubs.find((hub) => hub.id === 'cube')?.auth).toEqual({
      type: 'bearer',
      token: { secret: 'demo/cube/auth.token' },
    });
    expect(kept.get('demo/cube/auth.token')).toBe(DEMO_CREDENTIALS.protocubeToken);
    expect(kept.get('demo/bai/auth.secretKey')).toBe(DEMO_CREDENTIALS.backendAi.secretKey);
    expect(demo.running()).toBe(true);
    expect(demo.origin()).toBe('http://127.0.0.1:41000');
  });

  it('starts once however often it is asked', async () => {
    const demo = controller();
    await Promise.all([demo.start(), demo.start()]);
    await demo.start();
    expect(started).toEqual([0]);
  });

  it('starts again on the saved port, keeping the saved hubs as they are', async () => {
    const saved: HubConfig[] = demoHubConfig('http://127.0.0.1:40500').hubs;
    const demo = controller();
    const hubs = await demo.restore('http://127.0.0.1:40500', saved);
    expect(started).toEqual([40500]);
    expect(hubs).toEqual(saved);
  });

  it('moves the saved hubs to a new port when the old one is taken, ws: URLs included', async () => {
    busy.add(40500);
    const saved: HubConfig[] = [
      ...demoHubConfig('http://127.0.0.1:40500').hubs,
      { id: 'mine', dialect: 'generic', url: 'http://127.0.0.1:9999/stream' },
    ];
    const demo = controller();
    const hubs = await demo.restore('http://127.0.0.1:40500', saved);
    expect(started).toEqual([40500, 0]);
    expect(hubs.find((hub) => hub.id === 'cube-ws')?.url).toBe(
      'ws://127.0.0.1:41000/protocube/api/events/ws',
    );
    expect(hubs.find((hub) => hub.id === 'evo')?.pollUrl).toBe('http://127.0.0.1:41000/evoclaw/api/status');
    expect(hubs.find((hub) => hub.id === 'bai')?.url).toBe(
      'http://127.0.0.1:41000/backendai/events/session?sessionId=*&group=*',
    );
    expect(hubs.find((hub) => hub.id === 'mine')?.url).toBe('http://127.0.0.1:9999/stream');
  });

  it('closes the demo hub', async () => {
    const demo = controller();
    await demo.start();
    await demo.close();
    expect(closed).toEqual([41000]);
    expect(demo.running()).toBe(false);
  });
});
