/**
 * Writes Server-Sent Events to an HTTP response: the documented headers, frames in the
 * chosen line endings, keep-alive comments, and the byte-level faults (random slices that
 * cut UTF-8 characters, a connection cut in the middle of a frame).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LineEnding } from './faults';
import type { StreamFrame } from './frame-source';
import type { FrameSink } from './stream-pump';
import type { SeededRandom } from './random';

const EOL_TEXT: Record<LineEnding, string> = { lf: '\n', crlf: '\r\n', cr: '\r' };

/** One frame as SSE text: `event:`, `id:`, one `data:` line per payload line, then a blank line. */
export function encodeSseFrame(frame: StreamFrame, eol: LineEnding = 'lf'): string {
  const nl = EOL_TEXT[eol];
  let text = '';
  if (frame.event !== undefined) text += `event: ${frame.event}${nl}`;
  if (frame.id !== undefined) text += `id: ${frame.id}${nl}`;
  for (const line of frame.data.split(/\r\n|\r|\n/)) text += `data: ${line}${nl}`;
  return text + nl;
}

/** The headers every SSE response of the demo hub carries (as the seed documents list them). */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  // Tells reverse proxies in front of the demo hub not to buffer the stream.
  'X-Accel-Buffering': 'no',
};

export interface SseSinkOptions {
  eol: LineEnding;
  split: boolean;
  keepAliveMs?: number;
  retryMs?: number;
  /** Decides the slice boundaries of `split`; seeded so a failing run can be repeated. */
  random: SeededRandom;
  /** Extra response headers (EvoClaw adds `Access-Control-Allow-Origin: *`). */
  headers?: Record<string, string>;
}

/** Resolves on the next turn of the event loop, after pending I/O. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An SSE response the stream pump writes to. */
export class SseSink implements FrameSink {
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private writing = false;
  private isClosed = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly options: SseSinkOptions,
  ) {
    // 'close' on the response fires both when it ends and when the client goes away.
    res.on('close', () => this.markClosed());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Sends the status line and headers right away, so the client sees the stream open before any event. */
  open(): void {
    this.req.socket.setNoDelay(true);
    this.req.socket.setTimeout(0);
    this.res.writeHead(200, { ...SSE_HEADERS, ...this.options.headers });
    this.res.flushHeaders();
    const nl = EOL_TEXT[this.options.eol];
    if (this.options.retryMs !== undefined) this.res.write(`retry: ${this.options.retryMs}${nl}${nl}`);
    const every = this.options.keepAliveMs;
    if (every !== undefined && every > 0) {
      this.keepAliveTimer = setInterval(() => {
        // Never between two slices of a split frame: that would corrupt the frame.
        if (!this.writing && !this.isClosed) this.res.write(`: keep-alive${nl}${nl}`);
      }, every);
    }
  }

  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  async write(frames: readonly StreamFrame[]): Promise<void> {
    if (this.isClosed || frames.length === 0) return;
    let text = '';
    for (const frame of frames) text += encodeSseFrame(frame, this.options.eol);
    const bytes = Buffer.from(text, 'utf8');
    this.writing = true;
    try {
      if (this.options.split) await this.writeInSlices(bytes);
      else if (!this.res.write(bytes)) await this.drained();
    } finally {
      this.writing = false;
    }
  }

  drop(frame: StreamFrame): void {
    const bytes = Buffer.from(encodeSseFrame(frame, this.options.eol), 'utf8');
    const half = bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)));
    this.stopTimers();
    // Destroy only once the half frame is on the wire, so the client does see it.
    this.res.write(half, () => this.res.socket?.destroy());
  }

  end(): void {
    this.stopTimers();
    if (!this.isClosed) this.res.end();
  }

  stall(): void {
    this.stopTimers();
  }

  /** Writes the bytes in random slices, each its own write, with a yield between writes. */
  private async writeInSlices(bytes: Buffer): Promise<void> {
    let start = 0;
    for (const cut of sliceBoundaries(bytes, this.options.random)) {
      if (this.isClosed) return;
      if (!this.res.write(bytes.subarray(start, cut))) await this.drained();
      start = cut;
      await yieldToEventLoop();
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private stopTimers(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.stopTimers();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

/**
 * Where `split` cuts a chunk: random gaps of 1–24 bytes, plus a cut right after the lead
 * byte of the first multi-byte UTF-8 character and of about half of the others, so a
 * client is sure to see characters arrive in pieces. Ends with `bytes.length`.
 */
export function sliceBoundaries(bytes: Uint8Array, random: SeededRandom): number[] {
  const cuts = new Set<number>();
  for (let at = random.int(1, 24); at < bytes.length; at += random.int(1, 24)) cuts.add(at);
  let firstMultiByte = true;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    // 0b11xxxxxx starts a multi-byte sequence; a cut after it lands inside the character.
    if (byte >= 0xc0 && i + 1 < bytes.length && (firstMultiByte || random.chance(0.5))) {
      cuts.add(i + 1);
      firstMultiByte = false;
    }
  }
  cuts.add(bytes.length);
  return [...cuts].sort((a, b) => a - b);
}
