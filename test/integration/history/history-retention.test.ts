/**
 * Retention: a history keeps what is younger than its age limit and fits in its size limit,
 * dropping the oldest first, while records keep arriving; its status says what it holds.
 * Time is the history's injected clock; files are real.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { History } from '../../../src/main/engine/history/history';
import type { HistoryEvent } from '../../../src/main/engine/history/history-queries';
import { allRecords, eventually, hubRecord, keys, tempFolder } from '../../support/history-fixtures';

let folder: ReturnType<typeof tempFolder>;
let dir = '';
beforeEach(() => {
  folder = tempFolder();
  dir = join(folder.dir, 'history');
});
afterEach(() => folder.remove());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** How long a merged segment may span (history.ts): retention drops whole segments. */
const SEGMENT_SPAN = HOUR;

/** Bytes of the segment files on disk. */
function segmentBytes(): number {
  return readdirSync(join(dir, 'segments'))
    .filter((name) => name.endsWith('.parquet'))
    .reduce((sum, name) => sum + statSync(join(dir, 'segments', name)).size, 0);
}

function range(records: readonly HistoryEvent[]): { first: number; last: number } {
  return {
    first: Math.min(...records.map((r) => r.receivedAt)),
    last: Math.max(...records.map((r) => r.receivedAt)),
  };
}

/** A payload that compresses badly, so segments have a size worth limiting. */
function noise(seed: number, length: number): string {
  let x = seed * 2654435761 + 1;
  let out = '';
  while (out.length < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += x.toString(36);
  }
  return out.slice(0, length);
}

describe('history retention', () => {
  it('drops records older than the age limit and keeps the newer ones while records keep arriving', async () => {
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const maxAgeMs = 6 * HOUR;
    const history = await History.open({
      dir,
      threads: 1,
      maxAgeMs,
      now: () => clock,
      maintenanceMs: 20,
      journal: { flushMs: 5 },
    });
    let arrival = 0;
    let seq = 0;
    const appended: { key: string; receivedAt: number }[] = [];
    const add = (count: number, spacing: number) => {
      for (let i = 0; i < count; i++) {
        const record = hubRecord('h', ++seq, { receivedAt: clock + i * spacing });
        history.append(record, ++arrival, 'generic');
        appended.push({ key: `h:${seq}`, receivedAt: record.receivedAt });
      }
    };
    // Five hours of records, a batch every half hour.
    for (let batch = 0; batch < 10; batch++) {
      add(10, MINUTE);
      await history.settle();
      clock += 30 * MINUTE;
    }
    expect(await history.queries.count({})).toBe(100);

    // Ten hours in: the first four hours are past the limit, give or take one segment's span.
    clock = Date.parse('2026-03-01T10:00:00Z');
    for (let batch = 0; batch < 6; batch++) {
      add(5, MINUTE);
      await history.flush();
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await history.settle();
    let cutoff = clock - maxAgeMs;
    let stored = await allRecords(history);
    const young = appended.filter((r) => r.receivedAt >= cutoff).map((r) => r.key);
    expect(keys(stored).filter((k) => young.includes(k))).toEqual(young);
    expect(range(stored).first).toBeGreaterThanOrEqual(cutoff - SEGMENT_SPAN);
    expect(stored.length).toBeLessThan(appended.length);
    // What is kept is the newest part, in order.
    expect(keys(stored)).toEqual(appended.slice(appended.length - stored.length).map((r) => r.key));

    // A day later, with records still arriving: only the newest are left.
    clock = Date.parse('2026-03-02T12:00:00Z');
    const fresh: string[] = [];
    for (let batch = 0; batch < 4; batch++) {
      const from = appended.length;
      add(5, MINUTE);
      fresh.push(...appended.slice(from).map((r) => r.key));
      await history.flush();
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await history.settle();
    cutoff = clock - maxAgeMs;
    await eventually(async () => (await history.queries.count({})) === fresh.length, 'old segments to go');
    stored = await allRecords(history);
    expect(keys(stored)).toEqual(fresh);
    expect(stored.every((r) => r.receivedAt >= cutoff)).toBe(true);

    const status = history.status();
    expect(status).toMatchObject({
      state: 'ok',
      events: fresh.length,
      first: range(stored).first,
      last: range(stored).last,
      maxAgeMs,
      backlog: 0,
    });
    expect(status.bytes).toBe(segmentBytes());
    await history.close();

    // And the files agree after a restart.
    const reopened = await History.open({ dir, threads: 1, maxAgeMs, now: () => clock });
    expect(keys(await allRecords(reopened))).toEqual(fresh);
    await reopened.close();
  });

  it('keeps the total size within the limit by dropping the oldest segments first while records keep arriving', async () => {
    const maxBytes = 160 * 1024;
    const history = await History.open({
      dir,
      threads: 1,
      maxBytes,
      maintenanceMs: 20,
      journal: { flushMs: 5, rotateRows: 50 },
    });
    let arrival = 0;
    const appended: string[] = [];
    for (let seq = 1; seq <= 4_000; seq++) {
      const hub = seq % 3 === 0 ? 'b' : 'a';
      history.append(
        hubRecord(hub, seq, { raw: JSON.stringify({ seq, noise: noise(seq, 120) }) }),
        ++arrival,
        'generic',
      );
      appended.push(`${hub}:${seq}`);
      if (seq % 50 === 0) {
        await history.flush();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    await history.settle();
    const stored = await allRecords(history);
    // The newest records, in order, and not all of them: the oldest went first.
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThan(appended.length);
    expect(keys(stored)).toEqual(appended.slice(appended.length - stored.length));
    expect(stored.at(-1)?.seq).toBe(4_000);
    expect(segmentBytes()).toBeLessThanOrEqual(maxBytes);

    const status = history.status();
    expect(status.bytes).toBe(segmentBytes());
    expect(status.bytes).toBeLessThanOrEqual(maxBytes);
    expect(status.events).toBe(stored.length);
    expect(status.first).toBe(range(stored).first);
    expect(status.last).toBe(range(stored).last);
    expect(status.maxBytes).toBe(maxBytes);
    await history.close();
  });

  it('does not count a journal that was sealed already against the size limit', async () => {
    const batchA = Array.from({ length: 300 }, (_, i) => i + 1);
    const batchB = Array.from({ length: 300 }, (_, i) => i + 301);
    const append = (history: History, seqs: number[]) => {
      for (const seq of seqs)
        history.append(
          hubRecord('s', seq, { raw: JSON.stringify({ seq, noise: noise(seq, 200) }) }),
          seq,
          'generic',
        );
    };
    const journalBytes = () =>
      readdirSync(join(dir, 'journal')).reduce(
        (sum, name) => sum + statSync(join(dir, 'journal', name)).size,
        0,
      );
    // The sizes these records take: a segment of each batch, and the second one's journal.
    const sizes = { a: 0, b: 0, journal: 0 };
    {
      const history = await History.open({ dir, threads: 1 });
      append(history, batchA);
      await history.settle();
      sizes.a = segmentBytes();
      append(history, batchB);
      await history.flush();
      sizes.journal = journalBytes();
      await history.settle();
      sizes.b = segmentBytes() - sizes.a;
      await history.close();
      folder.remove();
    }
    expect(sizes.journal).toBeGreaterThan(sizes.b);
    // Both segments fit, and the first segment with the second batch's journal fits; all three do not.
    const maxBytes = sizes.a + sizes.journal + Math.floor(sizes.b / 2);
    const history = await History.open({ dir, threads: 1, maxBytes, maintenanceMs: 20 });
    append(history, batchA);
    await history.settle();
    append(history, batchB);
    await history.flush();
    // Maintenance runs while the journal is open, and measures it.
    await eventually(() => history.status().bytes > sizes.a, 'the open journal to be measured');
    await history.settle();
    expect(await history.queries.count({})).toBe(600);
    expect(history.status().bytes).toBe(segmentBytes());
    expect(history.status().bytes).toBeLessThanOrEqual(maxBytes);
    await history.close();
  });

  it('reports the span of records not sealed into a segment yet', async () => {
    const history = await History.open({ dir, threads: 1, journal: { flushMs: 5, rotateMs: 60_000 } });
    const at = Date.now() - 5 * MINUTE;
    for (let seq = 1; seq <= 3; seq++)
      history.append(hubRecord('a', seq, { receivedAt: at + seq }), seq, 'generic');
    await history.flush();
    expect(history.status()).toMatchObject({ events: 3, first: at + 1, last: at + 3 });
    await history.settle();
    expect(history.status()).toMatchObject({ events: 3, first: at + 1, last: at + 3 });
    history.append(hubRecord('a', 4, { receivedAt: at + 4 }), 4, 'generic');
    await history.flush();
    expect(history.status()).toMatchObject({ events: 4, first: at + 1, last: at + 4 });
    await history.close();
  });
});
