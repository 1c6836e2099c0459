/**
 * A history folder damaged by a crash, a full disk or a stray editor: opening it never
 * throws, what cannot be read is moved aside with a notice naming it, the rest stays
 * queryable and the history goes on. A folder that cannot be written is a clear error,
 * and the workspace then runs in memory with the problem shown.
 */
import {
  existsSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  mkdirSync,
  chmodSync,
  rmSync,
  truncateSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { History } from '../../../src/main/engine/history/history';
import { journalFileName, journalLine, journalPayload } from '../../../src/main/engine/history/journal';
import { Workspace } from '../../../src/main/engine/workspace/workspace';
import type { EngineEvent } from '../../../src/main/engine/event-record';
import { memoryHost } from '../../unit/main/support/memory-host';
import { allRecords, hubRecord, keys, tempFolder } from '../../support/history-fixtures';

let folder: ReturnType<typeof tempFolder>;
let dir = '';
beforeEach(() => {
  folder = tempFolder();
  dir = join(folder.dir, 'history');
});
afterEach(() => folder.remove());

type Notice = { level: string; message: string };

function opener(notices: Notice[]) {
  return () =>
    History.open({
      dir,
      threads: 1,
      onNotice: (level, message) => notices.push({ level, message }),
    });
}

/** A history of three sealed segments of 20 records each (hub `a`, seq 1..60), closed. */
async function threeSegments(): Promise<string[]> {
  const history = await History.open({ dir, threads: 1 });
  let arrival = 0;
  for (let batch = 0; batch < 3; batch++) {
    for (let i = 1; i <= 20; i++) history.append(hubRecord('a', batch * 20 + i), ++arrival, 'generic');
    await history.settle();
  }
  await history.close();
  const segments = readdirSync(join(dir, 'segments'))
    .filter((f) => f.endsWith('.parquet'))
    .sort();
  expect(segments).toHaveLength(3);
  return segments;
}

function seqRange(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `a:${from + i}`);
}

/** The folders things were moved aside to, with what each holds. */
function movedAside(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of readdirSync(dir))
    if (name.startsWith('corrupt-')) out[name] = readdirSync(join(dir, name)).sort();
  return out;
}

/** Appends records after what a history holds and checks they are read back: it is usable. */
async function expectUsable(history: History, hub: string, fromSeq: number, arrival: number): Promise<void> {
  for (let i = 0; i < 5; i++) history.append(hubRecord(hub, fromSeq + i), arrival + i + 1, 'generic');
  await history.settle();
  const back = await allRecords(history, { hubs: [hub] });
  expect(keys(back).slice(-5)).toEqual(Array.from({ length: 5 }, (_, i) => `${hub}:${fromSeq + i}`));
}

function journalText(records: { record: EngineEvent; arrival: number }[]): string {
  return records
    .map(({ record, arrival }) =>
      journalLine(arrival, 'generic', record, {
        source: record.source,
        message: record.message,
        data: journalPayload(record),
      }),
    )
    .join('');
}

describe('a damaged history folder', () => {
  it('moves a truncated Parquet segment aside with a notice naming it and keeps the other segments queryable', async () => {
    const segments = await threeSegments();
    const middle = join(dir, 'segments', segments[1]!);
    truncateSync(middle, Math.floor(statSync(middle).size / 2));

    const notices: Notice[] = [];
    const history = await opener(notices)();
    expect(notices.some((n) => n.message.includes(segments[1]!) && n.message.includes('moved to'))).toBe(
      true,
    );
    expect(Object.values(movedAside()).flat()).toContain(segments[1]);
    expect(existsSync(middle)).toBe(false);
    expect(keys(await allRecords(history))).toEqual([...seqRange(1, 20), ...seqRange(41, 60)]);
    expect(await history.queries.count({})).toBe(40);
    expect(history.hubEnd('a')?.lastSeq).toBe(60);
    await expectUsable(history, 'a', 61, 60);
    await history.close();
  });

  it('moves a segment overwritten with garbage aside and answers from the rest', async () => {
    const segments = await threeSegments();
    writeFileSync(join(dir, 'segments', segments[0]!), 'PAR1 this is not a parquet file at all PAR1');

    const notices: Notice[] = [];
    const history = await opener(notices)();
    expect(notices.filter((n) => n.message.includes(segments[0]!))).toHaveLength(1);
    expect(Object.values(movedAside()).flat()).toEqual([segments[0]]);
    expect(keys(await allRecords(history))).toEqual(seqRange(21, 60));
    expect(history.status().events).toBe(40);
    await expectUsable(history, 'a', 61, 60);
    await history.close();
  });

  it('moves a segment that turns unreadable while the history is open aside at the next query', async () => {
    const segments = await threeSegments();
    const notices: Notice[] = [];
    const history = await opener(notices)();
    expect(notices).toEqual([]);
    writeFileSync(join(dir, 'segments', segments[2]!), Buffer.alloc(4096, 7));

    expect(keys(await allRecords(history))).toEqual(seqRange(1, 40));
    expect(notices.some((n) => n.message.includes(segments[2]!))).toBe(true);
    expect(Object.values(movedAside()).flat()).toEqual([segments[2]]);
    expect(await history.queries.count({})).toBe(40);
    await history.close();
    // The manifest no longer lists it: a reopen is clean.
    const again: Notice[] = [];
    const reopened = await opener(again)();
    expect(again).toEqual([]);
    expect(await reopened.queries.count({})).toBe(40);
    await reopened.close();
  });

  it('says how many stored events are gone when a listed segment file was deleted, and goes on without it', async () => {
    const segments = await threeSegments();
    rmSync(join(dir, 'segments', segments[0]!));

    const notices: Notice[] = [];
    const history = await opener(notices)();
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toContain(segments[0]!);
    expect(notices[0]!.message).toMatch(/20 stored events are gone/);
    expect(keys(await allRecords(history))).toEqual(seqRange(21, 60));
    await expectUsable(history, 'a', 61, 60);
    await history.close();
  });

  it('moves a garbage manifest aside and rebuilds the segment list from the segment files', async () => {
    await threeSegments();
    writeFileSync(join(dir, 'manifest.json'), '{"version": 1, "segments": [ {"file": ');

    const notices: Notice[] = [];
    const history = await opener(notices)();
    expect(
      notices.some((n) => n.message.includes('manifest.json') || n.message.includes('segment list')),
    ).toBe(true);
    expect(Object.values(movedAside()).flat()).toEqual(['manifest.json']);
    expect(keys(await allRecords(history))).toEqual(seqRange(1, 60));
    expect(history.hubEnd('a')?.lastSeq).toBe(60);
    expect(history.lastArrival).toBe(60);
    await expectUsable(history, 'a', 61, 60);
    await history.close();
    const again: Notice[] = [];
    const reopened = await opener(again)();
    expect(again).toEqual([]);
    expect(await reopened.queries.count({})).toBe(65);
    await reopened.close();
  });

  it('moves a manifest of another shape aside and rebuilds it, even with a garbage segment among the files', async () => {
    const segments = await threeSegments();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: 7, files: [] }));
    writeFileSync(join(dir, 'segments', segments[1]!), 'garbage');

    const notices: Notice[] = [];
    const history = await opener(notices)();
    expect(notices.some((n) => n.message.includes(segments[1]!))).toBe(true);
    expect(Object.values(movedAside()).flat().sort()).toEqual(['manifest.json', segments[1]].sort());
    expect(keys(await allRecords(history))).toEqual([...seqRange(1, 20), ...seqRange(41, 60)]);
    await history.close();
  });

  it('cuts a journal with a torn last line back to its whole lines and continues after them', async () => {
    mkdirSync(join(dir, 'journal'), { recursive: true });
    const lines = journalText(
      Array.from({ length: 10 }, (_, i) => ({ record: hubRecord('j', i + 1), arrival: i + 1 })),
    );
    const torn = lines + lines.slice(0, 40).replace('"arrival":1,', '"arrival":11,');
    writeFileSync(join(dir, 'journal', journalFileName(1)), torn);

    const notices: Notice[] = [];
    const history = await opener(notices)();
    await history.settle();
    expect(keys(await allRecords(history))).toEqual(Array.from({ length: 10 }, (_, i) => `j:${i + 1}`));
    expect(history.hubEnd('j')?.lastSeq).toBe(10);
    await expectUsable(history, 'j', 11, 10);
    expect(notices.filter((n) => n.level !== 'info')).toEqual([]);
    await history.close();
  });

  it('keeps the readable lines of a journal with garbage lines in the middle and sets the file aside with a notice naming it', async () => {
    mkdirSync(join(dir, 'journal'), { recursive: true });
    const good = (from: number, to: number) =>
      journalText(
        Array.from({ length: to - from + 1 }, (_, i) => ({
          record: hubRecord('j', from + i, { message: `ünïcode ${from + i} ✓` }),
          arrival: from + i,
        })),
      );
    const name = journalFileName(1);
    writeFileSync(
      join(dir, 'journal', name),
      good(1, 5) +
        'this line is not JSON at all\n' +
        '{"arrival": "seven", "hub": 3}\n' +
        '\u0000\u0000\u0000\u0000\n' +
        good(6, 10) +
        '{"hub":"j","seq":99}\n' +
        good(11, 12),
    );

    const notices: Notice[] = [];
    const history = await opener(notices)();
    await history.settle();
    expect(keys(await allRecords(history))).toEqual(Array.from({ length: 12 }, (_, i) => `j:${i + 1}`));
    expect((await allRecords(history))[0]!.message).toBe('ünïcode 1 ✓');
    const notice = notices.find((n) => n.message.includes(name));
    expect(notice?.message).toMatch(/unreadable lines/);
    const aside = Object.entries(movedAside()).find(([, files]) => files.includes(name));
    expect(aside).toBeDefined();
    expect(readFileSync(join(dir, aside![0], name), 'utf8')).toContain('this line is not JSON at all');
    expect(history.hubEnd('j')?.lastSeq).toBe(12);
    await expectUsable(history, 'j', 13, 12);
    await history.close();
  });

  it('moves a garbage state.json aside with a notice and saves a fresh one', async () => {
    const history = await History.open({ dir, threads: 1 });
    await history.saveState(5, { entities: ['x'] });
    await history.close();
    writeFileSync(join(dir, 'state.json'), '{"version":1,"arrival":');

    const notices: Notice[] = [];
    const reopened = await opener(notices)();
    expect(await reopened.loadState()).toBeNull();
    expect(notices.some((n) => n.message.includes('state') && n.message.includes('moved to'))).toBe(true);
    expect(Object.values(movedAside()).flat()).toEqual(['state.json']);
    await reopened.saveState(9, { entities: ['y'] });
    expect(await reopened.loadState()).toEqual({ arrival: 9, state: { entities: ['y'] } });
    await expectUsable(reopened, 'a', 1, 0);
    await reopened.close();
  });
});

describe('a history folder that cannot be written', () => {
  /** A folder the history cannot create: a file is in the way (root ignores permissions). */
  function blockedFolder(): string {
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      writeFileSync(dir, 'a file where the history folder should be');
      return dir;
    }
    mkdirSync(dir, { mode: 0o500 });
    chmodSync(dir, 0o500);
    return join(dir, 'inner');
  }

  it('makes History.open fail with an error naming the folder and saying what is wrong', async () => {
    const blocked = blockedFolder();
    await expect(History.open({ dir: blocked, threads: 1 })).rejects.toThrow(
      /^cannot (create|write to) the history folder .+: (a file is in the way|no permission to write there)/,
    );
    await expect(History.open({ dir: blocked, threads: 1 })).rejects.toThrow(blocked);
  });

  it('leaves the workspace in memory, with a notice and a history status that says why', async () => {
    const blocked = blockedFolder();
    const workspace = await Workspace.open(memoryHost(), {}, { dir: blocked });
    try {
      const status = workspace.historyStatus();
      expect(status.enabled).toBe(false);
      expect(status.problem).toMatch(/history is off: cannot (create|write to) the history folder/);
      expect(status.problem).toContain(dir);
      const notices: Notice[] = [];
      workspace.subscribe({ onNotice: (n) => notices.push(n) });
      expect(notices.some((n) => n.message === status.problem)).toBe(true);
    } finally {
      await workspace.close();
    }
  });
});
