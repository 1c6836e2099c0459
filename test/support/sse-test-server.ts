/**
 * A small purpose-built HTTP + WebSocket server for transport tests: listens on 127.0.0.1
 * port 0, records every request, and lets each test script its responses. Plus a
 * recording connection listener and a `waitFor` for real-timer tests.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { ConnectionState } from '../../src/shared/connection-state';
import type { ConnectionListener, Frame } from '../../src/main/engine/transports/types';

/** One request the server saw. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** `Last-Event-ID` decoded from its raw bytes as UTF-8, or `null` when absent. */
  lastEventId: string | null;
  /** `performance.now()` when it arrived. */
  at: number;
}

/** Answers one HTTP request; `index` counts requests from 0. */
export type HttpHandler = (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void;
/** Handles one accepted WebSocket; `index` counts upgrades from 0. */
export type WsHandler = (socket: WebSocket, req: http.IncomingMessage, index: number) => void;
/** Refuses an upgrade with an HTTP response, or returns `null` to accept it. */
export type UpgradeGate = (
  req: http.IncomingMessage,
  index: number,
) => { status: number; headers?: Record<string, string>; body?: string } | null;

export interface TestServerOptions {
  http?: HttpHandler;
  ws?: WsHandler;
  upgrade?: UpgradeGate;
  /** Whether the WebSocket server answers pings (ws does by default). */
  autoPong?: boolean;
}

export interface TestServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  readonly upgrades: RecordedRequest[];
  /** Destroys every open TCP connection (HTTP and WebSocket). */
  dropConnections(): void;
  close(): Promise<void>;
}

function record(req: http.IncomingMessage): RecordedRequest {
  const raw = req.headers['last-event-id'];
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    // Node decodes header bytes as Latin-1; undo that to read the UTF-8 the client sent.
    lastEventId: typeof raw === 'string' ? Buffer.from(raw, 'latin1').toString('utf8') : null,
    at: performance.now(),
  };
}

/** Starts a server on 127.0.0.1, port 0. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const upgrades: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const index = requests.length;
    requests.push(record(req));
    if (options.http) options.http(req, res, index);
    else res.writeHead(404).end();
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true, autoPong: options.autoPong ?? true });
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const index = upgrades.length;
    upgrades.push(record(req));
    const refusal = options.upgrade?.(req, index) ?? null;
    if (refusal !== null) {
      const body = refusal.body ?? '';
      const lines = [`HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status] ?? ''}`];
      for (const [name, value] of Object.entries(refusal.headers ?? {})) lines.push(`${name}: ${value}`);
      lines.push(`Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', '', body);
      socket.end(lines.join('\r\n'));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => options.ws?.(ws, req, index));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    requests,
    upgrades,
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Starts an event-stream response (200, `text/event-stream`) and flushes the headers. */
export function sseHead(res: http.ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', ...headers });
  res.flushHeaders();
}

/** Waits until `predicate` holds, checking every 5 ms; fails with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits `ms` on a real timer. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A listener that records everything a connection reports. */
export class RecordingListener implements ConnectionListener {
  readonly frames: Frame[] = [];
  readonly states: ConnectionState[] = [];
  readonly gaps: { detail: string; at: number }[] = [];
  /** Frames and gaps in the order they were reported. */
  readonly timeline: string[] = [];

  onFrame(frame: Frame): void {
    this.frames.push(frame);
    this.timeline.push(`frame:${frame.data}`);
  }

  onState(state: ConnectionState): void {
    this.states.push(state);
  }

  onGap(detail: string, at: number): void {
    this.gaps.push({ detail, at });
    this.timeline.push('gap');
  }

  get data(): string[] {
    return this.frames.map((frame) => frame.data);
  }

  get stateNames(): string[] {
    return this.states.map((state) => state.state);
  }

  /** The last state with this name, if any. */
  last<N extends ConnectionState['state']>(name: N): Extract<ConnectionState, { state: N }> | undefined {
    for (let i = this.states.length - 1; i >= 0; i--) {
      const state = this.states[i];
      if (state?.state === name) return state as Extract<ConnectionState, { state: N }>;
    }
    return undefined;
  }

  has(name: ConnectionState['state']): boolean {
    return this.states.some((state) => state.state === name);
  }
}
