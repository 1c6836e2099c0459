/**
 * Helpers for history tests: a fresh folder per test, records as the engine ingests them,
 * and reading everything a history holds back in arrival order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestedEvent } from '../../src/main/engine/event-record';
import type { HistoryEvent } from '../../src/main/engine/history/history-queries';
import type { FilterSpec } from '../../src/shared/filter';
import type { EntityRef, JsonValue, Level } from '../../src/shared/hub-event';

/** A fresh folder and a function that removes it. */
export function tempFolder(prefix = 'hubwatch-history-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a test may set on a record; the rest follows from hub and seq. */
export interface RecordParts {
  receivedAt?: number;
  time?: number;
  event?: string;
  id?: string | null;
  level?: Level;
  source?: string | null;
  entity?: EntityRef | null;
  message?: string | null;
  /** The payload's text as received (JSON, or not: then the frame is malformed). */
  raw?: string;
  gap?: boolean;
}

/** Receive times start an hour before the test run (inside the default retention of a week). */
export const BASE_TIME = Date.now() - 3_600_000;

/** A record as the engine ingests it (a payload that is not JSON is kept as a string and marked). */
export function hubRecord(hub: string, seq: number, parts: RecordParts = {}): IngestedEvent {
  const receivedAt = parts.receivedAt ?? BASE_TIME + seq * 1000;
  if (parts.gap === true) {
    const gap = new IngestedEvent(
      hub,
      seq,
      receivedAt,
      parts.time ?? receivedAt,
      'gap',
      null,
      'warn',
      'hubwatch',
      null,
      parts.message ?? 'events may be missing here',
      null,
      null,
      false,
    );
    gap.gap = true;
    return gap;
  }
  const raw = parts.raw ?? JSON.stringify({ n: seq, hub });
  let data: JsonValue;
  let malformed = false;
  try {
    data = JSON.parse(raw) as JsonValue;
  } catch {
    data = raw;
    malformed = true;
  }
  return new IngestedEvent(
    hub,
    seq,
    receivedAt,
    parts.time ?? receivedAt,
    parts.event ?? 'log',
    parts.id !== undefined ? parts.id : String(seq),
    parts.level ?? 'info',
    parts.source !== undefined ? parts.source : 'src',
    parts.entity !== undefined ? parts.entity : null,
    parts.message !== undefined ? parts.message : `message ${seq}`,
    data,
    malformed ? null : raw,
    malformed,
  );
}

/** Something whose records can be read back (a History or a HistoryReader). */
export interface ReadsRecords {
  queries: {
    records(spec: FilterSpec): AsyncGenerator<HistoryEvent[]>;
  };
}

/** Every record a history holds that `spec` matches, oldest first. */
export async function allRecords(history: ReadsRecords, spec: FilterSpec = {}): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  for await (const batch of history.queries.records(spec)) out.push(...batch);
  return out;
}

/** `hub:seq` of each record, the short form tests compare. */
export function keys(records: readonly { hub: string; seq: number }[]): string[] {
  return records.map((r) => `${r.hub}:${r.seq}`);
}

/** Waits until `check` holds (polling), failing with `what` after `ms`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 10_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
