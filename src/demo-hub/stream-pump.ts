/**
 * Moves frames from a source to a connection on the source's schedule, in batches: every
 * tick sends all frames that are due as one write, which is what lets one stream carry tens
 * of thousands of events per second. The count-based faults (drop, stall, end, malformed,
 * huge) live here because they mean the same on SSE and WebSocket.
 */
import { DEFAULT_HUGE_AT, inflatePayload, malformPayload, type FaultOptions } from './faults';
import type { FrameSource, StreamFrame } from './frame-source';

/** A connection the pump writes to. */
export interface FrameSink {
  /** Writes the frames as one chunk; resolves when the connection can take more. */
  write(frames: readonly StreamFrame[]): Promise<void>;
  /** Cuts the connection in the middle of `frame`. */
  drop(frame: StreamFrame): void;
  /** Ends the stream cleanly. */
  end(): void;
  /** Stops everything the sink sends on its own (keep-alive comments, pings) but keeps the connection. */
  stall(): void;
  /** True once the connection is gone. */
  readonly closed: boolean;
  /** Calls `listener` once when the connection is gone. */
  onClose(listener: () => void): void;
}

/** Most frames in one write; bounds the memory a slow client can make the hub hold. */
const MAX_BATCH = 2000;
/** Most schedule slots looked at per tick, also those a filter skips. */
const MAX_SLOTS_PER_TICK = 20_000;
/** Shortest wait between ticks: at high rates the pump wakes every few ms and sends a batch. */
const MIN_TICK_MS = 5;

export class StreamPump {
  private readonly openedAt = performance.now();
  private sent = 0;
  private halted = false;
  private waiting = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly source: FrameSource,
    private readonly sink: FrameSink,
    private readonly faults: FaultOptions,
  ) {}

  /** Starts sending; the pump stops by itself when the connection closes. */
  start(): void {
    this.sink.onClose(() => this.halt());
    this.unsubscribe = this.source.subscribe?.(() => {
      if (this.waiting) {
        this.waiting = false;
        this.schedule(0);
      }
    });
    this.schedule(0);
  }

  /** Stops sending for good. */
  halt(): void {
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.halted || this.sink.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick().catch(() => this.halt());
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (this.halted || this.sink.closed) return;
    const elapsed = performance.now() - this.openedAt;
    const batch: StreamFrame[] = [];
    const { dropAfter, stallAfter, endAfter } = this.faults;
    let nextDelay: number | 'wait' | 'end' = 0;

    for (let slot = 0; slot < MAX_SLOTS_PER_TICK && batch.length < MAX_BATCH; slot++) {
      if (stallAfter !== undefined && this.sent >= stallAfter) {
        await this.flush(batch);
        this.sink.stall();
        this.halt();
        return;
      }
      if (endAfter !== undefined && this.sent >= endAfter) {
        await this.flush(batch);
        this.sink.end();
        this.halt();
        return;
      }
      const next = this.source.next();
      if (next === 'end' || next === 'wait') {
        nextDelay = next;
        break;
      }
      if (next.dueMs > elapsed) {
        nextDelay = Math.max(MIN_TICK_MS, next.dueMs - elapsed);
        break;
      }
      const frame = this.source.take();
      if (frame === null) continue;
      if (dropAfter !== undefined && this.sent >= dropAfter) {
        await this.flush(batch);
        if (!this.sink.closed) this.sink.drop(this.shape(frame, this.sent + 1));
        this.halt();
        return;
      }
      this.sent += 1;
      batch.push(this.shape(frame, this.sent));
    }

    await this.flush(batch);
    if (this.halted || this.sink.closed) return;
    if (nextDelay === 'end') {
      this.sink.end();
      this.halt();
    } else if (nextDelay === 'wait') {
      // A live source may have grown while the batch was being written.
      const again = this.source.next();
      if (again === 'wait') this.waiting = true;
      else this.schedule(0);
    } else {
      this.schedule(nextDelay);
    }
  }

  private async flush(batch: StreamFrame[]): Promise<void> {
    if (batch.length > 0 && !this.sink.closed) await this.sink.write(batch);
  }

  /** Applies the payload faults to event number `n` (1-based). */
  private shape(frame: StreamFrame, n: number): StreamFrame {
    const { malformedEvery, hugeBytes } = this.faults;
    const hugeAt = this.faults.hugeAt ?? DEFAULT_HUGE_AT;
    if (hugeBytes !== undefined && hugeBytes > 0 && n === hugeAt) {
      return { ...frame, data: inflatePayload(frame.data, hugeBytes) };
    }
    if (malformedEvery !== undefined && n % malformedEvery === 0) {
      return { ...frame, data: malformPayload(frame.data) };
    }
    return frame;
  }
}
