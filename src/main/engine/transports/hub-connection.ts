/**
 * The generic connection loop of one hub: runs its dialect's `StreamPlan` over SSE or
 * WebSocket and turns it into frames and connection states — backoff, silence watchdog,
 * resume without loss or duplicates, gap markers and the polling fallback.
 */
import type { ConnectionState } from '../../../shared/connection-state';
import { abortReason, sleep } from './abort-signal';
import { errorMessage } from './network-errors';
import { formatSeconds } from './quantity-text';
import type { AttemptOutcome, AttemptSink, StreamEnd } from './attempt';
import { Backoff, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS } from './backoff';
import { Poller } from './poll';
import { DEFAULT_MAX_EVENT_SIZE, runSseAttempt } from './sse-stream';
import {
  DEFAULT_WS_IDLE_MS,
  DEFAULT_WS_MAX_PAYLOAD,
  DEFAULT_WS_PONG_TIMEOUT_MS,
  runWebSocketAttempt,
} from './websocket-stream';
import { StopError } from './types';
import type {
  ConnectionListener,
  ConnectionStats,
  FinalOutcome,
  Frame,
  RequestSpec,
  StreamPlan,
} from './types';
import { integerId } from '../event-id';

/** A connection that stayed open this long was healthy: the backoff starts over. */
export const DEFAULT_HEALTHY_AFTER_MS = 10_000;
/** An attempt must get its response (or upgrade) within this long. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/** How many recent event ids are kept to recognise a re-sent event when ids are not increasing integers. */
export const DEFAULT_RECENT_IDS = 1024;
/** How many frames of a replay-from-start stream are remembered to skip on reconnect. */
export const DEFAULT_REPLAY_HISTORY = 50_000;

/** Tunables, mostly for tests. Every one has a production default. */
export interface HubConnectionOptions {
  /** Epoch ms for states, frames and gap markers (`Date.now`). */
  now?: () => number;
  /** Backoff jitter source in [0, 1) (`Math.random`). */
  random?: () => number;
  /** First backoff span (1 s). */
  backoffBaseMs?: number;
  /** Largest backoff span (30 s). */
  backoffCapMs?: number;
  /** Open this long, or delivering a new frame, resets the backoff (10 s). */
  healthyAfterMs?: number;
  /** Time allowed for the response headers or the WebSocket handshake (30 s). */
  connectTimeoutMs?: number;
  /** WebSocket: ping after this long without inbound traffic (35 s). */
  wsIdleMs?: number;
  /** WebSocket: no pong this long after our ping → terminate and reconnect (10 s). */
  wsPongTimeoutMs?: number;
  /** WebSocket `maxPayload` (16 MiB). */
  wsMaxPayload?: number;
  /** SSE: largest line or event, in characters (32 MiB). */
  maxEventSize?: number;
  /** The fetch implementation (the global `fetch`). */
  fetch?: typeof fetch;
  /** Recent ids kept for de-duplication of non-integer ids (1024). */
  recentIds?: number;
  /** Frames remembered for `replaysFromStart` (50 000). */
  replayHistory?: number;
  /**
   * Where an earlier run of this hub stopped (from the history, after a restart): the first
   * connect is a resume — `Last-Event-ID` sent, repeats skipped, a gap marker where the
   * server cannot resume — exactly as after a reconnect within one run.
   */
  resume?: ConnectionResume;
}

/** What a hub's earlier run left to resume from. */
export interface ConnectionResume {
  /** The last event id in force (sent as `Last-Event-ID`), or null. */
  lastEventId: string | null;
  /** Recent event ids, oldest first: frames the server re-sends with these ids are skipped. */
  recentIds: readonly string[];
  /** `replaysFromStart`: the fingerprints (`frameFingerprint`) of the frames had so far, in order. */
  replayFingerprints: readonly number[];
}

/**
 * A 53-bit fingerprint of a frame's (event, data): FNV-1a over both, with the data length.
 * Used only for `replaysFromStart` hubs, where a replayed prefix is compared in order, so a
 * collision would have to line up with the exact position to matter.
 */
export function frameFingerprint(event: string | null, data: string): number {
  let hash = 0x811c9dc5;
  if (event !== null) {
    for (let i = 0; i < event.length; i++) hash = Math.imul(hash ^ event.charCodeAt(i), 0x01000193);
  }
  hash = Math.imul(hash ^ 0xffff, 0x01000193);
  for (let i = 0; i < data.length; i++) hash = Math.imul(hash ^ data.charCodeAt(i), 0x01000193);
  return (hash >>> 0) * 0x200000 + (data.length % 0x200000);
}

/** Resolves like `promise`, or rejects with the abort reason as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new Error(abortReason(signal)));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error(abortReason(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * One hub's connection. `start()` connects and keeps reconnecting until the hub ends or
 * fails for good or `stop()` is called; every state change goes to `listener.onState`
 * exactly once, frames to `listener.onFrame` (synchronously, in order), and places where
 * events may be missing to `listener.onGap`.
 *
 * Resume: the last event id is kept across reconnects (and across stop/start) and sent as
 * `Last-Event-ID`; events the server re-sends after a reconnect are skipped and counted in
 * `duplicatesSkipped`.
 */
export class HubConnection {
  private current: ConnectionState = { state: 'idle' };
  private readonly counters: ConnectionStats = { bytes: 0, reconnects: 0, duplicatesSkipped: 0 };
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  private readonly backoff: Backoff;
  private readonly sink: AttemptSink;
  private readonly endsStream: ((frame: Frame) => StreamEnd | null) | null;

  /** The current run; `null` when stopped. Its controller is aborted once the hub is final. */
  private run: { controller: AbortController; loop: Promise<void> } | null = null;
  /** The latest run's loop: a new run starts only after it, so two never overlap. */
  private lastLoop: Promise<void> = Promise.resolve();
  /** States and frames are accepted only while a run is live (started, not stopped, not final). */
  private live = false;
  private poller: Poller | null = null;
  private pollerStopping: Promise<void> = Promise.resolve();
  private nextPollAt = 0;

  /** The server's `retry:` in ms: a floor for every later reconnect ([spec] the reconnection time). */
  private serverRetryMs = 0;
  /** Some connection was open before: the next open is a reconnect. */
  private wasOpen = false;
  /**
   * Why the next reconnect cannot resume although events came with ids (the last one could
   * not be sent): the gap marker's message once the stream is back.
   */
  private resumeLost: string | null = null;

  // Per attempt.
  private attemptOpened = false;
  private openedAt = 0;
  private newFrames = 0;
  private lastByteAt = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private attemptController: AbortController | null = null;

  // Resume de-duplication by id.
  private idsIncreasing = true;
  private maxIntegerId = -1;
  private readonly recentIds: string[] = [];
  /** The data of the frame each recent id came with (same ring positions). */
  /** `null`: an id remembered from an earlier run, whose frame text is not known (any data repeats it). */
  private readonly recentData: (string | null)[] = [];
  private recentNext = 0;
  private catchingUp = false;
  private catchUpMax = -1;
  /** The smallest integer id still remembered: below it, we cannot tell a repeat from new. */
  private catchUpMin = Infinity;
  /** While catching up after a resume: recent id → the data it came with. */
  private catchUpIds: Map<string, string | null> | null = null;

  // Replay-from-start de-duplication.
  private readonly history: number[] = [];
  private replayPos = 0;
  private replayMatching = false;

  constructor(
    private readonly plan: StreamPlan,
    private readonly listener: ConnectionListener,
    private readonly options: HubConnectionOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetch ?? fetch;
    this.backoff = new Backoff({
      baseMs: options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
      capMs: options.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS,
      random: options.random ?? Math.random,
    });
    this.endsStream = plan.endsStream ? (frame) => plan.endsStream?.(frame) ?? null : null;
    const resume = options.resume;
    this.sink = {
      lastEventId: null,
      opened: (via) => this.onOpened(via),
      received: (bytes) => {
        this.counters.bytes += bytes;
        this.lastByteAt = performance.now();
      },
      frame: (frame, ownId) => this.onFrame(frame, ownId),
      retryInterval: (ms) => {
        this.serverRetryMs = ms;
      },
    };
    if (resume) {
      this.sink.lastEventId = resume.lastEventId;
      this.wasOpen = true;
      for (const id of resume.recentIds) this.rememberId(id, null);
      const keep = options.replayHistory ?? DEFAULT_REPLAY_HISTORY;
      this.history.push(...resume.replayFingerprints.slice(-keep));
    }
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** The last event id in force (sent as `Last-Event-ID` on the next connect), or `null`. */
  get lastEventId(): string | null {
    return this.sink.lastEventId;
  }

  /** A snapshot of the counters. */
  stats(): ConnectionStats {
    return { ...this.counters };
  }

  /**
   * Connects, and keeps the hub connected. A no-op while running; after `stop()` or a
   * final state it starts over, keeping the last event id (so a resumed hub does not
   * duplicate what it already delivered). Safe to call while a `stop()` is still settling:
   * the new run begins once the old one has fully ended.
   */
  start(): void {
    if (this.run !== null && !this.run.controller.signal.aborted) return;
    const controller = new AbortController();
    const loop = this.lastLoop
      .then(() => {
        if (controller.signal.aborted) return;
        this.live = true;
        this.backoff.reset();
        return this.loop(controller.signal);
      })
      .catch((error: unknown) => {
        // A bug, not a hub problem: say so rather than leave the hub silently stuck.
        this.finish({
          state: 'failed',
          reason: 'protocol_error',
          detail: `internal error: ${errorMessage(error)}`,
        });
      });
    this.lastLoop = loop;
    this.run = { controller, loop };
  }

  /** Aborts everything (request, socket, polls, timers), waits until nothing is left running, then reports `idle`. */
  async stop(): Promise<void> {
    const run = this.run;
    this.run = null;
    this.live = false;
    run?.controller.abort(new Error('stopped'));
    await this.lastLoop;
    const stopping = this.pollerStopping;
    await this.stopPolling();
    await stopping;
    // Unless start() was called meanwhile: then the new run owns the state.
    if (this.run === null && this.current.state !== 'idle') this.emit({ state: 'idle' }, true);
  }

  private emit(state: ConnectionState, force = false): void {
    if (!this.live && !force) return;
    this.current = state;
    this.listener.onState(state);
  }

  /** Stops for good with a final state (from an attempt, `prepare`, or a poll). */
  private finish(outcome: FinalOutcome): void {
    if (!this.live) return;
    this.emit(outcome);
    this.live = false;
    this.run?.controller.abort(new Error(outcome.detail));
    const stopping = this.pollerStopping;
    const stopped = this.stopPolling();
    this.pollerStopping = Promise.all([stopping, stopped]).then(() => undefined);
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const healthyAfterMs = this.options.healthyAfterMs ?? DEFAULT_HEALTHY_AFTER_MS;
    let attempt = 0;
    while (!signal.aborted) {
      this.emit({ state: 'connecting', attempt });
      const outcome = await this.attempt(attempt, signal);
      if (signal.aborted) return;
      if (outcome.kind === 'final') {
        this.finish(outcome.outcome);
        return;
      }
      if (outcome.lastEventIdRefused) {
        // Nothing reached the server, so there is nothing to wait for: go again at once,
        // without the id — and say where events may be missing once the stream is back.
        this.sink.lastEventId = null;
        this.resumeLost = `${outcome.reason}; reconnected without it, so events sent meanwhile may be missing`;
        this.counters.reconnects += 1;
        attempt += 1;
        this.emit({
          state: 'reconnecting',
          delayMs: 0,
          at: this.now(),
          attempt,
          reason: `${outcome.reason}; reconnecting without it`,
        });
        continue;
      }
      const healthy =
        this.attemptOpened && (this.newFrames > 0 || performance.now() - this.openedAt >= healthyAfterMs);
      if (healthy) this.backoff.reset();
      // docs/architecture.md: never sooner than the server's retry: or Retry-After; jitter only adds.
      const delay = this.backoff.next(Math.max(this.serverRetryMs, outcome.retryAfterMs ?? 0));
      this.counters.reconnects += 1;
      attempt += 1;
      if (this.plan.pollFallback) {
        this.startPolling();
        this.emit({ state: 'polling', reason: outcome.reason, nextPollAt: this.nextPollAt });
      } else {
        this.emit({
          state: 'reconnecting',
          delayMs: delay,
          at: this.now() + delay,
          attempt,
          reason: outcome.reason,
        });
      }
      await sleep(delay, signal);
    }
  }

  /** One attempt: `prepare`, then the transport, under the watchdog. Never throws. */
  private async attempt(attempt: number, runSignal: AbortSignal): Promise<AttemptOutcome> {
    const controller = new AbortController();
    const onRunAbort = (): void => controller.abort(runSignal.reason);
    runSignal.addEventListener('abort', onRunAbort, { once: true });
    this.attemptController = controller;
    this.attemptOpened = false;
    this.newFrames = 0;
    try {
      let request: RequestSpec;
      try {
        request = await abortable(
          this.plan.prepare({ attempt, lastEventId: this.sink.lastEventId, signal: controller.signal }),
          controller.signal,
        );
      } catch (error) {
        if (error instanceof StopError) return { kind: 'final', outcome: error.outcome };
        return { kind: 'retry', reason: errorMessage(error), retryAfterMs: null };
      }
      this.lastByteAt = performance.now();
      this.armWatchdog();
      const common = { signal: controller.signal, now: this.now, classifyStatus: this.classifyStatus };
      if (this.plan.transport === 'websocket') {
        return await runWebSocketAttempt(request, this.sink, {
          ...common,
          idleMs: this.options.wsIdleMs ?? DEFAULT_WS_IDLE_MS,
          pongTimeoutMs: this.options.wsPongTimeoutMs ?? DEFAULT_WS_PONG_TIMEOUT_MS,
          handshakeTimeoutMs: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
          maxPayload: this.options.wsMaxPayload ?? DEFAULT_WS_MAX_PAYLOAD,
        });
      }
      return await runSseAttempt(request, this.sink, {
        ...common,
        fetch: this.fetchImpl,
        maxEventSize: this.options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE,
      });
    } catch (error) {
      // A listener or plan hook threw inside the read loop: treat it as a lost connection.
      return { kind: 'retry', reason: errorMessage(error), retryAfterMs: null };
    } finally {
      this.disarmWatchdog();
      this.attemptController = null;
      runSignal.removeEventListener('abort', onRunAbort);
    }
  }

  private readonly classifyStatus = (status: number): FinalOutcome | undefined =>
    this.plan.classifyStatus?.(status);

  /**
   * One timer per attempt, re-armed lazily: bytes only stamp `lastByteAt`, so the hot path
   * sets no timers. Before the response it enforces the connect timeout, after it the
   * plan's silence timeout.
   */
  private armWatchdog(): void {
    this.disarmWatchdog();
    const limit = this.attemptOpened
      ? this.plan.silenceTimeoutMs
      : (this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    if (limit <= 0) return;
    const check = (): void => {
      this.watchdog = null;
      const controller = this.attemptController;
      if (controller === null || controller.signal.aborted) return;
      const quiet = performance.now() - this.lastByteAt;
      if (quiet >= limit) {
        const reason = this.attemptOpened
          ? `no data for ${formatSeconds(limit)}`
          : `no response within ${formatSeconds(limit)}`;
        controller.abort(new Error(reason));
        return;
      }
      this.watchdog = setTimeout(check, Math.max(1, limit - quiet));
    };
    this.watchdog = setTimeout(check, limit);
  }

  private disarmWatchdog(): void {
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  private onOpened(via: 'sse' | 'websocket'): void {
    if (!this.live || this.attemptController?.signal.aborted) return;
    this.attemptOpened = true;
    this.openedAt = performance.now();
    this.lastByteAt = this.openedAt;
    this.armWatchdog();
    const stopping = this.pollerStopping;
    const stopped = this.stopPolling();
    this.pollerStopping = Promise.all([stopping, stopped]).then(() => undefined);
    this.emit({ state: 'open', since: this.now(), via });
    if (this.wasOpen) this.prepareResume(via);
    this.wasOpen = true;
    this.resumeLost = null;
  }

  /** After a reconnect: decide how to avoid duplicates, and whether events may be missing. */
  private prepareResume(via: 'sse' | 'websocket'): void {
    if (this.plan.replaysFromStart) {
      // The server replays everything: match the new stream against what we have.
      this.replayPos = 0;
      this.replayMatching = this.history.length > 0;
      return;
    }
    if (via === 'websocket') {
      this.gap('WebSocket reconnected: events sent while disconnected may be missing');
      return;
    }
    if (this.sink.lastEventId === null) {
      this.gap(
        this.resumeLost ??
          'reconnected without a last event id to resume from: events sent meanwhile may be missing',
      );
      // Without a Last-Event-ID the server may start over: what it sends again that we
      // remember by id is still skipped.
      if (this.resumeLost !== null) this.catchUp();
      return;
    }
    this.catchUp();
  }

  /** Skips, from now on, what the server sends again of the events we remember by id. */
  private catchUp(): void {
    this.catchingUp = true;
    this.catchUpMax = this.maxIntegerId;
    this.catchUpMin = Infinity;
    for (const id of this.recentIds) this.catchUpMin = Math.min(this.catchUpMin, integerId(id));
    this.catchUpIds = new Map();
    for (let i = 0; i < this.recentIds.length; i++)
      this.catchUpIds.set(this.recentIds[i]!, this.recentData[i]!);
  }

  private gap(detail: string): void {
    this.listener.onGap(detail, this.now());
  }

  /** The hot path: one frame from the transport. */
  private onFrame(frame: Frame, ownId: string | undefined): StreamEnd | null {
    if (!this.live) return null;
    if (this.plan.replaysFromStart) {
      if (this.isReplayed(frame)) {
        this.counters.duplicatesSkipped += 1;
        return null;
      }
    } else if (this.catchingUp && ownId !== undefined) {
      const verdict = this.resumeVerdict(ownId, frame.data);
      if (verdict === 'repeat') {
        this.counters.duplicatesSkipped += 1;
        return null;
      }
      // A frame we never had inside the re-sent range keeps us catching up; a new or
      // renumbered id ends it, and later ids are trusted as they come.
      if (verdict !== 'missed') {
        this.catchingUp = false;
        this.catchUpIds = null;
      }
    } else if (this.catchingUp) {
      // A frame without its own id may be new: keep it, and trust what follows.
      this.catchingUp = false;
      this.catchUpIds = null;
    }
    if (ownId !== undefined) this.rememberId(ownId, frame.data);
    this.newFrames += 1;
    this.listener.onFrame(frame);
    return this.endsStream === null ? null : this.endsStream(frame);
  }

  private rememberId(id: string, data: string | null): void {
    const capacity = this.options.recentIds ?? DEFAULT_RECENT_IDS;
    if (this.recentIds.length < capacity) {
      this.recentIds.push(id);
      this.recentData.push(data);
    } else {
      this.recentIds[this.recentNext] = id;
      this.recentData[this.recentNext] = data;
    }
    this.recentNext = (this.recentNext + 1) % capacity;
    if (this.idsIncreasing) {
      const value = integerId(id);
      if (value > this.maxIntegerId) this.maxIntegerId = value;
      else this.idsIncreasing = false;
    }
  }

  /**
   * What a frame with an id is, right after a resume:
   * - `repeat`: an id we had, with the same data — the server re-sent it;
   * - `missed`: an integer id inside the range we remember but never received — deliver it;
   * - `renumbered`: an id we had with other data, or an integer id older than what we
   *   remember — the server numbers its events anew (restarted?): deliver, and mark a gap;
   * - `new`: anything else.
   */
  private resumeVerdict(id: string, data: string): 'repeat' | 'missed' | 'renumbered' | 'new' {
    const known = this.catchUpIds?.get(id);
    if (known !== undefined) {
      if (known === data || known === null) return 'repeat';
      this.renumbered();
      return 'renumbered';
    }
    if (!this.idsIncreasing) return 'new';
    const value = integerId(id);
    if (value === -1 || value > this.catchUpMax) return 'new';
    if (value >= this.catchUpMin) return 'missed';
    this.renumbered();
    return 'renumbered';
  }

  private renumbered(): void {
    this.gap('the server numbers its events anew (did it restart?): events may be missing');
  }

  /**
   * `replaysFromStart`: whether the frame repeats the one at the same position of the
   * previous replay. The first frame that does not ends the replayed prefix; if that is the
   * very first frame, the server's stream did not start where it did before, so events may
   * be missing.
   */
  private isReplayed(frame: Frame): boolean {
    const fingerprint = frameFingerprint(frame.event, frame.data);
    if (this.replayMatching) {
      if (this.replayPos < this.history.length && this.history[this.replayPos] === fingerprint) {
        this.replayPos += 1;
        return true;
      }
      this.replayMatching = false;
      if (this.replayPos === 0) {
        this.gap("the server's replay did not start where the previous one did: events may be missing");
      }
      this.history.length = this.replayPos;
    }
    if (this.history.length < (this.options.replayHistory ?? DEFAULT_REPLAY_HISTORY)) {
      this.history.push(fingerprint);
    }
    return false;
  }

  private startPolling(): void {
    const fallback = this.plan.pollFallback;
    if (!fallback || this.poller !== null) return;
    this.nextPollAt = this.now();
    const poller = new Poller({
      intervalMs: fallback.intervalMs,
      prepare: () => fallback.prepare(),
      fetch: this.fetchImpl,
      now: this.now,
      onFrame: (frame, bytes) => {
        if (!this.live || this.poller !== poller) return;
        this.counters.bytes += bytes;
        this.listener.onFrame(frame);
      },
      onFinal: (outcome) => this.finish(outcome),
      onPolled: (nextPollAt) => {
        if (this.poller !== poller) return;
        this.nextPollAt = nextPollAt;
        if (this.current.state === 'polling') this.emit({ ...this.current, nextPollAt });
      },
    });
    this.poller = poller;
    poller.start();
  }

  private stopPolling(): Promise<void> {
    const poller = this.poller;
    this.poller = null;
    return poller === null ? Promise.resolve() : poller.stop();
  }
}
