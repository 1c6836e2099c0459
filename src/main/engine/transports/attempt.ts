/**
 * What one connection attempt (an SSE request or a WebSocket upgrade) needs from the
 * connection loop and reports back to it, and the HTTP status rules both transports share.
 */
import type { EndReason } from '../../../shared/connection-state';
import type { FinalOutcome, Frame } from './types';

/** How an attempt ended. */
export type AttemptOutcome =
  /** The hub stops for good (ended or failed). */
  | { kind: 'final'; outcome: FinalOutcome }
  /**
   * Reconnect. `retryAfterMs` is the server's Retry-After (a floor for the delay), `code`
   * the network error code when there was one (`ECONNREFUSED`, …), `status` the HTTP status.
   * `lastEventIdRefused`: nothing was sent, because the last event id cannot go in a header;
   * the next request must go without it (a refused request is never retried unchanged).
   */
  | {
      kind: 'retry';
      reason: string;
      retryAfterMs: number | null;
      code?: string;
      status?: number;
      lastEventIdRefused?: true;
    };

/** How a stream ends for good, as `StreamPlan.endsStream` says. */
export interface StreamEnd {
  reason: EndReason;
  detail: string;
}

/**
 * The connection loop's side of an attempt. Called synchronously from the transport's
 * read loop: `received` once per chunk or message, `frame` once per frame (the hot path).
 */
export interface AttemptSink {
  /** The last event id in force. The SSE stream reads it for each frame and updates it (`id:` fields). */
  lastEventId: string | null;
  /** The response was accepted: frames may follow. */
  opened(via: 'sse' | 'websocket'): void;
  /** Bytes arrived (before decoding): feeds the byte counter and the silence watchdog. */
  received(bytes: number): void;
  /**
   * One frame. `ownId` is the `id:` field of the frame's own block (`undefined` when it had
   * none), which resume de-duplication needs. Returns how the stream ends when this frame
   * ends it, else `null`.
   */
  frame(frame: Frame, ownId: string | undefined): StreamEnd | null;
  /** The server set the reconnection time (`retry:`), in ms. */
  retryInterval(ms: number): void;
}

/** What the HTTP response of an attempt looked like (for "Test connection"). */
export interface ResponseInfo {
  url: string;
  status: number;
  statusText: string;
  headers: Record<string, string>;
}

/** Common options of one attempt. */
export interface AttemptOptions {
  /** Aborting ends the attempt with a `retry` outcome whose reason is the abort reason. */
  signal: AbortSignal;
  /** Epoch ms (frame `receivedAt`, Retry-After dates). */
  now: () => number;
  /** The plan's status rules, consulted first for any status other than 200 (101 for WebSocket). */
  classifyStatus?: ((status: number) => FinalOutcome | undefined) | undefined;
  /** Called with every HTTP response, redirects included. */
  onResponse?: ((info: ResponseInfo) => void) | undefined;
}

/** At most this many redirects are followed in one attempt (as browsers do for fetch). */
export const MAX_REDIRECTS = 10;

/** A server-given delay above this is treated as this (setTimeout cannot wait ~25 days anyway). */
export const MAX_SERVER_DELAY_MS = 24 * 60 * 60 * 1000;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Whether `status` is a redirect the transports follow (when a Location is given). */
export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/**
 * Parses a `Retry-After` value — delay-seconds or an HTTP date — into ms from `now`.
 * `null` when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_SERVER_DELAY_MS);
  // An HTTP date always names its weekday or month; this keeps "-5" from parsing as a year.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), MAX_SERVER_DELAY_MS);
}

/** `HTTP 503 Service Unavailable`, or `HTTP 503` when the server sent no reason phrase. */
export function describeStatus(status: number, statusText: string): string {
  return statusText ? `HTTP ${status} ${statusText}` : `HTTP ${status}`;
}

/**
 * The shared rules for an HTTP status other than success: the plan's `classifyStatus`
 * first; then 204 → ended (`no_content`); 401/403 → failed (`credentials_rejected`);
 * 429 and 5xx → retry, honouring Retry-After; 404 → failed (`not_found`); anything
 * else → failed (`http_error`). [spec] EventSource fails the connection for any status
 * but 200; DESIGN.md keeps 429/5xx retryable because hubs restart and rate-limit.
 */
export function outcomeForStatus(
  status: number,
  statusText: string,
  retryAfter: string | null | undefined,
  options: Pick<AttemptOptions, 'classifyStatus' | 'now'>,
): AttemptOutcome {
  const described = describeStatus(status, statusText);
  const planned = options.classifyStatus?.(status);
  if (planned) return { kind: 'final', outcome: planned };
  if (status === 204) {
    return {
      kind: 'final',
      outcome: {
        state: 'ended',
        reason: 'no_content',
        detail: `${described}: the hub has nothing to stream`,
      },
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'final',
      outcome: {
        state: 'failed',
        reason: 'credentials_rejected',
        detail: `${described}: credentials rejected`,
      },
    };
  }
  if (status === 429 || (status >= 500 && status <= 599)) {
    return {
      kind: 'retry',
      reason: described,
      retryAfterMs: parseRetryAfter(retryAfter, options.now()),
      status,
    };
  }
  if (status === 404) {
    return { kind: 'final', outcome: { state: 'failed', reason: 'not_found', detail: described } };
  }
  return { kind: 'final', outcome: { state: 'failed', reason: 'http_error', detail: described } };
}

/** A final outcome for a request that cannot be made at all (bad URL, wrong scheme). */
export function badConfig(detail: string): AttemptOutcome {
  return { kind: 'final', outcome: { state: 'failed', reason: 'bad_config', detail } };
}

/** The network error code (`ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`, …) somewhere in an error's cause chain. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const candidate = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === 'string' && candidate.code !== 'ABORT_ERR') return candidate.code;
    // Happy Eyeballs reports every address it tried in an AggregateError.
    if (Array.isArray(candidate.errors) && candidate.errors.length > 0) {
      current = candidate.errors[0];
      continue;
    }
    current = candidate.cause;
  }
  return undefined;
}

const TLS_CODE = /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** Whether a network error code is a TLS/certificate problem. */
export function isTlsErrorCode(code: string): boolean {
  return TLS_CODE.test(code);
}

/** A short operator-facing text for a failed request: "connection refused (127.0.0.1:4000)". */
export function describeNetworkError(error: unknown, url: string): { reason: string; code?: string } {
  const code = networkErrorCode(error);
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // Keep the raw text.
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { reason: `connection refused (${host})`, code };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { reason: `host not found (${host})`, code };
    case 'ECONNRESET':
      return { reason: `connection reset (${host})`, code };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { reason: `connection timed out (${host})`, code };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { reason: `host unreachable (${host})`, code };
    case undefined:
      return { reason: errorMessage(error) };
    default:
      if (isTlsErrorCode(code)) return { reason: `TLS error ${code} (${host})`, code };
      return { reason: `${errorMessage(error)} (${code})`, code };
  }
}

/** The innermost useful message of an error (`fetch failed` says nothing; its cause does). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    if (error.message === 'fetch failed' && cause instanceof Error) return errorMessage(cause);
    return error.message || error.name;
  }
  return String(error);
}

/** The text of an abort reason (`AbortController.abort(reason)`). */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  if (typeof reason === 'string') return reason;
  return 'aborted';
}

/** A header list as a plain record (lower-case names), for displays. */
export function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** Waits `ms`, or less when `signal` aborts first; never rejects and leaves no timer behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

/** `10 s`, `0.5 s`: durations in reasons. */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${seconds >= 10 ? Math.round(seconds) : Number(seconds.toFixed(seconds < 1 ? 2 : 1))} s`;
}

/** `16 MiB`, `1 KiB`, `512 bytes`: sizes in reasons. */
export function formatMiB(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}
