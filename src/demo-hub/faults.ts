/**
 * Faults the demo hub can inject into its streams, so that clients can be tested against
 * the ways real hubs misbehave. Each one can be set for every stream (CLI flags,
 * `DemoHubOptions.faults`) or for one request (query-string parameters, see
 * `stream-settings.ts` for the exact names).
 */

/** Line endings of SSE frames. The WHATWG parser must accept all three. */
export type LineEnding = 'lf' | 'crlf' | 'cr';

/** Statuses `failFirst` may answer with. */
export const FAIL_STATUSES = [429, 500, 502, 503, 504] as const;
export type FailStatus = (typeof FAIL_STATUSES)[number];

/** Every fault is off when its field is undefined (or false). */
export interface FaultOptions {
  /**
   * After N events, send half of the next frame and cut the connection (SSE: the socket is
   * destroyed mid-frame; WebSocket: terminated without a close frame, the client sees 1006).
   */
  dropAfter?: number;
  /** After N events, send nothing more (no frames, keep-alives or pings) but keep the socket open. */
  stallAfter?: number;
  /** After N events, end the stream cleanly (SSE: the response ends; WebSocket: close with `closeCode`). */
  endAfter?: number;
  /** WebSocket close code used by `endAfter` (default 1000). */
  closeCode?: number;
  /** Answer the first K requests to each stream path with `failStatus` and `Retry-After`, then succeed. */
  failFirst?: number;
  /** Status for `failFirst` (default 503). */
  failStatus?: FailStatus;
  /** `Retry-After` seconds sent with `failFirst` answers (default 1). */
  retryAfterSec?: number;
  /** Every Nth event carries a payload that is not valid JSON (the first half of the real one). */
  malformedEvery?: number;
  /** Send a `: keep-alive` comment every M ms (SSE). */
  keepAliveMs?: number;
  /** SSE line endings (default `lf`). */
  eol?: LineEnding;
  /**
   * Write every chunk in random slices, yielding to the event loop between writes, with
   * cuts inside multi-byte UTF-8 characters (SSE).
   */
  split?: boolean;
  /** Make one event huge: its payload is padded to about this many bytes. */
  hugeBytes?: number;
  /** Which event (1-based) `hugeBytes` inflates (default 2). */
  hugeAt?: number;
  /** WebSocket: never send ping frames. */
  noPing?: boolean;
  /** WebSocket: do not answer the client's pings (ws `autoPong: false`). */
  noPong?: boolean;
  /** SSE: send `retry: MS` before the first event. */
  sseRetryMs?: number;
}

/** Default `hugeAt`: the second event, so a client has seen a normal one first. */
export const DEFAULT_HUGE_AT = 2;

/**
 * Counts requests per path for `failFirst`. Counts live on the hub, so they survive a
 * `restart()` and a client that reconnects gets its K failures, then success.
 */
export class FailureCounter {
  private readonly counts = new Map<string, number>();

  /** Records one request to `path`; true when it is among the first `failFirst` and must fail. */
  shouldFail(path: string, failFirst: number | undefined): boolean {
    if (failFirst === undefined || failFirst <= 0) return false;
    const count = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, count);
    return count <= failFirst;
  }
}

/**
 * A payload that is not valid JSON: the first half of the real one. Every payload the demo
 * hub sends is a JSON object, and no proper prefix of an object parses.
 */
export function malformPayload(data: string): string {
  return data.slice(0, Math.max(1, Math.floor(data.length / 2)));
}

/**
 * The payload padded to about `bytes` bytes with a `padding` string field. It stays valid
 * JSON of the same shape (an extra field), so a client can still read the event.
 */
export function inflatePayload(data: string, bytes: number): string {
  const size = Math.max(0, bytes - data.length - 14);
  const padding = 'x'.repeat(size);
  if (!data.startsWith('{')) return data + padding;
  const rest = data.slice(1).trimStart();
  return rest.startsWith('}') ? `{"padding":"${padding}"}` : `{"padding":"${padding}",${rest}`;
}
