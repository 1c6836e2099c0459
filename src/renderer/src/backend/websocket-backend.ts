/**
 * The Backend over `hubwatch serve`'s WebSocket (see shared/serve-protocol.ts): calls go
 * out with an id and come back as `CallResult` envelopes; pushed batches arrive unasked.
 * When the socket drops it reconnects with exponential backoff and jitter, rejects the
 * calls that were in flight (their answers are lost with the server session), holds new
 * calls until it is back (or a timeout passes), and reports every status change so the
 * UI can say "reconnecting to hubwatch serve…" and re-open its views afterwards.
 */
import type { Backend, CallName, CallRequest, CallResponse, PushMessage } from '../../../shared/api';
import { SERVE_API_PATH, type ClientMessage, type ServerMessage } from '../../../shared/serve-protocol';
import { isCallResult, unwrapCallResult } from './call-result';

/** Where the connection to the server stands, for the UI. */
export interface ConnectionStatus {
  state: 'connecting' | 'open' | 'reconnecting' | 'closed';
  /** Failed attempts in a row (0 while open). */
  attempt: number;
  /** When the next attempt starts (epoch ms), while reconnecting. */
  retryAt: number | null;
  /** Why the last connection ended, in words. */
  detail: string | null;
  /** Times the connection came back after a drop (views must be re-opened each time). */
  reconnects: number;
}

/** The part of the WebSocket API this client uses (the browser's, or Node's global one in tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface WebSocketBackendOptions {
  url: string;
  /** Opens a socket (default: the global WebSocket). */
  connect?: SocketFactory;
  /** First reconnect delay; doubles per failed attempt up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How long a call made while disconnected waits for the connection before it fails. */
  queuedCallTimeoutMs?: number;
  /** Jitter source (tests pass a fixed one). */
  random?: () => number;
}

const OPEN = 1;

/** The WebSocket URL of the API next to the page (`ws:` for `http:`, `wss:` for `https:`). */
export function apiSocketUrl(pageUrl: string): string {
  const url = new URL(SERVE_API_PATH, pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  return url.toString();
}

interface PendingCall {
  name: CallName;
  message: ClientMessage;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | null;
  sent: boolean;
}

/** Close codes an operator may see, in words. */
function describeClose(code: number, reason: string): string {
  if (reason) return reason;
  switch (code) {
    case 1000:
      return 'the server closed the connection';
    case 1001:
      return 'the server is shutting down';
    case 1006:
      return 'the connection dropped (the server stopped, or refused the access token)';
    case 1009:
      return 'a message was too large';
    case 1011:
      return 'the server hit an internal error';
    default:
      return `the connection closed (code ${code})`;
  }
}

/** The reconnect delay after `attempt` failures: exponential, capped, with up to 30% jitter added. */
export function reconnectDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + 0.3 * random()));
}

/** The Backend of the browser UI: `hubwatch serve`'s API over one WebSocket, reconnecting. */
export class WebSocketBackend implements Backend {
  private readonly options: Required<WebSocketBackendOptions>;
  private socket: SocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly pushListeners = new Set<(batch: PushMessage[]) => void>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closedByClient = false;
  private everOpened = false;
  private current: ConnectionStatus = {
    state: 'connecting',
    attempt: 0,
    retryAt: null,
    detail: null,
    reconnects: 0,
  };

  constructor(options: WebSocketBackendOptions) {
    this.options = {
      connect: (url) => new WebSocket(url) as unknown as SocketLike,
      initialDelayMs: 500,
      maxDelayMs: 10_000,
      queuedCallTimeoutMs: 15_000,
      random: Math.random,
      ...options,
    };
    this.open();
  }

  /** The current connection status. */
  get status(): ConnectionStatus {
    return this.current;
  }

  call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>> {
    if (this.closedByClient) {
      return Promise.reject(new Error(`"${name}" was not sent: the connection to hubwatch serve is closed`));
    }
    return new Promise<CallResponse<K>>((resolve, reject) => {
      const id = this.nextId++;
      const call: PendingCall = {
        name,
        message: { type: 'call', id, name, request },
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: null,
        sent: false,
      };
      this.pending.set(id, call);
      if (!this.trySend(call)) {
        call.timer = setTimeout(() => {
          if (call.sent || !this.pending.has(id)) return;
          this.pending.delete(id);
          reject(
            new Error(
              `"${name}" was not sent: hubwatch serve has not been reachable for ${Math.round(this.options.queuedCallTimeoutMs / 1000)} s`,
            ),
          );
        }, this.options.queuedCallTimeoutMs);
      }
    });
  }

  onPush(listener: (batch: PushMessage[]) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  /** Listens to connection status changes; the listener is called at once with the current one. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.current);
    return () => this.statusListeners.delete(listener);
  }

  /** Closes for good: pending calls fail, no reconnects. */
  close(): void {
    this.closedByClient = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.failPending(() => 'the connection to hubwatch serve was closed', true);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, 'closed by the UI');
    }
    this.setStatus({ ...this.current, state: 'closed', retryAt: null });
  }

  private open(): void {
    let socket: SocketLike;
    try {
      socket = this.options.connect(this.options.url);
    } catch (error) {
      this.scheduleReconnect(error instanceof Error ? error.message : String(error));
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.setStatus({
        state: 'open',
        attempt: 0,
        retryAt: null,
        detail: null,
        reconnects: this.current.reconnects + (reconnected ? 1 : 0),
      });
      for (const call of this.pending.values()) if (!call.sent) this.trySend(call);
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = () => {
      // The close event follows with the code; nothing to add here.
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const detail = describeClose(event.code, event.reason);
      // Answers to calls already sent are lost with the server-side session.
      this.failPending(
        (name) => `lost the connection to hubwatch serve while waiting for "${name}" (${detail})`,
        false,
      );
      if (!this.closedByClient) this.scheduleReconnect(detail);
    };
  }

  private scheduleReconnect(detail: string): void {
    const attempt = this.current.state === 'open' ? 1 : this.current.attempt + 1;
    const delay = reconnectDelay(
      attempt,
      this.options.initialDelayMs,
      this.options.maxDelayMs,
      this.options.random,
    );
    this.setStatus({
      state: 'reconnecting',
      attempt,
      retryAt: Date.now() + delay,
      detail,
      reconnects: this.current.reconnects,
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closedByClient) this.open();
    }, delay);
  }

  private trySend(call: PendingCall): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return false;
    try {
      socket.send(JSON.stringify(call.message));
    } catch {
      return false;
    }
    call.sent = true;
    if (call.timer) clearTimeout(call.timer);
    call.timer = null;
    return true;
  }

  private failPending(message: (name: CallName) => string, includeQueued: boolean): void {
    for (const [id, call] of this.pending) {
      if (!call.sent && !includeQueued) continue;
      this.pending.delete(id);
      if (call.timer) clearTimeout(call.timer);
      call.reject(new Error(message(call.name)));
    }
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === 'result') {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      if (!isCallResult(message.result)) {
        call.reject(new Error(`hubwatch serve answered "${call.name}" with something unreadable`));
        return;
      }
      try {
        call.resolve(unwrapCallResult(message.result));
      } catch (error) {
        call.reject(error as Error);
      }
      return;
    }
    if (message.type === 'push' && Array.isArray(message.batch)) {
      for (const listener of this.pushListeners) {
        try {
          listener(message.batch);
        } catch (error) {
          // One broken listener must not starve the others of pushes.
          console.error('Hubwatch: a push listener failed', error);
        }
      }
    }
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    for (const listener of this.statusListeners) listener(status);
  }
}
