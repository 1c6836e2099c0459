/**
 * Reading and setting aside the app's own JSON files (settings, secrets) before
 * electron-store opens them: a file that cannot be read is moved aside, never overwritten,
 * so whatever was in it can still be recovered by hand.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** What a JSON file holds: nothing yet, an object, or something unusable (and why). */
export type JsonFileContent =
  | { kind: 'missing' }
  | { kind: 'object'; value: Record<string, unknown> }
  | { kind: 'unreadable'; reason: string };

/** Reads a JSON object from `path` (a leading byte order mark is allowed, as electron-store allows it). */
export function readJsonObject(path: string): JsonFileContent {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: `it cannot be read (${(error as Error).message})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { kind: 'unreadable', reason: `it is not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'unreadable', reason: 'it does not hold a JSON object' };
  }
  return { kind: 'object', value: value as Record<string, unknown> };
}

/** A timestamp for file names: ISO 8601 without the characters Windows refuses (`:`). */
export function fileStamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, '-');
}

/**
 * Renames `path` to `<name>.<label>-<timestamp><ext>` next to it (`config.corrupt-2026-…json`)
 * and returns the new path. Never replaces an existing file.
 */
export function moveAside(path: string, label: string, now: number): string {
  const ext = extname(path);
  const name = basename(path, ext);
  let target = join(dirname(path), `${name}.${label}-${fileStamp(now)}${ext}`);
  for (let n = 2; existsSync(target); n++) {
    target = join(dirname(path), `${name}.${label}-${fileStamp(now)}-${n}${ext}`);
  }
  renameSync(path, target);
  return target;
}

/** Writes JSON to `path` through a temporary file and a rename, readable by its owner only. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temp, JSON.stringify(value, null, '\t'), { mode: 0o600 });
  renameSync(temp, path);
}
