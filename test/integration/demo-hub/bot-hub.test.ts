import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import { json, openStream, takeEvents, type SseEvent } from './support';

let hub: DemoHub;
const auth = (): Record<string, string> => ({ Authorization: `Bearer ${hub.credentials.botHubToken}` });

beforeAll(async () => {
  hub = await startDemoHub({ port: 0, rate: 400 });
});
afterAll(() => hub.close());

const LOG_KEYS = ['direction', 'level', 'message', 'scope', 'session_id', 'timestamp_ms', 'transport'];
const SNAPSHOT_KEYS = [
  'gems',
  'gold',
  'hp',
  'id',
  'last_error',
  'level',
  'max_hp',
  'name',
  'ping_ms',
  'position',
  'session_started_at_ms',
  'status',
  'tutorial_done',
  'updated_at_ms',
  'world',
];

interface LogLine {
  timestamp_ms: number;
  level: string;
  scope: string;
  session_id: string | null;
  transport: string | null;
  direction: string | null;
  message: string;
}

describe('the demo bot hub', () => {
  it('streams log and session events with the documented SSE headers', async () => {
    const response = await openStream(`${hub.url}/bot-hub/events`, { headers: auth() });
    try {
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['connection']).toBe('keep-alive');
      const events = await response.untilEvents(40);
      expect(new Set(events.map((e) => e.event))).toEqual(new Set(['log', 'session']));
    } finally {
      response.close();
    }
  });

  it('sends every field of the log table with the documented values', async () => {
    const logs = (await takeEvents(`${hub.url}/bot-hub/events`, 300, auth()))
      .filter((e) => e.event === 'log')
      .map((e) => json<LogLine>(e));
    for (const line of logs) {
      expect(Object.keys(line).sort()).toEqual(LOG_KEYS);
      expect(['info', 'warn', 'error', 'state']).toContain(line.level);
      expect(['auth_client', 'tcp', 'bot', 'tutorial', 'seraph']).toContain(line.scope);
      expect(typeof line.timestamp_ms).toBe('number');
      expect(Math.abs(line.timestamp_ms - Date.now())).toBeLessThan(60_000);
      expect(line.message.length).toBeGreaterThan(0);
      if (line.scope === 'tcp' || line.scope === 'auth_client') {
        // Wire events carry transport and direction; http for the PlayFab client, tcp for the game.
        expect(line.transport).toBe(line.scope === 'tcp' ? 'tcp' : 'http');
        expect(['outgoing', 'incoming']).toContain(line.direction);
      } else {
        expect(line.transport).toBeNull();
        expect(line.direction).toBeNull();
      }
      if (line.session_id !== null) expect(line.session_id).toMatch(/^bot-[123]$/);
    }
    expect(logs.some((l) => l.session_id === null)).toBe(true);
  });

  it('writes believable messages with non-ASCII characters in them', async () => {
    const events = await takeEvents(`${hub.url}/bot-hub/events`, 200, auth());
    const text = events.map((e) => e.data).join('\n');
    expect(text).toContain('—');
    expect(text).toContain('✓');
    expect(text).toContain('é');
    expect(text).toMatch(/playfabapi\.com\/Client\/LoginWithEmailAddress/);
    expect(text).toContain('VChk {ID=\\"VChk\\" OS=\\"Android\\" OSt=2}');
  });

  it('sends session snapshots with the shape of the bot endpoint at each state transition', async () => {
    const events = await takeEvents(`${hub.url}/bot-hub/events`, 300, auth());
    const sessions = events
      .filter((e) => e.event === 'session')
      .map((e) => json<{ snapshot: { id: string; status: string } }>(e));
    expect(sessions.length).toBeGreaterThan(6);
    for (const { snapshot } of sessions) expect(Object.keys(snapshot).sort()).toEqual(SNAPSHOT_KEYS);
    // Consecutive snapshots of one bot differ in status: one per transition.
    const lastStatus = new Map<string, string>();
    let transitions = 0;
    for (const { snapshot } of sessions.slice(3)) {
      expect(snapshot.status).not.toBe(lastStatus.get(snapshot.id));
      lastStatus.set(snapshot.id, snapshot.status);
      transitions += 1;
    }
    expect(transitions).toBeGreaterThan(3);
  });

  it('moves three bots through the whole life cycle within the first 80 events, 20 s at the default rate', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const events = await takeEvents(`${hub.url}/bot-hub/events?seed=${seed}`, 80, auth());
      const statuses = new Set<string>();
      const levels = new Set<string>();
      const scopes = new Set<string>();
      const bots = new Set<string>();
      for (const event of events) {
        if (event.event === 'session') {
          const { snapshot } = json<{ snapshot: { id: string; status: string } }>(event);
          statuses.add(snapshot.status);
          bots.add(snapshot.id);
        } else {
          const line = json<LogLine>(event);
          levels.add(line.level);
          scopes.add(line.scope);
        }
      }
      expect([...bots].sort()).toEqual(['bot-1', 'bot-2', 'bot-3']);
      expect([...statuses].sort()).toEqual(
        ['disconnected', 'error', 'in_tutorial', 'in_world', 'loading', 'logging_in', 'offline'].sort(),
      );
      expect([...levels].sort()).toEqual(['error', 'info', 'state', 'warn']);
      expect([...scopes].sort()).toEqual(['auth_client', 'bot', 'seraph', 'tcp', 'tutorial']);
    }
  });

  it('accepts the token as ?token= for browsers', async () => {
    const events = await takeEvents(`${hub.url}/bot-hub/events?token=${hub.credentials.botHubToken}`, 2);
    expect(events).toHaveLength(2);
  });

  it('answers 401 with a JSON body naming the problem for a missing or wrong token', async () => {
    const missing = await fetch(`${hub.url}/bot-hub/events`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.stringify(await missing.json())).toMatch(/missing token/);

    const wrongHeader = await fetch(`${hub.url}/bot-hub/events`, {
      headers: { Authorization: 'Bearer nope' },
    });
    expect(wrongHeader.status).toBe(401);
    expect(JSON.stringify(await wrongHeader.json())).toMatch(/invalid token/);

    const wrongQuery = await fetch(`${hub.url}/bot-hub/events?token=nope`);
    expect(wrongQuery.status).toBe(401);
    await wrongQuery.body?.cancel();
  });

  it('serves one bot snapshot at /bot-hub/api/bots/{id}, behind the same auth', async () => {
    const response = await fetch(`${hub.url}/bot-hub/api/bots/bot-3`, { headers: auth() });
    expect(response.status).toBe(200);
    const snapshot = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(snapshot).sort()).toEqual(SNAPSHOT_KEYS);
    expect(snapshot).toMatchObject({ id: 'bot-3', name: 'RenéPixel' });
    expect([
      'offline',
      'logging_in',
      'loading',
      'in_tutorial',
      'in_world',
      'disconnected',
      'error',
    ]).toContain(snapshot['status']);

    const byQuery = await fetch(`${hub.url}/bot-hub/api/bots/bot-1?token=${hub.credentials.botHubToken}`);
    expect(byQuery.status).toBe(200);
    await byQuery.body?.cancel();

    const unauthorized = await fetch(`${hub.url}/bot-hub/api/bots/bot-1`);
    expect(unauthorized.status).toBe(401);
    await unauthorized.body?.cancel();

    const unknown = await fetch(`${hub.url}/bot-hub/api/bots/bot-9`, { headers: auth() });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'bot_not_found' } });
  });

  it('reports in the snapshot endpoint the state a subscriber from the start would have seen', async () => {
    // The reference world moves with time: at 400 events/s it has left the opening state.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const statuses = await Promise.all(
      ['bot-1', 'bot-2', 'bot-3'].map(async (id) => {
        const response = await fetch(`${hub.url}/bot-hub/api/bots/${id}`, { headers: auth() });
        return ((await response.json()) as { status: string; updated_at_ms: number }).status;
      }),
    );
    expect(statuses.some((status) => status !== 'offline')).toBe(true);
  });

  it('frames log and session events exactly as the seed shows them', async () => {
    const response = await openStream(`${hub.url}/bot-hub/events`, { headers: auth() });
    await response.untilEvents(5);
    response.close();
    const frames = response.body.split('\n\n').slice(0, 5);
    for (const frame of frames) expect(frame).toMatch(/^event: (log|session)\ndata: \{.*\}$/);
    const first: SseEvent | undefined = response.events[0];
    expect(first?.id).toBeNull();
  });
});
