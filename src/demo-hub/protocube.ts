/**
 * The Protocube global server event bus (seed 001): the same logical events over SSE
 * (`GET /api/events`, `event:` = Topic) and WebSocket (`GET /api/events/ws`, one JSON
 * message per event, server pings), Bearer auth on both. Wire shape
 * `{"Topic": "…", "Data": {"server_id": "srv_01…", "payload": …}}` with topics `status`,
 * `crash` and `deleted`; status updates relayed from a node now and then carry a suffix
 * (`status:node-2`), in the SSE event name and in `Topic` alike.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { PacedSource, type FrameSource, type StreamFrame } from './frame-source';
import { bearerToken, sendError, sendMethodNotAllowed } from './http-responses';
import type { HubContext, RoutedRequest } from './hub-context';
import { deriveSeed, SeededRandom } from './random';
import { KnobError, settingsForRequest, type StreamSettings } from './stream-settings';
import { StreamPump, type FrameSink } from './stream-pump';

/** Power states of a server (server/power.go). */
export type ServerPower = 'offline' | 'starting' | 'running' | 'stopping';

/** The `payload` of a `crash` event. */
export interface CrashPayload {
  reason: string;
  exit_code: number;
  /** RFC 3339, UTC, whole seconds. */
  timestamp: string;
}

/** One message on the bus, as sent. */
export interface BusMessage {
  Topic: string;
  Data: { server_id: string; payload: ServerPower | CrashPayload | null };
}

interface CubeServer {
  id: string;
  node: string;
  power: ServerPower;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const NODES = ['node-1', 'node-2', 'node-3'];
const CRASH_CAUSES: readonly Omit<CrashPayload, 'timestamp'>[] = [
  { reason: 'signal: killed', exit_code: 137 },
  { reason: 'exit status 1', exit_code: 1 },
  { reason: 'signal: segmentation fault (core dumped)', exit_code: 139 },
  { reason: 'OOM killed: memory limit 2048 MiB exceeded', exit_code: 137 },
];
const NEXT_POWER: Record<ServerPower, ServerPower> = {
  offline: 'starting',
  starting: 'running',
  running: 'stopping',
  stopping: 'offline',
};

/** RFC 3339 in UTC with whole seconds, like Go's `time.RFC3339`. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The bus: four servers changing state, crashing and being replaced. The first crash,
 * deletion and suffixed topic come at seeded but early slots, so every topic shows within
 * the first 20 seconds at the default rate.
 */
export class ProtocubeBus {
  private readonly random: SeededRandom;
  private readonly servers: CubeServer[];
  private readonly pending: BusMessage[] = [];
  private slot = 0;
  private readonly crashBy: number;
  private readonly deleteBy: number;
  private readonly suffixBy: number;
  private crashed = false;
  private deleted = false;
  private suffixed = false;

  constructor(seed: number) {
    const r = (this.random = new SeededRandom(seed));
    const powers = r.shuffle<ServerPower>(['running', 'running', 'offline', 'starting']);
    this.servers = powers.map((power) => ({ id: this.newServerId(), node: r.pick(NODES), power }));
    this.crashBy = r.int(6, 16);
    this.deleteBy = r.int(20, 40);
    this.suffixBy = r.int(2, 8);
  }

  /** The next message on the bus. */
  next(): BusMessage {
    const slot = this.slot++;
    const queued = this.pending.shift();
    if (queued) return queued;
    const r = this.random;
    const inPower = (power: ServerPower): CubeServer | undefined => {
      const matching = this.servers.filter((s) => s.power === power);
      return matching.length > 0 ? r.pick(matching) : undefined;
    };
    const mustCrash = !this.crashed && slot >= this.crashBy ? inPower('running') : undefined;
    if (mustCrash) return this.crash(mustCrash);
    const mustDelete = !this.deleted && slot >= this.deleteBy ? inPower('offline') : undefined;
    if (mustDelete) return this.delete(mustDelete);
    const server = r.pick(this.servers);
    if ((!this.suffixed && slot >= this.suffixBy) || r.chance(0.15)) {
      // A node re-reporting the state it sees: the bus relays it with the node as suffix.
      this.suffixed = true;
      return this.message(`status:${server.node}`, server, server.power);
    }
    if (server.power === 'running' && r.chance(0.2)) return this.crash(server);
    if (server.power === 'offline' && r.chance(0.08)) return this.delete(server);
    server.power = NEXT_POWER[server.power];
    return this.message('status', server, server.power);
  }

  private crash(server: CubeServer): BusMessage {
    this.crashed = true;
    const crash = this.random.pick(CRASH_CAUSES);
    const message = this.message('crash', server, { ...crash, timestamp: rfc3339(Date.now()) });
    server.power = 'offline';
    this.pending.push(this.message(`status:${server.node}`, server, 'offline'));
    return message;
  }

  private delete(server: CubeServer): BusMessage {
    this.deleted = true;
    const message = this.message('deleted', server, null);
    // The slot is reused by a freshly installed server, announced by its node.
    server.id = this.newServerId();
    server.node = this.random.pick(NODES);
    server.power = 'offline';
    this.pending.push(this.message(`status:${server.node}`, server, 'offline'));
    return message;
  }

  private message(topic: string, server: CubeServer, payload: BusMessage['Data']['payload']): BusMessage {
    return { Topic: topic, Data: { server_id: server.id, payload } };
  }

  private newServerId(): string {
    // A ULID-looking id as in the seed's `srv_01HZ...`.
    return `srv_01HZ${this.random.chars(CROCKFORD, 22)}`;
  }
}

/** The frames one subscriber gets; SSE and WebSocket subscribers with the same seed see the same messages. */
export function protocubeSource(settings: StreamSettings): FrameSource {
  const bus = new ProtocubeBus(deriveSeed(settings.seed, 'protocube'));
  return new PacedSource((): StreamFrame => {
    const message = bus.next();
    return { event: message.Topic, data: JSON.stringify(message) };
  }, settings.rate);
}

/** A WebSocket connection the pump writes to: one text message per frame, pings on an interval. */
class WebSocketSink implements FrameSink {
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    pingMs: number,
    private readonly closeCode: number,
  ) {
    if (pingMs > 0) this.pingTimer = setInterval(() => socket.ping(), pingMs);
    socket.on('close', () => this.stopPings());
    // A client that resets the connection must not crash the hub.
    socket.on('error', () => socket.terminate());
  }

  get closed(): boolean {
    return this.socket.readyState !== this.socket.OPEN;
  }

  onClose(listener: () => void): void {
    if (this.socket.readyState === this.socket.CLOSED) listener();
    else this.socket.once('close', listener);
  }

  write(frames: readonly StreamFrame[]): Promise<void> {
    return new Promise((resolve) => {
      frames.forEach((frame, i) => {
        // Waiting for the last message to reach the socket is the backpressure.
        if (i === frames.length - 1) this.socket.send(frame.data, () => resolve());
        else this.socket.send(frame.data);
      });
    });
  }

  drop(): void {
    // No close frame: the client sees 1006 (abnormal closure).
    this.stopPings();
    this.socket.terminate();
  }

  end(): void {
    this.stopPings();
    this.socket.close(this.closeCode, 'demo hub: end of stream');
  }

  stall(): void {
    this.stopPings();
  }

  private stopPings(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(
  socket: Duplex,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message } });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  socket.end(`${head}\r\n\r\n${body}`);
}

/** Routes of Protocube under `/protocube`. */
export class Protocube {
  private readonly servers = {
    answersPings: new WebSocketServer({ noServer: true, autoPong: true }),
    ignoresPings: new WebSocketServer({ noServer: true, autoPong: false }),
  };

  constructor(private readonly context: HubContext) {}

  /** `GET /protocube/api/events` (SSE). */
  events(routed: RoutedRequest): void {
    const { req, res } = routed;
    if (req.method !== 'GET') return sendMethodNotAllowed(res, req.method ?? '?', ['GET']);
    const settings = this.context.settingsFor(routed, sendError);
    if (!settings || this.context.injectFailure(routed, settings, sendError)) return;
    const denied = this.authProblem(req);
    if (denied) return sendError(res, denied.status, denied.code, denied.message, denied.headers);
    this.context.streamSse(routed, settings, protocubeSource(settings));
  }

  /** `GET /protocube/api/events/ws` without an upgrade. */
  notUpgraded(routed: RoutedRequest): void {
    sendError(routed.res, 426, 'upgrade_required', 'this endpoint speaks WebSocket only', {
      Upgrade: 'websocket',
    });
  }

  /** The WebSocket upgrade of `/protocube/api/events/ws`: auth and faults are checked before accepting it. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    let settings: StreamSettings;
    try {
      settings = settingsForRequest(this.context.defaults, url.searchParams);
    } catch (error) {
      if (!(error instanceof KnobError)) throw error;
      return rejectUpgrade(socket, 400, 'bad_knob', error.message);
    }
    const { failFirst, failStatus = 503, retryAfterSec = 1 } = settings.faults;
    if (this.context.failures.shouldFail(url.pathname, failFirst)) {
      return rejectUpgrade(
        socket,
        failStatus,
        'injected_failure',
        `demo hub: injected ${failStatus} (failFirst)`,
        {
          'Retry-After': String(retryAfterSec),
        },
      );
    }
    const denied = this.authProblem(req);
    if (denied) return rejectUpgrade(socket, denied.status, denied.code, denied.message, denied.headers);
    const server = settings.faults.noPong ? this.servers.ignoresPings : this.servers.answersPings;
    server.handleUpgrade(req, socket, head, (ws) => {
      const pingMs = settings.faults.noPing ? 0 : settings.pingMs;
      const sink = new WebSocketSink(ws, pingMs, settings.faults.closeCode ?? 1000);
      new StreamPump(protocubeSource(settings), sink, settings.faults).start();
    });
  }

  /** Drops every WebSocket connection without a close frame (hub restart or close). */
  terminateAll(): void {
    for (const server of Object.values(this.servers)) for (const client of server.clients) client.terminate();
  }

  /** Closes the WebSocket servers for good. */
  close(): void {
    this.terminateAll();
    for (const server of Object.values(this.servers)) server.close();
  }

  private authProblem(
    req: IncomingMessage,
  ): { status: number; code: string; message: string; headers: Record<string, string> } | undefined {
    const token = bearerToken(req);
    const { protocubeToken, protocubeUserToken } = this.context.credentials;
    const challenge = { 'WWW-Authenticate': 'Bearer realm="protocube"' };
    if (token === protocubeToken) return undefined;
    if (token === undefined) {
      return {
        status: 401,
        code: 'unauthorized',
        message: 'missing Authorization: Bearer <token>',
        headers: challenge,
      };
    }
    if (token === protocubeUserToken) {
      return { status: 403, code: 'forbidden', message: 'the event bus requires AppAdmin', headers: {} };
    }
    return { status: 401, code: 'unauthorized', message: 'invalid token', headers: challenge };
  }
}
