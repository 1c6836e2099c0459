import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { ApiCallError, type PushMessage } from '../../../../src/shared/api';
import type { ClientMessage, ServerMessage } from '../../../../src/shared/serve-protocol';
import {
  WebSocketBackend,
  apiSocketUrl,
  reconnectDelay,
  type ConnectionStatus,
} from '../../../../src/renderer/src/backend/websocket-backend';

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

/** A real `ws` server speaking the serve protocol, with a handler per test. */
class TestServer {
  readonly sockets: ServerSocket[] = [];
  readonly received: ClientMessage[] = [];
  answer: (message: ClientMessage) => ServerMessage | null = (message) => ({
    type: 'result',
    id: message.id,
    result: { ok: true, value: { echo: message.name } },
  });
  private http!: Server;
  private wss!: WebSocketServer;
  port = 0;

  async start(port = 0): Promise<void> {
    this.http = createServer();
    this.wss = new WebSocketServer({ server: this.http, path: '/api' });
    this.wss.on('connection', (socket) => {
      this.sockets.push(socket);
      socket.on('message', (data) => {
        const message = JSON.parse((data as Buffer).toString('utf8')) as ClientMessage;
        this.received.push(message);
        const reply = this.answer(message);
        if (reply) socket.send(JSON.stringify(reply));
      });
    });
    await new Promise<void>((resolve) => this.http.listen(port, '127.0.0.1', resolve));
    this.port = (this.http.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/api`;
  }

  push(batch: PushMessage[]): void {
    for (const socket of this.sockets)
      socket.send(JSON.stringify({ type: 'push', batch } satisfies ServerMessage));
  }

  dropEveryone(): void {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.length = 0;
  }

  async stop(): Promise<void> {
    this.dropEveryone();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

const servers: TestServer[] = [];
const clients: WebSocketBackend[] = [];

async function startServer(port = 0): Promise<TestServer> {
  const server = new TestServer();
  await server.start(port);
  servers.push(server);
  return server;
}

function connect(
  url: string,
  options: Partial<ConstructorParameters<typeof WebSocketBackend>[0]> = {},
): WebSocketBackend {
  const client = new WebSocketBackend({
    url,
    initialDelayMs: 20,
    maxDelayMs: 100,
    random: () => 0,
    ...options,
  });
  clients.push(client);
  return client;
}

function waitForStatus(
  client: WebSocketBackend,
  predicate: (status: ConnectionStatus) => boolean,
): Promise<ConnectionStatus> {
  return new Promise((resolve) => {
    const stop = client.onStatus((status) => {
      if (predicate(status)) {
        queueMicrotask(() => stop());
        resolve(status);
      }
    });
  });
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) await server.stop();
});

describe('the WebSocket backend', () => {
  it('sends a call with an id and resolves with the unwrapped value', async () => {
    const server = await startServer();
    const client = connect(server.url);
    const info = await client.call('hubs.list', null);
    expect(info).toEqual({ echo: 'hubs.list' });
    expect(server.received).toEqual([{ type: 'call', id: 1, name: 'hubs.list', request: null }]);
  });

  it('rejects a refused call with an ApiCallError carrying the field', async () => {
    const server = await startServer();
    server.answer = (message) => ({
      type: 'result',
      id: message.id,
      result: { ok: false, error: { message: 'hub "x": url: is not a valid URL', field: 'url' } },
    });
    const client = connect(server.url);
    const failure = await rejection(client.call('hubs.remove', { id: 'x' }));
    expect(failure).toBeInstanceOf(ApiCallError);
    expect((failure as ApiCallError).field).toBe('url');
    expect((failure as ApiCallError).message).toBe('hub "x": url: is not a valid URL');
  });

  it('matches answers to calls by id, whatever order they come back in', async () => {
    const server = await startServer();
    const held: ClientMessage[] = [];
    server.answer = (message) => {
      held.push(message);
      if (held.length < 2) return null;
      for (const waiting of held.reverse()) {
        server.sockets[0]!.send(
          JSON.stringify({ type: 'result', id: waiting.id, result: { ok: true, value: waiting.name } }),
        );
      }
      return null;
    };
    const client = connect(server.url);
    const [first, second] = await Promise.all([
      client.call('hubs.list', null),
      client.call('alerts.list', null),
    ]);
    expect(first).toBe('hubs.list');
    expect(second).toBe('alerts.list');
  });

  it('delivers pushed batches to every listener', async () => {
    const server = await startServer();
    const client = connect(server.url);
    const seen: PushMessage[][] = [];
    client.onPush((batch) => seen.push(batch));
    await client.call('app.info', null);
    const batch: PushMessage[] = [
      { name: 'notice', payload: { level: 'warn', message: 'settings moved aside' } },
    ];
    server.push(batch);
    await expect.poll(() => seen).toEqual([batch]);
  });

  it('rejects calls in flight when the socket drops, reconnects, and sends calls made meanwhile', async () => {
    const server = await startServer();
    let answering = true;
    server.answer = (message) =>
      answering ? { type: 'result', id: message.id, result: { ok: true, value: 'ok' } } : null;
    const client = connect(server.url);
    await client.call('app.info', null);

    answering = false;
    const inFlight = rejection(client.call('hubs.list', null));
    await expect.poll(() => server.received.length).toBe(2);
    const reconnecting = waitForStatus(client, (status) => status.state === 'reconnecting');
    server.dropEveryone();
    const failure = await inFlight;
    expect(failure.message).toMatch(/lost the connection to hubwatch serve while waiting for "hubs.list"/);
    const status = await reconnecting;
    expect(status.attempt).toBe(1);
    expect(status.retryAt).not.toBeNull();

    answering = true;
    const reopened = waitForStatus(client, (next) => next.state === 'open');
    const queued = client.call('settings.get', null);
    expect((await reopened).reconnects).toBe(1);
    expect(await queued).toBe('ok');
  });

  it('keeps retrying with growing delays while the server is down, and reports each attempt', async () => {
    const server = await startServer();
    const port = server.port;
    const client = connect(server.url);
    await client.call('app.info', null);
    await server.stop();
    servers.length = 0;
    const third = await waitForStatus(
      client,
      (status) => status.state === 'reconnecting' && status.attempt >= 3,
    );
    expect(third.detail).toBeTruthy();
    const back = await startServer(port);
    const open = await waitForStatus(client, (status) => status.state === 'open');
    expect(open.reconnects).toBe(1);
    expect(await client.call('hubs.list', null)).toEqual({ echo: 'hubs.list' });
    expect(back.received.length).toBe(1);
  });

  it('fails a call that waits too long for the connection, saying why', async () => {
    const client = connect('ws://127.0.0.1:9/api', { queuedCallTimeoutMs: 60 });
    const failure = await rejection(client.call('hubs.list', null));
    expect(failure.message).toMatch(/"hubs.list" was not sent: hubwatch serve has not been reachable/);
  });

  it('refuses calls after it was closed', async () => {
    const server = await startServer();
    const client = connect(server.url);
    await client.call('app.info', null);
    client.close();
    expect(client.status.state).toBe('closed');
    await expect(client.call('hubs.list', null)).rejects.toThrow(/connection to hubwatch serve is closed/);
  });
});

describe('reconnect delays', () => {
  it('double per attempt, stop at the cap, and jitter only lengthens them', () => {
    expect(reconnectDelay(1, 500, 10_000, () => 0)).toBe(500);
    expect(reconnectDelay(2, 500, 10_000, () => 0)).toBe(1000);
    expect(reconnectDelay(3, 500, 10_000, () => 0)).toBe(2000);
    expect(reconnectDelay(12, 500, 10_000, () => 0)).toBe(10_000);
    expect(reconnectDelay(1, 500, 10_000, () => 1)).toBe(650);
  });
});

describe('the API socket URL', () => {
  it('sits next to the page, ws: for http: and wss: for https:, without the token', () => {
    expect(apiSocketUrl('http://127.0.0.1:8780/?token=abc')).toBe('ws://127.0.0.1:8780/api');
    expect(apiSocketUrl('https://example.test/hubwatch/index.html#x')).toBe('wss://example.test/api');
  });
});
