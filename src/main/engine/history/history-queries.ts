/**
 * Questions the history answers: newest-first pages for scrolling back, counts, one event
 * by hub and seq, histograms for the timeline, and every matching record oldest first (for
 * exports and `hubwatch history`). Filters are the UI's own (see filter-sql.ts): DuckDB
 * answers alone when the condition is exact; otherwise it narrows the rows and each one is
 * tested again with the compiled filter here, so the answers are the same as over the ring.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance } from '@duckdb/node-api';
import type { EventRow } from '../../../shared/event-row';
import { compileFilter, type FilterAccessor, type FilterSpec } from '../../../shared/filter';
import {
  ENTITY_TYPES,
  LEVELS,
  type EntityRef,
  type EntityType,
  type JsonValue,
  type Level,
} from '../../../shared/hub-event';
import { parseJsonText, type EngineEvent } from '../event-record';
import { filterCondition, type SqlCondition } from './filter-sql';
import { recordAccessor } from '../store/store';
import type { SegmentInfo } from './history-files';
import {
  ALL_COLUMNS_SQL,
  READ_COLUMNS_SQL,
  journalRelation,
  segmentRelation,
  sqlString,
} from './history-schema';

/** The files a query reads: sealed segments and journals not sealed yet. */
export interface HistorySnapshot {
  segments: readonly SegmentInfo[];
  /** Paths of segment files, by name. */
  segmentPath(name: string): string;
  /** Paths of journal files to read (the open one included). */
  journals: readonly string[];
}

/** Cancels a long query; `onProgress` hears how far it got. */
export interface QueryControl {
  signal?: AbortSignal;
  /** Matches found so far and the share of the history scanned (0..1). */
  onProgress?(found: number, scanned: number): void;
}

/** A record read back from the history. Its payload is parsed on first read of `data`. */
export class HistoryEvent implements EngineEvent {
  gap?: boolean;
  private parsed: JsonValue | undefined;

  constructor(
    readonly arrival: number,
    public hub: string,
    public seq: number,
    public receivedAt: number,
    public time: number,
    public event: string,
    public id: string | null,
    public level: Level,
    public source: string | null,
    public entity: EntityRef | null,
    public message: string | null,
    /** The payload's JSON text (as stored), or null. */
    public raw: string | null,
    public malformed: boolean,
    gap: boolean,
    readonly dialect: string,
  ) {
    if (gap) this.gap = true;
  }

  get data(): JsonValue {
    if (this.parsed === undefined) this.parsed = this.raw === null ? null : parseJsonText(this.raw);
    return this.parsed;
  }
}

const LEVEL_SET = new Set<string>(LEVELS);
const ENTITY_SET = new Set<string>(ENTITY_TYPES);

function levelOf(value: unknown): Level {
  return typeof value === 'string' && LEVEL_SET.has(value) ? (value as Level) : 'info';
}

function entityOf(type: unknown, id: unknown): EntityRef | null {
  if (typeof type !== 'string' || !ENTITY_SET.has(type)) return null;
  return { type: type as EntityType, id: typeof id === 'string' ? id : '' };
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : NaN;
}

/** The records of rows `from`…`to` of a chunk (columns in `READ_COLUMNS_SQL` order). */
function eventsOf(chunk: DuckDBDataChunk, from = 0, to = chunk.rowCount): HistoryEvent[] {
  const columns = Array.from({ length: chunk.columnCount }, (_, i) => chunk.getColumnVector(i));
  const [
    arrival,
    hub,
    dialect,
    seq,
    receivedAt,
    time,
    event,
    id,
    level,
    source,
    entityType,
    entityId,
    message,
    malformed,
    gap,
    data,
  ] = columns;
  const out: HistoryEvent[] = [];
  for (let r = from; r < to; r++) {
    out.push(
      new HistoryEvent(
        num(arrival!.getItem(r)),
        str(hub!.getItem(r)) ?? '',
        num(seq!.getItem(r)),
        num(receivedAt!.getItem(r)),
        num(time!.getItem(r)),
        str(event!.getItem(r)) ?? 'message',
        str(id!.getItem(r)),
        levelOf(level!.getItem(r)),
        str(source!.getItem(r)),
        entityOf(entityType!.getItem(r), entityId!.getItem(r)),
        str(message!.getItem(r)),
        str(data!.getItem(r)),
        malformed!.getItem(r) === true,
        gap!.getItem(r) === true,
        str(dialect!.getItem(r)) ?? '',
      ),
    );
  }
  return out;
}

/** The list row of a record (no payload), with its arrival number as `g`. */
export function rowOf(event: HistoryEvent): EventRow {
  return {
    kind: 'event',
    g: event.arrival,
    hub: event.hub,
    seq: event.seq,
    receivedAt: event.receivedAt,
    time: event.time,
    event: event.event,
    id: event.id,
    level: event.level,
    source: event.source,
    entity: event.entity,
    message: event.message,
    malformed: event.malformed,
    gap: event.gap === true,
  };
}

/** Filter access to history records (the dialect is the one stored with each record). */
const HISTORY_ACCESS: FilterAccessor<HistoryEvent> = {
  ...recordAccessor(() => ''),
  dialect: (r) => r.dialect,
};

/** A filter ready for the history: its SQL and, when that is not exact, the test to run on each row. */
interface PreparedFilter {
  condition: SqlCondition;
  test: ((event: HistoryEvent) => boolean) | null;
}

function prepare(spec: FilterSpec): PreparedFilter {
  const compiled = compileFilter(spec, HISTORY_ACCESS);
  if (!compiled.ok) throw new Error(`${compiled.field}: ${compiled.error}`);
  const condition = filterCondition(spec);
  return { condition, test: condition.exact ? null : compiled.test };
}

/** Time bucket sizes a histogram chooses from (ms). */
const BUCKET_SIZES = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/** The bucket size that cuts `span` into at most `maxBuckets`. */
export function bucketSizeFor(span: number, maxBuckets: number): number {
  for (const size of BUCKET_SIZES) if (span / size <= maxBuckets) return size;
  return Math.ceil(span / maxBuckets / 86_400_000) * 86_400_000;
}

/** Events per time bucket per level. */
export interface Histogram {
  /** Bucket size, ms. */
  bucketMs: number;
  /** Start of the first bucket (epoch ms, a multiple of bucketMs). */
  start: number;
  /** Buckets from `start`, each with its count per level. */
  buckets: Record<Level, number>[];
  total: number;
}

const emptyLevels = (): Record<Level, number> => ({ debug: 0, info: 0, warn: 0, error: 0, state: 0 });

/** Thrown when a file of the snapshot vanished mid-query (compaction, retention): take a fresh snapshot. */
export class StaleSnapshotError extends Error {}

/** DuckDB's errors for a file that is not there (any more). */
const VANISHED_FILE = /No files found|No such file|not exist/i;

/** A DuckDB error names a file it could not read: which one, when it is one of ours. */
export function unreadableFile(error: unknown): string | null {
  const message = error instanceof Error ? error.message : String(error);
  const match = /(?:file|File) ['"]([^'"]+\.(?:parquet|ndjson))['"]/.exec(message);
  return match ? match[1]! : null;
}

export class HistoryQueries {
  constructor(
    private readonly db: DuckDBInstance,
    private readonly snapshot: () => Promise<HistorySnapshot>,
    /** A file of the snapshot could not be read (not merely gone): move it aside. */
    private readonly unreadable: (file: string, error: unknown) => Promise<void>,
  ) {}

  /** The raw records of a snapshot: segments and journals as one relation (no casts). */
  private relation(snap: HistorySnapshot, segments = snap.segments, journals = snap.journals): string | null {
    const parts: string[] = [];
    if (segments.length > 0)
      parts.push(
        `SELECT ${ALL_COLUMNS_SQL} FROM ${segmentRelation(segments.map((s) => snap.segmentPath(s.file)))}`,
      );
    if (journals.length > 0)
      parts.push(
        `SELECT ${ALL_COLUMNS_SQL} FROM ${journalRelation(journals, true)} WHERE arrival IS NOT NULL`,
      );
    if (parts.length === 0) return null;
    return parts.join(' UNION ALL BY NAME ');
  }

  /**
   * Runs `work` on a fresh connection over a fresh snapshot; retries when a file vanished
   * under it, moves aside a file that cannot be read and retries without it.
   */
  private async withSnapshot<T>(
    control: QueryControl | undefined,
    work: (connection: DuckDBConnection, snap: HistorySnapshot) => Promise<T>,
  ): Promise<T> {
    let lastError: unknown = null;
    for (let attempt = 0; attempt < 4; attempt++) {
      const snap = await this.snapshot();
      const connection = await this.db.connect();
      const onAbort = () => connection.interrupt();
      control?.signal?.addEventListener('abort', onAbort);
      try {
        if (control?.signal?.aborted) throw abortError(control.signal);
        return await work(connection, snap);
      } catch (error) {
        if (control?.signal?.aborted) throw abortError(control.signal);
        lastError = error;
        // A file of the snapshot went away under it (a seal, a merge, retention): take a
        // fresh snapshot. DuckDB names such a file as a pattern, not as a file it read.
        if (VANISHED_FILE.test(error instanceof Error ? error.message : String(error))) continue;
        const file = unreadableFile(error);
        if (file === null) throw error;
        await this.unreadable(file, error);
      } finally {
        control?.signal?.removeEventListener('abort', onAbort);
        connection.disconnectSync();
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  /**
   * Streams matching records in `order`, in chunks, each tested again where the SQL is
   * not exact; `visit` returns false to stop.
   */
  private async scan(
    connection: DuckDBConnection,
    relation: string,
    filter: PreparedFilter,
    extra: string,
    order: 'ASC' | 'DESC' | null,
    limit: number | null,
    visit: (events: HistoryEvent[]) => boolean | Promise<boolean>,
  ): Promise<void> {
    const where = `(${filter.condition.sql})${extra ? ` AND (${extra})` : ''}`;
    const sql =
      `SELECT ${READ_COLUMNS_SQL} FROM (${relation}) WHERE ${where}` +
      (order ? ` ORDER BY arrival ${order}` : '') +
      (limit !== null && filter.test === null ? ` LIMIT ${limit}` : '');
    const result = await connection.stream(sql);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return;
      // Reading strings back costs ~1.4 µs each in DuckDB's Node API: a 2,048-row chunk at
      // once held the event loop for 80 ms during a 1M export. Slices, with a yield between.
      let sliceStart = performance.now();
      for (let from = 0; from < chunk.rowCount; from += SLICE_ROWS) {
        let events = eventsOf(chunk, from, Math.min(chunk.rowCount, from + SLICE_ROWS));
        if (filter.test !== null) events = events.filter(filter.test);
        if (events.length > 0 && !(await visit(events))) return;
        if (performance.now() - sliceStart > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
    }
  }

  /**
   * The newest `limit` matches before `beforeArrival` (newest first), reading the newest
   * segments first: a common filter fills its page from the last few, a rare one reads on.
   */
  async page(
    spec: FilterSpec,
    options: { limit: number; beforeArrival?: number; afterArrival?: number },
    control?: QueryControl,
  ): Promise<HistoryEvent[]> {
    const filter = prepare(spec);
    const before = options.beforeArrival ?? Infinity;
    const after = options.afterArrival ?? -Infinity;
    return this.withSnapshot(control, async (connection, snap) => {
      const found: HistoryEvent[] = [];
      const bounds = [
        Number.isFinite(before) ? `arrival < ${before}` : '',
        Number.isFinite(after) ? `arrival > ${after}` : '',
      ]
        .filter(Boolean)
        .join(' AND ');
      // Journals hold the newest records; then segments newest first, in growing groups.
      const segments = snap.segments.filter((s) => s.firstArrival < before && s.lastArrival > after);
      const groups: { segments: readonly SegmentInfo[]; journals: readonly string[] }[] = [];
      if (snap.journals.length > 0) groups.push({ segments: [], journals: snap.journals });
      let end = segments.length;
      let size = 1;
      while (end > 0) {
        const start = Math.max(0, end - size);
        groups.push({ segments: segments.slice(start, end), journals: [] });
        end = start;
        size *= 4;
      }
      for (const group of groups) {
        const relation = this.relation(snap, group.segments, group.journals);
        if (relation === null) continue;
        await this.scan(
          connection,
          relation,
          filter,
          bounds,
          'DESC',
          options.limit - found.length,
          (events) => {
            for (const event of events) {
              found.push(event);
              if (found.length >= options.limit) return false;
            }
            control?.onProgress?.(found.length, 0);
            return true;
          },
        );
        if (found.length >= options.limit) break;
      }
      return found;
    });
  }

  /** How many records match (up to `untilArrival`, when given). */
  async count(spec: FilterSpec, control?: QueryControl & { untilArrival?: number }): Promise<number> {
    const filter = prepare(spec);
    const bounds = arrivalBounds(undefined, control?.untilArrival);
    return this.withSnapshot(control, async (connection, snap) => {
      const relation = this.relation(snap);
      if (relation === null) return 0;
      if (filter.test === null) {
        const reader = await connection.runAndReadAll(
          `SELECT count(*)::DOUBLE FROM (${relation}) WHERE (${filter.condition.sql})${bounds ? ` AND ${bounds}` : ''}`,
        );
        return Number(reader.getRows()[0]?.[0] ?? 0);
      }
      let count = 0;
      await this.scan(connection, relation, filter, bounds, null, null, (events) => {
        count += events.length;
        control?.onProgress?.(count, 0);
        return true;
      });
      return count;
    });
  }

  /** The count when DuckDB alone can give it (the filter's SQL is exact), else null. */
  async exactCount(spec: FilterSpec, untilArrival?: number): Promise<number | null> {
    return prepare(spec).test === null ? this.count(spec, { untilArrival }) : null;
  }

  /** One record by hub and seq (the segment that holds it is found in the manifest). */
  async get(hub: string, seq: number): Promise<HistoryEvent | null> {
    return this.withSnapshot(undefined, async (connection, snap) => {
      const segments = snap.segments.filter((s) => {
        const entry = s.hubs[hub];
        return entry !== undefined && entry.minSeq <= seq && seq <= entry.maxSeq;
      });
      const condition = `hub = ${sqlString(hub)} AND seq = ${seq}`;
      for (const group of [
        { segments, journals: [] as readonly string[] },
        { segments: [], journals: snap.journals },
      ]) {
        const relation = this.relation(snap, group.segments, group.journals);
        if (relation === null) continue;
        const result = await connection.stream(
          `SELECT ${READ_COLUMNS_SQL} FROM (${relation}) WHERE ${condition} LIMIT 1`,
        );
        const chunk = await result.fetchChunk();
        if (chunk && chunk.rowCount > 0) return eventsOf(chunk)[0]!;
      }
      return null;
    });
  }

  /** Every matching record oldest first, in batches (exports, `hubwatch history`). */
  async *records(
    spec: FilterSpec,
    control?: QueryControl & { limit?: number; afterArrival?: number; untilArrival?: number },
  ): AsyncGenerator<HistoryEvent[]> {
    const filter = prepare(spec);
    const queue: HistoryEvent[][] = [];
    let done = false;
    let failure: unknown = null;
    let wake: (() => void) | null = null;
    let resume: (() => void) | null = null;
    const limit = control?.limit ?? Infinity;
    let taken = 0;
    let stopped = false;
    // DuckDB streams in its own rhythm; batches wait here (a few at most) for the consumer.
    const producer = this.withSnapshot(control, async (connection, snap) => {
      const relation = this.relation(snap);
      if (relation === null) return;
      const bounds = arrivalBounds(control?.afterArrival, control?.untilArrival);
      await this.scan(
        connection,
        relation,
        filter,
        bounds,
        'ASC',
        Number.isFinite(limit) ? limit : null,
        async (events) => {
          if (taken + events.length > limit) events = events.slice(0, limit - taken);
          taken += events.length;
          queue.push(events);
          wake?.();
          if (queue.length >= 4) await new Promise<void>((resolve) => (resume = resolve));
          return taken < limit && !stopped;
        },
      );
    }).then(
      () => {
        done = true;
        wake?.();
      },
      (error: unknown) => {
        failure = error;
        done = true;
        wake?.();
      },
    );
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          const go = resume as (() => void) | null;
          resume = null;
          go?.();
          yield next;
          continue;
        }
        if (done) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      if (failure !== null) throw failure instanceof Error ? failure : new Error('history query failed');
    } finally {
      // The consumer stopped early (or finished): the producer ends at its next chunk.
      stopped = true;
      (resume as (() => void) | null)?.();
      await producer;
    }
  }

  /** Events per time bucket per level over the filter's range (or all the history holds). */
  async histogram(
    spec: FilterSpec,
    options: { maxBuckets?: number; bucketMs?: number } = {},
    control?: QueryControl,
  ): Promise<Histogram> {
    const filter = prepare(spec);
    const maxBuckets = options.maxBuckets ?? 120;
    return this.withSnapshot(control, async (connection, snap) => {
      const relation = this.relation(snap);
      const empty = { bucketMs: options.bucketMs ?? 60_000, start: 0, buckets: [], total: 0 };
      if (relation === null) return empty;
      let from = spec.from ?? null;
      let to = spec.to ?? null;
      if (from === null || to === null) {
        const span = await connection.runAndReadAll(
          `SELECT min(time), max(time) FROM (${relation}) WHERE ${filter.condition.sql}`,
        );
        const [low, high] = span.getRows()[0] ?? [];
        if (typeof low !== 'number' || typeof high !== 'number') return empty;
        from ??= low;
        to ??= high;
      }
      const bucketMs = options.bucketMs ?? bucketSizeFor(Math.max(1, to - from), maxBuckets);
      const start = Math.floor(from / bucketMs) * bucketMs;
      const count = Math.max(1, Math.floor((to - start) / bucketMs) + 1);
      const buckets = Array.from({ length: count }, emptyLevels);
      let total = 0;
      const add = (index: number, level: Level, n: number) => {
        const bucket = buckets[index];
        if (bucket === undefined) return;
        bucket[level] += n;
        total += n;
      };
      if (filter.test === null) {
        const reader = await connection.runAndReadAll(
          `SELECT floor((time - ${start}) / ${bucketMs})::INTEGER AS b, level, count(*)::DOUBLE FROM (${relation})` +
            ` WHERE (${filter.condition.sql}) AND time >= ${start} AND time <= ${to} GROUP BY ALL`,
        );
        for (const [b, level, n] of reader.getRows()) add(Number(b), levelOf(level), Number(n));
      } else {
        await this.scan(
          connection,
          relation,
          filter,
          `time >= ${start} AND time <= ${to}`,
          null,
          null,
          (events) => {
            for (const event of events) add(Math.floor((event.time - start) / bucketMs), event.level, 1);
            control?.onProgress?.(total, 0);
            return true;
          },
        );
      }
      return { bucketMs, start, buckets, total };
    });
  }

  /** Per hub: records, first and last time, and their share of the bytes on disk. */
  async hubStats(): Promise<{ hub: string; events: number; first: number; last: number }[]> {
    return this.withSnapshot(undefined, async (connection, snap) => {
      const relation = this.relation(snap);
      if (relation === null) return [];
      const reader = await connection.runAndReadAll(
        `SELECT hub, count(*)::DOUBLE, min(received_at), max(received_at) FROM (${relation}) GROUP BY hub ORDER BY hub`,
      );
      return reader.getRows().map(([hub, events, first, last]) => ({
        hub: String(hub),
        events: Number(events),
        first: Number(first),
        last: Number(last),
      }));
    });
  }

  /**
   * Where each hub's stored records end: its last seq, the id in force at its last event,
   * its last event name and entity, recent ids (from the newest files) and, for hubs whose
   * server replays from the start, the fingerprints of every frame stored.
   */
  async hubEnds(): Promise<Map<string, HubEnd>> {
    return this.withSnapshot(undefined, async (connection, snap) => {
      const out = new Map<string, HubEnd>();
      // Each hub ends in its newest segment or in a journal: only those are read (a full
      // scan of 10,000,000 records took seconds at every start).
      const newest = new Set<string>();
      const seen = new Set<string>();
      for (let i = snap.segments.length - 1; i >= 0; i--) {
        const segment = snap.segments[i]!;
        for (const hub of Object.keys(segment.hubs)) {
          if (seen.has(hub)) continue;
          seen.add(hub);
          newest.add(segment.file);
        }
      }
      const relation = this.relation(
        snap,
        snap.segments.filter((segment) => newest.has(segment.file)),
        snap.journals,
      );
      if (relation === null) return out;
      const ends = await connection.runAndReadAll(
        `SELECT hub, max(seq)::DOUBLE, arg_max(id, seq) FILTER (WHERE NOT gap), max(arrival)::DOUBLE,` +
          ` arg_max(event, seq) FILTER (WHERE NOT gap), arg_max(entity_id, seq) FILTER (WHERE entity_id IS NOT NULL)` +
          ` FROM (${relation}) GROUP BY hub`,
      );
      for (const [hub, lastSeq, lastId, lastArrival, lastEvent, lastEntityId] of ends.getRows()) {
        out.set(String(hub), {
          lastSeq: Number(lastSeq),
          lastId: typeof lastId === 'string' ? lastId : null,
          lastArrival: Number(lastArrival),
          lastEvent: typeof lastEvent === 'string' ? lastEvent : null,
          lastEntityId: typeof lastEntityId === 'string' ? lastEntityId : null,
          recentIds: [],
          replayFingerprints: [],
        });
      }
      // Recent ids from the newest files only: enough to skip what a server re-sends.
      const recent = this.relation(snap, snap.segments.slice(-1), snap.journals);
      if (recent !== null) {
        const ids = await connection.runAndReadAll(
          `SELECT hub, id FROM (SELECT hub, id, seq, row_number() OVER (PARTITION BY hub ORDER BY seq DESC) AS rn` +
            ` FROM (${recent}) WHERE id IS NOT NULL AND NOT gap) WHERE rn <= ${RECENT_IDS} ORDER BY hub, seq`,
        );
        for (const [hub, id] of ids.getRows()) out.get(String(hub))?.recentIds.push(String(id));
      }
      // Replaying hubs are matched frame by frame from the start: every stored fingerprint.
      const replays = await connection.runAndReadAll(
        `SELECT hub, replay_fp FROM (${this.relation(snap)!}) WHERE replay_fp IS NOT NULL ORDER BY hub, seq`,
      );
      for (const [hub, fingerprint] of replays.getRows())
        out.get(String(hub))?.replayFingerprints.push(Number(fingerprint));
      return out;
    });
  }
}

/** Rows turned into records at a time, and the longest the event loop is held meanwhile (ms). */
const SLICE_ROWS = 256;
const SLICE_MS = 8;

/** Recent ids read back per hub (the connection remembers as many). */
const RECENT_IDS = 1024;

/** Where one hub's stored records end (for continuing its seq and resuming its stream). */
export interface HubEnd {
  lastSeq: number;
  /** The id in force at the last stored event (`Last-Event-ID` on resume), or null. */
  lastId: string | null;
  lastArrival: number;
  /** The name of the last stored event (gap markers aside), e.g. rdev `complete`. */
  lastEvent: string | null;
  /** The entity of the last stored event that had one (rdev: the command's stream id). */
  lastEntityId: string | null;
  /** Ids of the last stored events, oldest first. */
  recentIds: string[];
  /** `replaysFromStart` hubs: every stored frame's fingerprint, in order. */
  replayFingerprints: number[];
}

/** SQL bounds on the arrival number (exclusive after, inclusive until); '' for none. */
function arrivalBounds(after: number | undefined, until: number | undefined): string {
  const parts: string[] = [];
  if (after !== undefined) parts.push(`arrival > ${after}`);
  if (until !== undefined) parts.push(`arrival <= ${until}`);
  return parts.join(' AND ');
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('cancelled');
}
