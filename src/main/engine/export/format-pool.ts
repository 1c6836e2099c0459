/**
 * Export formatting on worker threads. Formatting a record (quoting, minifying, redaction,
 * UTF-8) costs several times what reading it from the store does, so a large export hands
 * packed batches to a few workers and only writes their bytes, in order: the main thread
 * stays free for ingest and the UI, and the export uses every core.
 *
 * The worker script is a separate entry of each build (`export-worker.js` beside the
 * entry file); `bundledExportWorker` finds it. Without one, exports format on the main
 * thread exactly as the workers do.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExportFormat, LineFormatter } from './formats';
import { unpackBatch, type PackedBatch } from './packed-batch';

/** What a format worker is started with. */
export interface FormatWorkerSetup {
  format: ExportFormat;
  /** Known secret values for the redactor (see `createRedactor`). */
  secretValues: readonly string[];
  /** Whether the redactor scrubs payloads too (see `RedactionSetup`). */
  scrub: boolean;
}

/** A batch to format. */
export interface FormatRequest {
  id: number;
  batch: PackedBatch;
}

/** The formatted batch as UTF-8, or why it could not be formatted. */
export type FormatReply = { id: number; bytes: Uint8Array } | { id: number; error: string };

/** Young generation of each worker, in MB (see the constructor). */
const WORKER_YOUNG_GENERATION_MB = 32;

/** Workers an export starts at most: formatting scales with cores, the disk does not. */
const MAX_WORKERS = 4;

/** Workers for this machine: one per core, at least one, at most `MAX_WORKERS`. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(MAX_WORKERS, availableParallelism()));
}

/**
 * The export worker built beside an entry file (`import.meta.url` of the entry): every
 * build (Electron main, the `hubwatch` command, the benchmarks) emits `export-worker.js`
 * as an entry of its own next to the entry that starts it. Null when that build has none
 * (running from sources, as the unit tests do).
 */
export function bundledExportWorker(entryUrl: string): URL | null {
  const url = new URL('./export-worker.js', entryUrl);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}

/**
 * The lines of a packed batch in one format, as UTF-8 (what a worker does with a batch), with
 * the format's separator between them; the one before the batch is the export's to write.
 */
export function formatPackedBatch(batch: PackedBatch, formatter: LineFormatter): Uint8Array {
  let text = '';
  let first = true;
  for (const event of unpackBatch(batch)) {
    if (!first) text += formatter.separator;
    first = false;
    text += formatter.line(event);
  }
  // TextEncoder gives the bytes their own buffer, so they can be transferred, not copied.
  return new TextEncoder().encode(text);
}

interface Pending {
  resolve(bytes: Uint8Array): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * A few format workers for one export. `format` hands batches out in turn and resolves
 * with each batch's bytes; a worker that fails rejects what it held and every later batch,
 * so the export stops with the reason instead of writing a file with a hole in it.
 */
export class FormatWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private nextWorker = 0;
  private nextId = 1;
  private failure: Error | null = null;
  private closed = false;

  constructor(script: URL, setup: FormatWorkerSetup, size: number = defaultWorkerCount()) {
    for (let i = 0; i < Math.max(1, size); i++) {
      // A worker allocates fast and keeps nothing: left alone, V8 grew each one's young
      // generation to 128 MB (+400 MB resident for an export); 32 MB formats as fast.
      const worker = new Worker(script, {
        workerData: setup,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
      const entry: PoolWorker = { worker, pending: new Map() };
      worker.on('message', (reply: FormatReply) => {
        const pending = entry.pending.get(reply.id);
        if (!pending) return;
        entry.pending.delete(reply.id);
        if ('bytes' in reply) pending.resolve(reply.bytes);
        else pending.reject(new Error(`formatting the export failed: ${reply.error}`));
      });
      worker.on('error', (error: unknown) =>
        this.fail(
          entry,
          `the export's format worker failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(entry, `the export's format worker stopped (exit code ${code})`);
      });
      this.workers.push(entry);
    }
  }

  /** Formats a batch on the next worker. The batch's typed arrays are moved to it (unusable here after). */
  format(batch: PackedBatch): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('the export has finished'));
    const entry = this.workers[this.nextWorker]!;
    this.nextWorker = (this.nextWorker + 1) % this.workers.length;
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      entry.pending.set(id, { resolve, reject });
      const request: FormatRequest = { id, batch };
      entry.worker.postMessage(request, [batch.refs.buffer, batch.numbers.buffer, batch.payloadKinds.buffer]);
    });
  }

  /** Stops every worker; batches still being formatted are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopped = new Error('the export stopped');
    for (const entry of this.workers) {
      for (const pending of entry.pending.values()) pending.reject(stopped);
      entry.pending.clear();
    }
    await Promise.all(this.workers.map((entry) => entry.worker.terminate()));
  }

  private fail(entry: PoolWorker, message: string): void {
    const error = new Error(message);
    this.failure ??= error;
    for (const pending of entry.pending.values()) pending.reject(error);
    entry.pending.clear();
  }
}
