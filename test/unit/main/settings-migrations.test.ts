import { describe, expect, it } from 'vitest';
import {
  migrateSettings,
  settingsVersionOf,
  SETTINGS_VERSION,
  type SettingsMigration,
} from '../../../src/main/settings-migrations';

describe('settings migrations', () => {
  it('leaves a current file as it is', () => {
    const raw = { schemaVersion: SETTINGS_VERSION, hubs: [] };
    expect(migrateSettings(raw)).toEqual({ ok: true, data: raw, from: SETTINGS_VERSION, steps: [] });
  });

  it('turns version 1 keys into their version 2 places', () => {
    const result = migrateSettings({
      schemaVersion: 1,
      hubs: [],
      layout: { theme: 'dark' },
      muted: ['x'],
      windowBounds: null,
    });
    expect(result).toEqual({
      ok: true,
      from: 1,
      steps: ['v1 → v2: layout → ui, muted → mutedHubs, windowBounds → window'],
      data: {
        schemaVersion: 2,
        hubs: [],
        ui: { theme: 'dark' },
        mutedHubs: ['x'],
        window: { bounds: null, maximized: false },
      },
    });
  });

  it('runs every step in order from an old version to the target', () => {
    const steps: SettingsMigration[] = [
      { from: 1, describe: 'a', migrate: (raw) => ({ ...raw, schemaVersion: 2, trail: ['a'] }) },
      {
        from: 2,
        describe: 'b',
        migrate: (raw) => ({ ...raw, schemaVersion: 3, trail: [...(raw['trail'] as string[]), 'b'] }),
      },
    ];
    const result = migrateSettings({ schemaVersion: 1 }, steps, 3);
    expect(result).toMatchObject({ ok: true, from: 1, data: { schemaVersion: 3, trail: ['a', 'b'] } });
  });

  it('refuses a newer file, a version that is not one, and a gap in the steps', () => {
    expect(migrateSettings({ schemaVersion: SETTINGS_VERSION + 1 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/newer Hubwatch/) as unknown,
    });
    expect(migrateSettings({ schemaVersion: 'two' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a version/) as unknown,
    });
    expect(migrateSettings({ schemaVersion: 1 }, [], 2)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no migration from settings version 1/) as unknown,
    });
  });

  it('reads a missing version as 1', () => {
    expect(settingsVersionOf({})).toBe(1);
    expect(settingsVersionOf({ schemaVersion: 0 })).toBeNull();
  });
});
