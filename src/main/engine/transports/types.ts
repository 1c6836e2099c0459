import type { EndReason, FailReason, ConnectionState } from '../../../shared/connection-state';
import type { TransportKind } from '../../../shared/hub-config';

/** One frame as received — an SSE event, a WebSocket message or a poll response — before a dialect reads it. */
export interface Frame {
  /** The SSE `event:` name, or `null` when the frame had none (always `null` for WebSocket and poll). */
  event: string | null;
  /** The SSE last event id in force after this frame, or `null` (never `""`). */
  id: string | null;
  /** The frame's data as text (SSE data lines joined with `\n`). */
  data: string;
  /** Epoch ms when the bytes carrying the frame arrived. */
  receivedAt: number;
  via: 'sse' | 'websocket' | 'poll';
}

/** One HTTP request (or WebSocket upgrade) of an attempt. */
export interface RequestSpec {
  url: string;
  headers: Record<string, string>;
  /**
   * Names of headers in `headers` that carry credentials (e.g. from `credentialHeaderNames`).
   * They are dropped on a redirect to another origin and masked in displays, in addition to
   * `Authorization`, `Proxy-Authorization`, `Cookie` and any credential-looking name.
   */
  credentialHeaders?: string[];
  /**
   * Names of query parameters in `url` that carry credentials (e.g. from
   * `credentialQueryParamNames`), masked in displays besides the usual `token`, `key`, ….
   */
  credentialParams?: string[];
}

/** A final outcome: the hub stops for good. */
export type FinalOutcome =
  | { state: 'ended'; reason: EndReason; detail: string }
  | { state: 'failed'; reason: FailReason; detail: string };

/** Thrown from a plan's hooks to stop the hub for good; any other error is retried with backoff. */
export class StopError extends Error {
  override name = 'StopError';
  constructor(readonly outcome: FinalOutcome) {
    super(outcome.detail);
  }
}

/** What `prepare` knows about the attempt it builds. */
export interface AttemptContext {
  /** 0 for the first connect, then 1, 2, … */
  attempt: number;
  /** The last event id in force, to send as `Last-Event-ID` (the connection adds the header itself). */
  lastEventId: string | null;
  /** Aborted when the connection stops; pass it to any I/O `prepare` does (rdev's POST). */
  signal?: AbortSignal;
}

/**
 * How to connect one hub: built by its dialect, run by the generic connection loop
 * (backoff, watchdog, resume, gap markers, polling fallback).
 */
export interface StreamPlan {
  transport: TransportKind;
  /**
   * Builds the request of one attempt — a fresh Date and signature each time. May do I/O
   * first (rdev starts its command with a POST, once). Throw `StopError` to stop for good;
   * any other error is retried with backoff.
   */
  prepare(context: AttemptContext): Promise<RequestSpec>;
  /**
   * What a non-200 HTTP status means for this hub, before the default rules (e.g. 404 on
   * a Backend.AI task = ended, task expired). `undefined` keeps the defaults.
   */
  classifyStatus?(status: number): FinalOutcome | undefined;
  /** Whether a frame ends the stream for good (rdev `complete`, Backend.AI `server_close`). Checked after delivery. */
  endsStream?(frame: Frame): { reason: EndReason; detail: string } | null;
  /**
   * The server replays the whole stream to every new subscriber (Backend.AI background
   * tasks): on reconnect, skip the frames we already have instead of duplicating them.
   */
  replaysFromStart?: boolean;
  /** Silence watchdog: reconnect after this many ms without a byte; 0 = off. */
  silenceTimeoutMs: number;
  /**
   * A side-effect-free request for "Test connection" when `prepare` would change the
   * server (rdev's POST starts a command). Defaults to `prepare`.
   */
  probePrepare?(): Promise<RequestSpec>;
  /** Polling fallback while the stream keeps failing (evoclaw). */
  pollFallback?: { intervalMs: number; prepare(): Promise<RequestSpec> };
}

/** What a running connection reports. `onFrame` is the hot path: called synchronously per frame. */
export interface ConnectionListener {
  onFrame(frame: Frame): void;
  onState(state: ConnectionState): void;
  /** Events may be missing at this point (a reconnect the server could not resume). */
  onGap(detail: string, at: number): void;
}

/** Counters the connection keeps itself. */
export interface ConnectionStats {
  bytes: number;
  reconnects: number;
  duplicatesSkipped: number;
}
