/**
 * Reading a history another writer is writing (`hubwatch history` next to a running serve):
 * every query sees every flushed record exactly once, in order, while journals are sealed
 * into segments and segments merged under it. And the writer's own queries do too, however
 * many callers seal at once.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { History, HistoryReader } from '../../../src/main/engine/history/history';
import { allRecords, hubRecord, keys, tempFolder } from '../../support/history-fixtures';

let folder: ReturnType<typeof tempFolder>;
let dir = '';
beforeEach(() => {
  folder = tempFolder();
  dir = join(folder.dir, 'history');
});
afterEach(() => folder.remove());

const segmentFiles = () => readdirSync(join(dir, 'segments')).filter((name) => name.endsWith('.parquet'));

describe('a history read while it is written', () => {
  it('gives a reader in another process, and the writer itself, every flushed record once and in order, across seals and merges', async () => {
    const notices: string[] = [];
    const history = await History.open({
      dir,
      threads: 1,
      maintenanceMs: 15,
      journal: { flushMs: 5, rotateRows: 40 },
      onNotice: (_, message) => notices.push(message),
    });
    const appended: string[] = [];
    let flushed = 0;
    let arrival = 0;
    const hubs = ['a', 'b', 'c'];
    const seqs: Record<string, number> = { a: 1, b: 0, c: 0 };
    history.append(hubRecord('a', 1), ++arrival, 'generic');
    appended.push('a:1');
    await history.flush();
    flushed = 1;

    const reader = await HistoryReader.open(dir, { threads: 1 });
    let writing = true;
    let reads = 0;
    const readerLoop = (async () => {
      while (writing) {
        const mustSee = flushed;
        const seen = keys(await allRecords(reader));
        // A prefix of what was appended: nothing twice, nothing out of order, nothing flushed missing.
        expect(seen.length).toBeGreaterThanOrEqual(mustSee);
        expect(seen).toEqual(appended.slice(0, seen.length));
        const count = await reader.queries.count({ hubs: ['b'] });
        expect(count).toBeGreaterThanOrEqual(
          appended.slice(0, mustSee).filter((k) => k.startsWith('b:')).length,
        );
        // The writer's own queries, over its snapshot in memory, hold to the same.
        const own = keys(await allRecords(history));
        expect(own.length).toBeGreaterThanOrEqual(mustSee);
        expect(own).toEqual(appended.slice(0, own.length));
        reads++;
      }
    })();
    // Awaited below; a failure meanwhile is not an unhandled one.
    readerLoop.catch(() => undefined);

    const mergedSeen = { max: 0, fewer: false };
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 17; i++) {
        const hub = hubs[(round + i) % 3]!;
        history.append(hubRecord(hub, ++seqs[hub]!, { message: `round ${round} ✓` }), ++arrival, 'generic');
        appended.push(`${hub}:${seqs[hub]}`);
      }
      await history.flush();
      flushed = appended.length;
      const count = segmentFiles().length;
      if (count < mergedSeen.max) mergedSeen.fewer = true;
      mergedSeen.max = Math.max(mergedSeen.max, count);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await history.settle();
    writing = false;
    await readerLoop;
    expect(reads).toBeGreaterThan(5);
    // Journals were sealed and segments merged while the reader read.
    expect(mergedSeen.fewer || segmentFiles().length < mergedSeen.max).toBe(true);

    expect(keys(await allRecords(reader))).toEqual(appended);
    expect(await reader.queries.count({})).toBe(appended.length);
    const newest = await reader.queries.page({ hubs: ['c'] }, { limit: 3 });
    expect(keys(newest)).toEqual(
      appended
        .filter((k) => k.startsWith('c:'))
        .slice(-3)
        .reverse(),
    );
    expect(await reader.diskBytes()).toBeGreaterThan(0);
    expect(notices).toEqual([]);
    reader.close();
    await history.close();
  }, 60_000);

  it('keeps every record once when several callers seal at the same time as records arrive', async () => {
    const history = await History.open({ dir, threads: 1, journal: { flushMs: 5, rotateRows: 1_000_000 } });
    const appended: string[] = [];
    const settling: Promise<void>[] = [];
    for (let seq = 1; seq <= 600; seq++) {
      history.append(hubRecord('a', seq), seq, 'generic');
      appended.push(`a:${seq}`);
      // An export, a benchmark and the engine flushing, all at once.
      if (seq % 100 === 0) settling.push(history.settle(), history.flush());
    }
    settling.push(history.settle());
    await Promise.all(settling);
    expect(keys(await allRecords(history))).toEqual(appended);
    await history.close();
    const reader = await HistoryReader.open(dir, { threads: 1 });
    expect(keys(await allRecords(reader))).toEqual(appended);
    reader.close();
  });

  it('refuses to read a folder that holds no history, saying so', async () => {
    await expect(HistoryReader.open(folder.dir, { threads: 1 })).rejects.toThrow(/holds no Hubwatch history/);
  });
});
