import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import { json, openStream, type SseEvent } from './support';

let hub: DemoHub;
const key = (): Record<string, string> => ({ 'X-API-Key': hub.credentials.rdevApiKey });

beforeAll(async () => {
  hub = await startDemoHub({ port: 0, speed: 25, heartbeatMs: 100 });
});
afterAll(() => hub.close());

/** Starts `command` and returns its stream id. */
async function start(command: string, query = '', project = 'demo'): Promise<string> {
  const response = await fetch(`${hub.url}/rdev/projects/${project}/shell${query}`, {
    method: 'POST',
    headers: { ...key(), 'Content-Type': 'application/json' },
    body: JSON.stringify({ command }),
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { data: { id: string; command: string; status: string } };
  expect(body.data).toMatchObject({ command, status: 'running' });
  return body.data.id;
}

/** Follows a command to its end. */
async function follow(
  id: string,
  headers: Record<string, string> = {},
  project = 'demo',
): Promise<SseEvent[]> {
  const response = await openStream(`${hub.url}/rdev/projects/${project}/events?stream_id=${id}`, {
    headers: { ...key(), ...headers },
  });
  expect(response.status).toBe(200);
  await response.finished(10_000);
  expect(response.outcome).toBe('end');
  return response.events;
}

const outputs = (events: SseEvent[]): { line: string; stream: string }[] =>
  events.filter((e) => e.event === 'output').map((e) => json<{ line: string; stream: string }>(e));
const completion = (events: SseEvent[]): { exit_code: number; duration_ms: number } =>
  json<{ exit_code: number; duration_ms: number }>(events[events.length - 1]!);

describe('the demo rdev shell', () => {
  it('starts a command with POST and answers 201 with {data: {id}}', async () => {
    const response = await fetch(`${hub.url}/rdev/projects/demo/shell`, {
      method: 'POST',
      headers: { ...key(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: 'echo hi' }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { data: Record<string, unknown> };
    expect(body.data).toMatchObject({ project_id: 'demo', command: 'echo hi', status: 'running' });
    expect(body.data['id']).toMatch(/^cmd-\d{3,}$/);
    expect(await start('echo again')).not.toBe(body.data['id']);
  });

  it('answers 400 to a POST without a command and 401 without the right X-API-Key', async () => {
    const post = (headers: Record<string, string>, body: string): Promise<Response> =>
      fetch(`${hub.url}/rdev/projects/demo/shell`, { method: 'POST', headers, body });
    const missing = await post(key(), '{}');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: 'command_required' } });
    const notJson = await post(key(), 'npm test');
    expect(notJson.status).toBe(400);
    await notJson.body?.cancel();
    const noKey = await post({}, JSON.stringify({ command: 'ls' }));
    expect(noKey.status).toBe(401);
    expect(JSON.stringify(await noKey.json())).toMatch(/missing X-API-Key/);
    const wrongKey = await post({ 'X-API-Key': 'rdev_wrong' }, JSON.stringify({ command: 'ls' }));
    expect(wrongKey.status).toBe(401);
    await wrongKey.body?.cancel();
    const events = await fetch(`${hub.url}/rdev/projects/demo/events?stream_id=cmd-001`);
    expect(events.status).toBe(401);
    await events.body?.cancel();
  });

  it('answers 404 JSON for an unknown stream or one of another project', async () => {
    const unknown = await fetch(`${hub.url}/rdev/projects/demo/events?stream_id=cmd-999`, { headers: key() });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await unknown.json()).toMatchObject({ error: { code: 'stream_not_found' } });
    const id = await start('true');
    const elsewhere = await fetch(`${hub.url}/rdev/projects/other/events?stream_id=${id}`, {
      headers: key(),
    });
    expect(elsewhere.status).toBe(404);
    await elsewhere.body?.cancel();
  });

  it('streams npm test: connected, 20–30 output lines with stderr, one error, complete with exit 1, then ends', async () => {
    const id = await start('npm test');
    const response = await openStream(`${hub.url}/rdev/projects/demo/events?stream_id=${id}`, {
      headers: key(),
    });
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(response.headers['cache-control']).toBe('no-cache');
    await response.finished(10_000);
    expect(response.outcome).toBe('end');
    const events = response.events;
    expect(events[0]).toMatchObject({ event: 'connected', id: '1' });
    expect(json(events[0]!)).toMatchObject({ stream_id: id, project_id: 'demo', command: 'npm test' });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i + 1)));
    const lines = outputs(events);
    expect(lines.length).toBeGreaterThanOrEqual(20);
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(new Set(lines.map((l) => l.stream))).toEqual(new Set(['stdout', 'stderr']));
    const errors = events.filter((e) => e.event === 'error');
    expect(errors).toHaveLength(1);
    expect(json<{ message: string }>(errors[0]!).message).toMatch(/failed/);
    expect(events[events.length - 1]?.event).toBe('complete');
    const complete = completion(events);
    expect(complete.exit_code).toBe(1);
    // About 9 s at speed 1; this hub runs 25 times faster.
    expect(complete.duration_ms * 25).toBeGreaterThanOrEqual(7000);
    expect(complete.duration_ms * 25).toBeLessThanOrEqual(12_000);
    expect(response.body).toMatch(/^event: connected\nid: 1\ndata: \{/);
  });

  it('simulates echo, exit, make build, false, sleep and anything else with their exit codes', async () => {
    const echo = await follow(await start('echo "hello world"'));
    expect(outputs(echo)).toEqual([{ line: 'hello world', stream: 'stdout' }]);
    expect(completion(echo).exit_code).toBe(0);

    expect(completion(await follow(await start('exit 3'))).exit_code).toBe(3);
    expect(completion(await follow(await start('false'))).exit_code).toBe(1);

    const make = await follow(await start('make build'));
    expect(completion(make).exit_code).toBe(0);
    expect(outputs(make).some((l) => l.stream === 'stderr' && l.line.includes('warning'))).toBe(true);
    expect(outputs(make).at(-1)?.line).toMatch(/^Build complete/);

    const other = await follow(await start('terraform plan'));
    expect(outputs(other).length).toBeGreaterThan(1);
    expect(completion(other).exit_code).toBe(0);
  });

  it('sends heartbeats while a command is quiet', async () => {
    const events = await follow(await start('sleep 10'));
    const heartbeats = events.filter((e) => e.event === 'heartbeat');
    // sleep 10 at speed 25 is 400 ms: heartbeats at 100, 200 and 300 ms.
    expect(heartbeats).toHaveLength(3);
    for (const beat of heartbeats)
      expect(Date.parse(json<{ timestamp: string }>(beat).timestamp)).not.toBeNaN();
    expect(completion(events).exit_code).toBe(0);
  });

  it('replays only what came after Last-Event-ID once the command has finished', async () => {
    const id = await start('npm test');
    const all = await follow(id);
    const tail = await follow(id, { 'Last-Event-ID': '5' });
    expect(tail[0]?.id).toBe('6');
    expect(tail).toEqual(all.slice(5));
  });

  it('replays what came after Last-Event-ID, then continues live until complete', async () => {
    const id = await start('sleep 20', '?heartbeatMs=50');
    const first = await openStream(`${hub.url}/rdev/projects/demo/events?stream_id=${id}`, {
      headers: key(),
    });
    await first.untilEvents(3);
    first.close();
    const resumed = await follow(id, { 'Last-Event-ID': '3' });
    expect(resumed[0]?.id).toBe('4');
    expect(resumed.at(-1)?.event).toBe('complete');
    expect(resumed.map((e) => Number(e.id))).toEqual(resumed.map((_, i) => i + 4));
    expect(resumed.filter((e) => e.event === 'heartbeat').length).toBeGreaterThan(5);
  });

  it('lets several subscribers follow the same command and get the same events', async () => {
    const id = await start('make build');
    const [a, b] = await Promise.all([follow(id), follow(id)]);
    expect(a).toEqual(b);
  });
});
