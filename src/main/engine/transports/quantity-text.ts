/** Durations and sizes as the operator reads them in connection reasons. */

/** `10 s`, `0.5 s`: durations in reasons. */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${seconds >= 10 ? Math.round(seconds) : Number(seconds.toFixed(seconds < 1 ? 2 : 1))} s`;
}

/** `16 MiB`, `1 KiB`, `512 bytes`: sizes in reasons. */
export function formatMiB(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}
