/**
 * One connection attempt (an SSE request or a WebSocket upgrade): what it needs from the
 * connection loop, what it reports back to it while it runs, and how it ended.
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

/** A final outcome for a request that cannot be made at all (bad URL, wrong scheme). */
export function badConfig(detail: string): AttemptOutcome {
  return { kind: 'final', outcome: { state: 'failed', reason: 'bad_config', detail } };
}
