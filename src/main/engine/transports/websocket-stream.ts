/**
 * One WebSocket attempt via `ws`: credentials and plan headers on the upgrade, each message
 * a frame, ping/pong liveness, and the close code shown to the operator.
 */
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import { MAX_REDIRECTS, describeStatus, isRedirect, outcomeForStatus } from './http-status';
import { abortReason } from './abort-signal';
import { badConfig } from './attempt';
import { describeNetworkError, errorMessage } from './network-errors';
import { formatMiB, formatSeconds } from './quantity-text';
import type { AttemptOptions, AttemptOutcome, AttemptSink, StreamEnd } from './attempt';
import { isCredentialHeader } from './redact';
import { refusedRequest, unsendableHeader, utf8HeaderValue } from './http-fetch';
import type { Frame, RequestSpec } from './types';

/** Largest message accepted (ws's default is 100 MiB; a hub event is far smaller). */
export const DEFAULT_WS_MAX_PAYLOAD = 16 * 1024 * 1024;
/** With no inbound traffic (messages, pings, pongs) for this long, we ping the server. */
export const DEFAULT_WS_IDLE_MS = 35_000;
/** A ping not answered (by a pong or any traffic) within this long means the connection is dead. */
export const DEFAULT_WS_PONG_TIMEOUT_MS = 10_000;
/** The opening handshake must finish within this long. */
export const DEFAULT_WS_HANDSHAKE_TIMEOUT_MS = 30_000;
/** After we close (the stream ended), the server gets this long to answer before we terminate. */
const CLOSE_GRACE_MS = 1_000;

/** Options of one WebSocket attempt. */
export interface WebSocketAttemptOptions extends AttemptOptions {
  idleMs?: number;
  pongTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  maxPayload?: number;
}

/** RFC 6455 §7.4.1 and the IANA registry: names an operator can read. */
const CLOSE_CODE_NAMES: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status received',
  1006: 'abnormal closure',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension',
  1011: 'internal error',
  1012: 'service restart',
  1013: 'try again later',
  1014: 'bad gateway',
  1015: 'TLS handshake failure',
};

/**
 * How a close reads in a state: `closed 1001: going away` when the server gave a reason,
 * else `closed 1006 (abnormal closure)`.
 */
export function describeClose(code: number, reason: string): string {
  if (reason !== '') return `closed ${code}: ${reason}`;
  const name = CLOSE_CODE_NAMES[code];
  return name === undefined ? `closed ${code}` : `closed ${code} (${name})`;
}

/** `ws:`/`wss:` for the URL (http: and https: are mapped as ws itself does). */
function webSocketUrl(raw: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `invalid URL: ${raw}`;
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return `a WebSocket hub needs a ws: or wss: URL, got ${url.protocol}`;
  }
  return url;
}

function httpOrigin(url: URL): string {
  const scheme = url.protocol === 'wss:' ? 'https:' : 'http:';
  return new URL(`${scheme}//${url.host}`).origin;
}

function toText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}

/** Response headers as a plain record (repeated headers joined with `, `). */
function incomingHeaders(response: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Either a redirect to follow, or how the attempt ended. */
type Upgrade = { redirect: string } | { outcome: AttemptOutcome };

/**
 * Runs one WebSocket attempt until the socket closes. Redirects on the upgrade are followed
 * by hand (credentials are not sent to another origin); an HTTP status on the upgrade
 * follows the same rules as an SSE response; any close is a `retry` with the close code.
 */
export async function runWebSocketAttempt(
  request: RequestSpec,
  sink: AttemptSink,
  options: WebSocketAttemptOptions,
): Promise<AttemptOutcome> {
  const first = webSocketUrl(request.url);
  if (typeof first === 'string') return badConfig(first);
  let url = first;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = utf8HeaderValue(value);
  // ws (node:http) would throw on these every time: fail once, with the header named.
  const unsendable = unsendableHeader(headers);
  if (unsendable !== null) return refusedRequest(unsendable);

  for (let redirects = 0; ; redirects++) {
    const result = await upgradeOnce(url, headers, sink, options);
    if ('outcome' in result) return result.outcome;
    if (redirects >= MAX_REDIRECTS) {
      return {
        kind: 'final',
        outcome: { state: 'failed', reason: 'http_error', detail: `more than ${MAX_REDIRECTS} redirects` },
      };
    }
    const next = (() => {
      try {
        return webSocketUrl(new URL(result.redirect, url).href);
      } catch {
        return `redirect to an invalid URL: ${result.redirect}`;
      }
    })();
    if (typeof next === 'string') return badConfig(next);
    if (httpOrigin(next) !== httpOrigin(url)) {
      for (const name of Object.keys(headers)) {
        if (isCredentialHeader(name, request.credentialHeaders)) delete headers[name];
      }
    }
    url = next;
  }
}

function upgradeOnce(
  url: URL,
  headers: Record<string, string>,
  sink: AttemptSink,
  options: WebSocketAttemptOptions,
): Promise<Upgrade> {
  const { signal, now } = options;
  if (signal.aborted) return Promise.resolve({ outcome: retry(abortReason(signal)) });
  const idleMs = options.idleMs ?? DEFAULT_WS_IDLE_MS;
  const pongTimeoutMs = options.pongTimeoutMs ?? DEFAULT_WS_PONG_TIMEOUT_MS;
  const maxPayload = options.maxPayload ?? DEFAULT_WS_MAX_PAYLOAD;

  return new Promise<Upgrade>((resolve) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, {
        headers,
        maxPayload,
        handshakeTimeout: options.handshakeTimeoutMs ?? DEFAULT_WS_HANDSHAKE_TIMEOUT_MS,
        followRedirects: false,
      });
    } catch (error) {
      resolve({ outcome: badConfig(errorMessage(error)) });
      return;
    }

    /** Decided before the close event when we know better than the close code. */
    let decided: Upgrade | null = null;
    let firstError: Error | null = null;
    let opened = false;
    let timer: NodeJS.Timeout | null = null;
    let graceTimer: NodeJS.Timeout | null = null;
    // Liveness runs on the monotonic clock: one timer re-armed lazily, not one per message.
    let lastInbound = performance.now();
    let pingSentAt = 0;

    const alive = (): void => {
      lastInbound = performance.now();
      pingSentAt = 0;
    };
    const arm = (ms: number): void => {
      timer = setTimeout(checkLiveness, Math.max(1, ms));
    };
    const checkLiveness = (): void => {
      timer = null;
      if (socket.readyState !== WebSocket.OPEN) return;
      const t = performance.now();
      if (pingSentAt !== 0 && pingSentAt > lastInbound) {
        const waited = t - pingSentAt;
        if (waited >= pongTimeoutMs) {
          decided ??= { outcome: retry(`no pong within ${formatSeconds(pongTimeoutMs)}`) };
          socket.terminate();
          return;
        }
        arm(pongTimeoutMs - waited);
        return;
      }
      const idle = t - lastInbound;
      if (idle >= idleMs) {
        pingSentAt = t;
        socket.ping();
        arm(pongTimeoutMs);
        return;
      }
      arm(idleMs - idle);
    };

    const onAbort = (): void => {
      decided ??= { outcome: retry(abortReason(signal)) };
      socket.terminate();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    socket.on('unexpected-response', (_request, response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      const statusText = response.statusMessage ?? '';
      const responseHeaders = incomingHeaders(response);
      options.onResponse?.({ url: url.href, status, statusText, headers: responseHeaders });
      const location = response.headers.location;
      if (isRedirect(status) && location !== undefined) {
        decided ??= { redirect: location };
      } else if (
        status >= 200 &&
        status < 300 &&
        status !== 204 &&
        options.classifyStatus?.(status) === undefined
      ) {
        decided ??= {
          outcome: {
            kind: 'final',
            outcome: {
              state: 'failed',
              reason: 'http_error',
              detail: `${describeStatus(status, statusText)}: expected a WebSocket upgrade (101)`,
            },
          },
        };
      } else {
        decided ??= {
          outcome: outcomeForStatus(status, statusText, responseHeaders['retry-after'], options),
        };
      }
      response.resume();
      // While connecting, terminate() aborts the request; ws then emits error and close.
      socket.terminate();
    });

    socket.on('upgrade', (response: IncomingMessage) => {
      options.onResponse?.({
        url: url.href,
        status: response.statusCode ?? 101,
        statusText: response.statusMessage ?? '',
        headers: incomingHeaders(response),
      });
    });

    /**
     * An exception from the sink (a listener bug) must not escape into ws's socket handlers,
     * where it would be uncaught: it ends the attempt like a lost connection, as in SSE.
     */
    const failed = (error: unknown): void => {
      decided ??= { outcome: retry(errorMessage(error)) };
      socket.terminate();
    };

    socket.on('open', () => {
      opened = true;
      alive();
      arm(idleMs);
      try {
        sink.opened('websocket');
      } catch (error) {
        failed(error);
      }
    });

    socket.on('message', (data: WebSocket.RawData) => {
      lastInbound = performance.now();
      pingSentAt = 0;
      if (decided !== null) return;
      let end: StreamEnd | null;
      try {
        sink.received(byteLength(data));
        const frame: Frame = {
          event: null,
          id: null,
          data: toText(data),
          receivedAt: now(),
          via: 'websocket',
        };
        end = sink.frame(frame, undefined);
      } catch (error) {
        failed(error);
        return;
      }
      if (end !== null) {
        decided = { outcome: { kind: 'final', outcome: { state: 'ended', ...end } } };
        socket.close(1000);
        // Do not wait ws's default 30 s for a server that never answers the close.
        graceTimer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      }
    });

    // Control frames prove the connection is alive: they feed the silence watchdog too, so a
    // quiet hub that pings (Protocube) is not dropped.
    const control = (payload: Buffer): void => {
      alive();
      sink.received(payload.length);
    };
    socket.on('ping', control);
    socket.on('pong', control);

    socket.on('error', (error: Error) => {
      firstError ??= error;
    });

    socket.on('close', (code: number, reasonBuffer: Buffer) => {
      if (timer !== null) clearTimeout(timer);
      if (graceTimer !== null) clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      if (decided !== null) {
        resolve(decided);
        return;
      }
      if (!opened) {
        if (firstError !== null) {
          const described = describeNetworkError(firstError, url.href);
          resolve({ outcome: { kind: 'retry', retryAfterMs: null, ...described } });
        } else {
          resolve({ outcome: retry(describeClose(code, reasonBuffer.toString('utf8'))) });
        }
        return;
      }
      const closed = describeClose(code, reasonBuffer.toString('utf8'));
      if (firstError === null) {
        resolve({ outcome: retry(closed) });
        return;
      }
      // ws reports its own reasons (a message over maxPayload, invalid UTF-8) as an error,
      // closes with the matching code (1009, 1007, …) and then reports the close as 1006.
      const { code: errorCode } = firstError as Error & { code?: string };
      const why =
        errorCode === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
          ? `a message exceeded ${formatMiB(maxPayload)} (closed 1009, message too big)`
          : `${firstError.message} (${closed})`;
      resolve({ outcome: retry(why) });
    });
  });
}

function retry(reason: string): AttemptOutcome {
  return { kind: 'retry', reason, retryAfterMs: null };
}
