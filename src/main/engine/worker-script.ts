/**
 * Where the engine's worker threads come from: each build (Electron main, the `hubwatch`
 * command, the benchmarks) emits every worker as its own entry file beside the entry that
 * starts it, so an entry finds them from its own `import.meta.url`. Running from sources
 * (the unit tests) there is none, and the engine does the same work on the main thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The export format worker (see export/format-pool.ts). */
export const EXPORT_WORKER_FILE = 'export-worker.js';

/** The worker script `file` built beside an entry (`import.meta.url` of the entry), or null when that build has none. */
export function bundledWorker(entryUrl: string, file: string): URL | null {
  const url = new URL(`./${file}`, entryUrl);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}
