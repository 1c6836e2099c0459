/**
 * Where a stream's frames come from. A source is a pure sequence with a schedule: frame k
 * is due k/rate seconds after the stream opened. Keeping the schedule virtual (not taken
 * from timers) is what makes a sequence depend only on the seed and the settings, and lets
 * the pump send whatever is due as one batch at high rates.
 */

/** One event as the hub sends it: an SSE frame, or (data only) a WebSocket message. */
export interface StreamFrame {
  /** SSE `event:` name; absent for untyped frames. */
  event?: string;
  /** SSE `id:`; absent when the hub sends no ids. */
  id?: string;
  /** The payload, one line of JSON text. */
  data: string;
}

/** When the next frame is due (ms since the stream opened), or that there is none yet / ever. */
export type NextFrame = { dueMs: number } | 'wait' | 'end';

export interface FrameSource {
  /** Looks at the next frame without taking it. */
  next(): NextFrame;
  /**
   * Takes the frame `next()` announced as due. `null` when its slot produced nothing for
   * this subscriber (an event its filter does not match): time passes, nothing is sent.
   */
  take(): StreamFrame | null;
  /** Live sources (rdev): calls `listener` when a source that said 'wait' has more. Returns an unsubscribe. */
  subscribe?(listener: () => void): () => void;
}

/** Makes the next event of an endless sequence; `null` for a slot this subscriber skips. */
export type FrameGenerator = () => StreamFrame | null;

/** Frames that come on their own clock next to the paced ones, e.g. EvoClaw's heartbeat every 5 s. */
export interface PeriodicFrames {
  everyMs: number;
  generate: () => StreamFrame;
}

/**
 * An endless source: frame k at k·1000/rate ms, and optional periodic frames at
 * everyMs, 2·everyMs, … merged in by time (a periodic frame goes first on a tie).
 */
export class PacedSource implements FrameSource {
  private index = 0;
  private periodicIndex = 1;

  constructor(
    private readonly generate: FrameGenerator,
    private readonly rate: number,
    private readonly periodic?: PeriodicFrames,
  ) {}

  next(): NextFrame {
    return { dueMs: Math.min(this.pacedDueMs(), this.periodicDueMs()) };
  }

  take(): StreamFrame | null {
    if (this.periodic && this.periodicDueMs() <= this.pacedDueMs()) {
      this.periodicIndex += 1;
      return this.periodic.generate();
    }
    this.index += 1;
    return this.generate();
  }

  private pacedDueMs(): number {
    return (this.index * 1000) / this.rate;
  }

  private periodicDueMs(): number {
    return this.periodic ? this.periodicIndex * this.periodic.everyMs : Number.POSITIVE_INFINITY;
  }
}

/** A scheduled frame of a finite script. */
export interface ScriptedFrame {
  atMs: number;
  frame: StreamFrame;
}

/** A finite source that plays a script (sorted by `atMs`) and then ends. */
export class ScriptedSource implements FrameSource {
  private index = 0;

  constructor(private readonly script: readonly ScriptedFrame[]) {}

  next(): NextFrame {
    const entry = this.script[this.index];
    return entry === undefined ? 'end' : { dueMs: entry.atMs };
  }

  take(): StreamFrame | null {
    const entry = this.script[this.index];
    if (entry === undefined) return null;
    this.index += 1;
    return entry.frame;
  }
}
