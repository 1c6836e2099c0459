/**
 * The engine's public entry: the one door the `hubwatch` command (`src/cli/`), the Electron
 * shell (`src/main/*.ts`) and the benchmarks (`bench/`) come in by. It holds what they use
 * and nothing more, so the folders behind it (store, pipeline, transports, dialects,
 * export, workspace) can change without touching them; ESLint refuses a deeper import from
 * those layers (see eslint.config.js). Tests may import the units behind it directly.
 */

// The engine: hubs, connections, dialects, store, pipeline, subscribers.
export { Engine, type EngineOptions } from './engine';
export { IngestedEvent, type EngineEvent } from './event-record';

// The application layer both hosts (desktop, `hubwatch serve`) run the UI's API on.
export {
  Workspace,
  type SecretVault,
  type WorkspaceHost,
  type WorkspacePersistence,
} from './workspace/workspace';
export { ApiSession } from './workspace/api-session';

// Secrets and redaction.
export { collectSecretValues, processEnvSecrets, resolveAuth, SecretResolutionError } from './secrets';
export { createRedactor } from './redaction';

// Exports and line output.
export { exportToFile } from './export/file-export';
export { packedBatches } from './export/store-batches';
export { createLineSink, type LineSink } from './export/file-export';
export { isExportFormat, type ExportFormat } from './export/formats';
export { bundledExportWorker, defaultWorkerCount } from './export/format-pool';

// Pieces the shell's settings check and the benchmarks build on.
export { AlertEngine } from './pipeline/alerts';
export { DEFAULT_CAPACITY_PER_HUB, EventStore } from './store/store';
export { getDialect } from './dialects';

// The persistent history: the writer the hosts open, the reader `hubwatch history` uses.
export {
  DEFAULT_HISTORY_MAX_AGE_MS,
  DEFAULT_HISTORY_MAX_BYTES,
  History,
  HistoryLockedError,
  HistoryReader,
  type HistoryEvent,
} from './history/history';
export type { HistorySettings } from './workspace/workspace';
