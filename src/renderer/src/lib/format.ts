/**
 * Formatting for the operator's eye: times, ages, rates, counts, sizes and durations,
 * short enough for dense rows and tab headers.
 */

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** `14:03:07.123` in local time: what the list shows for an absolute time. */
export function formatClock(ms: number): string {
  const date = new Date(ms);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}.${pad3(date.getMilliseconds())}`;
}

/** `2026-05-08 14:03:07` in local time: for tooltips, alerts and the detail pane. */
export function formatDateTime(ms: number): string {
  const date = new Date(ms);
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/**
 * How long ago `ms` was, compactly: `now`, `4 s`, `12 min`, `3 h`, `2 d`. Times in the
 * future (clock skew between the hub and this machine) read as `now` rather than negative.
 */
export function formatAge(ms: number, now: number): string {
  const seconds = Math.floor((now - ms) / 1000);
  if (seconds < 1) return 'now';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** `4 s ago` (or `now`): the relative time of a row. */
export function formatRelative(ms: number, now: number): string {
  const age = formatAge(ms, now);
  return age === 'now' ? 'now' : `${age} ago`;
}

/** The time column of a row in the chosen format. */
export function formatRowTime(ms: number, mode: 'absolute' | 'relative', now: number): string {
  return mode === 'absolute' ? formatClock(ms) : formatRelative(ms, now);
}

/** `987`, `1.2k`, `34k`, `1.5M`: counts in tabs and toggles, at most four characters. */
export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  if (n < 10_000_000) return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
  return `${Math.round(n / 1_000_000)}M`;
}

/** `12,345`: exact counts where precision matters (totals, export progress). */
export function formatExact(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Events per second: `0/s`, `0.4/s`, `12/s`, `1.2k/s`. */
export function formatRate(perSecond: number): string {
  if (perSecond <= 0) return '0/s';
  if (perSecond < 10) return `${perSecond.toFixed(1).replace(/\.0$/, '')}/s`;
  return `${formatCount(perSecond)}/s`;
}

/** `512 B`, `3.4 KB`, `12 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** `850 ms`, `4.2 s`, `3 min 05 s`, `2 h 14 min`: how long something took. */
export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${pad2(totalSeconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${pad2(minutes % 60)} min`;
}

/** Seconds left until `at`, rounded up, never negative: the reconnect countdown. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Converts a `datetime-local` input value to epoch ms; null when empty or invalid. */
export function parseLocalDateTime(value: string): number | null {
  if (value.trim() === '') return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** Epoch ms to a `datetime-local` input value (local time, seconds precision). */
export function toLocalDateTimeInput(ms: number): string {
  const date = new Date(ms);
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}T${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}
