/**
 * The history's command-line vocabulary, shared by `serve`, `capture` and `history`: where
 * the data folder is, how long and how much to keep, and times given as ISO 8601 or as a
 * span back from now.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HISTORY_MAX_AGE_MS, DEFAULT_HISTORY_MAX_BYTES } from '../main/engine';
import { UsageError } from './cli-command';

const DAY_MS = 24 * 60 * 60 * 1000;

/** `$XDG_DATA_HOME/hubwatch`, else `~/.local/share/hubwatch`: `serve`'s data folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec: a relative value is invalid and ignored.
  if (xdg && xdg.startsWith('/')) return join(xdg, 'hubwatch');
  return join(homedir(), '.local', 'share', 'hubwatch');
}

/** The history folder inside a data folder. */
export function historyDirOf(dataDir: string): string {
  return join(dataDir, 'history');
}

/** `--history-days 7` (fractions allowed: `0.5` is twelve hours). */
export function parseHistoryDays(text: string | undefined): number {
  if (text === undefined) return DEFAULT_HISTORY_MAX_AGE_MS;
  const days = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(days) || days <= 0)
    throw new UsageError(`--history-days must be a positive number of days, got '${text}'`);
  return days * DAY_MS;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** `--history-max-size 2GB` / `500MB` / `1.5g` / a byte count (units are binary: 1 GB = 1024³ bytes). */
export function parseHistoryMaxSize(text: string | undefined): number {
  if (text === undefined) return DEFAULT_HISTORY_MAX_BYTES;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : NaN;
  // Below 1 MiB a single segment would already be over: refuse instead of deleting everything.
  if (!Number.isFinite(bytes) || bytes < 1024 * 1024)
    throw new UsageError(
      `--history-max-size must be a size of at least 1MB (e.g. 500MB, 2GB), got '${text}'`,
    );
  return bytes;
}

const SPAN_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: DAY_MS,
  w: 7 * DAY_MS,
};

/**
 * A time flag (`--since`, `--until`) as epoch ms: ISO 8601 (`2026-12-07T03:12:00Z`, a date
 * alone is midnight UTC) or a span back from `now` (`90s`, `15m`, `3h`, `2d`, `1w`).
 */
export function parseTimeArg(flag: string, text: string, now: number): number {
  const span = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(text);
  if (span) return now - Number(span[1]) * SPAN_UNITS[span[2]!.toLowerCase()]!;
  // ISO 8601 only: Date.parse accepts much else ("1", "May 3") that an operator did not mean.
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(text.trim())) {
    const at = Date.parse(text.trim());
    if (Number.isFinite(at)) return at;
  }
  throw new UsageError(
    `${flag} must be an ISO 8601 time (2026-12-07T03:12:00Z) or a span back from now (90s, 15m, 3h, 2d), got '${text}'`,
  );
}
