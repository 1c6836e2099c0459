import { afterEach, describe, expect, it } from 'vitest';
import { HubConnection, frameFingerprint } from '../../../../../src/main/engine/transports/hub-connection';
import type { HubConnectionOptions } from '../../../../../src/main/engine/transports/hub-connection';
import { StopError } from '../../../../../src/main/engine/transports/types';
import type { AttemptContext, StreamPlan } from '../../../../../src/main/engine/transports/types';
import { RecordingListener, waitFor } from '../../../../support/sse-test-server';
import { stubFetch } from './stub-fetch';
import type { StubResponse } from './stub-fetch';

const connections: HubConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) await connection.stop();
});

function plan(extra: Partial<StreamPlan> = {}): StreamPlan {
  return {
    transport: 'sse',
    silenceTimeoutMs: 0,
    prepare: () => Promise.resolve({ url: 'http://hub.test/events', headers: {} }),
    ...extra,
  };
}

function run(streamPlan: StreamPlan, responses: StubResponse[], options: HubConnectionOptions = {}) {
  const { fetch, requests } = stubFetch(responses);
  const listener = new RecordingListener();
  const connection = new HubConnection(streamPlan, listener, {
    backoffBaseMs: 2,
    backoffCapMs: 4,
    random: () => 0,
    fetch,
    ...options,
  });
  connections.push(connection);
  connection.start();
  return { connection, listener, requests };
}

describe('HubConnection states', () => {
  it('reports each transition once, in order', async () => {
    const { listener } = run(plan(), [{ status: 503 }, { chunks: ['data: a\n\n'], hang: true }]);
    await waitFor(() => listener.frames.length > 0, 'a frame');
    expect(listener.stateNames).toEqual(['connecting', 'reconnecting', 'connecting', 'open']);
    expect(listener.states[1]).toMatchObject({ attempt: 1, reason: 'HTTP 503' });
    expect(listener.states[2]).toEqual({ state: 'connecting', attempt: 1 });
  });

  it('stamps states and frames with the injected clock', async () => {
    const { listener } = run(plan(), [{ chunks: ['data: a\n\n'], hang: true }], { now: () => 1234 });
    await waitFor(() => listener.frames.length > 0, 'a frame');
    expect(listener.last('open')).toEqual({ state: 'open', since: 1234, via: 'sse' });
    expect(listener.frames[0]!.receivedAt).toBe(1234);
  });

  it('stops for good when prepare throws a StopError', async () => {
    const { listener, requests } = run(
      plan({
        prepare: () =>
          Promise.reject(
            new StopError({ state: 'failed', reason: 'bad_config', detail: 'no project given' }),
          ),
      }),
      [{}],
    );
    await waitFor(() => listener.has('failed'), 'failed');
    expect(listener.stateNames).toEqual(['connecting', 'failed']);
    expect(listener.last('failed')!.detail).toBe('no project given');
    expect(requests).toHaveLength(0);
  });

  it('retries when prepare fails otherwise, with its message as the reason', async () => {
    let calls = 0;
    const contexts: AttemptContext[] = [];
    const { listener } = run(
      plan({
        prepare: (context) => {
          contexts.push(context);
          calls += 1;
          return calls === 1
            ? Promise.reject(new Error('POST /shell failed: socket hang up'))
            : Promise.resolve({ url: 'http://hub.test/', headers: {} });
        },
      }),
      [{ chunks: ['id: 3\ndata: a\n\n'] }, { hang: true }],
    );
    await waitFor(() => contexts.length >= 3, 'three attempts');
    expect(listener.states[1]).toMatchObject({
      state: 'reconnecting',
      reason: 'POST /shell failed: socket hang up',
    });
    expect(contexts.map((c) => [c.attempt, c.lastEventId])).toEqual([
      [0, null],
      [1, null],
      [2, '3'],
    ]);
    expect(contexts[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it('resolves stop() while prepare never settles, and reports idle', async () => {
    const { connection, listener } = run(plan({ prepare: () => new Promise(() => undefined) }), [{}]);
    await waitFor(() => listener.has('connecting'), 'connecting');
    await connection.stop();
    expect(listener.stateNames).toEqual(['connecting', 'idle']);
  });

  it('starts a new run only after an unfinished stop() settles, and leaves it running', async () => {
    const { connection, listener, requests } = run(plan(), [{ chunks: ['id: 1\ndata: a\n\n'], hang: true }]);
    await waitFor(() => listener.frames.length > 0, 'a frame');
    const stopping = connection.stop();
    connection.start();
    await stopping;
    await waitFor(() => requests.length >= 2, 'the second run connecting');
    await waitFor(() => listener.states.at(-1)?.state === 'open', 'open again');
    expect(listener.stateNames).toEqual(['connecting', 'open', 'connecting', 'open']);
    expect(requests[1]!.headers.get('last-event-id')).toBe('1');
  });

  it('can be started again after a final state', async () => {
    const { connection, listener, requests } = run(plan(), [{ status: 204 }, { hang: true }]);
    await waitFor(() => listener.has('ended'), 'ended');
    connection.start();
    await waitFor(() => listener.states.at(-1)?.state === 'open', 'open');
    expect(listener.stateNames).toEqual(['connecting', 'ended', 'connecting', 'open']);
    expect(requests).toHaveLength(2);
  });

  it('grows the backoff across failures and starts over after a connection that delivered events', async () => {
    const { listener } = run(
      plan(),
      [
        { status: 500 },
        { status: 500 },
        { status: 500 },
        { chunks: ['data: ok\n\n'] },
        { status: 500 },
        { hang: true },
      ],
      { backoffBaseMs: 4, backoffCapMs: 1000, random: () => 0.999 },
    );
    await waitFor(
      () => listener.states.filter((s) => s.state === 'reconnecting').length >= 5,
      'five reconnects',
    );
    const delays = listener.states.flatMap((s) => (s.state === 'reconnecting' ? [s.delayMs] : []));
    expect(delays).toEqual([3, 7, 15, 3, 7]);
  });
});

describe('HubConnection resume', () => {
  it('drops re-sent ids, keeps one it never had, then trusts new ids', async () => {
    const { connection, listener } = run(plan(), [
      { chunks: ['id: 10\ndata: a\n\nid: 20\ndata: b\n\n'] },
      {
        chunks: [
          'id: 10\ndata: a\n\nid: 15\ndata: ?\n\nid: 20\ndata: b\n\nid: 21\ndata: c\n\nid: 5\ndata: d\n\n',
        ],
      },
      { hang: true },
    ]);
    await waitFor(() => listener.frames.length >= 5, 'five frames');
    // 15 came between two ids it had, but never arrived: not a duplicate — losing it would be.
    expect(listener.data).toEqual(['a', 'b', '?', 'c', 'd']);
    expect(connection.stats().duplicatesSkipped).toBe(2);
    expect(listener.gaps).toEqual([]);
  });

  it('drops re-sent ids by the set of recent ids when ids are not increasing integers', async () => {
    const { connection, listener } = run(plan(), [
      { chunks: ['id: x7\ndata: a\n\nid: a1\ndata: b\n\n'] },
      { chunks: ['id: x7\ndata: a\n\nid: a1\ndata: b\n\nid: q\ndata: c\n\nid: x7\ndata: again\n\n'] },
      { hang: true },
    ]);
    await waitFor(() => listener.frames.length >= 4, 'four frames');
    expect(listener.data).toEqual(['a', 'b', 'c', 'again']);
    expect(connection.stats().duplicatesSkipped).toBe(2);
  });

  it('delivers a restarted server’s renumbered events and marks a gap instead of dropping them', async () => {
    const { connection, listener } = run(plan(), [
      { chunks: ['id: 1\ndata: old-1\n\nid: 2\ndata: old-2\n\nid: 3\ndata: old-3\n\n'] },
      // The server restarted and counts from 1 again, with other events.
      { chunks: ['id: 1\ndata: new-1\n\nid: 2\ndata: new-2\n\n'] },
      { hang: true },
    ]);
    await waitFor(() => listener.frames.length >= 5, 'five frames');
    expect(listener.data).toEqual(['old-1', 'old-2', 'old-3', 'new-1', 'new-2']);
    expect(listener.gaps).toHaveLength(1);
    expect(listener.gaps[0]).toMatchObject({
      detail: expect.stringMatching(/numbers its events anew/) as unknown,
    });
    expect(connection.stats().duplicatesSkipped).toBe(0);
  });

  it('treats ids older than it remembers as renumbered, not as repeats', async () => {
    const { listener } = run(
      plan(),
      [
        { chunks: ['id: 100\ndata: a\n\nid: 101\ndata: b\n\nid: 102\ndata: c\n\n'] },
        { chunks: ['id: 7\ndata: fresh\n\n'] },
        { hang: true },
      ],
      { recentIds: 2 },
    );
    await waitFor(() => listener.frames.length >= 4, 'four frames');
    expect(listener.data).toEqual(['a', 'b', 'c', 'fresh']);
    expect(listener.gaps).toHaveLength(1);
  });

  it('keeps a frame without its own id after a resume, since it may be new', async () => {
    const { listener } = run(plan(), [
      { chunks: ['id: 1\ndata: a\n\n'] },
      { chunks: ['data: b\n\nid: 1\ndata: late\n\n'] },
      { hang: true },
    ]);
    await waitFor(() => listener.frames.length >= 3, 'three frames');
    expect(listener.data).toEqual(['a', 'b', 'late']);
  });

  it('does not de-duplicate within the first connection', async () => {
    const { connection, listener } = run(plan(), [
      { chunks: ['id: 1\ndata: a\n\nid: 1\ndata: a\n\n'], hang: true },
    ]);
    await waitFor(() => listener.frames.length >= 2, 'two frames');
    expect(connection.stats().duplicatesSkipped).toBe(0);
  });

  it('counts bytes and reconnects', async () => {
    const { connection, listener } = run(plan(), [
      { chunks: ['data: abc\n\n'] },
      { chunks: ['data: de\n\n'], hang: true },
    ]);
    await waitFor(() => listener.frames.length >= 2, 'two frames');
    expect(connection.stats()).toEqual({ bytes: 21, reconnects: 1, duplicatesSkipped: 0 });
  });
});

describe('HubConnection replay from start', () => {
  it('skips a partial replay and continues matching on the next one', async () => {
    const { connection, listener } = run(plan({ replaysFromStart: true }), [
      { chunks: ['data: 1\n\ndata: 2\n\ndata: 3\n\n'] },
      { chunks: ['data: 1\n\n'] },
      { chunks: ['data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n'] },
      { hang: true },
    ]);
    await waitFor(() => listener.frames.length >= 4, 'four frames');
    expect(listener.data).toEqual(['1', '2', '3', '4']);
    expect(listener.gaps).toEqual([]);
    expect(connection.stats().duplicatesSkipped).toBe(4);
  });

  it('delivers what follows a replay that diverges midway, without a gap', async () => {
    const { listener } = run(plan({ replaysFromStart: true }), [
      { chunks: ['data: 1\n\ndata: 2\n\n'] },
      { chunks: ['data: 1\n\ndata: 9\n\n'] },
      { hang: true },
    ]);
    await waitFor(() => listener.frames.length >= 3, 'three frames');
    expect(listener.data).toEqual(['1', '2', '9']);
    expect(listener.gaps).toEqual([]);
  });

  it('tells frames apart by event name as well as data', () => {
    expect(frameFingerprint('a', 'x')).not.toBe(frameFingerprint('b', 'x'));
    expect(frameFingerprint(null, 'x')).not.toBe(frameFingerprint(null, 'y'));
    expect(frameFingerprint('e', 'data')).toBe(frameFingerprint('e', 'data'));
  });
});

describe('HubConnection watchdog', () => {
  it('gives up on a response that never comes within the connect timeout', async () => {
    const listener = new RecordingListener();
    const connection = new HubConnection(plan(), listener, {
      fetch: (_input: string | URL | Request, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        ),
      connectTimeoutMs: 30,
      backoffBaseMs: 1000,
      random: () => 0,
    });
    connections.push(connection);
    connection.start();
    await waitFor(() => listener.has('reconnecting'), 'reconnecting');
    expect(listener.last('reconnecting')!.reason).toBe('no response within 0.03 s');
  });
});
