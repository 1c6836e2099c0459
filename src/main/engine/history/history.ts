/**
 * The persistent history: every record the engine ingests, on disk in a data folder, across
 * restarts and crashes. Records are appended to a journal as they arrive (journal.ts) and
 * sealed in the background into compressed Parquet segments that DuckDB, embedded in
 * process, queries (history-queries.ts); old segments are deleted by age and total size.
 * See docs/history.md for the choice of engine, the layout and the schema.
 *
 * A history never takes the app down: a folder that cannot be written leaves live watching
 * in memory with a persistent notice, a file that cannot be read is moved aside and the
 * history goes on without it.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { cpus, totalmem } from 'node:os';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryStatus } from '../../../shared/api';
import type { FilterSpec } from '../../../shared/filter';
import type { EngineEvent } from '../event-record';
import type { Redactor } from '../redaction';
import {
  EMPTY_MANIFEST,
  HistoryPaths,
  acquireLock,
  copyAside,
  ensureFolders,
  listJournals,
  listSegmentFiles,
  moveAside,
  readManifest,
  sizeOf,
  writeManifest,
  type Manifest,
  type SegmentInfo,
} from './history-files';
import { HistoryQueries, type HistoryEvent, type HistorySnapshot, type HubEnd } from './history-queries';
import { SEGMENT_COPY_OPTIONS, journalRelation, segmentRelation, sqlString } from './history-schema';
import { JournalWriter, journalPayload, type ClosedJournal } from './journal';

export { HistoryFolderError, HistoryLockedError } from './history-files';
export type { Histogram, HubEnd, QueryControl } from './history-queries';
export { HistoryEvent } from './history-queries';

/** Defaults: a week, 2 GB. */
export const DEFAULT_HISTORY_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_HISTORY_MAX_BYTES = 2 * 1024 ** 3;

/** Appends per second above which closed journals wait to be sealed, how many may wait, and for how long. */
const SEAL_BUSY_RATE = 5_000;
const SEAL_WAIT_MAX = 40;
const SEAL_WAIT_MS = 60_000;

/** Segments below this many records are merged with their neighbours. */
const COMPACT_TARGET_ROWS = 1_000_000;
/** A merged segment spans at most this much receive time, so retention can drop it whole soon enough. */
const COMPACT_MAX_SPAN_MS = 60 * 60 * 1000;

export interface HistoryOptions {
  /** The history folder (e.g. `<data>/history`). */
  dir: string;
  maxAgeMs?: number;
  maxBytes?: number;
  now?: () => number;
  /** Something the operator should read: a moved-aside file, writing failing or working again. */
  onNotice?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Records that could not be kept while writing failed: the engine marks the hole. */
  onLost?: (hub: string, count: number, fromSeq: number, toSeq: number) => void;
  /** Journal tuning (tests shorten it). */
  journal?: {
    flushMs?: number;
    rotateRows?: number;
    rotateMs?: number;
    maxPending?: number;
    retryMs?: number;
  };
  /** How often retention and compaction run (ms). */
  maintenanceMs?: number;
  /** DuckDB worker threads (default: every core). */
  threads?: number;
  /** Opens journal files (tests inject write failures). */
  openFile?: typeof open;
}

/** The history's in-process database: one per process, threads shared by every query. */
async function openDatabase(temp: string, threads?: number): Promise<DuckDBInstance> {
  await mkdir(temp, { recursive: true, mode: 0o700 });
  const memory = Math.max(256, Math.min(2048, Math.floor(totalmem() / 1024 / 1024 / 4)));
  return DuckDBInstance.create(':memory:', {
    threads: String(threads ?? Math.max(1, cpus().length)),
    memory_limit: `${memory}MB`,
    temp_directory: temp,
    // Results in arrival order stay in order through scans of many files.
    preserve_insertion_order: 'true',
  });
}

/** Per-hub ranges and counts of a segment file, read from the file itself. */
async function describeSegment(
  connection: DuckDBConnection,
  path: string,
  file: string,
): Promise<SegmentInfo> {
  const reader = await connection.runAndReadAll(
    `SELECT hub, count(*)::DOUBLE, min(seq)::DOUBLE, max(seq)::DOUBLE, min(arrival)::DOUBLE, max(arrival)::DOUBLE,` +
      ` min(received_at), max(received_at) FROM ${segmentRelation([path])} GROUP BY hub`,
  );
  const info: SegmentInfo = {
    file,
    firstArrival: Infinity,
    lastArrival: -Infinity,
    rows: 0,
    bytes: await sizeOf(path),
    firstReceivedAt: Infinity,
    lastReceivedAt: -Infinity,
    hubs: {},
  };
  for (const [hub, rows, minSeq, maxSeq, minArrival, maxArrival, minAt, maxAt] of reader.getRows()) {
    info.hubs[String(hub)] = { rows: Number(rows), minSeq: Number(minSeq), maxSeq: Number(maxSeq) };
    info.rows += Number(rows);
    info.firstArrival = Math.min(info.firstArrival, Number(minArrival));
    info.lastArrival = Math.max(info.lastArrival, Number(maxArrival));
    if (typeof minAt === 'number') info.firstReceivedAt = Math.min(info.firstReceivedAt, minAt);
    if (typeof maxAt === 'number') info.lastReceivedAt = Math.max(info.lastReceivedAt, maxAt);
  }
  return info;
}

function segmentName(first: number, last: number): string {
  return `segment-${String(first).padStart(16, '0')}-${String(last).padStart(16, '0')}.parquet`;
}

/** Makes a journal end with a whole line (a write cut short by a crash leaves part of one). */
async function repairTail(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const tail = Buffer.alloc(Math.min(size, 1 << 20));
    let end = size;
    // Look back for the last newline, a megabyte at a time.
    while (end > 0) {
      const start = Math.max(0, end - tail.length);
      const { bytesRead } = await handle.read(tail, 0, end - start, start);
      const at = tail.subarray(0, bytesRead).lastIndexOf(10);
      if (at !== -1) {
        const keep = start + at + 1;
        if (keep !== size) await handle.truncate(keep);
        return;
      }
      end = start;
    }
    await handle.truncate(0);
  } finally {
    await handle.close();
  }
}

/** Shared by the writer and read-only histories: queries over a snapshot of the files. */
abstract class HistoryBase {
  readonly queries: HistoryQueries;

  protected constructor(
    readonly paths: HistoryPaths,
    protected readonly db: DuckDBInstance,
  ) {
    this.queries = new HistoryQueries(
      db,
      () => this.snapshot(),
      (file, error) => this.unreadable(file, error),
    );
  }

  protected abstract snapshot(): Promise<HistorySnapshot>;
  protected abstract unreadable(file: string, error: unknown): Promise<void>;
}

/** A history opened by another process's writer: reads only, takes no lock, changes nothing. */
export class HistoryReader extends HistoryBase {
  private readonly skipped = new Set<string>();

  private constructor(paths: HistoryPaths, db: DuckDBInstance) {
    super(paths, db);
  }

  /** Opens `dir` for reading; throws a clear error when it holds no history. */
  static async open(dir: string, options: { threads?: number } = {}): Promise<HistoryReader> {
    const paths = new HistoryPaths(dir);
    const manifest = await readManifest(paths);
    const journals = await listJournals(paths);
    if (manifest === null && journals.length === 0) throw new Error(`${dir} holds no Hubwatch history`);
    return new HistoryReader(paths, await openDatabase(join(paths.root, 'tmp'), options.threads));
  }

  protected async snapshot(): Promise<HistorySnapshot> {
    // Journals before the manifest: a journal sealed in between is then either skipped as
    // sealed or gone when read (the query retries) — never missing from both lists.
    const present = await listJournals(this.paths);
    const manifest = (await readManifest(this.paths)) ?? EMPTY_MANIFEST;
    const sealed = new Set(manifest.sealedJournals);
    const journals = present
      .filter((name) => !sealed.has(name))
      .map((name) => this.paths.journal(name))
      .filter((path) => !this.skipped.has(path));
    return {
      segments: manifest.segments.filter((s) => !this.skipped.has(this.paths.segment(s.file))),
      segmentPath: (name) => this.paths.segment(name),
      journals,
    };
  }

  protected async unreadable(file: string, error: unknown): Promise<void> {
    process.stderr.write(`hubwatch: history: skipping ${file}: ${(error as Error).message.split('\n')[0]}\n`);
    this.skipped.add(file);
    return Promise.resolve();
  }

  /** Bytes of the history's segments and journals on disk. */
  async diskBytes(): Promise<number> {
    const snap = await this.snapshot();
    const files = [...snap.segments.map((s) => snap.segmentPath(s.file)), ...snap.journals];
    let total = 0;
    for (const file of files) total += await sizeOf(file);
    return total;
  }

  close(): void {
    this.db.closeSync();
  }
}

/** The history a process writes (it holds the folder's lock). */
export class History extends HistoryBase {
  private manifest: Manifest;
  /** Journal files that are part of the history and not sealed yet (the open one included). */
  private readonly journals = new Set<string>();
  private readonly writer: JournalWriter;
  private readonly ends: Map<string, HubEnd>;
  private redactor: (() => Redactor) | null = null;
  private lostHandler: ((hub: string, count: number, fromSeq: number, toSeq: number) => void) | null = null;
  private chain: Promise<void> = Promise.resolve();
  private maintenance: DuckDBConnection | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private failing: string | null = null;
  private readonly maxAgeMs: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  /** Rows appended to journals not sealed yet, and their bytes (for the status and the size limit). */
  private journalRows = 0;
  /** Closed journals not sealed yet (see `sealLater`), and the append rate that decides it. */
  private waitingSeals: { journal: ClosedJournal; since: number }[] = [];
  private sealTimer: NodeJS.Timeout | null = null;
  private appended = 0;
  private appendedAtRate = 0;
  private rateSince = performance.now();
  private journalBytes = 0;
  /** Receive times of the records appended since the journals were last empty (for the status). */
  private journalFirstAt = Infinity;
  private journalLastAt = -Infinity;

  private constructor(
    paths: HistoryPaths,
    db: DuckDBInstance,
    private readonly releaseLock: () => void,
    manifest: Manifest,
    ends: Map<string, HubEnd>,
    private readonly options: HistoryOptions,
  ) {
    super(paths, db);
    this.manifest = manifest;
    this.ends = ends;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_HISTORY_MAX_AGE_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_HISTORY_MAX_BYTES;
    this.now = options.now ?? (() => Date.now());
    this.writer = new JournalWriter({
      dir: paths.journalDir,
      ...options.journal,
      now: this.now,
      openFile: options.openFile,
      redactContent: (record) => this.content(record),
      listener: {
        opened: (name) => this.journals.add(name),
        closed: (journal) => this.sealLater(journal),
        health: (error) => this.health(error),
        lost: (hub, count, from, to) => {
          options.onLost?.(hub, count, from, to);
          this.lostHandler?.(hub, count, from, to);
        },
      },
    });
    this.timer = setInterval(() => void this.enqueue(() => this.maintain()), options.maintenanceMs ?? 60_000);
    this.timer.unref();
  }

  /**
   * Opens (or creates) the history in `options.dir` and recovers what a crash left: a
   * journal cut short is cut back to its last whole line, journals not sealed are sealed,
   * files that cannot be read are moved aside (with a notice) and the rest goes on.
   * Throws `HistoryLockedError` when another process writes there, and the folder's own
   * error when it cannot be created or written.
   */
  static async open(options: HistoryOptions): Promise<History> {
    const paths = new HistoryPaths(options.dir);
    await ensureFolders(paths);
    const release = acquireLock(paths);
    const now = options.now ?? (() => Date.now());
    const notice = options.onNotice ?? (() => undefined);
    let db: DuckDBInstance | null = null;
    try {
      db = await openDatabase(paths.temp, options.threads);
      const connection = await db.connect();
      let manifest: Manifest;
      try {
        manifest = (await readManifest(paths)) ?? { ...EMPTY_MANIFEST, segments: [], sealedJournals: [] };
      } catch (error) {
        const aside = await moveAside(paths, paths.manifest, now());
        notice(
          'warn',
          `history: the segment list could not be read (${(error as Error).message}); moved to ${aside}, rebuilt from the files`,
        );
        manifest = { version: 1, segments: [], sealedJournals: [] };
        for (const file of await listSegmentFiles(paths)) {
          try {
            manifest.segments.push(await describeSegment(connection, paths.segment(file), file));
          } catch (readError) {
            const moved = await moveAside(paths, paths.segment(file), now());
            notice('warn', `history: ${file} could not be read (${firstLine(readError)}); moved to ${moved}`);
          }
        }
        manifest.segments.sort((a, b) => a.firstArrival - b.firstArrival);
      }
      const listed = new Set(manifest.segments.map((s) => s.file));
      // Unlisted files are half-done seals or merges: their inputs are still here.
      for (const file of await listSegmentFiles(paths))
        if (!listed.has(file)) await rm(paths.segment(file), { force: true });
      const kept: SegmentInfo[] = [];
      for (const segment of manifest.segments) {
        try {
          await connection.run(`SELECT count(*) FROM ${segmentRelation([paths.segment(segment.file)])}`);
          kept.push(segment);
        } catch (error) {
          if ((await sizeOf(paths.segment(segment.file))) === 0 && /No files found/.test(String(error))) {
            notice('warn', `history: ${segment.file} is missing; ${segment.rows} stored events are gone`);
            continue;
          }
          const moved = await moveAside(paths, paths.segment(segment.file), now());
          notice(
            'warn',
            `history: ${segment.file} could not be read (${firstLine(error)}); moved to ${moved}`,
          );
        }
      }
      manifest.segments = kept;
      const sealed = new Set(manifest.sealedJournals);
      const journals: string[] = [];
      for (const name of await listJournals(paths)) {
        if (sealed.has(name)) await rm(paths.journal(name), { force: true });
        else {
          await repairTail(paths.journal(name));
          journals.push(name);
        }
      }
      manifest.sealedJournals = [];
      await writeManifest(paths, manifest);
      const ends = new Map<string, HubEnd>();
      const probe = new HistoryQueries(
        db,
        () =>
          Promise.resolve({
            segments: manifest.segments,
            segmentPath: (name: string) => paths.segment(name),
            journals: journals.map((name) => paths.journal(name)),
          }),
        () => Promise.resolve(),
      );
      for (const [hub, end] of await probe.hubEnds()) ends.set(hub, end);
      connection.disconnectSync();
      const history = new History(paths, db, release, manifest, ends, options);
      for (const name of journals) {
        history.journals.add(name);
        void history.enqueue(() => history.seal(name, null));
      }
      return history;
    } catch (error) {
      db?.closeSync();
      release();
      throw error;
    }
  }

  /** Where each hub's stored records end: the engine continues seq after it and resumes from its id. */
  hubEnd(hub: string): HubEnd | undefined {
    return this.ends.get(hub);
  }

  /** The highest arrival number stored (the engine's arrival numbers continue after it). */
  get lastArrival(): number {
    let last = 0;
    for (const end of this.ends.values()) last = Math.max(last, end.lastArrival);
    for (const segment of this.manifest.segments) last = Math.max(last, segment.lastArrival);
    return last;
  }

  /** Known secret values are replaced before anything reaches the disk (the engine's redactor, current). */
  useRedactor(redactor: () => Redactor): void {
    this.redactor = redactor;
  }

  /** Records could not be kept while writing failed (the engine marks the hole with a gap marker). */
  onLost(handler: (hub: string, count: number, fromSeq: number, toSeq: number) => void): void {
    this.lostHandler = handler;
  }

  private content(record: EngineEvent): { source: string | null; message: string | null; data: string } {
    const data = journalPayload(record);
    if (this.redactor === null) return { source: record.source, message: record.message, data };
    const redactor = this.redactor();
    return {
      source: record.source === null ? null : redactor.secrets(record.source, record),
      message: record.message === null ? null : redactor.secrets(record.message, record),
      data: redactor.payloadJson(data, record),
    };
  }

  /** Hot path: keeps the record for the next journal write. */
  append(record: EngineEvent, arrival: number, dialect: string): void {
    this.writer.append(record, arrival, dialect);
    this.journalRows++;
    this.appended++;
    if (Number.isFinite(record.receivedAt)) {
      this.journalFirstAt = Math.min(this.journalFirstAt, record.receivedAt);
      this.journalLastAt = Math.max(this.journalLastAt, record.receivedAt);
    }
    // Kept current: a hub removed and added again in this run continues its seq too.
    let end = this.ends.get(record.hub);
    if (end === undefined) {
      end = {
        lastSeq: 0,
        lastId: null,
        lastArrival: 0,
        lastEvent: null,
        lastEntityId: null,
        recentIds: [],
        replayFingerprints: [],
      };
      this.ends.set(record.hub, end);
    }
    end.lastSeq = record.seq;
    end.lastArrival = arrival;
    if (record.gap !== true) {
      end.lastId = record.id;
      end.lastEvent = record.event;
    }
    if (record.entity !== null) end.lastEntityId = record.entity.id;
  }

  /** Writes what was appended; resolves once it is in the journal (or writing failed). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Writes, and seals the open journal, so queries read only segments (benchmarks, exports of everything). */
  async settle(): Promise<void> {
    await this.writer.rotateNow();
    this.sealWaiting(true);
    await this.enqueue(() => Promise.resolve());
  }

  /**
   * Sealing a journal (DuckDB reading its JSON, writing zstd Parquet) takes both cores for a
   * moment. Measured: sealing as soon as each journal closed cut capture with history to
   * under half the rate without it on this 2-core machine. While events pour in, closed
   * journals wait (queries read them as they are) until ingest calms down, SEAL_WAIT_MAX of
   * them wait, or the oldest has waited SEAL_WAIT_MS.
   */
  private sealLater(journal: ClosedJournal): void {
    this.waitingSeals.push({ journal, since: this.now() });
    this.sealWaiting(false);
  }

  private sealWaiting(force: boolean): void {
    const elapsed = performance.now() - this.rateSince;
    const rate = elapsed > 0 ? ((this.appended - this.appendedAtRate) * 1000) / elapsed : 0;
    if (elapsed >= 1000) {
      this.rateSince = performance.now();
      this.appendedAtRate = this.appended;
    }
    const busy = rate > SEAL_BUSY_RATE;
    while (this.waitingSeals.length > 0) {
      const first = this.waitingSeals[0]!;
      const due =
        force ||
        this.closing ||
        !busy ||
        this.waitingSeals.length > SEAL_WAIT_MAX ||
        this.now() - first.since >= SEAL_WAIT_MS;
      if (!due) break;
      this.waitingSeals.shift();
      void this.enqueue(() => this.seal(first.journal.file, first.journal));
    }
    if (this.waitingSeals.length > 0 && this.sealTimer === null && !this.closing) {
      this.sealTimer = setTimeout(() => {
        this.sealTimer = null;
        this.sealWaiting(false);
      }, 1000);
      this.sealTimer.unref();
    }
  }

  status(): HistoryStatus {
    const segments = this.manifest.segments;
    // Journals hold the newest records: the first is in a segment when there is one.
    const first = segments[0]?.firstReceivedAt ?? this.journalFirstAt;
    const last = Math.max(segments[segments.length - 1]?.lastReceivedAt ?? -Infinity, this.journalLastAt);
    return {
      dir: this.paths.root,
      state: this.failing === null ? 'ok' : 'failing',
      message: this.failing,
      // The open journal grows between maintenance passes (which measure every journal).
      bytes:
        segments.reduce((sum, s) => sum + s.bytes, 0) + Math.max(this.journalBytes, this.writer.openBytes),
      events: segments.reduce((sum, s) => sum + s.rows, 0) + this.journalRows,
      first: Number.isFinite(first) ? first : null,
      last: Number.isFinite(last) ? last : null,
      maxAgeMs: this.maxAgeMs,
      maxBytes: this.maxBytes,
      backlog: this.writer.backlog,
    };
  }

  /** Writes everything, stops background work and releases the folder. Journals left are sealed next time. */
  async close(): Promise<void> {
    if (this.closing) return;
    await this.writer.close();
    const unwritten = this.writer.backlog;
    if (unwritten > 0)
      // Nothing can mark the hole after this (the engine stops, the disk refuses): say it.
      this.options.onNotice?.(
        'error',
        `history: ${unwritten} events could not be written to ${this.paths.root} before closing (${this.failing ?? 'writing failed'}); they were shown live only`,
      );
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    if (this.sealTimer) clearTimeout(this.sealTimer);
    this.maintenance?.interrupt();
    await this.chain.catch(() => undefined);
    this.db.closeSync();
    this.releaseLock();
  }

  protected snapshot(): Promise<HistorySnapshot> {
    return Promise.resolve({
      segments: [...this.manifest.segments],
      segmentPath: (name) => this.paths.segment(name),
      journals: [...this.journals].sort().map((name) => this.paths.journal(name)),
    });
  }

  protected async unreadable(file: string, error: unknown): Promise<void> {
    const name = file.split('/').pop()!;
    const segment = this.manifest.segments.find((s) => s.file === name);
    if (segment === undefined && !this.journals.has(name)) return;
    try {
      const moved = await moveAside(this.paths, file, this.now());
      this.options.onNotice?.(
        'warn',
        `history: ${name} could not be read (${firstLine(error)}); moved to ${moved}`,
      );
    } catch {
      // It went away meanwhile.
    }
    if (segment) {
      this.manifest = { ...this.manifest, segments: this.manifest.segments.filter((s) => s !== segment) };
      await writeManifest(this.paths, this.manifest);
    }
    this.journals.delete(name);
  }

  private health(error: string | null): void {
    this.failing = error;
    if (error !== null) this.options.onNotice?.('error', error);
    else this.options.onNotice?.('info', `history: writing to ${this.paths.root} works again`);
  }

  /** Runs background work one step at a time (DuckDB writes never overlap). */
  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.closing) return;
      try {
        await step();
      } catch (error) {
        if (!this.closing) this.options.onNotice?.('warn', `history: ${firstLine(error)}`);
      }
    });
    this.chain = run;
    return run;
  }

  private async connection(): Promise<DuckDBConnection> {
    this.maintenance ??= await this.db.connect();
    return this.maintenance;
  }

  /** Turns a closed journal into a segment, lists it, then deletes the journal. */
  private async seal(name: string, closed: ClosedJournal | null): Promise<void> {
    const source = this.paths.journal(name);
    const connection = await this.connection();
    const temp = join(this.paths.segmentDir, `${name}.parquet.tmp`);
    const relation = journalRelation([source], true);
    const counted = await connection.runAndReadAll(
      `SELECT count(*)::DOUBLE, count(arrival)::DOUBLE, min(arrival)::DOUBLE, max(arrival)::DOUBLE FROM ${relation}`,
    );
    const row = counted.getRows()[0] ?? [];
    const lines = Number(row[0] ?? 0);
    const rows = Number(row[1] ?? 0);
    const first = typeof row[2] === 'number' ? row[2] : null;
    const last = typeof row[3] === 'number' ? row[3] : null;
    if (lines > rows) {
      // Lines that do not parse: keep the journal aside for the operator; the rest is sealed.
      const copy = await copyAside(this.paths, source, this.now());
      this.options.onNotice?.(
        'warn',
        `history: ${lines - rows} unreadable lines in ${name} were skipped; the file is kept as ${copy}`,
      );
    }
    if (rows === 0 || first === null || last === null) {
      await this.dropJournal(name);
      return;
    }
    await connection.run(
      `COPY (SELECT * FROM ${relation} WHERE arrival IS NOT NULL) TO ${sqlString(temp)} (${SEGMENT_COPY_OPTIONS})`,
    );
    const file = segmentName(first, last);
    await rename(temp, this.paths.segment(file));
    const info = await describeSegment(connection, this.paths.segment(file), file);
    this.manifest = {
      ...this.manifest,
      segments: [...this.manifest.segments, info].sort((a, b) => a.firstArrival - b.firstArrival),
      sealedJournals: [...this.manifest.sealedJournals, name],
    };
    // In the same step as the segment is listed: a query snapshot taken while the manifest
    // is written must not read these records from both the segment and the journal.
    this.journals.delete(name);
    await writeManifest(this.paths, this.manifest);
    this.journalRows = Math.max(0, this.journalRows - (closed?.rows ?? rows));
    if (this.journalRows === 0) {
      this.journalFirstAt = Infinity;
      this.journalLastAt = -Infinity;
    }
    await this.dropJournal(name);
    await this.maintain();
  }

  private async dropJournal(name: string): Promise<void> {
    this.journals.delete(name);
    await rm(this.paths.journal(name), { force: true });
    if (this.manifest.sealedJournals.includes(name)) {
      this.manifest = {
        ...this.manifest,
        sealedJournals: this.manifest.sealedJournals.filter((n) => n !== name),
      };
      await writeManifest(this.paths, this.manifest);
    }
  }

  /** Retention first (it frees space), then one merge of small segments. */
  private async maintain(): Promise<void> {
    // Measured now: journals sealed since the last count are segments already, and counting
    // them again would make retention drop stored segments to make room for nothing.
    await this.measureJournals();
    await this.applyRetention();
    await this.compactOnce();
    await this.measureJournals();
  }

  private async measureJournals(): Promise<void> {
    let bytes = 0;
    for (const name of [...this.journals]) bytes += await sizeOf(this.paths.journal(name));
    this.journalBytes = bytes;
  }

  private async applyRetention(): Promise<void> {
    const cutoff = this.now() - this.maxAgeMs;
    let segments = this.manifest.segments;
    const drop: SegmentInfo[] = [];
    while (segments.length > 0 && segments[0]!.lastReceivedAt < cutoff) {
      drop.push(segments[0]!);
      segments = segments.slice(1);
    }
    let total = segments.reduce((sum, s) => sum + s.bytes, 0) + this.journalBytes;
    while (segments.length > 0 && total > this.maxBytes) {
      total -= segments[0]!.bytes;
      drop.push(segments[0]!);
      segments = segments.slice(1);
    }
    if (drop.length === 0) return;
    this.manifest = { ...this.manifest, segments };
    await writeManifest(this.paths, this.manifest);
    for (const segment of drop) await rm(this.paths.segment(segment.file), { force: true });
  }

  /** Merges the oldest run of small neighbouring segments into one (at most one merge per call). */
  private async compactOnce(): Promise<void> {
    const segments = this.manifest.segments;
    let runStart = -1;
    for (let i = 0; i <= segments.length; i++) {
      const small = i < segments.length && segments[i]!.rows < COMPACT_TARGET_ROWS;
      if (small && runStart === -1) runStart = i;
      if (!small && runStart !== -1) {
        const picked = this.pickMerge(segments.slice(runStart, i));
        if (
          picked.length >= 4 ||
          (picked.length >= 2 && picked.reduce((n, s) => n + s.rows, 0) >= COMPACT_TARGET_ROWS)
        ) {
          await this.merge(picked);
          return;
        }
        runStart = -1;
      }
    }
  }

  private pickMerge(run: SegmentInfo[]): SegmentInfo[] {
    const picked: SegmentInfo[] = [];
    let rows = 0;
    for (const segment of run) {
      if (
        picked.length > 0 &&
        (rows + segment.rows > 2 * COMPACT_TARGET_ROWS ||
          segment.lastReceivedAt - picked[0]!.firstReceivedAt > COMPACT_MAX_SPAN_MS)
      )
        break;
      picked.push(segment);
      rows += segment.rows;
    }
    return picked;
  }

  private async merge(inputs: SegmentInfo[]): Promise<void> {
    const connection = await this.connection();
    const first = inputs[0]!.firstArrival;
    const last = inputs[inputs.length - 1]!.lastArrival;
    const file = segmentName(first, last);
    const temp = this.paths.segment(`${file}.tmp`);
    await connection.run(
      `COPY (SELECT * FROM ${segmentRelation(inputs.map((s) => this.paths.segment(s.file)))} ORDER BY arrival)` +
        ` TO ${sqlString(temp)} (${SEGMENT_COPY_OPTIONS})`,
    );
    await rename(temp, this.paths.segment(file));
    const info = await describeSegment(connection, this.paths.segment(file), file);
    const gone = new Set(inputs.map((s) => s.file));
    this.manifest = {
      ...this.manifest,
      segments: [...this.manifest.segments.filter((s) => !gone.has(s.file)), info].sort(
        (a, b) => a.firstArrival - b.firstArrival,
      ),
    };
    await writeManifest(this.paths, this.manifest);
    for (const name of gone) if (name !== file) await rm(this.paths.segment(name), { force: true });
  }

  /** Saves a piece of state (entities, alerts) that goes with the history up to `arrival`. */
  async saveState(arrival: number, state: unknown): Promise<void> {
    const temp = `${this.paths.state}.tmp`;
    await writeFile(temp, JSON.stringify({ version: 1, arrival, savedAt: this.now(), state }), {
      mode: 0o600,
    });
    await rename(temp, this.paths.state);
  }

  /** The saved state and the arrival it goes with, or null (none, or unreadable: moved aside). */
  async loadState(): Promise<{ arrival: number; state: unknown } | null> {
    let text: string;
    try {
      text = await readFile(this.paths.state, 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = JSON.parse(text) as { version: number; arrival: number; state: unknown };
      if (parsed.version !== 1 || typeof parsed.arrival !== 'number')
        throw new Error('not a state file of this version');
      return { arrival: parsed.arrival, state: parsed.state };
    } catch (error) {
      const moved = await moveAside(this.paths, this.paths.state, this.now());
      this.options.onNotice?.(
        'warn',
        `history: the saved entity state could not be read (${firstLine(error)}); moved to ${moved}, rebuilt from events`,
      );
      return null;
    }
  }

  /** Records stored after `arrival`, oldest first, in batches (to replay after a saved state). */
  recordsAfter(arrival: number, spec: FilterSpec = {}): AsyncGenerator<HistoryEvent[]> {
    return this.queries.records(spec, { afterArrival: arrival });
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
