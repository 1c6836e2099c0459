/**
 * The history's journal: every record is appended as one NDJSON line to the open journal
 * file, in batches written off the hot path. A journal is closed (rotated) after a number
 * of lines or seconds and then sealed into a Parquet segment in the background; until
 * then it is part of the history as it is (queries read it with `read_json`), so what was
 * written survives a crash or `kill -9` — at most the last batch is lost.
 *
 * Write failures (disk full, read-only folder) never stop ingest: lines wait in memory
 * (bounded) and the writer retries; what had to be dropped meanwhile is reported per hub so
 * the engine can mark the hole with a gap marker.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineEvent } from '../event-record';
import { payloadOnOneLine, stringifyJson } from '../export/json-text';

/**
 * Lines encoded as they are appended, waiting to be written. Measured: keeping the records
 * themselves until the next write (100 ms) let them outlive the young generation, and the
 * old-generation collections that followed cost more than everything else the history does
 * (capture of 300,000 events: 3.5 s without history, 12.8 s holding records, GC 3.5 s of
 * it). Bytes in a buffer outside the JS heap cost the collector nothing.
 */
interface Chunk {
  buffer: Buffer;
  used: number;
  lines: number;
  firstArrival: number;
  lastArrival: number;
}

const CHUNK_BYTES = 1 << 20;

/** A journal file that is complete and waits to be sealed. */
export interface ClosedJournal {
  file: string;
  firstArrival: number;
  lastArrival: number;
  rows: number;
}

/** What the writer tells its owner. */
export interface JournalListener {
  /** A journal file was opened (it is part of the history from now on). */
  opened(file: string): void;
  /** A journal file is complete: seal it. */
  closed(journal: ClosedJournal): void;
  /** Writing fails (`error` set) or works again (`error` null). */
  health(error: string | null): void;
  /** Records that could not be kept for the journal (memory bound reached while writing failed). */
  lost(hub: string, count: number, fromSeq: number, toSeq: number): void;
}

export interface JournalOptions {
  dir: string;
  /** Content redaction applied before anything reaches the disk (known secret values). */
  redactContent: (record: EngineEvent) => { source: string | null; message: string | null; data: string };
  listener: JournalListener;
  /** How often pending records are written (ms). */
  flushMs?: number;
  /** Lines per journal file before it is closed and sealed. */
  rotateRows?: number;
  /** Age of a journal file (ms) after which it is closed and sealed, if it has lines. */
  rotateMs?: number;
  /** Records kept in memory while writing fails; past it the oldest are dropped and reported. */
  maxPending?: number;
  /** Retry interval while writing fails (ms). */
  retryMs?: number;
  now?: () => number;
  /** Opens the journal file (tests inject write failures). */
  openFile?: typeof open;
}

/** The file name of a journal starting at `arrival` (sortable: zero-padded). */
export function journalFileName(arrival: number): string {
  return `journal-${String(arrival).padStart(16, '0')}.ndjson`;
}

const quotedCache = new Map<string, string>();

/** JSON string of a value that repeats (hub ids, event names, sources): built once. */
function quoted(value: string): string {
  let known = quotedCache.get(value);
  if (known === undefined) {
    known = JSON.stringify(value);
    if (quotedCache.size < 65_536) quotedCache.set(value, known);
  }
  return known;
}

function nullableQuoted(value: string | null): string {
  return value === null ? 'null' : quoted(value);
}

function nullableString(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

function numberJson(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * One journal line, keys in the schema's order (history-schema.ts). The payload goes in
 * as its received JSON text on one line (numbers exactly as sent), or as a JSON string
 * when it was not JSON.
 */
export function journalLine(
  arrival: number,
  dialect: string,
  record: EngineEvent,
  content: { source: string | null; message: string | null; data: string },
): string {
  return journalHead(arrival, dialect, record, content) + content.data + journalTail(record);
}

/** A journal line up to its payload (`…,"data":`). */
function journalHead(
  arrival: number,
  dialect: string,
  record: EngineEvent,
  content: { source: string | null; message: string | null },
): string {
  const entity = record.entity;
  return (
    `{"arrival":${arrival},"hub":${quoted(record.hub)},"dialect":${quoted(dialect)}` +
    `,"seq":${record.seq},"received_at":${numberJson(record.receivedAt)},"time":${numberJson(record.time)}` +
    `,"event":${quoted(record.event)},"id":${nullableString(record.id)},"level":${quoted(record.level)}` +
    `,"source":${nullableQuoted(content.source)}` +
    `,"entity_type":${entity === null ? 'null' : quoted(entity.type)}` +
    `,"entity_id":${entity === null ? 'null' : nullableQuoted(entity.id)}` +
    `,"message":${nullableString(content.message)},"malformed":${record.malformed}` +
    `,"gap":${record.gap === true},"data":`
  );
}

/** A journal line after its payload. */
function journalTail(record: EngineEvent): string {
  return record.replayFingerprint === undefined ? '}\n' : `,"replay_fp":${record.replayFingerprint}}\n`;
}

/** The payload of a record as journal JSON: its text on one line, or its value serialised. */
export function journalPayload(record: EngineEvent): string {
  return record.raw === null ? stringifyJson(record.data) : payloadOnOneLine(record);
}

interface OpenJournal {
  name: string;
  handle: FileHandle;
  openedAt: number;
  first: number;
  last: number;
  rows: number;
  bytes: number;
  /**
   * A failed write may have left part of its text in this file (lines that are also still
   * waiting to be written): the size to cut it back to before it is appended to or closed.
   */
  tornAt: number | null;
}

export class JournalWriter {
  /** Encoded lines not written yet (kept while writing fails), oldest first; the last is being filled. */
  private chunks: Chunk[] = [];
  private unwrittenLines = 0;
  private file: OpenJournal | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private failing: string | null = null;
  private closed = false;
  private readonly flushMs: number;
  private readonly rotateRows: number;
  private readonly rotateMs: number;
  private readonly maxPending: number;
  private readonly chunkLines: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  private lastFailureAt = 0;

  constructor(private readonly options: JournalOptions) {
    this.flushMs = options.flushMs ?? 100;
    this.rotateRows = options.rotateRows ?? 50_000;
    this.rotateMs = options.rotateMs ?? 10_000;
    this.maxPending = options.maxPending ?? 500_000;
    // Overflow drops whole chunks: small enough that what is kept stays close to the bound.
    this.chunkLines = Math.max(1, Math.min(4096, Math.floor(this.maxPending / 4)));
    this.retryMs = options.retryMs ?? 2_000;
    this.now = options.now ?? (() => Date.now());
  }

  /** The error writing fails with, or null. */
  get error(): string | null {
    return this.failing;
  }

  /** Bytes in the journal file open now. */
  get openBytes(): number {
    return this.file?.bytes ?? 0;
  }

  /** Records taken and not written yet. */
  get backlog(): number {
    return this.unwrittenLines;
  }

  /** Hot path: encodes the record's line now; it is written with the next batch. */
  append(record: EngineEvent, arrival: number, dialect: string): void {
    if (this.closed) return;
    const content = this.options.redactContent(record);
    // Written in three pieces, not joined first: joining made a new string per line that
    // encoding had to flatten again (measured 2.3 µs a line joined, 1.1 µs in pieces).
    const head = journalHead(arrival, dialect, record, content);
    const tail = journalTail(record);
    const length = head.length + content.data.length + tail.length;
    let chunk = this.chunks[this.chunks.length - 1];
    // A UTF-8 byte count bound without counting: at most 3 bytes per UTF-16 unit.
    if (
      chunk === undefined ||
      chunk.lines >= this.chunkLines ||
      chunk.buffer.length - chunk.used < length * 3
    ) {
      chunk = {
        buffer: Buffer.allocUnsafe(Math.max(CHUNK_BYTES, length * 3)),
        used: 0,
        lines: 0,
        firstArrival: arrival,
        lastArrival: arrival,
      };
      this.chunks.push(chunk);
    }
    chunk.used += chunk.buffer.write(head, chunk.used, 'utf8');
    chunk.used += chunk.buffer.write(content.data, chunk.used, 'utf8');
    chunk.used += chunk.buffer.write(tail, chunk.used, 'utf8');
    chunk.lines++;
    chunk.lastArrival = arrival;
    this.unwrittenLines++;
    if (this.failing !== null && this.unwrittenLines > this.maxPending) this.dropOverflow();
    if (this.timer === null && this.writing === null) this.schedule(this.flushMs);
  }

  /** Writes everything taken so far; resolves when it is on disk or writing failed. */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
    if (this.unwrittenLines === 0) return;
    this.clearTimer();
    await this.runWrite();
  }

  /** Writes what is pending, closes the open journal (reported as closed, to be sealed). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.clearTimer();
    await this.settled();
    await this.rotate();
  }

  /** Closes the open journal now (e.g. so a query or an export sees a sealed history). */
  async rotateNow(): Promise<void> {
    await this.flush();
    await this.settled();
    await this.rotate();
  }

  /** Waits out a write another caller started meanwhile (a file is never closed under a write). */
  private async settled(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runWrite();
    }, ms);
    this.timer.unref();
  }

  private runWrite(): Promise<void> {
    if (this.writing) return this.writing;
    this.writing = this.write().finally(() => {
      this.writing = null;
      if (!this.closed && this.unwrittenLines > 0) this.schedule(this.failing ? this.retryMs : this.flushMs);
      else if (!this.closed && this.file && this.file.rows > 0) this.schedule(this.rotateMs);
    });
    return this.writing;
  }

  /** Appends every encoded line to the open journal, in one vectored write. */
  private async write(): Promise<void> {
    // The bound is for lines piling up while writing fails; while it works, nothing is dropped.
    if (this.failing !== null) this.dropOverflow();
    if (this.unwrittenLines === 0) {
      await this.rotateIfDue();
      return;
    }
    if (this.failing !== null && this.now() - this.lastFailureAt < this.retryMs) return;
    try {
      const file = await this.openFile(this.chunks[0]!.firstArrival);
      // Never append after a torn write: the file must end with a whole line first.
      await this.cutBack(file);
      // Appends during the write go into fresh chunks: these are final.
      const chunks = this.chunks;
      this.chunks = [];
      const buffers = chunks.map((chunk) => chunk.buffer.subarray(0, chunk.used));
      const bytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
      const lines = chunks.reduce((sum, chunk) => sum + chunk.lines, 0);
      const before = file.bytes;
      try {
        let written = 0;
        while (written < bytes) {
          const { bytesWritten } = await file.handle.writev(
            written === 0 ? buffers : remainder(buffers, written),
          );
          written += bytesWritten;
        }
      } catch (error) {
        file.tornAt = before;
        this.chunks = [...chunks, ...this.chunks];
        throw error;
      }
      file.bytes += bytes;
      file.rows += lines;
      file.last = chunks[chunks.length - 1]!.lastArrival;
      this.unwrittenLines -= lines;
      if (this.failing !== null) {
        this.failing = null;
        this.options.listener.health(null);
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    await this.rotateIfDue();
  }

  private fail(error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOSPC'
        ? 'the disk is full'
        : code === 'EROFS'
          ? 'the folder is read-only'
          : code === 'EACCES' || code === 'EPERM'
            ? 'no permission to write there'
            : ((error as Error).message ?? String(error));
    this.lastFailureAt = this.now();
    const message = `history: cannot write to ${this.options.dir}: ${reason}; events are kept in memory and writing is retried`;
    if (this.failing !== message) {
      this.failing = message;
      this.options.listener.health(message);
    }
  }

  /**
   * While writing fails, memory stays bounded: the oldest waiting chunks go, reported per
   * hub, as long as at least `maxPending` lines stay (so at most a chunk's worth more).
   */
  private dropOverflow(): void {
    const perHub = new Map<string, { count: number; from: number; to: number }>();
    // Whole chunks, never the one being filled; the oldest first.
    while (this.chunks.length > 1 && this.unwrittenLines - this.chunks[0]!.lines >= this.maxPending) {
      const chunk = this.chunks.shift()!;
      this.unwrittenLines -= chunk.lines;
      // Rare (writing has failed for long): each line says whose it was.
      for (const line of chunk.buffer.toString('utf8', 0, chunk.used).split('\n')) {
        if (line.length === 0) continue;
        const { hub, seq } = JSON.parse(line) as { hub: string; seq: number };
        const entry = perHub.get(hub);
        if (entry) {
          entry.count++;
          entry.to = seq;
        } else perHub.set(hub, { count: 1, from: seq, to: seq });
      }
    }
    for (const [hub, { count, from, to }] of perHub) this.options.listener.lost(hub, count, from, to);
  }

  private async openFile(arrival: number): Promise<OpenJournal> {
    if (this.file) return this.file;
    const name = journalFileName(arrival);
    const handle = await (this.options.openFile ?? open)(join(this.options.dir, name), 'a', 0o600);
    const { size } = await handle.stat();
    this.file = {
      name,
      handle,
      openedAt: this.now(),
      first: arrival,
      last: arrival,
      rows: 0,
      bytes: size,
      tornAt: null,
    };
    this.options.listener.opened(name);
    return this.file;
  }

  private async rotateIfDue(): Promise<void> {
    const file = this.file;
    if (!file || file.rows === 0) return;
    if (file.rows >= this.rotateRows || this.now() - file.openedAt >= this.rotateMs) await this.rotate();
  }

  /** Cuts a file back to its last whole line written (a no-op unless a write tore). */
  private async cutBack(file: OpenJournal): Promise<void> {
    if (file.tornAt === null) return;
    await file.handle.truncate(file.tornAt);
    file.bytes = file.tornAt;
    file.tornAt = null;
  }

  private async rotate(): Promise<void> {
    const file = this.file;
    if (!file) return;
    // Taken at once: two rotations at a time must not both close (and report) one file.
    this.file = null;
    try {
      // A closed journal is sealed as it is: the lines of a torn write, still waiting to be
      // written (to the next journal), must not be sealed from this one as well.
      await this.cutBack(file);
    } catch (error) {
      if (!this.closed && this.file === null) {
        // Kept open: the next write cuts it back, or fails and retries.
        this.file = file;
        this.fail(error);
        return;
      }
      // Closing for good: what waits is not written anyway; the next start keeps the whole lines.
    }
    try {
      await file.handle.close();
    } catch {
      // Closing an fd that failed to write: the lines it took are on disk or were re-queued.
    }
    if (file.rows > 0)
      this.options.listener.closed({
        file: file.name,
        firstArrival: file.first,
        lastArrival: file.last,
        rows: file.rows,
      });
  }
}

/** The buffers past the first `skip` bytes (what a short write left). */
function remainder(buffers: Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (skip >= buffer.length) skip -= buffer.length;
    else {
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
  }
  return rest;
}

/** The arrival number a journal line starts with (`{"arrival":N,…`). */
export function arrivalOf(line: string): number {
  const end = line.indexOf(',', 11);
  return Number(line.slice(11, end));
}
