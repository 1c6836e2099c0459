import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import type { AuthConfig, HubConfig } from '../../../src/shared/hub-config';
import { backendAiHeaders, openStream, takeEvents } from './support';

let hub: DemoHub;

beforeAll(async () => {
  hub = await startDemoHub({ port: 0, rate: 500, speed: 100 });
});
afterAll(() => hub.close());

/** The headers a hub's auth asks for (inline secrets only, as the demo config has). */
function authHeaders(auth: AuthConfig | undefined, url: URL): Record<string, string> {
  if (!auth || auth.type === 'none') return {};
  const secret = (value: unknown): string => {
    if (typeof value !== 'string') throw new Error('the demo config should inline its secrets');
    return value;
  };
  switch (auth.type) {
    case 'bearer':
      return { Authorization: `Bearer ${secret(auth.token)}` };
    case 'header':
      return { [auth.name]: secret(auth.value) };
    case 'backendai':
      return backendAiHeaders({
        pathWithQuery: url.pathname + url.search,
        host: url.host,
        accessKey: auth.accessKey,
        secretKey: secret(auth.secretKey),
        version: auth.apiVersion,
      });
    case 'query':
      throw new Error('not used by the demo config');
  }
}

/** Connects to one configured hub the way its dialect would, and says whether events came. */
async function connect(config: HubConfig): Promise<boolean> {
  const url = new URL(config.url);
  const headers = authHeaders(config.auth, url);
  if (config.transport === 'websocket') {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(config.url, { headers });
      socket.once('message', () => {
        socket.close();
        resolve(true);
      });
      socket.on('error', reject);
    });
  }
  if (config.dialect === 'rdev') {
    const started = await fetch(`${config.url}/projects/${config.project ?? ''}/shell`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: config.command }),
    });
    const { data } = (await started.json()) as { data: { id: string } };
    const events = await takeEvents(
      `${config.url}/projects/${config.project ?? ''}/events?stream_id=${data.id}`,
      2,
      headers,
    );
    return events.length === 2;
  }
  const events = await takeEvents(config.url, 2, headers);
  return events.length === 2;
}

describe('the demo hub server', () => {
  it('listens on 127.0.0.1 and reports its URL and port', () => {
    expect(hub.url).toBe(`http://127.0.0.1:${hub.port}`);
    expect(hub.port).toBeGreaterThan(0);
  });

  it('offers a ready config with the documented hub ids, names, dialects and URLs', () => {
    const { hubs } = hub.config();
    expect(hubs.map((h) => h.id)).toEqual([
      'bots',
      'cube',
      'cube-ws',
      'evo',
      'build',
      'bai',
      'bai-task',
      'bai-task-failed',
      'bai-task-cancelled',
    ]);
    for (const h of hubs) expect(h.name).toBeTruthy();
    const byId = new Map(hubs.map((h) => [h.id, h]));
    expect(byId.get('bots')).toMatchObject({
      dialect: 'bot-hub',
      url: `${hub.url}/bot-hub/events`,
      auth: { type: 'bearer' },
    });
    expect(byId.get('cube')).toMatchObject({ dialect: 'protocube', url: `${hub.url}/protocube/api/events` });
    expect(byId.get('cube-ws')).toMatchObject({
      dialect: 'protocube',
      transport: 'websocket',
      url: `ws://127.0.0.1:${hub.port}/protocube/api/events/ws`,
    });
    expect(byId.get('evo')).toMatchObject({
      dialect: 'evoclaw',
      url: `${hub.url}/evoclaw/api/logs/stream`,
      pollUrl: `${hub.url}/evoclaw/api/status`,
    });
    expect(byId.get('build')).toMatchObject({
      dialect: 'rdev',
      url: `${hub.url}/rdev`,
      project: 'demo',
      command: 'npm test',
      auth: { type: 'header', name: 'X-API-Key', value: hub.credentials.rdevApiKey },
    });
    expect(byId.get('bai')).toMatchObject({
      dialect: 'backendai',
      url: `${hub.url}/backendai/events/session?sessionId=*&group=*`,
      auth: { type: 'backendai', accessKey: 'AKIADEMOHUBWATCH0001', secretKey: 'demo-backendai-secret' },
    });
    for (const id of ['bai-task', 'bai-task-failed', 'bai-task-cancelled']) {
      expect(byId.get(id)?.url).toMatch(
        new RegExp(
          `^${hub.url}/backendai/events/background-task\\?taskId=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
        ),
      );
    }
  });

  it('serves events on every hub of its config, with the config credentials', async () => {
    for (const config of hub.config().hubs) {
      expect(await connect(config), config.id).toBe(true);
    }
  });

  it('answers 404 JSON listing the paths for an unknown path', async () => {
    const response = await fetch(`${hub.url}/events`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { error: { code: string }; paths: string[] };
    expect(body.error.code).toBe('not_found');
    expect(body.paths).toContain('/bot-hub/events');
  });

  it('answers 405 to the wrong method on a known path', async () => {
    const response = await fetch(`${hub.url}/evoclaw/api/logs/stream`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    await response.body?.cancel();
  });

  it('sends tens of thousands of events per second in batched writes', async () => {
    const response = await openStream(`${hub.url}/bot-hub/events?rate=40000`, {
      headers: { Authorization: `Bearer ${hub.credentials.botHubToken}` },
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    response.close();
    expect(response.events.length).toBeGreaterThan(20_000);
    expect(response.events.length / response.chunks.length).toBeGreaterThan(10);
  });

  it('restarts on the same port: connections drop, the port is closed while down, rdev state survives', async () => {
    const own = await startDemoHub({ port: 0, rate: 200, speed: 100 });
    try {
      const key = { 'X-API-Key': own.credentials.rdevApiKey };
      const started = await fetch(`${own.url}/rdev/projects/demo/shell`, {
        method: 'POST',
        headers: { ...key, 'Content-Type': 'application/json' },
        body: JSON.stringify({ command: 'echo survived' }),
      });
      const { data } = (await started.json()) as { data: { id: string } };
      const stream = await openStream(`${own.url}/evoclaw/api/logs/stream`);
      await stream.untilEvents(2);
      const port = own.port;
      const restarting = own.restart(300);
      await stream.finished();
      expect(stream.outcome).toBe('error');
      await expect(fetch(`${own.url}/evoclaw/api/status`)).rejects.toThrow();
      await restarting;
      expect(own.port).toBe(port);
      expect((await fetch(`${own.url}/evoclaw/api/status`)).status).toBe(200);
      const replay = await takeEvents(`${own.url}/rdev/projects/demo/events?stream_id=${data.id}`, 3, key);
      expect(replay.map((e) => e.event)).toEqual(['connected', 'output', 'complete']);
    } finally {
      await own.close();
    }
  });

  it('closes: open streams end and the port stops answering', async () => {
    const own = await startDemoHub({ port: 0, rate: 100 });
    const stream = await openStream(`${own.url}/evoclaw/api/logs/stream`);
    await stream.untilEvents(1);
    await own.close();
    await stream.finished();
    await expect(fetch(`${own.url}/evoclaw/api/status`)).rejects.toThrow();
    await own.close();
  });

  it('rejects bad options with a RangeError', async () => {
    await expect(startDemoHub({ port: 0, rate: 0 })).rejects.toThrow(RangeError);
    await expect(startDemoHub({ port: 0, faults: { failStatus: 418 as 503 } })).rejects.toThrow(/failStatus/);
    await expect(startDemoHub({ port: 70_000 })).rejects.toThrow(RangeError);
  });

  it('fails to start on a port that is in use', async () => {
    await expect(startDemoHub({ port: hub.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
