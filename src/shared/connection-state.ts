/**
 * Connection states of a hub. Every transition is observable by the operator: the CLI
 * prints them to stderr, the UI shows them on the hub's tab and in the tray.
 */

/** Why a hub stopped for good without an error. */
export type EndReason = 'completed' | 'server_close' | 'no_content' | 'task_expired';

/** Why a hub stopped for good with an error. */
export type FailReason =
  | 'credentials_rejected'
  | 'wrong_content_type'
  | 'bad_config'
  | 'http_error'
  | 'not_found'
  | 'protocol_error';

export type ConnectionState =
  /** Not started, disabled, or paused by the operator. */
  | { state: 'idle'; paused?: boolean }
  | { state: 'connecting'; attempt: number }
  | { state: 'open'; since: number; via?: string }
  /** Waiting `delayMs` (until `at`) before the next attempt; `reason` says what went wrong. */
  | { state: 'reconnecting'; delayMs: number; at: number; attempt: number; reason: string }
  /** Polling fallback while the stream is failing (evoclaw). */
  | { state: 'polling'; reason: string; nextPollAt: number }
  | { state: 'ended'; reason: EndReason; detail: string }
  | { state: 'failed'; reason: FailReason; detail: string };

export type ConnectionStateName = ConnectionState['state'];

/** Counters kept per hub. */
export interface HubStats {
  events: number;
  bytes: number;
  reconnects: number;
  gaps: number;
  malformed: number;
  /** Frames dropped because the server replayed what we already had. */
  duplicatesSkipped: number;
  /** Events evicted from the in-memory store by its capacity. */
  evicted: number;
  /** Epoch ms of the last event, or null. */
  lastEventAt: number | null;
  /** Events per level. */
  levels: Record<'debug' | 'info' | 'warn' | 'error' | 'state', number>;
}

/** True when the hub will not connect again by itself. */
export function isFinal(state: ConnectionState): boolean {
  return state.state === 'ended' || state.state === 'failed';
}

/** The one-line text an operator reads for a state. */
export function describeState(state: ConnectionState): string {
  switch (state.state) {
    case 'idle':
      return state.paused ? 'paused' : 'idle';
    case 'connecting':
      return state.attempt > 0 ? `connecting (attempt ${state.attempt + 1})` : 'connecting';
    case 'open':
      return state.via ? `open (${state.via})` : 'open';
    case 'reconnecting':
      return `reconnecting in ${(state.delayMs / 1000).toFixed(1)} s: ${state.reason}`;
    case 'polling':
      return `polling fallback: ${state.reason}`;
    case 'ended':
      return `ended: ${state.detail}`;
    case 'failed':
      return `failed: ${state.detail}`;
  }
}

/** Ordering used for "worst state" summaries (tray icon, All tab). */
export function stateSeverity(state: ConnectionState): number {
  switch (state.state) {
    case 'failed':
      return 3;
    case 'reconnecting':
    case 'polling':
    case 'connecting':
      return 2;
    case 'idle':
    case 'open':
    case 'ended':
      return 0;
  }
}
