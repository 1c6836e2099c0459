import { describe, expect, it } from 'vitest';
import { connectionHarness, FAST } from '../../support/connection-harness';
import { delay, waitFor } from '../../support/sse-test-server';

const { server, plan, connect } = connectionHarness('websocket');

describe('WebSocket upgrade', () => {
  it('sends the credentials and plan headers on the upgrade and reports open via websocket', async () => {
    const hub = await server({ ws: () => undefined });
    const { listener } = connect(
      plan(`${hub.wsUrl}/api/events/ws`, {}, { Authorization: 'Bearer sls_live_x', 'X-Team': 'ops' }),
    );
    await waitFor(() => listener.has('open'), 'open');
    expect(hub.upgrades[0]!.url).toBe('/api/events/ws');
    expect(hub.upgrades[0]!.headers.authorization).toBe('Bearer sls_live_x');
    expect(hub.upgrades[0]!.headers['x-team']).toBe('ops');
    expect(listener.last('open')).toMatchObject({ via: 'websocket' });
  });

  it('fails as credentials rejected on a 401 to the upgrade', async () => {
    const hub = await server({ upgrade: () => ({ status: 401 }) });
    const { listener } = connect(plan(hub.wsUrl));
    await waitFor(() => listener.has('failed'), 'failed');
    expect(listener.last('failed')).toMatchObject({ reason: 'credentials_rejected' });
    expect(listener.last('failed')!.detail).toContain('401');
    await delay(50);
    expect(hub.upgrades).toHaveLength(1);
  });

  it('retries a 503 to the upgrade no sooner than its Retry-After', async () => {
    const hub = await server({ upgrade: () => ({ status: 503, headers: { 'Retry-After': '2' } }) });
    const { listener } = connect(plan(hub.wsUrl));
    await waitFor(() => listener.has('reconnecting'), 'reconnecting');
    expect(listener.last('reconnecting')!.delayMs).toBeGreaterThanOrEqual(2000);
    expect(listener.last('reconnecting')!.reason).toBe('HTTP 503 Service Unavailable');
  });

  it('fails when the server answers the upgrade with a plain 200', async () => {
    const hub = await server({ http: (_req, res) => res.end('hello'), upgrade: () => ({ status: 200 }) });
    const { listener } = connect(plan(hub.wsUrl));
    await waitFor(() => listener.has('failed'), 'failed');
    expect(listener.last('failed')).toMatchObject({ reason: 'http_error' });
    expect(listener.last('failed')!.detail).toContain('expected a WebSocket upgrade');
  });

  it('drops credentials when the upgrade is redirected to another origin', async () => {
    const target = await server({ ws: (socket) => socket.send('there') });
    const origin = await server({
      upgrade: () => ({ status: 302, headers: { Location: `${target.wsUrl}/ws` } }),
    });
    const { listener } = connect(plan(origin.wsUrl, {}, { Authorization: 'Bearer x', 'X-Team': 'ops' }));
    await waitFor(() => listener.frames.length > 0, 'a frame');
    expect(target.upgrades[0]!.headers.authorization).toBeUndefined();
    expect(target.upgrades[0]!.headers['x-team']).toBe('ops');
  });
});

describe('WebSocket messages', () => {
  it('turns text and binary messages into frames without event or id', async () => {
    const hub = await server({
      ws: (socket) => {
        socket.send('{"Topic":"status"}');
        socket.send(Buffer.from('bïnary', 'utf8'), { binary: true });
      },
    });
    const { connection, listener } = connect(plan(hub.wsUrl));
    await waitFor(() => listener.frames.length >= 2, 'two frames');
    expect(listener.frames.map(({ event, id, data, via }) => ({ event, id, data, via }))).toEqual([
      { event: null, id: null, data: '{"Topic":"status"}', via: 'websocket' },
      { event: null, id: null, data: 'bïnary', via: 'websocket' },
    ]);
    expect(connection.stats().bytes).toBe(18 + Buffer.byteLength('bïnary'));
  });

  it('reconnects with the reason when a message exceeds maxPayload', async () => {
    const hub = await server({
      ws: (socket, _req, index) => socket.send(index === 0 ? 'z'.repeat(4096) : 'small'),
    });
    const { listener } = connect(plan(hub.wsUrl), { ...FAST, wsMaxPayload: 1024 });
    await waitFor(() => listener.frames.length > 0, 'a frame after reconnecting');
    expect(listener.data).toEqual(['small']);
    expect(listener.states.find((s) => s.state === 'reconnecting')).toMatchObject({
      reason: 'a message exceeded 1 KiB (closed 1009, message too big)',
    });
  });

  it('ends when the plan says a message ends the stream', async () => {
    const hub = await server({
      ws: (socket) => {
        socket.send('a');
        socket.send('done');
        socket.send('late');
      },
    });
    const { listener } = connect(
      plan(hub.wsUrl, {
        endsStream: (frame) => (frame.data === 'done' ? { reason: 'server_close', detail: 'done' } : null),
      }),
    );
    await waitFor(() => listener.has('ended'), 'ended');
    expect(listener.data).toEqual(['a', 'done']);
    await delay(50);
    expect(hub.upgrades).toHaveLength(1);
  });
});

describe('WebSocket close and liveness', () => {
  it('shows the close code and the server’s reason', async () => {
    const hub = await server({
      ws: (socket, _req, index) => index === 0 && socket.close(1001, 'going away'),
    });
    const { listener } = connect(plan(hub.wsUrl));
    await waitFor(() => listener.has('reconnecting'), 'reconnecting');
    expect(listener.last('reconnecting')!.reason).toBe('closed 1001: going away');
  });

  it('names an abnormal closure when the connection just drops', async () => {
    const hub = await server({
      ws: (socket, _req, index) => index === 0 && setTimeout(() => socket.terminate(), 10),
    });
    const { listener } = connect(plan(hub.wsUrl));
    await waitFor(() => listener.has('reconnecting'), 'reconnecting');
    expect(listener.last('reconnecting')!.reason).toBe('closed 1006 (abnormal closure)');
  });

  it('terminates and reconnects when a ping gets no pong in time', async () => {
    const hub = await server({ autoPong: false, ws: () => undefined });
    const { listener } = connect(plan(hub.wsUrl), { ...FAST, wsIdleMs: 60, wsPongTimeoutMs: 60 });
    await waitFor(() => hub.upgrades.length >= 2, 'a reconnect');
    expect(listener.states.find((s) => s.state === 'reconnecting')).toMatchObject({
      reason: 'no pong within 0.06 s',
    });
  });

  it('stays connected while the server answers our pings', async () => {
    const hub = await server({ ws: () => undefined });
    const { listener } = connect(plan(hub.wsUrl), { ...FAST, wsIdleMs: 40, wsPongTimeoutMs: 40 });
    await waitFor(() => listener.has('open'), 'open');
    await delay(400);
    expect(listener.has('reconnecting')).toBe(false);
  });

  it('counts server pings as life, so a silent but pinging hub is not dropped', async () => {
    const hub = await server({
      autoPong: false,
      ws: (socket) => {
        const timer = setInterval(() => socket.ping(), 25);
        socket.on('close', () => clearInterval(timer));
      },
    });
    const { listener } = connect(plan(hub.wsUrl, { silenceTimeoutMs: 150 }), {
      ...FAST,
      wsIdleMs: 80,
      wsPongTimeoutMs: 40,
    });
    await waitFor(() => listener.has('open'), 'open');
    await delay(500);
    expect(listener.has('reconnecting')).toBe(false);
  });

  it('marks a gap after every WebSocket reconnect', async () => {
    const hub = await server({
      ws: (socket, _req, index) => {
        socket.send(`m${index}`);
        if (index === 0) setTimeout(() => socket.close(1012), 10);
      },
    });
    const { listener } = connect(plan(hub.wsUrl));
    await waitFor(() => listener.frames.length >= 2, 'two frames');
    expect(listener.timeline).toEqual(['frame:m0', 'gap', 'frame:m1']);
    expect(listener.gaps[0]!.detail).toContain('WebSocket reconnected');
  });
});
