import { describe, expect, it } from 'vitest';
import { describeCompletion, rdevDialect, rdevEventsUrl } from '../../../../../src/main/engine/dialects/rdev';
import type { HubConfig } from '../../../../../src/shared/hub-config';
import { RECEIVED_AT, context, frame } from './frame-fixtures';

const followHub: HubConfig = {
  id: 'build',
  dialect: 'rdev',
  url: 'http://127.0.0.1:8080',
  project: 'my-project',
  streamId: 'cmd-001',
};
const startHub: HubConfig = {
  id: 'build',
  dialect: 'rdev',
  url: 'http://127.0.0.1:8080/',
  project: 'my project',
  command: 'npm test',
};
const command = { type: 'command', id: 'cmd-001' };
const first = { attempt: 0, lastEventId: null };

/** A fetch that answers the POST with `responses` in turn and records every call. */
function scriptedFetch(...responses: (() => Response)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} });
    const next = responses.shift();
    return next ? Promise.resolve(next()) : Promise.reject(new Error('unexpected request'));
  };
  return { calls, fetch: fetch as unknown as typeof globalThis.fetch };
}

const json =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('rdev dialect: mapping', () => {
  const map = rdevDialect.create(followHub, context()).map;

  it('maps an output line with its stream as the source and the command as the entity', () => {
    expect(map(frame('output', '{"line":"PASS src/app.test.js","stream":"stdout"}'))).toEqual({
      event: 'output',
      time: RECEIVED_AT,
      level: 'info',
      source: 'stdout',
      entity: command,
      message: 'PASS src/app.test.js',
      data: { line: 'PASS src/app.test.js', stream: 'stdout' },
      raw: '{"line":"PASS src/app.test.js","stream":"stdout"}',
      malformed: false,
    });
    expect(map(frame('output', '{"line":"npm WARN deprecated","stream":"stderr"}'))).toMatchObject({
      source: 'stderr',
      level: 'info',
    });
  });

  it('keeps an empty output line as an empty message', () => {
    expect(map(frame('output', '{"line":"","stream":"stdout"}')).message).toBe('');
  });

  it('maps a non-zero exit to an error reading "exit 1 after 8.2 s"', () => {
    expect(map(frame('complete', '{"exit_code":1,"duration_ms":8200}'))).toMatchObject({
      level: 'error',
      message: 'exit 1 after 8.2 s',
      entity: command,
    });
  });

  it('maps a zero exit to info', () => {
    expect(map(frame('complete', '{"exit_code":0,"duration_ms":1234}'))).toMatchObject({
      level: 'info',
      message: 'exit 0 after 1.2 s',
    });
  });

  it('maps an error event to an error with its message', () => {
    expect(map(frame('error', '{"message":"command not found"}'))).toMatchObject({
      level: 'error',
      message: 'command not found',
      entity: command,
    });
  });

  it('keeps an error event whose payload is not JSON as an error, marked malformed', () => {
    expect(map(frame('error', 'boom'))).toMatchObject({ level: 'error', malformed: true, entity: command });
  });

  it('names the command on heartbeats and connected events too', () => {
    expect(map(frame('heartbeat', '{}'))).toMatchObject({
      entity: command,
      message: 'heartbeat',
      level: 'info',
    });
    expect(map(frame('heartbeat', ''))).toMatchObject({
      entity: command,
      message: 'heartbeat',
      malformed: false,
      data: '',
    });
    expect(map(frame('connected', '{"stream_id":"cmd-001"}'))).toMatchObject({
      entity: command,
      message: 'connected to stream cmd-001',
    });
  });

  it('ends the hub at complete with the exit summary, and at nothing else', () => {
    const { plan } = rdevDialect.create(followHub, context());
    expect(plan.endsStream!(frame('complete', '{"exit_code":1,"duration_ms":8200}'))).toEqual({
      reason: 'completed',
      detail: 'exit 1 after 8.2 s',
    });
    expect(plan.endsStream!(frame('complete', 'garbled'))).toEqual({
      reason: 'completed',
      detail: 'command completed',
    });
    expect(plan.endsStream!(frame('output', '{"line":"complete","stream":"stdout"}'))).toBeNull();
  });

  it.each([
    [{ exit_code: 2 }, 'exit 2'],
    [{ duration_ms: 500 }, 'command completed after 0.5 s'],
    [{ exit_code: '3', duration_ms: 60000 }, 'exit 3 after 60.0 s'],
  ])('summarises the completion %j as %j', (payload, expected) => {
    expect(describeCompletion(payload)).toBe(expected);
  });
});

describe('rdev dialect: plan', () => {
  it('follows a configured stream without starting anything', async () => {
    const { calls, fetch } = scriptedFetch();
    const auth = { type: 'header' as const, name: 'X-API-Key', value: 'rdev_xxx' };
    const { plan } = rdevDialect.create(followHub, context(auth, { fetch }));
    const request = await plan.prepare(first);
    expect(request.url).toBe('http://127.0.0.1:8080/projects/my-project/events?stream_id=cmd-001');
    expect(request.headers['X-API-Key']).toBe('rdev_xxx');
    expect(calls).toHaveLength(0);
    expect(plan.silenceTimeoutMs).toBe(60_000);
  });

  it('starts the command with one POST and follows its stream on every attempt', async () => {
    const { calls, fetch } = scriptedFetch(json({ data: { id: 'abc 1' } }));
    const auth = { type: 'header' as const, name: 'X-API-Key', value: 'rdev_xxx' };
    const { plan, map } = rdevDialect.create(startHub, context(auth, { fetch }));
    const urls = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      urls.push((await plan.prepare({ attempt, lastEventId: attempt > 0 ? '7' : null })).url);
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('http://127.0.0.1:8080/projects/my%20project/shell');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.body).toBe('{"command":"npm test"}');
    expect(calls[0]!.init.headers).toMatchObject({
      'X-API-Key': 'rdev_xxx',
      'Content-Type': 'application/json',
    });
    expect(new Set(urls)).toEqual(
      new Set(['http://127.0.0.1:8080/projects/my%20project/events?stream_id=abc%201']),
    );
    expect(map(frame('heartbeat', '{}')).entity).toEqual({ type: 'command', id: 'abc 1' });
  });

  it.each([
    [401, 'credentials_rejected'],
    [403, 'credentials_rejected'],
    [404, 'not_found'],
    [422, 'http_error'],
  ])('stops for good when the POST answers %i (%s)', async (status, reason) => {
    const { fetch } = scriptedFetch(json({ error: 'no' }, status));
    const { plan } = rdevDialect.create(startHub, context({ type: 'none' }, { fetch }));
    await expect(plan.prepare(first)).rejects.toMatchObject({
      name: 'StopError',
      outcome: { state: 'failed', reason },
    });
  });

  it('retries the POST after a server error, and never again once it succeeded', async () => {
    const { calls, fetch } = scriptedFetch(json({ error: 'busy' }, 503), json({ data: { id: 'cmd-9' } }));
    const { plan } = rdevDialect.create(startHub, context({ type: 'none' }, { fetch }));
    const failure = await plan.prepare(first).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe('Error');
    expect((await plan.prepare({ attempt: 1, lastEventId: null })).url).toContain('stream_id=cmd-9');
    await plan.prepare({ attempt: 2, lastEventId: null });
    expect(calls).toHaveLength(2);
  });

  it('retries the POST after a network error', async () => {
    const { fetch } = scriptedFetch(() => {
      throw new TypeError('fetch failed');
    });
    const { plan } = rdevDialect.create(startHub, context({ type: 'none' }, { fetch }));
    await expect(plan.prepare(first)).rejects.toThrow(/starting the command failed: fetch failed/);
  });

  it('stops as a protocol error when the POST answer has no stream id', async () => {
    const { fetch } = scriptedFetch(json({ data: {} }));
    const { plan } = rdevDialect.create(startHub, context({ type: 'none' }, { fetch }));
    await expect(plan.prepare(first)).rejects.toMatchObject({ outcome: { reason: 'protocol_error' } });
  });

  it('shares one POST between attempts prepared at the same time', async () => {
    const { calls, fetch } = scriptedFetch(json({ data: { id: 'cmd-2' } }));
    const { plan } = rdevDialect.create(startHub, context({ type: 'none' }, { fetch }));
    await Promise.all([plan.prepare(first), plan.prepare(first)]);
    expect(calls).toHaveLength(1);
  });

  it('probes the events URL without starting the command', async () => {
    const { calls, fetch } = scriptedFetch();
    const { plan } = rdevDialect.create(startHub, context({ type: 'none' }, { fetch }));
    expect((await plan.probePrepare!()).url).toBe(
      'http://127.0.0.1:8080/projects/my%20project/events?stream_id=',
    );
    expect(calls).toHaveLength(0);
  });

  it('builds the events URL from a base with or without a trailing slash', () => {
    expect(rdevEventsUrl('http://h:1/', 'p', 's')).toBe('http://h:1/projects/p/events?stream_id=s');
    expect(rdevEventsUrl('http://h:1/rdev//', 'p', 's')).toBe(
      'http://h:1/rdev/projects/p/events?stream_id=s',
    );
  });
});
