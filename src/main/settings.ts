/**
 * The desktop app's settings: one electron-store file (`config.json` in `userData`) with
 * hubs, UI layout, saved filters, alert rules, muted hubs, retention, window state and the
 * tray setting. It carries its own schema version and migrations (settings-migrations.ts).
 *
 * A file that cannot be used — not JSON, from a newer Hubwatch, failing the schema or the
 * hub config rules — is moved aside as `config.corrupt-<timestamp>.json` and the operator
 * is told; it is never silently reset. Secret values are never written here: a hub's
 * secrets are `{ "secret": REF }` into the vault (secret-vault.ts), and a plain value that
 * reaches this module is handed to the vault instead of the file.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Store, { type Schema } from 'electron-store';
import { DEFAULT_UI_SETTINGS, type SavedFilter, type SecretField, type UiSettings } from '../shared/api';
import { DEFAULT_ALERT_RULES, type AlertRule } from '../shared/alerts';
import { formatConfigIssues, validateConfig } from '../shared/config-validation';
import { mapAuthSecret, secretOf, type HubConfig } from '../shared/hub-config';
import {
  AlertEngine,
  DEFAULT_CAPACITY_PER_HUB,
  DEFAULT_HISTORY_MAX_AGE_MS,
  DEFAULT_HISTORY_MAX_BYTES,
  type WorkspacePersistence,
} from './engine';
import { fileStamp, moveAside, readJsonObject, writeJsonAtomic } from './json-file';
import { migrateSettings, SETTINGS_VERSION, type RawSettings } from './settings-migrations';
import {
  settingsJsonSchema,
  type SettingsData,
  type WindowBounds,
  type WindowState,
} from './settings-schema';

export type { SettingsData, WindowBounds, WindowState };

/** Settings of a first run. */
export function defaultSettings(): SettingsData {
  return {
    schemaVersion: SETTINGS_VERSION,
    hubs: [],
    ui: structuredClone(DEFAULT_UI_SETTINGS),
    filters: [],
    alertRules: structuredClone([...DEFAULT_ALERT_RULES]),
    mutedHubs: [],
    retention: { eventsPerHub: DEFAULT_CAPACITY_PER_HUB },
    window: { bounds: null, maximized: false },
    closeToTray: true,
    trayHintShown: false,
    demo: null,
  };
}

/**
 * The shape electron-store checks on open and on every write (JSON Schema, checked by
 * ajv), made from the settings' valibot schema (settings-schema.ts). Hubs are checked in
 * depth by the hub config rules (`validateConfig`), which name the hub and the field.
 */
export const SETTINGS_SCHEMA: Schema<SettingsData> = settingsJsonSchema();

/** Something about the settings the operator must be told (pushed to the UI; `dialog` also in a dialog). */
export interface SettingsNotice {
  level: 'info' | 'warn' | 'error';
  message: string;
  dialog?: { title: string; detail: string };
}

export interface SettingsOpenOptions {
  /** The directory of `config.json` (`app.getPath('userData')`). */
  dir: string;
  /**
   * Takes a secret value found in a hub config (a hand-edited file, or a bug) out of the
   * settings: the vault keeps it and returns the reference written instead.
   */
  keepInlineSecret: (hubId: string, field: SecretField, value: string) => string;
  /** A write failed (full disk, permissions): the change holds until Hubwatch quits. */
  onWriteError?: (message: string) => void;
  now?: () => number;
}

/**
 * Hubs with every plain secret value replaced by a vault reference (`keep` stores it).
 * Empty strings are left alone: they are "not set", not secrets.
 */
export function withoutInlineSecrets(
  hubs: readonly HubConfig[],
  keep: SettingsOpenOptions['keepInlineSecret'],
): { hubs: HubConfig[]; moved: number } {
  let moved = 0;
  const result = hubs.map((hub) => {
    const secret = secretOf(hub.auth);
    if (!hub.auth || typeof secret !== 'string' || secret.length === 0) return hub;
    const auth = mapAuthSecret(hub.auth, (_plain, field) => ({ secret: keep(hub.id, field, secret) }));
    moved++;
    return { ...hub, auth };
  });
  return { hubs: result, moved };
}

/** Fills keys a (migrated) file lacks with their defaults. */
function withDefaults(raw: RawSettings): RawSettings {
  const defaults = defaultSettings();
  const filled: RawSettings = { ...defaults, ...raw };
  const ui = raw['ui'];
  if (typeof ui === 'object' && ui !== null && !Array.isArray(ui)) filled['ui'] = { ...defaults.ui, ...ui };
  return filled;
}

/** What the hub config rules and the alert engine say about a settings object, or null when it is usable. */
function semanticProblem(raw: RawSettings): string | null {
  if (!Array.isArray(raw['hubs'])) return null; // the schema reports it
  const result = validateConfig({ hubs: raw['hubs'] });
  if (!result.ok) return `its hubs break the hub config rules: ${formatConfigIssues(result.errors)}`;
  const rules = raw['alertRules'];
  if (Array.isArray(rules)) {
    try {
      // The same compilation the engine does on start: a rule it refuses would stop the app.
      new AlertEngine({ raised() {}, updated() {} }, () => '', rules as AlertRule[]);
    } catch (error) {
      return `an alert rule does not compile: ${(error as Error).message}`;
    }
  }
  return null;
}

function corruptNotice(file: string, movedTo: string, reason: string): SettingsNotice {
  return {
    level: 'error',
    message: `Hubwatch could not use its settings file because ${reason}. It was moved aside to ${movedTo} and Hubwatch started with default settings; nothing in it was deleted.`,
    dialog: {
      title: 'Hubwatch could not read its settings',
      detail: `${file} could not be used because ${reason}.\n\nIt was moved aside to:\n${movedTo}\n\nHubwatch started with default settings. Your hubs, filters and layout from that file are not loaded; you can copy what you need from it, or fix it and put it back while Hubwatch is not running.`,
    },
  };
}

export class DesktopSettings implements WorkspacePersistence {
  private constructor(
    private readonly store: Store<SettingsData>,
    private data: SettingsData,
    private readonly options: SettingsOpenOptions,
  ) {}

  /** Where the settings file is. */
  get path(): string {
    return this.store.path;
  }

  /**
   * Opens `config.json` in `dir`: migrates an older layout (keeping a copy of the original),
   * moves an unusable file aside, and takes any plain secret value out of it. The notices
   * say what happened, for the operator.
   */
  static open(options: SettingsOpenOptions): { settings: DesktopSettings; notices: SettingsNotice[] } {
    const now = options.now ?? Date.now;
    const file = join(options.dir, 'config.json');
    mkdirSync(options.dir, { recursive: true });
    const notices: SettingsNotice[] = [];
    const setAside = (reason: string) => {
      const movedTo = moveAside(file, 'corrupt', now());
      notices.push(corruptNotice(file, movedTo, reason));
    };

    const content = readJsonObject(file);
    if (content.kind === 'unreadable') setAside(content.reason);
    if (content.kind === 'object') {
      const migrated = migrateSettings(content.value);
      if (!migrated.ok) {
        setAside(migrated.reason);
      } else {
        const filled = withDefaults(migrated.data);
        const problem = semanticProblem(filled);
        if (problem) {
          setAside(problem);
        } else {
          let rewrite = migrated.steps.length > 0;
          if (rewrite) {
            // The original stays next to it, in case the migration lost something.
            const backup = join(options.dir, `config.v${migrated.from}-backup-${fileStamp(now())}.json`);
            copyFileSync(file, backup);
            notices.push({
              level: 'info',
              message: `Settings were upgraded from version ${migrated.from} to ${SETTINGS_VERSION}; the previous file is kept as ${backup}.`,
            });
          }
          if (Array.isArray(filled['hubs'])) {
            const cleaned = withoutInlineSecrets(filled['hubs'] as HubConfig[], options.keepInlineSecret);
            if (cleaned.moved > 0) {
              filled['hubs'] = cleaned.hubs;
              rewrite = true;
              notices.push({
                level: 'warn',
                message: `The settings file held ${cleaned.moved} secret value${cleaned.moved === 1 ? '' : 's'} in plain text. ${cleaned.moved === 1 ? 'It was' : 'They were'} removed from ${file} and handed to Hubwatch's secret store (encrypted where this computer allows it).`,
              });
            }
          }
          if (rewrite) writeJsonAtomic(file, filled);
        }
      }
    }

    const open = () => {
      // A first run (or a file just moved aside) starts from the defaults, written out
      // whole so that the file always holds every key.
      if (readJsonObject(file).kind === 'missing') writeJsonAtomic(file, defaultSettings());
      return new Store<SettingsData>({
        cwd: options.dir,
        name: 'config',
        schema: SETTINGS_SCHEMA,
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
        configFileMode: 0o600,
      });
    };
    let store: Store<SettingsData>;
    try {
      store = open();
    } catch (error) {
      // The schema refused what the file holds (electron-store checks it on open); any
      // other failure (permissions, a full disk) is not the file's fault and stops here.
      const message = (error as Error).message;
      if (!message.startsWith('Config schema violation: ')) throw error;
      setAside(message.replace(/^Config schema violation: /, 'it fails the settings schema: '));
      store = open();
    }
    const data = structuredClone<SettingsData>(store.store);
    return { settings: new DesktopSettings(store, data, options), notices };
  }

  /** Everything, as a copy. */
  snapshot(): SettingsData {
    return structuredClone(this.data);
  }

  private write<K extends keyof SettingsData>(key: K, value: SettingsData[K]): void {
    this.data[key] = value;
    try {
      // The whole file is written on every change anyway (electron-store), atomically.
      this.store.store = this.data;
    } catch (error) {
      this.options.onWriteError?.(
        `Hubwatch could not save its settings (${(error as Error).message}); the change holds until it quits.`,
      );
    }
  }

  loadHubs(): HubConfig[] {
    return structuredClone(this.data.hubs);
  }

  saveHubs(hubs: HubConfig[]): void {
    // Defence in depth: the workspace stores new secrets in the vault before saving, so a
    // plain value here is a bug — it still never reaches the file.
    this.write('hubs', withoutInlineSecrets(structuredClone(hubs), this.options.keepInlineSecret).hubs);
  }

  loadUi(): UiSettings {
    return structuredClone(this.data.ui);
  }

  saveUi(settings: UiSettings): void {
    this.write('ui', structuredClone(settings));
  }

  loadFilters(): SavedFilter[] {
    return structuredClone(this.data.filters);
  }

  saveFilters(filters: SavedFilter[]): void {
    this.write('filters', structuredClone(filters));
  }

  loadMuted(): string[] {
    return [...this.data.mutedHubs];
  }

  saveMuted(hubs: string[]): void {
    this.write('mutedHubs', [...hubs]);
  }

  alertRules(): AlertRule[] {
    return structuredClone(this.data.alertRules);
  }

  eventsPerHub(): number {
    return this.data.retention.eventsPerHub;
  }

  /** How long and how much history the app keeps on disk. */
  historyRetention(): { maxAgeMs: number; maxBytes: number } {
    const { historyDays, historyMaxBytes } = this.data.retention;
    return {
      maxAgeMs: historyDays === undefined ? DEFAULT_HISTORY_MAX_AGE_MS : historyDays * 24 * 60 * 60 * 1000,
      maxBytes: historyMaxBytes ?? DEFAULT_HISTORY_MAX_BYTES,
    };
  }

  windowState(): WindowState {
    return structuredClone(this.data.window);
  }

  saveWindowState(state: WindowState): void {
    const round = (bounds: WindowBounds): WindowBounds => ({
      x: Math.round(bounds.x),
      y: Math.round(bounds.y),
      width: Math.max(1, Math.round(bounds.width)),
      height: Math.max(1, Math.round(bounds.height)),
    });
    this.write('window', { bounds: state.bounds ? round(state.bounds) : null, maximized: state.maximized });
  }

  closeToTray(): boolean {
    return this.data.closeToTray;
  }

  setCloseToTray(enabled: boolean): void {
    this.write('closeToTray', enabled);
  }

  trayHintShown(): boolean {
    return this.data.trayHintShown;
  }

  setTrayHintShown(): void {
    this.write('trayHintShown', true);
  }

  demo(): { origin: string } | null {
    return this.data.demo ? { ...this.data.demo } : null;
  }

  setDemo(demo: { origin: string } | null): void {
    this.write('demo', demo ? { ...demo } : null);
  }
}
