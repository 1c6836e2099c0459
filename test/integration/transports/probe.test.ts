import { afterEach, describe, expect, it } from 'vitest';
import { probeHub } from '../../../src/main/engine/transports/probe';
import type { StreamPlan } from '../../../src/main/engine/transports/types';
import type { HttpHandler, TestServer, TestServerOptions } from '../../support/sse-test-server';
import { delay, sseHead, startTestServer } from '../../support/sse-test-server';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: TestServerOptions | HttpHandler): Promise<TestServer> {
  const started = await startTestServer(typeof options === 'function' ? { http: options } : options);
  cleanups.push(() => started.close());
  return started;
}

function plan(
  url: string,
  headers: Record<string, string> = {},
  extra: Partial<StreamPlan> = {},
): StreamPlan {
  return {
    transport: 'sse',
    silenceTimeoutMs: 0,
    prepare: () => Promise.resolve({ url, headers }),
    ...extra,
  };
}

describe('probeHub over SSE', () => {
  it('shows the request with credentials masked, the response and the first five frames', async () => {
    const hub = await server((_req, res) => {
      sseHead(res);
      for (let i = 1; i <= 7; i++) res.write(`event: log\nid: ${i}\ndata: {"n":${i}}\n\n`);
    });
    const result = await probeHub({
      transport: 'sse',
      silenceTimeoutMs: 0,
      prepare: () =>
        Promise.resolve({
          url: `${hub.url}/events?token=abc123&group=*`,
          headers: { Authorization: 'Bearer sekrit', 'X-Hub-Key': 'k', 'X-Team': 'ops' },
          credentialHeaders: ['X-Hub-Key'],
        }),
    });
    expect(result.outcome).toBe('ok');
    expect(result.status).toBe(200);
    expect(result.statusText).toBe('OK');
    expect(result.responseHeaders['content-type']).toBe('text/event-stream');
    expect(result.request.method).toBe('GET');
    expect(result.request.url).toBe(`${hub.url}/events?token=••••&group=*`);
    expect(result.request.headers).toMatchObject({
      authorization: 'Bearer ••••',
      'x-hub-key': '••••',
      'x-team': 'ops',
      accept: 'text/event-stream',
    });
    expect(JSON.stringify(result)).not.toContain('sekrit');
    expect(JSON.stringify(result)).not.toContain('abc123');
    expect(result.frames).toHaveLength(5);
    expect(result.frames[0]).toBe('event: log\nid: 1\ndata: {"n":1}');
    expect(result.hint).toBe('Connected: received 5 events (showing the first 5).');
    expect(hub.requests).toHaveLength(1);
  });

  it('uses probePrepare so a probe never runs the plan’s side effects', async () => {
    const hub = await server((_req, res) => {
      sseHead(res);
      res.write('data: x\n\n');
    });
    let prepared = 0;
    const result = await probeHub(
      plan(
        hub.url,
        {},
        {
          prepare: () => {
            prepared += 1;
            return Promise.reject(new Error('would start a command'));
          },
          probePrepare: () => Promise.resolve({ url: `${hub.url}/probe`, headers: {} }),
        },
      ),
      { listenMs: 100 },
    );
    expect(prepared).toBe(0);
    expect(result.outcome).toBe('ok');
    expect(hub.requests[0]!.url).toBe('/probe');
  });

  it('hints at an idle hub or a buffering proxy when nothing arrives', async () => {
    const hub = await server((_req, res) => sseHead(res));
    const result = await probeHub(plan(hub.url), { listenMs: 80 });
    expect(result.outcome).toBe('ok');
    expect(result.frames).toEqual([]);
    expect(result.hint).toContain('nothing arrived within 0.08 s');
    expect(result.hint).toContain('proxy_buffering off');
  });

  it('never reconnects when the server closes the stream', async () => {
    const hub = await server((_req, res) => {
      sseHead(res);
      res.end();
    });
    const result = await probeHub(plan(hub.url), { listenMs: 200 });
    await delay(50);
    expect(hub.requests).toHaveLength(1);
    expect(result.hint).toContain('closed the stream without sending an event');
  });

  it.each([
    [401, 'rejected the credentials'],
    [403, 'rejected the credentials'],
    [404, 'Check the URL'],
    [503, 'server is in trouble'],
    [429, 'rate limiting'],
  ])('explains an HTTP %i in plain language', async (status, hint) => {
    const hub = await server((_req, res) => res.writeHead(status, { 'Retry-After': '5' }).end());
    const result = await probeHub(plan(hub.url));
    expect(result.outcome).toBe('failed');
    expect(result.status).toBe(status);
    expect(result.hint).toContain(hint);
  });

  it('counts a 204 as reachable but says nothing will stream', async () => {
    const hub = await server((_req, res) => res.writeHead(204).end());
    const result = await probeHub(plan(hub.url));
    expect(result.outcome).toBe('ok');
    expect(result.status).toBe(204);
    expect(result.hint).toContain('nothing to stream');
  });

  it('asks whether this is the stream endpoint on a wrong content type', async () => {
    const hub = await server((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>'),
    );
    const result = await probeHub(plan(hub.url));
    expect(result.outcome).toBe('failed');
    expect(result.hint).toContain('got text/html');
    expect(result.hint).toContain('Is this the stream endpoint?');
  });

  it('explains a refused connection', async () => {
    const hub = await server(() => undefined);
    const url = hub.url;
    await hub.close();
    const result = await probeHub(plan(url));
    expect(result.outcome).toBe('failed');
    expect(result.status).toBeNull();
    expect(result.hint).toContain('Connection refused: nothing is listening at 127.0.0.1:');
  });

  it('explains a server that never answers', async () => {
    const hub = await server(() => undefined);
    const result = await probeHub(plan(hub.url), { connectTimeoutMs: 100 });
    expect(result.outcome).toBe('failed');
    expect(result.hint).toContain('No response from 127.0.0.1');
  });
});

describe('probeHub over WebSocket', () => {
  it('reports the upgrade and the first messages', async () => {
    const hub = await server({ ws: (socket) => ['a', 'b'].forEach((m) => socket.send(m)) });
    const result = await probeHub(
      { ...plan(hub.wsUrl, { Authorization: 'Bearer sekrit' }), transport: 'websocket' },
      { listenMs: 100 },
    );
    expect(result.outcome).toBe('ok');
    expect(result.status).toBe(101);
    expect(result.frames).toEqual(['a', 'b']);
    expect(result.request.headers.Authorization).toBe('Bearer ••••');
    expect(result.hint).toBe('Connected: received 2 events.');
  });

  it('explains a 401 on the upgrade', async () => {
    const hub = await server({ upgrade: () => ({ status: 401 }) });
    const result = await probeHub({ ...plan(hub.wsUrl), transport: 'websocket' });
    expect(result.outcome).toBe('failed');
    expect(result.status).toBe(401);
    expect(result.hint).toContain('rejected the credentials');
  });
});
