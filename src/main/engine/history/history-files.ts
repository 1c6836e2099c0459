/**
 * The history folder on disk:
 *
 *   history/
 *     manifest.json        the sealed segments (and journals already sealed into one)
 *     journal/*.ndjson     records not sealed yet, appended as they arrive
 *     segments/*.parquet   sealed, immutable, zstd-compressed Parquet
 *     state.json           entity and alert state at a point of the history (restart)
 *     LOCK                 the process writing here
 *     corrupt-…/           files that could not be read, moved aside
 *
 * One process writes (the lock says which); any number read. The manifest is replaced
 * atomically, so a reader sees a consistent set of files; a file it lists may be gone by
 * the time it is read (compaction, retention) — readers then take a fresh manifest.
 */
import { closeSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One hub's records in a segment. */
export interface SegmentHub {
  rows: number;
  minSeq: number;
  maxSeq: number;
}

/** A sealed segment, as the manifest lists it. */
export interface SegmentInfo {
  /** File name under `segments/`. */
  file: string;
  firstArrival: number;
  lastArrival: number;
  rows: number;
  bytes: number;
  /** Earliest and latest `received_at` (for retention by age). */
  firstReceivedAt: number;
  lastReceivedAt: number;
  hubs: Record<string, SegmentHub>;
}

export interface Manifest {
  version: 1;
  segments: SegmentInfo[];
  /** Journals whose records are in a segment now (deleted soon; readers must skip them). */
  sealedJournals: string[];
}

export const EMPTY_MANIFEST: Manifest = { version: 1, segments: [], sealedJournals: [] };

/** Where each part of a history lives. */
export class HistoryPaths {
  constructor(readonly root: string) {}
  get manifest(): string {
    return join(this.root, 'manifest.json');
  }
  get journalDir(): string {
    return join(this.root, 'journal');
  }
  get segmentDir(): string {
    return join(this.root, 'segments');
  }
  get state(): string {
    return join(this.root, 'state.json');
  }
  get lock(): string {
    return join(this.root, 'LOCK');
  }
  get temp(): string {
    return join(this.root, 'tmp');
  }
  journal(name: string): string {
    return join(this.journalDir, name);
  }
  segment(name: string): string {
    return join(this.segmentDir, name);
  }
}

/** The history is written by another running process. */
export class HistoryLockedError extends Error {
  override name = 'HistoryLockedError';
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `the history in ${dir} is in use by process ${pid} (another hubwatch serve, capture --history or desktop app); stop it or use another folder`,
    );
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The folders whose lock this process holds. A LOCK naming this process's pid is ours only
 * when listed here; otherwise it was left by an earlier process that had the same pid (a
 * container's app often runs as pid 1 every time) and is stale.
 */
const heldLocks = new Set<string>();

/** Takes the folder's write lock (a stale one, of a process that is gone, is taken over). */
export function acquireLock(paths: HistoryPaths): () => void {
  const key = realpathSync(paths.root);
  // A second writer in this process (two workspaces on one folder) is refused like any other.
  if (heldLocks.has(key)) throw new HistoryLockedError(paths.root, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(paths.lock, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldLocks.add(key);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldLocks.delete(key);
        try {
          // Only our own lock: a takeover after a crash must not be undone.
          if (readFileSync(paths.lock, 'utf8').trim() === String(process.pid))
            rmSync(paths.lock, { force: true });
        } catch {
          // Gone already.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new HistoryFolderError(paths.root, 'write to', error);
      let pid = NaN;
      try {
        pid = Number(readFileSync(paths.lock, 'utf8').trim());
      } catch {
        // Unreadable: treat as stale.
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new HistoryLockedError(paths.root, pid);
      }
      // Stale (its process died, e.g. kill -9): take it over.
      rmSync(paths.lock, { force: true });
    }
  }
  throw new Error(`cannot take the history lock ${paths.lock}`);
}

/** Why a folder cannot be created or written, in the operator's words. */
function folderProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EEXIST' || code === 'ENOTDIR') return 'a file is in the way';
  if (code === 'EACCES' || code === 'EPERM') return 'no permission to write there';
  if (code === 'EROFS') return 'the disk is read-only';
  if (code === 'ENOSPC') return 'the disk is full';
  return (error as Error).message ?? String(error);
}

/**
 * The error for a history folder that cannot be created or written: names the folder and
 * says why, with the system's own error as its cause.
 */
export class HistoryFolderError extends Error {
  override name = 'HistoryFolderError';
  constructor(
    readonly dir: string,
    action: 'create' | 'write to',
    cause: unknown,
  ) {
    super(`cannot ${action} the history folder ${dir}: ${folderProblem(cause)}`, { cause });
  }
}

/** Creates the folders of a history (owner-only: it holds what the hubs sent). */
export async function ensureFolders(paths: HistoryPaths): Promise<void> {
  try {
    await mkdir(paths.root, { recursive: true, mode: 0o700 });
    await mkdir(paths.journalDir, { recursive: true, mode: 0o700 });
    await mkdir(paths.segmentDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new HistoryFolderError(paths.root, 'create', error);
  }
}

/** Whether a value looks like a manifest this version wrote. */
function isManifest(value: unknown): value is Manifest {
  const m = value as Manifest;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.version === 1 &&
    Array.isArray(m.segments) &&
    Array.isArray(m.sealedJournals)
  );
}

/** The manifest, or null when there is none; throws when it cannot be read or makes no sense. */
export async function readManifest(paths: HistoryPaths): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(paths.manifest, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!isManifest(parsed)) throw new Error('manifest.json is not a Hubwatch history manifest');
  return parsed;
}

/** Replaces the manifest atomically (write beside, then rename). */
export async function writeManifest(paths: HistoryPaths, manifest: Manifest): Promise<void> {
  const temp = `${paths.manifest}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(manifest), { mode: 0o600 });
  await rename(temp, paths.manifest);
}

/** Journal files present, oldest first. */
export async function listJournals(paths: HistoryPaths): Promise<string[]> {
  try {
    return (await readdir(paths.journalDir)).filter((name) => name.endsWith('.ndjson')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Segment files present (whether listed or not). */
export async function listSegmentFiles(paths: HistoryPaths): Promise<string[]> {
  try {
    return (await readdir(paths.segmentDir)).filter((name) => name.endsWith('.parquet')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Where a file set aside at `now` goes: `corrupt-<time>/<name>` (the folder is created). */
async function asideTarget(paths: HistoryPaths, file: string, now: number): Promise<string> {
  const dir = join(paths.root, `corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return join(dir, file.split('/').pop()!);
}

/** Moves a file that cannot be read into `corrupt-<time>/`; returns where it went. */
export async function moveAside(paths: HistoryPaths, file: string, now: number): Promise<string> {
  const target = await asideTarget(paths, file, now);
  await rename(file, target);
  return target;
}

/** Copies a file that could be read only in part into `corrupt-<time>/`; returns where the copy is. */
export async function copyAside(paths: HistoryPaths, file: string, now: number): Promise<string> {
  const target = await asideTarget(paths, file, now);
  await copyFile(file, target);
  return target;
}

/** Bytes of a file, 0 when it is gone. */
export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
