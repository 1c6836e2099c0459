/**
 * The workspace host of `hubwatch serve`: hubs from (and back to) the config file, secrets
 * typed into the browser kept in memory only, exports written to a private temp directory
 * and downloaded through the server.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AppInfo, SavedFilter, SecretField, UiSettings } from '../../shared/api';
import { DEFAULT_UI_SETTINGS } from '../../shared/api';
import type { HubConfig } from '../../shared/hub-config';
import type { SecretVault, WorkspaceHost, WorkspacePersistence } from '../../main/engine';

/** Secrets typed into the browser: held in this process only, never written anywhere. */
export class MemoryVault implements SecretVault {
  private readonly values = new Map<string, string>();

  status(): AppInfo['secretStorage'] {
    return {
      kind: 'memory',
      detail:
        'Secrets typed here are kept in memory until hubwatch serve stops. To keep one, use {"env": "NAME"} in the config file.',
    };
  }

  store(hubId: string, field: SecretField, value: string): Promise<string> {
    const ref = `serve:${hubId}:${field}:${randomBytes(4).toString('hex')}`;
    this.values.set(ref, value);
    return Promise.resolve(ref);
  }

  remove(ref: string): void {
    this.values.delete(ref);
  }

  get(ref: string): string | undefined {
    return this.values.get(ref);
  }
}

/** Hubs in the config file (rewritten atomically on change); the rest in memory. */
export class ServePersistence implements WorkspacePersistence {
  private ui: UiSettings = structuredClone(DEFAULT_UI_SETTINGS);
  private filters: SavedFilter[] = [];
  private muted: string[] = [];

  constructor(
    private hubs: HubConfig[],
    private readonly configPath: string | null,
    private readonly onError: (message: string) => void,
  ) {}

  loadHubs(): HubConfig[] {
    return structuredClone(this.hubs);
  }

  saveHubs(hubs: HubConfig[]): void {
    this.hubs = structuredClone(hubs);
    if (!this.configPath) return;
    try {
      let existing: Record<string, unknown> = {};
      try {
        existing = JSON.parse(readFileSync(this.configPath, 'utf8')) as Record<string, unknown>;
      } catch {
        existing = {};
      }
      const temp = join(dirname(this.configPath), `.${basename(this.configPath)}.${process.pid}.tmp`);
      writeFileSync(temp, JSON.stringify({ ...existing, hubs }, null, 2) + '\n', { mode: 0o600 });
      renameSync(temp, this.configPath);
    } catch (error) {
      this.onError(`could not save ${this.configPath}: ${(error as Error).message}`);
    }
  }

  loadUi(): UiSettings {
    return structuredClone(this.ui);
  }
  saveUi(settings: UiSettings): void {
    this.ui = structuredClone(settings);
  }
  loadFilters(): SavedFilter[] {
    return structuredClone(this.filters);
  }
  saveFilters(filters: SavedFilter[]): void {
    this.filters = structuredClone(filters);
  }
  loadMuted(): string[] {
    return [...this.muted];
  }
  saveMuted(hubs: string[]): void {
    this.muted = [...hubs];
  }
}

export interface ServeHostOptions {
  hubs: HubConfig[];
  configPath: string | null;
  startDemo: () => Promise<HubConfig[]>;
  demoRunning: () => boolean;
  onError: (message: string) => void;
  /** The export format worker built beside the CLI entry (see `bundledExportWorker`). */
  exportWorker?: URL | null;
}

/** Exported files waiting to be downloaded, by download id. */
export class ExportShelf {
  readonly dir = mkdtempSync(join(tmpdir(), 'hubwatch-exports-'));
  private readonly files = new Map<string, string>();

  path(name: string): string {
    mkdirSync(this.dir, { recursive: true });
    return join(this.dir, `${randomBytes(6).toString('hex')}-${name}`);
  }

  /** Registers a finished file; returns its download path on the server. */
  publish(path: string): string {
    const id = randomBytes(12).toString('hex');
    this.files.set(id, path);
    return `/exports/${id}/${encodeURIComponent(basename(path).replace(/^[0-9a-f]{12}-/, ''))}`;
  }

  lookup(id: string): string | undefined {
    return this.files.get(id);
  }

  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function createServeHost(options: ServeHostOptions, shelf: ExportShelf): WorkspaceHost {
  return {
    mode: 'browser',
    platform: process.platform,
    vault: new MemoryVault(),
    persistence: new ServePersistence(options.hubs, options.configPath, options.onError),
    env: (name) => process.env[name],
    chooseExportPath: (_request, suggestedName) => Promise.resolve(shelf.path(suggestedName)),
    downloadUrl: (path) => shelf.publish(path),
    startDemo: options.startDemo,
    demoRunning: options.demoRunning,
    exportWorker: options.exportWorker ?? null,
  };
}
