/**
 * The demo hub: one HTTP server that simulates all five hub kinds of `shared/seeds/`,
 * each under its own path prefix, for the app's first-run demo, `hubwatch demo-hub`, the
 * tests and the benchmarks.
 *
 *   /bot-hub/events                      SSE, Bearer or ?token=
 *   /bot-hub/api/bots/{id}               JSON snapshot
 *   /protocube/api/events                SSE, Bearer
 *   /protocube/api/events/ws             WebSocket, Bearer
 *   /evoclaw/api/logs/stream             SSE, no auth
 *   /evoclaw/api/status                  JSON
 *   /rdev/projects/{id}/shell            POST, X-API-Key
 *   /rdev/projects/{id}/events           SSE, X-API-Key, Last-Event-ID
 *   /backendai/events/session            SSE, Backend.AI keypair signature
 *   /backendai/events/background-task    SSE, Backend.AI keypair signature
 *
 * Every stream takes the scenario knobs of `stream-settings.ts` in its query string.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HubwatchConfig } from '../shared/hub-config';
import { BackendAi } from './backendai';
import { BotHub } from './bot-hub';
import { DEMO_CREDENTIALS, demoHubConfig, type DemoCredentials } from './demo-config';
import { EvoClaw } from './evoclaw';
import type { FaultOptions } from './faults';
import { sendError, sendJson } from './http-responses';
import { HubContext, type RoutedRequest } from './hub-context';
import { Protocube, rejectUpgrade } from './protocube';
import { Rdev } from './rdev';
import {
  cloneSettings,
  DEFAULT_STREAM_SETTINGS,
  KNOBS,
  parseKnobValue,
  type StreamSettings,
} from './stream-settings';

export type { DemoCredentials } from './demo-config';
export type { FaultOptions } from './faults';

export interface DemoHubOptions {
  /** Port to listen on (default 8787; 0 = any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Events per second per stream (default 4). */
  rate?: number;
  /** Seed of the random sequences (default 1). */
  seed?: number;
  /** Faults applied to every stream; a request's query string can also set them. */
  faults?: FaultOptions;
  /** WebSocket ping interval in ms (default 10000). */
  pingIntervalMs?: number;
  /** rdev: run simulated commands this many times faster than real time (default 1). */
  speed?: number;
  /** EvoClaw and rdev heartbeat interval in ms (default 5000). */
  heartbeatMs?: number;
}

export interface DemoHub {
  /** `http://127.0.0.1:PORT` (the loopback address when listening on all interfaces). */
  readonly url: string;
  readonly port: number;
  readonly credentials: DemoCredentials;
  /** A ready Hubwatch config for this hub, secrets inline. */
  config(): HubwatchConfig;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
  /**
   * Drops every connection, stops listening, waits `downMs`, and listens again on the same
   * port. rdev commands and all other state survive.
   */
  restart(downMs?: number): Promise<void>;
}

/** The default port of `hubwatch demo-hub`. */
export const DEFAULT_DEMO_PORT = 8787;

/** Checks the options and turns them into the hub-wide stream settings. Throws `RangeError`. */
export function defaultSettingsFrom(options: DemoHubOptions): StreamSettings {
  const settings = cloneSettings(DEFAULT_STREAM_SETTINGS);
  const set = (query: string, value: number | boolean | string | undefined): void => {
    if (value === undefined) return;
    const knob = KNOBS.find((k) => k.query === query);
    if (!knob) throw new RangeError(`unknown knob ${query}`);
    try {
      knob.apply(settings, parseKnobValue(knob, String(value), `option ${query}`));
    } catch (error) {
      throw new RangeError((error as Error).message, { cause: error });
    }
  };
  set('rate', options.rate);
  set('seed', options.seed);
  set('speed', options.speed);
  set('heartbeatMs', options.heartbeatMs);
  set('pingMs', options.pingIntervalMs);
  const faults = options.faults ?? {};
  set('dropAfter', faults.dropAfter);
  set('stallAfter', faults.stallAfter);
  set('endAfter', faults.endAfter);
  set('closeCode', faults.closeCode);
  set('failFirst', faults.failFirst);
  set('failStatus', faults.failStatus);
  set('retryAfter', faults.retryAfterSec);
  set('malformedEvery', faults.malformedEvery);
  set('keepAliveMs', faults.keepAliveMs);
  set('eol', faults.eol);
  set('split', faults.split);
  set('hugeBytes', faults.hugeBytes);
  set('hugeAt', faults.hugeAt);
  set('noPing', faults.noPing);
  set('noPong', faults.noPong);
  set('retry', faults.sseRetryMs);
  return settings;
}

/** The base URL clients should use for a hub listening on `host:port`. */
export function demoHubUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

const BOT_SNAPSHOT = /^\/bot-hub\/api\/bots\/([^/]+)$/;
const RDEV_SHELL = /^\/rdev\/projects\/([A-Za-z0-9._-]{1,128})\/shell$/;
const RDEV_EVENTS = /^\/rdev\/projects\/([A-Za-z0-9._-]{1,128})\/events$/;
const WS_PATH = '/protocube/api/events/ws';

/** The documented paths, listed in 404 answers so a lost client finds its way. */
export const DEMO_HUB_PATHS: readonly string[] = [
  '/bot-hub/events',
  '/bot-hub/api/bots/{id}',
  '/protocube/api/events',
  WS_PATH,
  '/evoclaw/api/logs/stream',
  '/evoclaw/api/status',
  '/rdev/projects/{id}/shell',
  '/rdev/projects/{id}/events?stream_id=',
  '/backendai/events/session',
  '/backendai/events/background-task?taskId=',
];

class DemoHubServer implements DemoHub {
  readonly credentials = DEMO_CREDENTIALS;
  private readonly context: HubContext;
  private readonly botHub: BotHub;
  private readonly protocube: Protocube;
  private readonly evoclaw: EvoClaw;
  private readonly rdev: Rdev;
  private readonly backendAi: BackendAi;
  private server: Server | undefined;
  private boundPort: number;
  private closed = false;

  constructor(
    private readonly host: string,
    port: number,
    settings: StreamSettings,
  ) {
    this.boundPort = port;
    this.context = new HubContext(settings, this.credentials, Date.now());
    this.botHub = new BotHub(this.context);
    this.protocube = new Protocube(this.context);
    this.evoclaw = new EvoClaw(this.context);
    this.rdev = new Rdev(this.context);
    this.backendAi = new BackendAi(this.context);
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return demoHubUrl(this.host, this.boundPort);
  }

  config(): HubwatchConfig {
    return demoHubConfig(this.url, this.credentials);
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
    // Streams are long-lived: no request or idle timeouts.
    server.requestTimeout = 0;
    server.timeout = 0;
    server.on('clientError', (_error, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.boundPort = address.port;
    this.server = server;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rdev.close();
    this.protocube.close();
    await this.stopListening();
  }

  async restart(downMs = 0): Promise<void> {
    if (this.closed) throw new Error('the demo hub is closed');
    this.protocube.terminateAll();
    await this.stopListening();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    if (!this.closed) await this.listen();
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Streaming responses never end on their own; cut them so close() can finish.
      server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://demo-hub.invalid');
    const routed: RoutedRequest = { req, res, url };
    try {
      const result = this.route(routed);
      if (result instanceof Promise) result.catch((error: unknown) => this.fail(res, error));
    } catch (error) {
      this.fail(res, error);
    }
  }

  private route(routed: RoutedRequest): void | Promise<void> {
    const path = routed.url.pathname;
    switch (path) {
      case '/bot-hub/events':
        return this.botHub.events(routed);
      case '/protocube/api/events':
        return this.protocube.events(routed);
      case WS_PATH:
        return this.protocube.notUpgraded(routed);
      case '/evoclaw/api/logs/stream':
        return this.evoclaw.stream(routed);
      case '/evoclaw/api/status':
        return this.evoclaw.status(routed);
      case '/backendai/events/session':
        return this.backendAi.sessions(routed);
      case '/backendai/events/background-task':
        return this.backendAi.backgroundTask(routed);
    }
    const bot = BOT_SNAPSHOT.exec(path);
    if (bot?.[1]) return this.botHub.bot(routed, decodeURIComponent(bot[1]));
    const shell = RDEV_SHELL.exec(path);
    if (shell?.[1]) return this.rdev.shell(routed, shell[1]);
    const events = RDEV_EVENTS.exec(path);
    if (events?.[1]) return this.rdev.events(routed, events[1]);
    sendJson(routed.res, 404, {
      error: { code: 'not_found', message: `no route for ${routed.req.method ?? 'GET'} ${path}` },
      paths: DEMO_HUB_PATHS,
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    (socket as Socket).setNoDelay?.(true);
    const url = new URL(req.url ?? '/', 'http://demo-hub.invalid');
    if (url.pathname !== WS_PATH) {
      return rejectUpgrade(socket, 404, 'not_found', `no WebSocket endpoint at ${url.pathname}`);
    }
    try {
      this.protocube.upgrade(req, socket, head, url);
    } catch {
      socket.destroy();
    }
  }

  private fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, 500, 'internal', error instanceof Error ? error.message : String(error));
  }
}

/**
 * Starts a demo hub and resolves once it listens. Rejects with a `RangeError` for a bad
 * option, or with the listen error (e.g. `EADDRINUSE`).
 */
export async function startDemoHub(options: DemoHubOptions = {}): Promise<DemoHub> {
  const settings = defaultSettingsFrom(options);
  const port = options.port ?? DEFAULT_DEMO_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`invalid port ${port}`);
  const hub = new DemoHubServer(options.host ?? '127.0.0.1', port, settings);
  await hub.listen();
  return hub;
}
