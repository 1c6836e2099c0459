/**
 * The settings file's own schema versions and the steps between them. Ours rather than
 * electron-store's `migrations` option, which is keyed by the app's version (and which its
 * author no longer supports): a settings layout changes when the layout changes, not when
 * the app is released, and each step here is a plain function that tests can run.
 */

/** The settings layout this build reads and writes. */
export const SETTINGS_VERSION = 2;

/** A settings file as parsed, before it is checked against the current schema. */
export type RawSettings = Record<string, unknown>;

/** One step: turns a file of version `from` into one of version `from + 1`. */
export interface SettingsMigration {
  from: number;
  describe: string;
  migrate(raw: RawSettings): RawSettings;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * v1 → v2. Version 1 (the development previews) kept the UI layout under `layout`, muted
 * hubs under `muted`, and the window as `windowBounds`; it had no alert rules, retention or
 * tray setting. Version 2 groups the window state, names what the engine keeps, and leaves
 * the new keys to their defaults.
 */
const v1ToV2: SettingsMigration = {
  from: 1,
  describe: 'layout → ui, muted → mutedHubs, windowBounds → window',
  migrate(raw) {
    const { layout, muted, windowBounds, schemaVersion: _version, ...rest } = raw;
    const next: RawSettings = { ...rest, schemaVersion: 2 };
    if (layout !== undefined) next['ui'] = record(layout);
    if (muted !== undefined) next['mutedHubs'] = muted;
    if (windowBounds !== undefined) next['window'] = { bounds: windowBounds ?? null, maximized: false };
    return next;
  },
};

/** Every step, oldest first. */
export const SETTINGS_MIGRATIONS: readonly SettingsMigration[] = [v1ToV2];

/** The version a parsed file declares; files from before the key existed are version 1. */
export function settingsVersionOf(raw: RawSettings): number | null {
  const version = raw['schemaVersion'];
  if (version === undefined) return 1;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : null;
}

export type MigrationResult =
  { ok: true; data: RawSettings; from: number; steps: string[] } | { ok: false; reason: string };

/**
 * Brings a parsed settings file to `SETTINGS_VERSION`. Refuses a file from a newer
 * Hubwatch (its layout is unknown here) and one whose version is not a version.
 */
export function migrateSettings(
  raw: RawSettings,
  migrations: readonly SettingsMigration[] = SETTINGS_MIGRATIONS,
  target: number = SETTINGS_VERSION,
): MigrationResult {
  const from = settingsVersionOf(raw);
  if (from === null)
    return {
      ok: false,
      reason: `its schemaVersion ${JSON.stringify(raw['schemaVersion'])} is not a version number`,
    };
  if (from > target) {
    return {
      ok: false,
      reason: `it was written by a newer Hubwatch (settings version ${from}; this one reads up to ${target})`,
    };
  }
  let data = raw;
  const steps: string[] = [];
  for (let version = from; version < target; version++) {
    const step = migrations.find((migration) => migration.from === version);
    if (!step) return { ok: false, reason: `there is no migration from settings version ${version}` };
    data = step.migrate(data);
    steps.push(`v${version} → v${version + 1}: ${step.describe}`);
  }
  return { ok: true, data, from, steps };
}
