import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import { backendAiHeaders, json, openStream, takeEvents, type SseEvent } from './support';

let hub: DemoHub;

beforeAll(async () => {
  hub = await startDemoHub({ port: 0, rate: 2000, speed: 50 });
});
afterAll(() => hub.close());

/** Wall-clock fields differ between runs by design; everything else must not. */
const WALL_CLOCK = /"(timestamp_ms|updated_at_ms|session_started_at_ms|time|timestamp)":("[^"]*"|\d+)/g;
const comparable = (events: SseEvent[]): string[] =>
  events.map((e) => `${e.event ?? ''}|${e.id ?? ''}|${e.data.replace(WALL_CLOCK, '"$1":0')}`);

type Streamer = (query: string, count: number) => Promise<SseEvent[]>;

const streams: Record<string, Streamer> = {
  'bot-hub': (query, count) =>
    takeEvents(`${hub.url}/bot-hub/events?${query}`, count, {
      Authorization: `Bearer ${hub.credentials.botHubToken}`,
    }),
  protocube: (query, count) =>
    takeEvents(`${hub.url}/protocube/api/events?${query}`, count, {
      Authorization: `Bearer ${hub.credentials.protocubeToken}`,
    }),
  evoclaw: (query, count) => takeEvents(`${hub.url}/evoclaw/api/logs/stream?${query}`, count),
  backendai: (query, count) => {
    const path = `/backendai/events/session?sessionId=*&group=*&${query}`;
    const { accessKey, secretKey } = hub.credentials.backendAi;
    const headers = backendAiHeaders({
      pathWithQuery: path,
      host: new URL(hub.url).host,
      accessKey,
      secretKey,
    });
    return takeEvents(`${hub.url}${path}`, count, headers);
  },
};

describe('the demo hub sequences', () => {
  it.each(Object.keys(streams))('are the same for two %s subscribers with the same seed', async (name) => {
    const stream = streams[name]!;
    const [a, b] = await Promise.all([stream('seed=11', 300), stream('seed=11', 300)]);
    expect(comparable(a)).toEqual(comparable(b));
  });

  it.each(Object.keys(streams))('differ between seeds on %s', async (name) => {
    const stream = streams[name]!;
    const [a, b] = await Promise.all([stream('seed=11', 100), stream('seed=12', 100)]);
    expect(comparable(a)).not.toEqual(comparable(b));
  });

  it('do not depend on the rate', async () => {
    const [slow, fast] = await Promise.all([
      streams['bot-hub']!('seed=3&rate=500', 100),
      streams['bot-hub']!('seed=3&rate=20000', 100),
    ]);
    expect(comparable(slow)).toEqual(comparable(fast));
  });

  it('follow the hub-wide seed option like the seed query parameter', async () => {
    const seeded = await startDemoHub({ port: 0, rate: 2000, seed: 42 });
    try {
      const fromOption = await takeEvents(`${seeded.url}/evoclaw/api/logs/stream`, 100);
      const fromQuery = await streams['evoclaw']!('seed=42', 100);
      expect(comparable(fromOption)).toEqual(comparable(fromQuery));
    } finally {
      await seeded.close();
    }
  });

  it('give an rdev command the same output every time it runs with the same seed', async () => {
    const run = async (): Promise<SseEvent[]> => {
      const started = await fetch(`${hub.url}/rdev/projects/demo/shell`, {
        method: 'POST',
        headers: { 'X-API-Key': hub.credentials.rdevApiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ command: 'npm test' }),
      });
      const { data } = (await started.json()) as { data: { id: string } };
      const response = await openStream(`${hub.url}/rdev/projects/demo/events?stream_id=${data.id}`, {
        headers: { 'X-API-Key': hub.credentials.rdevApiKey },
      });
      await response.finished(10_000);
      // The stream id is in `connected`; the rest must match exactly.
      return response.events.slice(1);
    };
    const [a, b] = await Promise.all([run(), run()]);
    expect(comparable(a)).toEqual(comparable(b));
    expect(json(a.at(-1)!)).toMatchObject({ exit_code: 1 });
  });
});
