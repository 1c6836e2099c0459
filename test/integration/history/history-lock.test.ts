/**
 * One writer per history folder: the LOCK file names the process that writes there. A second
 * writer is refused while it lives, and a lock left by a process that died is taken over.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { History, HistoryLockedError } from '../../../src/main/engine/history/history';
import { allRecords, hubRecord, keys, tempFolder } from '../../support/history-fixtures';

let folder: ReturnType<typeof tempFolder>;
let dir = '';
beforeEach(() => {
  folder = tempFolder();
  dir = join(folder.dir, 'history');
});
afterEach(() => folder.remove());

const lockFile = () => join(dir, 'LOCK');

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  const pid = Number(child.stdout);
  expect(Number.isInteger(pid) && pid > 0).toBe(true);
  expect(() => process.kill(pid, 0)).toThrow();
  return pid;
}

describe('the history lock', () => {
  it('refuses a second writer on the same folder while the first is open, and lets one in after it closes', async () => {
    const first = await History.open({ dir, threads: 1 });
    expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.pid));
    const second = History.open({ dir, threads: 1 });
    await expect(second).rejects.toBeInstanceOf(HistoryLockedError);
    await expect(History.open({ dir, threads: 1 })).rejects.toThrow(/in use by process/);
    // The refused writer changed nothing: the first still holds the lock and writes.
    expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.pid));
    first.append(hubRecord('a', 1), 1, 'generic');
    await first.close();
    expect(existsSync(lockFile())).toBe(false);

    const next = await History.open({ dir, threads: 1 });
    expect(keys(await allRecords(next))).toEqual(['a:1']);
    await next.close();
  });

  it('refuses a writer while another live process holds the lock, naming that process', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => other.once('spawn', resolve));
      await History.open({ dir, threads: 1 }).then((h) => h.close());
      writeFileSync(lockFile(), `${other.pid}\n`);
      const refused = await History.open({ dir, threads: 1 }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(HistoryLockedError);
      expect((refused as HistoryLockedError).pid).toBe(other.pid);
      expect((refused as HistoryLockedError).message).toContain(dir);
      expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(other.pid));
    } finally {
      other.kill();
    }
  });

  it('takes over a lock left by a process that died, and keeps what it wrote', async () => {
    const before = await History.open({ dir, threads: 1 });
    before.append(hubRecord('a', 1), 1, 'generic');
    await before.close();
    writeFileSync(lockFile(), `${deadPid()}\n`);

    const history = await History.open({ dir, threads: 1 });
    expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.pid));
    expect(keys(await allRecords(history))).toEqual(['a:1']);
    await expect(History.open({ dir, threads: 1 })).rejects.toBeInstanceOf(HistoryLockedError);
    await history.close();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('takes over a lock file that holds no process id', async () => {
    await History.open({ dir, threads: 1 }).then((h) => h.close());
    writeFileSync(lockFile(), 'garbage\u0000');
    const history = await History.open({ dir, threads: 1 });
    expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.pid));
    await history.close();
  });

  it('takes over a lock naming this process when this process does not hold it (a restarted container reuses pids)', async () => {
    await History.open({ dir, threads: 1 }).then((h) => h.close());
    writeFileSync(lockFile(), `${process.pid}\n`);
    const history = await History.open({ dir, threads: 1 });
    await expect(History.open({ dir, threads: 1 })).rejects.toBeInstanceOf(HistoryLockedError);
    await history.close();
  });
});
