import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import { json, openStream, sleep, takeEvents } from './support';

let hub: DemoHub;

beforeAll(async () => {
  hub = await startDemoHub({ port: 0, rate: 2000, pingIntervalMs: 50 });
});
afterAll(() => hub.close());

const wsUrl = (query = ''): string => `${hub.url.replace(/^http/, 'ws')}/protocube/api/events/ws${query}`;
const bearer = (token = hub.credentials.protocubeToken): Record<string, string> => ({
  Authorization: `Bearer ${token}`,
});

interface BusMessage {
  Topic: string;
  Data: { server_id: string; payload: unknown };
}

/** Connects and collects `count` messages (and the pings that came meanwhile). */
function collectWs(
  url: string,
  count: number,
  headers: Record<string, string>,
): Promise<{ messages: BusMessage[]; pings: number; raw: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    const messages: BusMessage[] = [];
    const raw: string[] = [];
    let pings = 0;
    socket.on('ping', () => (pings += 1));
    socket.on('message', (data: Buffer, isBinary) => {
      if (messages.length >= count) return;
      if (isBinary) reject(new Error('expected text frames'));
      raw.push(data.toString('utf8'));
      messages.push(JSON.parse(data.toString('utf8')) as BusMessage);
      if (messages.length === count) {
        socket.close();
        resolve({ messages, pings, raw });
      }
    });
    socket.on('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    socket.on('error', reject);
  });
}

/** The HTTP status the WebSocket upgrade was answered with, and its body. */
function upgradeStatus(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    socket.on('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.on('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}

function checkMessage(message: BusMessage): void {
  expect(Object.keys(message)).toEqual(['Topic', 'Data']);
  expect(Object.keys(message.Data)).toEqual(['server_id', 'payload']);
  expect(message.Data.server_id).toMatch(/^srv_01HZ[0-9A-HJKMNP-TV-Z]{22}$/);
  const topic = message.Topic.split(':')[0];
  if (topic === 'status')
    expect(['offline', 'starting', 'running', 'stopping']).toContain(message.Data.payload);
  else if (topic === 'crash') {
    const payload = message.Data.payload as { reason: string; exit_code: number; timestamp: string };
    expect(Object.keys(payload)).toEqual(['reason', 'exit_code', 'timestamp']);
    expect(typeof payload.reason).toBe('string');
    expect(Number.isInteger(payload.exit_code)).toBe(true);
    expect(payload.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Math.abs(Date.parse(payload.timestamp) - Date.now())).toBeLessThan(60_000);
  } else if (topic === 'deleted') expect(message.Data.payload).toBeNull();
  else throw new Error(`unexpected topic ${message.Topic}`);
}

describe('the demo Protocube event bus over SSE', () => {
  it('sends {Topic, Data: {server_id, payload}} with the SSE event name equal to the Topic', async () => {
    const response = await openStream(`${hub.url}/protocube/api/events`, { headers: bearer() });
    try {
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['connection']).toBe('keep-alive');
      const events = await response.untilEvents(200);
      for (const event of events) {
        const message = json<BusMessage>(event);
        expect(event.event).toBe(message.Topic);
        checkMessage(message);
      }
    } finally {
      response.close();
    }
  });

  it('emits status, crash, deleted and a suffixed status topic within the first 80 events', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const events = await takeEvents(`${hub.url}/protocube/api/events?seed=${seed}`, 80, bearer());
      const topics = new Set(events.map((e) => e.event));
      expect(topics).toContain('status');
      expect(topics).toContain('crash');
      expect(topics).toContain('deleted');
      expect([...topics].some((t) => t !== null && /^status:node-\d$/.test(t))).toBe(true);
    }
  });

  it('answers 401 without or with a wrong token, and 403 to a token without AppAdmin', async () => {
    const missing = await fetch(`${hub.url}/protocube/api/events`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const wrong = await fetch(`${hub.url}/protocube/api/events`, { headers: bearer('sls_live_wrong') });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).toMatch(/invalid token/);
    const user = await fetch(`${hub.url}/protocube/api/events`, {
      headers: bearer(hub.credentials.protocubeUserToken),
    });
    expect(user.status).toBe(403);
    expect(JSON.stringify(await user.json())).toMatch(/AppAdmin/);
  });
});

describe('the demo Protocube event bus over WebSocket', () => {
  it('sends each event as one JSON text message and pings on the interval', async () => {
    const { messages, raw } = await collectWs(wsUrl('?rate=100'), 12, bearer());
    messages.forEach(checkMessage);
    // One event per frame: every frame is exactly one JSON object.
    for (const frame of raw) expect(frame.startsWith('{"Topic":')).toBe(true);
    const { pings } = await collectWs(wsUrl('?rate=20'), 4, bearer());
    expect(pings).toBeGreaterThanOrEqual(2);
  });

  it('delivers the same logical events as the SSE stream for the same seed', async () => {
    const { messages } = await collectWs(wsUrl('?seed=7'), 60, bearer());
    const sse = (await takeEvents(`${hub.url}/protocube/api/events?seed=7`, 60, bearer())).map((e) =>
      json<BusMessage>(e),
    );
    const withoutTime = (m: BusMessage): unknown =>
      m.Topic === 'crash'
        ? { ...m, Data: { ...m.Data, payload: { ...(m.Data.payload as object), timestamp: 0 } } }
        : m;
    expect(messages.map(withoutTime)).toEqual(sse.map(withoutTime));
  });

  it('rejects the upgrade with 401 without or with a wrong token, and 403 without AppAdmin', async () => {
    const missing = await upgradeStatus(wsUrl(), {});
    expect(missing.status).toBe(401);
    expect(missing.body).toMatch(/missing Authorization/);
    expect((await upgradeStatus(wsUrl(), bearer('nope'))).status).toBe(401);
    expect((await upgradeStatus(wsUrl(), bearer(hub.credentials.protocubeUserToken))).status).toBe(403);
    expect((await upgradeStatus(wsUrl(), bearer())).status).toBe(101);
  });

  it('answers 426 to a plain GET of the WebSocket path and 404 to an upgrade elsewhere', async () => {
    const plain = await fetch(wsUrl().replace(/^ws/, 'http'), { headers: bearer() });
    expect(plain.status).toBe(426);
    await plain.body?.cancel();
    const elsewhere = await upgradeStatus(`${hub.url.replace(/^http/, 'ws')}/protocube/api/nope`, bearer());
    expect(elsewhere.status).toBe(404);
  });

  it('keeps pinging every pingIntervalMs while no events flow', async () => {
    const socket = new WebSocket(wsUrl('?rate=0.001'), { headers: bearer() });
    let pings = 0;
    socket.on('ping', () => (pings += 1));
    await new Promise((resolve) => socket.on('open', resolve));
    await sleep(400);
    socket.close();
    expect(pings).toBeGreaterThanOrEqual(4);
  });
});
