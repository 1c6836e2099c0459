/**
 * A disk that fills up and frees again: the history says it is failing (once), holds what
 * arrives in memory, and writes it when the disk works again — nothing lost, nothing twice,
 * in order. Past its memory bound it drops the oldest and reports, per hub, what went.
 * Only the file handle's `write`/`writev` (and `open`) fail, on real files.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { History } from '../../../src/main/engine/history/history';
import { allRecords, eventually, hubRecord, keys, tempFolder } from '../../support/history-fixtures';

let folder: ReturnType<typeof tempFolder>;
let dir = '';
beforeEach(() => {
  folder = tempFolder();
  dir = join(folder.dir, 'history');
});
afterEach(() => folder.remove());

function noSpace(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), {
    code: 'ENOSPC',
    syscall,
  });
}

/**
 * Opens real files whose writes fail with ENOSPC while `full` — after writing half of what
 * they were given, as a real full disk does. With `failOpens`, opening fails too.
 */
function flakyDisk() {
  const disk = { full: false, failOpens: false, failedWrites: 0, slowMs: 0 };
  const openFile = async (path: string, flags: string, mode: number): Promise<FileHandle> => {
    if (disk.full && disk.failOpens) throw noSpace('open');
    const handle = await open(path, flags, mode);
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'write')
          return async (buffer: Buffer) => {
            if (disk.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, disk.slowMs));
            if (disk.full) {
              disk.failedWrites++;
              await target.write(buffer.subarray(0, Math.floor(buffer.length / 2)));
              throw noSpace('write');
            }
            return target.write(buffer);
          };
        if (property === 'writev')
          return async (buffers: Buffer[]) => {
            if (disk.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, disk.slowMs));
            if (disk.full) {
              disk.failedWrites++;
              const whole = Buffer.concat(buffers);
              await target.write(whole.subarray(0, Math.floor(whole.length / 2)));
              throw noSpace('write');
            }
            return target.writev(buffers);
          };
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  return { disk, openFile: openFile as unknown as typeof open };
}

type Notice = { level: string; message: string };
type Lost = { hub: string; count: number; fromSeq: number; toSeq: number };

async function openFlaky(openFile: typeof open, notices: Notice[], lost: Lost[], maxPending = 500_000) {
  return History.open({
    dir,
    threads: 1,
    openFile,
    journal: { flushMs: 5, retryMs: 40, rotateRows: 25, maxPending },
    onNotice: (level, message) => notices.push({ level, message }),
    onLost: (hub, count, fromSeq, toSeq) => lost.push({ hub, count, fromSeq, toSeq }),
  });
}

/** Appends `count` records alternating between hubs `a` and `b`, flushing every `batch`. */
async function appendBoth(
  history: History,
  from: { a: number; b: number; arrival: number },
  count: number,
  batch: number,
): Promise<string[]> {
  const appended: string[] = [];
  for (let i = 0; i < count; i++) {
    const hub = i % 2 === 0 ? 'a' : 'b';
    const seq = ++from[hub];
    history.append(hubRecord(hub, seq, { message: `m${seq} ☃` }), ++from.arrival, 'generic');
    appended.push(`${hub}:${seq}`);
    if ((i + 1) % batch === 0) await history.flush();
  }
  await history.flush();
  return appended;
}

describe('writing the history to a disk that fills up', () => {
  it('reports failing once, keeps appends in memory and writes them all, once and in order, when the disk frees', async () => {
    const { disk, openFile } = flakyDisk();
    const notices: Notice[] = [];
    const lost: Lost[] = [];
    const history = await openFlaky(openFile, notices, lost);
    const next = { a: 0, b: 0, arrival: 0 };
    const expected = await appendBoth(history, next, 30, 10);

    disk.full = true;
    expected.push(...(await appendBoth(history, next, 60, 6)));
    // Batches keep coming while it fails; the retry timer tries again meanwhile.
    await eventually(() => disk.failedWrites >= 3, 'several failed writes');
    expected.push(...(await appendBoth(history, next, 20, 5)));
    const failing = history.status();
    expect(failing.state).toBe('failing');
    expect(failing.message).toMatch(/disk is full/);
    expect(failing.message).toContain(dir);
    expect(failing.backlog).toBeGreaterThanOrEqual(80);
    expect(notices.filter((n) => n.level === 'error')).toHaveLength(1);

    disk.full = false;
    await eventually(
      () => history.status().state === 'ok' && history.status().backlog === 0,
      'writing again',
    );
    expect(notices.filter((n) => n.level === 'error')).toHaveLength(1);
    expect(notices.filter((n) => /works again/.test(n.message))).toHaveLength(1);
    expect(lost).toEqual([]);

    expect(keys(await allRecords(history))).toEqual(expected);
    await history.settle();
    expect(keys(await allRecords(history))).toEqual(expected);
    expect(history.status().events).toBe(expected.length);
    await history.close();

    const reopened = await History.open({ dir, threads: 1 });
    expect(keys(await allRecords(reopened))).toEqual(expected);
    expect(reopened.hubEnd('a')?.lastSeq).toBe(55);
    await reopened.close();
    expect(notices.filter((n) => n.level === 'warn')).toEqual([]);
  });

  it('keeps everything when journals rotate, and new journals cannot even be opened, while the disk is full', async () => {
    const { disk, openFile } = flakyDisk();
    const notices: Notice[] = [];
    const lost: Lost[] = [];
    const history = await openFlaky(openFile, notices, lost);
    const next = { a: 0, b: 0, arrival: 0 };
    const expected = await appendBoth(history, next, 10, 10);

    disk.full = true;
    expected.push(...(await appendBoth(history, next, 12, 4)));
    // Sealing what is there (an export, a benchmark) while the disk is full.
    await history.settle();
    disk.failOpens = true;
    expected.push(...(await appendBoth(history, next, 40, 8)));
    await history.settle();
    expect(history.status().state).toBe('failing');

    disk.full = false;
    await eventually(
      () => history.status().state === 'ok' && history.status().backlog === 0,
      'writing again',
    );
    await history.settle();
    expect(keys(await allRecords(history))).toEqual(expected);
    expect(lost).toEqual([]);
    expect(notices.filter((n) => n.level === 'error')).toHaveLength(1);
    expect(notices.filter((n) => n.level === 'warn')).toEqual([]);
    await history.close();

    const reopened = await History.open({ dir, threads: 1 });
    expect(keys(await allRecords(reopened))).toEqual(expected);
    await reopened.close();
  });

  it('drops the oldest records past its memory bound and reports each hub and seq range it dropped', async () => {
    const { disk, openFile } = flakyDisk();
    const notices: Notice[] = [];
    const lost: Lost[] = [];
    const history = await openFlaky(openFile, notices, lost, 30);
    const engineHeard: Lost[] = [];
    history.onLost((hub, count, fromSeq, toSeq) => engineHeard.push({ hub, count, fromSeq, toSeq }));
    const next = { a: 0, b: 0, arrival: 0 };
    const before = await appendBoth(history, next, 10, 10);

    disk.full = true;
    const meanwhile = await appendBoth(history, next, 100, 10);
    await eventually(() => lost.length > 0, 'a report of dropped records');
    expect(history.status().backlog).toBeLessThanOrEqual(30 + 10);
    disk.full = false;
    await eventually(
      () => history.status().state === 'ok' && history.status().backlog === 0,
      'writing again',
    );

    const stored = keys(await allRecords(history));
    // What is stored: everything from before, then the newest of what came meanwhile, in order.
    expect(stored.slice(0, before.length)).toEqual(before);
    const kept = stored.slice(before.length);
    expect(kept).toEqual(meanwhile.slice(meanwhile.length - kept.length));
    expect(kept.length).toBeGreaterThanOrEqual(30);

    // What was reported: exactly the records not stored, as contiguous ranges per hub.
    const reported = new Set<string>();
    for (const { hub, count, fromSeq, toSeq } of lost) {
      expect(toSeq - fromSeq + 1).toBe(count);
      for (let seq = fromSeq; seq <= toSeq; seq++) {
        expect(reported.has(`${hub}:${seq}`)).toBe(false);
        reported.add(`${hub}:${seq}`);
      }
    }
    const dropped = meanwhile.slice(0, meanwhile.length - kept.length);
    expect([...reported].sort()).toEqual([...dropped].sort());
    expect(new Set(lost.map((l) => l.hub))).toEqual(new Set(['a', 'b']));
    expect(engineHeard).toEqual(lost);
    expect(notices.filter((n) => n.level === 'error')).toHaveLength(1);
    await history.close();
  });

  it('drops nothing past its memory bound while the disk works, however slowly', async () => {
    const { disk, openFile } = flakyDisk();
    disk.slowMs = 40;
    const notices: Notice[] = [];
    const lost: Lost[] = [];
    const history = await openFlaky(openFile, notices, lost, 30);
    const expected: string[] = [];
    // Bursts larger than the bound arrive while each (slow) write is under way.
    for (let seq = 1; seq <= 400; seq++) {
      history.append(hubRecord('a', seq), seq, 'generic');
      expected.push(`a:${seq}`);
      if (seq % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await history.flush();
    await history.settle();
    expect(lost).toEqual([]);
    expect(keys(await allRecords(history))).toEqual(expected);
    expect(history.status().state).toBe('ok');
    expect(notices).toEqual([]);
    await history.close();
  });

  it('says how many records it could not write when it is closed while the disk is still full', async () => {
    const { disk, openFile } = flakyDisk();
    const notices: Notice[] = [];
    const lost: Lost[] = [];
    const history = await openFlaky(openFile, notices, lost);
    const next = { a: 0, b: 0, arrival: 0 };
    const written = await appendBoth(history, next, 10, 10);
    disk.full = true;
    await appendBoth(history, next, 8, 4);
    await history.close();
    const last = notices.at(-1);
    expect(last?.level).toBe('error');
    expect(last?.message).toMatch(/8 events could not be written/);
    expect(last?.message).toContain(dir);

    disk.full = false;
    const reopened = await History.open({ dir, threads: 1 });
    // What was written is kept, whole and once; the torn write left nothing behind.
    expect(keys(await allRecords(reopened))).toEqual(written);
    await reopened.close();
  });
});
