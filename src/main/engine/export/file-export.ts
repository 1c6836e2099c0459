/**
 * Writing records to files and streams. File exports stream into a temporary file beside
 * the target and rename it into place only when complete, so an interrupted export
 * (error, cancel, crash) never leaves a half-written file under the chosen name.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { EngineEvent } from '../event-record';
import { ChunkedWriter, DEFAULT_CHUNK_SIZE } from './chunked-writer';
import { FormatWorkerPool, defaultWorkerCount } from './format-pool';
import { formatterFor, type ExportFormat, type FormatWriter } from './formats';
import { packBatch, packedLength, unpackBatch, type PackedBatch } from './packed-batch';
import type { Redactor } from '../redaction';

/** What to export where. */
export interface ExportToFileOptions {
  /** The file to create (replaced if it exists, only once the export is complete). */
  path: string;
  /**
   * A format's id, or a writer of the caller's own (formatted on this thread: the format
   * workers know only the formats by id).
   */
  format: ExportFormat | FormatWriter;
  /**
   * The records, in batches read one at a time: lists of records (e.g. `store.iterate`),
   * or the store's events packed for the format workers (`packedBatches`, store-batches.ts).
   */
  batches: AsyncIterable<readonly EngineEvent[] | PackedBatch>;
  /** Redacts each record's content fields; its setup travels to the format workers. */
  redact: Redactor;
  /** Cancels the export: the temporary file is removed and the promise rejects. */
  signal?: AbortSignal;
  /**
   * Called after each batch with the events written so far, and how many the store evicted
   * before the export could write them (each hole has a gap marker in the file).
   */
  onProgress?: (written: number, evicted: number) => void;
  /**
   * The format worker script of this build (`bundledExportWorker`): from the second batch
   * on, batches are formatted on worker threads. Without it everything formats here.
   */
  worker?: URL | null;
  /** Format workers to start (default: one per core, at most four). */
  workerCount?: number;
}

/** A finished export. */
export interface ExportResult {
  /** Events written (the export's own gap markers not counted). */
  count: number;
  /**
   * Events the store evicted (its retention limit) before the export could write them; the
   * file has a gap marker at each place they are missing (see `exportGapMarker`).
   */
  evicted: number;
  /** Bytes in the file. */
  bytes: number;
  /** The file written (the requested path). */
  path: string;
}

/** Bytes a file export may hand the disk ahead of what it has written (a few batches of lines). */
const WRITE_AHEAD = 16 * 1024 * 1024;

function isPacked(batch: readonly EngineEvent[] | PackedBatch): batch is PackedBatch {
  return !Array.isArray(batch);
}

/**
 * What to write before the next `lines` lines of a file, one line or a formatted batch of
 * them: the format's separator, unless they are the file's first (or there are none).
 */
function separatorBefore(separator: string): (lines: number) => string {
  let linesSoFar = 0;
  return (lines) => {
    if (lines === 0) return '';
    const before = linesSoFar > 0 ? separator : '';
    linesSoFar += lines;
    return before;
  };
}

/** A hidden temporary name beside the target: same directory, so the final rename is atomic. */
function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
}

/**
 * Streams records into `path` with constant memory: lines are written in chunks of about
 * 64 KiB, waiting whenever the disk falls behind. The data goes to a temporary file in the
 * same directory that is flushed to disk and renamed to `path` when everything is written;
 * on any error or abort the temporary file is removed and the promise rejects.
 */
export async function exportToFile(options: ExportToFileOptions): Promise<ExportResult> {
  const { path, format, batches, redact, signal, onProgress } = options;
  signal?.throwIfAborted();
  const temporaryPath = temporaryPathFor(path);
  // `wx`: never clobber an existing file by a name collision; `flush`: fsync before close,
  // so the renamed file is complete on disk even after a power cut. The high-water mark lets
  // the disk write one batch while the next is formatted: with the default 16 KiB every batch
  // waited for the disk to take all of it, and the two never overlapped.
  const stream = createWriteStream(temporaryPath, { flags: 'wx', flush: true, highWaterMark: WRITE_AHEAD });
  // Errors are read from `stream.errored`; without a listener an 'error' event would crash the process.
  stream.on('error', () => undefined);
  const writer = new ChunkedWriter(stream, DEFAULT_CHUNK_SIZE);
  const formatter = formatterFor(format, redact);
  // Gap markers are lines too: each needs its separator.
  const separatorFor = separatorBefore(formatter.separator);
  const workerCount = Math.max(1, options.workerCount ?? defaultWorkerCount());
  // Batches handed to workers and not yet written, oldest first, with their event and line counts.
  const inFlight: { bytes: Promise<Uint8Array>; count: number; evicted: number; lines: number }[] = [];
  let pool: FormatWorkerPool | null = null;
  let batchesSeen = 0;
  let count = 0;
  let evicted = 0;
  let written = 0;
  let writtenEvicted = 0;
  let reported = 0;
  const report = () => {
    if (written + writtenEvicted === reported) return;
    reported = written + writtenEvicted;
    onProgress?.(written, writtenEvicted);
  };
  const writeOldest = async () => {
    const oldest = inFlight.shift()!;
    const bytes = await oldest.bytes;
    // A worker separates the lines of its batch; between batches is this thread's to do.
    writer.append(separatorFor(oldest.lines));
    writer.appendBytes(bytes);
    written += oldest.count;
    writtenEvicted += oldest.evicted;
    if (writer.needsDrain) await writer.drain(signal);
  };
  try {
    writer.append(formatter.header);
    for await (const batch of batches) {
      signal?.throwIfAborted();
      if (stream.errored) throw stream.errored;
      // The first batch formats here: an export of a few thousand records never waits for a worker to start.
      if (pool === null && batchesSeen > 0 && options.worker && typeof format === 'string')
        pool = new FormatWorkerPool(
          options.worker,
          { format, secretValues: redact.secretValues, scrub: redact.scrub },
          workerCount,
        );
      batchesSeen++;
      // A packed batch from the store may hold gap markers for events evicted before the walk
      // got to them: lines in the file, but not events.
      const batchLines = isPacked(batch) ? packedLength(batch) : batch.length;
      const events = isPacked(batch) ? batchLines - batch.markers : batchLines;
      const lost = isPacked(batch) ? batch.evicted : 0;
      count += events;
      evicted += lost;
      if (pool === null) {
        for (const event of isPacked(batch) ? unpackBatch(batch) : batch) {
          writer.append(separatorFor(1));
          writer.append(formatter.line(event));
        }
        written = count;
        writtenEvicted = evicted;
        if (writer.needsDrain) await writer.drain(signal);
      } else {
        const bytes = pool.format(isPacked(batch) ? batch : packBatch(batch));
        // Awaited in order below; until then a failure must not count as unhandled.
        bytes.catch(() => undefined);
        inFlight.push({ bytes, count: events, evicted: lost, lines: batchLines });
        // Two batches per worker keep each busy while the oldest is written.
        while (inFlight.length >= workerCount * 2) await writeOldest();
      }
      report();
    }
    while (inFlight.length > 0) {
      signal?.throwIfAborted();
      await writeOldest();
    }
    report();
    signal?.throwIfAborted();
    writer.append(formatter.footer);
    await writer.flush(signal);
    stream.end();
    await finished(stream);
    signal?.throwIfAborted();
    await rename(temporaryPath, path);
    return { count, evicted, bytes: writer.bytes, path };
  } catch (error) {
    stream.destroy();
    await finished(stream).catch(() => undefined);
    await rm(temporaryPath, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    await pool?.close();
  }
}

/** Writes records to an open stream as they arrive (see `createLineSink`). */
export interface LineSink {
  /**
   * Formats and buffers records; full chunks are written at once, the rest within
   * `flushIntervalMs`. Returns `false` when the output is backed up: await `drained()`
   * before writing more if you can.
   */
  write(events: Iterable<EngineEvent>): boolean;
  /** Resolves when the output has taken what it was given (at once when it is not backed up). */
  drained(): Promise<void>;
  /** Writes everything buffered and waits until the output has taken it. */
  flush(): Promise<void>;
  /**
   * Writes the format's footer (once) and everything buffered, and waits until the output
   * has taken it, leaving the stream open: call before exit when writing to stdout.
   */
  finish(): Promise<void>;
  /** Finishes, ends the stream and waits until it has finished (for files, not stdout). */
  end(): Promise<void>;
  /** Records written or buffered. */
  readonly count: number;
  /** UTF-8 bytes handed to the stream. */
  readonly bytes: number;
}

/** Options of `createLineSink`. */
export interface LineSinkOptions {
  /** Longest a written record waits in the buffer, so live output stays live (default 100 ms). */
  flushIntervalMs?: number;
  /** Characters gathered before a write (default 64 KiB). */
  chunkSize?: number;
}

/**
 * A sink that writes records to `stream` in `format` as they arrive — what `hubwatch
 * capture` writes to stdout or `--out`. Same formatters, redaction and chunking as file
 * exports; the header (CSV) is written at once, the footer by `finish()` (stdout) or
 * `end()` (a file), one of which to call before exiting.
 */
export function createLineSink(
  stream: Writable,
  format: ExportFormat | FormatWriter,
  redact: Redactor,
  options: LineSinkOptions = {},
): LineSink {
  const flushIntervalMs = options.flushIntervalMs ?? 100;
  const writer = new ChunkedWriter(stream, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const formatter = formatterFor(format, redact);
  const separatorFor = separatorBefore(formatter.separator);
  let count = 0;
  let footerWritten = false;
  let timer: NodeJS.Timeout | null = null;

  const writeNow = () => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    writer.writeBuffer();
  };

  if (formatter.header.length > 0) {
    writer.append(formatter.header);
    writeNow();
  }

  const flush = async () => {
    writeNow();
    await writer.drain();
  };
  const finish = async () => {
    if (!footerWritten) writer.append(formatter.footer);
    footerWritten = true;
    await flush();
  };

  return {
    write(events) {
      for (const event of events) {
        writer.append(separatorFor(1));
        writer.append(formatter.line(event));
        count++;
      }
      if (writer.buffered > 0 && timer === null) {
        timer = setTimeout(writeNow, flushIntervalMs);
        // A pending flush must not keep a finished capture alive; exit paths call finish() or end().
        timer.unref();
      }
      return !writer.needsDrain;
    },
    drained: () => writer.drain(),
    flush,
    finish,
    async end() {
      await finish();
      stream.end();
      await finished(stream);
      writer.throwIfFailed();
    },
    get count() {
      return count;
    },
    get bytes() {
      return writer.bytes;
    },
  };
}
