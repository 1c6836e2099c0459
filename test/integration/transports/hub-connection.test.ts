import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HubConnection } from '../../../src/main/engine/transports/hub-connection';
import { connectionHarness, FAST } from '../../support/connection-harness';
import type { HttpHandler } from '../../support/sse-test-server';
import { RecordingListener, delay, sseHead, waitFor } from '../../support/sse-test-server';

const { cleanups, server, plan, connect } = connectionHarness('sse');

function serveInTurn(bodies: string[]): HttpHandler {
  return (_req, res, index) => {
    sseHead(res);
    res.end(bodies[Math.min(index, bodies.length - 1)]);
  };
}

describe('gap markers', () => {
  it('marks a gap after a reconnect without a last event id, between the frames', async () => {
    const hub = await server(serveInTurn(['data: a\n\n', 'data: b\n\n', '']));
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.frames.length >= 2, 'two frames');
    expect(listener.timeline.slice(0, 3)).toEqual(['frame:a', 'gap', 'frame:b']);
    expect(listener.gaps[0]!.detail).toContain('without a last event id');
  });

  it('marks no gap when the reconnect resumes from a last event id', async () => {
    const hub = await server(serveInTurn(['id: 1\ndata: a\n\n', 'id: 2\ndata: b\n\n', '']));
    const { listener } = connect(plan(hub.url));
    await waitFor(() => hub.requests.length >= 3, 'two reconnects');
    expect(listener.data).toEqual(['a', 'b']);
    expect(listener.gaps).toEqual([]);
  });

  it('marks no gap when the first connection only opens after failed attempts', async () => {
    const hub = await server((_req, res, index) => {
      if (index < 2) res.writeHead(502).end();
      else {
        sseHead(res);
        res.write('data: first\n\n');
      }
    });
    const { listener } = connect(plan(hub.url));
    await waitFor(() => listener.frames.length > 0, 'a frame');
    expect(listener.gaps).toEqual([]);
  });
});

describe('replay from start', () => {
  it('skips the replayed prefix as duplicates and marks no gap', async () => {
    const hub = await server(
      serveInTurn([
        'event: task_updated\ndata: 1\n\nevent: task_updated\ndata: 2\n\n',
        'event: task_updated\ndata: 1\n\nevent: task_updated\ndata: 2\n\nevent: task_updated\ndata: 3\n\n',
        'event: task_updated\ndata: 1\n\nevent: task_updated\ndata: 2\n\nevent: task_updated\ndata: 3\n\nevent: task_done\ndata: 4\n\n',
      ]),
    );
    const { connection, listener } = connect(
      plan(hub.url, {
        replaysFromStart: true,
        endsStream: (frame) => (frame.event === 'task_done' ? { reason: 'completed', detail: 'done' } : null),
      }),
    );
    await waitFor(() => listener.has('ended'), 'ended');
    expect(listener.data).toEqual(['1', '2', '3', '4']);
    expect(listener.gaps).toEqual([]);
    expect(connection.stats().duplicatesSkipped).toBe(5);
  });

  it('marks a gap when the replay does not start where the previous one did', async () => {
    const hub = await server(serveInTurn(['data: a\n\ndata: b\n\n', 'data: x\n\ndata: y\n\n', '']));
    const { listener } = connect(plan(hub.url, { replaysFromStart: true }));
    await waitFor(() => hub.requests.length >= 3, 'two reconnects');
    expect(listener.timeline).toEqual(['frame:a', 'frame:b', 'gap', 'frame:x', 'frame:y']);
  });
});

describe('polling fallback', () => {
  it('polls while the stream fails, then stops polling once the stream is open again', async () => {
    let streamUp = false;
    const hub = await server((req, res) => {
      if (req.url === '/api/status') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"agents":3}');
      } else if (!streamUp) {
        res.writeHead(503).end();
      } else {
        sseHead(res);
        res.write('data: live\n\n');
      }
    });
    const { listener } = connect(
      plan(`${hub.url}/api/logs/stream`, {
        pollFallback: {
          intervalMs: 30,
          prepare: () => Promise.resolve({ url: `${hub.url}/api/status`, headers: {} }),
        },
      }),
      { backoffBaseMs: 40, backoffCapMs: 40, random: () => 0 },
    );
    await waitFor(() => listener.frames.filter((f) => f.via === 'poll').length >= 2, 'two polls');
    expect(listener.has('polling')).toBe(true);
    expect(listener.frames[0]).toMatchObject({ event: null, id: null, data: '{"agents":3}', via: 'poll' });
    expect(listener.last('polling')!.reason).toBe('HTTP 503 Service Unavailable');

    streamUp = true;
    await waitFor(() => listener.data.includes('live'), 'the stream again');
    const polls = hub.requests.filter((r) => r.url === '/api/status').length;
    await delay(150);
    expect(hub.requests.filter((r) => r.url === '/api/status').length).toBe(polls);
    expect(listener.states.at(-1)).toMatchObject({ state: 'open', via: 'sse' });
  });

  it('fails as credentials rejected when a poll gets a 401', async () => {
    const hub = await server((req, res) => {
      if (req.url === '/poll') res.writeHead(401).end();
      else res.writeHead(500).end();
    });
    const { listener } = connect(
      plan(hub.url, {
        pollFallback: {
          intervalMs: 20,
          prepare: () => Promise.resolve({ url: `${hub.url}/poll`, headers: {} }),
        },
      }),
    );
    await waitFor(() => listener.has('failed'), 'failed');
    expect(listener.last('failed')).toMatchObject({ reason: 'credentials_rejected' });
    const requests = hub.requests.length;
    await delay(80);
    expect(hub.requests.length).toBe(requests);
  });
});

describe('a listener that throws', () => {
  it.each(['sse', 'websocket'] as const)(
    'costs the %s connection, not the process, and the hub reconnects',
    async (transport) => {
      const hub = await server({
        http: (_req, res, index) => {
          sseHead(res);
          res.write(`data: m${index}\n\n`);
        },
        ws: (socket, _req, index) => socket.send(`m${index}`),
      });
      const listener = new RecordingListener();
      const onFrame = listener.onFrame.bind(listener);
      let thrown = false;
      listener.onFrame = (frame) => {
        if (!thrown) {
          thrown = true;
          throw new Error('listener bug');
        }
        onFrame(frame);
      };
      const connection = new HubConnection(
        { ...plan(transport === 'sse' ? hub.url : hub.wsUrl), transport },
        listener,
        FAST,
      );
      cleanups.push(() => connection.stop());
      connection.start();
      await waitFor(() => listener.frames.length > 0, 'a frame after reconnecting');
      expect(listener.last('reconnecting')!.reason).toContain('listener bug');
      expect(listener.data).toEqual(['m1']);
    },
  );
});

describe('stop()', () => {
  it('reports idle once and sends nothing more', async () => {
    const hub = await server((_req, res) => {
      sseHead(res);
      res.write('data: a\n\n');
    });
    const { connection, listener } = connect(plan(hub.url, { silenceTimeoutMs: 50 }));
    await waitFor(() => listener.frames.length > 0, 'a frame');
    await connection.stop();
    await connection.stop();
    expect(listener.stateNames.filter((name) => name === 'idle')).toHaveLength(1);
    expect(connection.state).toEqual({ state: 'idle' });
    await delay(120);
    expect(hub.requests).toHaveLength(1);
  });

  it('resumes from the last event id after stop() and start()', async () => {
    const hub = await server((_req, res, index) => {
      sseHead(res);
      res.write(`id: ${index + 10}\ndata: ${index}\n\n`);
    });
    const { connection, listener } = connect(plan(hub.url));
    await waitFor(() => listener.frames.length > 0, 'a frame');
    await connection.stop();
    connection.start();
    await waitFor(() => listener.frames.length > 1, 'a frame after restarting');
    expect(hub.requests[1]!.lastEventId).toBe('10');
  });

  const childScript = fileURLToPath(new URL('./fixtures/stop-child.ts', import.meta.url));
  const hook = new URL('./fixtures/resolve-ts-hook.mjs', import.meta.url).href;

  /** Runs the child until it exits by itself; a leftover timer or socket would keep it alive. */
  function runChild(scenario: string, url: string): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--experimental-transform-types',
          '--no-warnings',
          '--import',
          `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(hook)})`,
          childScript,
          scenario,
          url,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 8_000);
      child.on('exit', (code) => {
        clearTimeout(killer);
        resolve({ code, output });
      });
    });
  }

  it.each(['sse-open', 'ws-open', 'reconnecting', 'polling', 'prepare-hanging'])(
    'leaves nothing running, so the process exits by itself (%s)',
    async (scenario) => {
      const hub = await server({
        http: (req, res) => {
          if (scenario === 'reconnecting' || (scenario === 'polling' && !req.url?.endsWith('/poll'))) {
            res.writeHead(503).end();
          } else if (req.url?.endsWith('/poll')) {
            res.writeHead(200).end('{}');
          } else {
            sseHead(res);
            res.write('data: hello\n\n');
          }
        },
        ws: (socket) => socket.send('hello'),
      });
      const url = scenario === 'ws-open' ? hub.wsUrl : hub.url;
      const { code, output } = await runChild(scenario, url);
      expect(output.trim()).toBe('stopped idle');
      expect(code).toBe(0);
    },
  );
});
