import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetStub } from './support/electron';

const { DesktopSettings, defaultSettings, withoutInlineSecrets } = await import('../../../src/main/settings');
const { SETTINGS_VERSION } = await import('../../../src/main/settings-migrations');
const { DEFAULT_ALERT_RULES } = await import('../../../src/shared/alerts');

const NOW = Date.UTC(2026, 4, 8, 10, 3, 12, 345);

describe('the settings file', () => {
  let dir: string;
  let kept: { hubId: string; field: string; value: string }[];
  const open = () =>
    DesktopSettings.open({
      dir,
      now: () => NOW,
      keepInlineSecret: (hubId, field, value) => {
        kept.push({ hubId, field, value });
        return `ref-${kept.length}`;
      },
    });
  const file = () => join(dir, 'config.json');
  const written = () => JSON.parse(readFileSync(file(), 'utf8')) as Record<string, unknown>;

  beforeEach(() => {
    resetStub();
    dir = mkdtempSync(join(tmpdir(), 'hubwatch-settings-'));
    kept = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a first run with every default written to config.json, readable by its owner only', () => {
    const { settings, notices } = open();
    expect(notices).toEqual([]);
    expect(settings.snapshot()).toEqual(defaultSettings());
    expect(written()).toMatchObject({ schemaVersion: SETTINGS_VERSION, closeToTray: true, hubs: [] });
    expect(written()['alertRules']).toEqual(DEFAULT_ALERT_RULES);
    expect(readdirSync(dir)).toEqual(['config.json']);
    if (process.platform !== 'win32') expect(statSync(file()).mode & 0o777).toBe(0o600);
  });

  it('keeps what was saved across a restart', () => {
    const { settings } = open();
    settings.saveHubs([{ id: 'bots', dialect: 'bot-hub', url: 'http://127.0.0.1:8090/events' }]);
    settings.saveUi({ ...defaultSettings().ui, theme: 'dark', tabOrder: ['bots'] });
    settings.saveFilters([{ name: 'errors', filter: { levels: ['error'] } }]);
    settings.saveMuted(['bots']);
    settings.saveWindowState({ bounds: { x: 10.4, y: 20, width: 900, height: 700 }, maximized: true });
    settings.setCloseToTray(false);
    const again = open().settings;
    expect(again.loadHubs()).toEqual([
      { id: 'bots', dialect: 'bot-hub', url: 'http://127.0.0.1:8090/events' },
    ]);
    expect(again.loadUi()).toMatchObject({ theme: 'dark', tabOrder: ['bots'] });
    expect(again.loadFilters()).toEqual([{ name: 'errors', filter: { levels: ['error'] } }]);
    expect(again.loadMuted()).toEqual(['bots']);
    expect(again.windowState()).toEqual({
      bounds: { x: 10, y: 20, width: 900, height: 700 },
      maximized: true,
    });
    expect(again.closeToTray()).toBe(false);
  });

  it('moves a file that is not JSON aside as config.corrupt-<timestamp>.json and says so, never resetting it in place', () => {
    writeFileSync(file(), '{"schemaVersion": 2, "hubs": [');
    const { settings, notices } = open();
    const aside = join(dir, 'config.corrupt-2026-05-08T10-03-12-345Z.json');
    expect(readFileSync(aside, 'utf8')).toBe('{"schemaVersion": 2, "hubs": [');
    expect(settings.loadHubs()).toEqual([]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      level: 'error',
      message: expect.stringContaining('not valid JSON') as unknown,
    });
    expect(notices[0]?.message).toContain(aside);
    expect(notices[0]?.dialog?.detail).toContain(aside);
  });

  it('moves aside a file that fails the settings schema', () => {
    writeFileSync(file(), JSON.stringify({ ...defaultSettings(), closeToTray: 'yes' }));
    const { notices } = open();
    expect(notices[0]?.message).toMatch(/fails the settings schema: .*closeToTray/);
    expect(readdirSync(dir).filter((name) => name.startsWith('config.corrupt-'))).toHaveLength(1);
  });

  it('checks the UI settings and saved filters with the API schema: a file holds only what the UI may send', () => {
    const ui = { ...defaultSettings().ui, tabFilters: { all: { levels: ['loud'] } } };
    writeFileSync(file(), JSON.stringify({ ...defaultSettings(), ui }));
    expect(open().notices[0]?.message).toMatch(/fails the settings schema: .*tabFilters/);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(
      file(),
      JSON.stringify({ ...defaultSettings(), filters: [{ name: 'x', filter: { from: 'now' } }] }),
    );
    expect(open().notices[0]?.message).toMatch(/fails the settings schema: .*filters/);
  });

  it('keeps a file holding keys this version does not name, as it always has', () => {
    const ui = {
      ...defaultSettings().ui,
      splitRatio: 0.4,
      tabFilters: { all: { levels: ['error'], pinned: true } },
    };
    writeFileSync(file(), JSON.stringify({ ...defaultSettings(), ui, experiments: { fast: true } }));
    const { settings, notices } = open();
    expect(notices).toEqual([]);
    expect(settings.loadUi()).toMatchObject({ tabFilters: { all: { levels: ['error'] } } });
  });

  it('moves aside a file whose hubs break the hub config rules, naming the hub and the field', () => {
    const hubs = [{ id: 'cube', dialect: 'protocube', url: 'ftp://nowhere' }];
    writeFileSync(file(), JSON.stringify({ ...defaultSettings(), hubs }));
    const { settings, notices } = open();
    expect(notices[0]?.message).toMatch(/cube.*url/);
    expect(settings.loadHubs()).toEqual([]);
  });

  it('moves aside a file with an alert rule the engine could not compile', () => {
    const rule = { ...DEFAULT_ALERT_RULES[0]!, id: 'broken', match: { where: 'data.x ==' } };
    writeFileSync(file(), JSON.stringify({ ...defaultSettings(), alertRules: [rule] }));
    const { notices } = open();
    expect(notices[0]?.message).toMatch(/alert rule "broken"/);
  });

  it('moves aside a file written by a newer Hubwatch instead of guessing its layout', () => {
    writeFileSync(file(), JSON.stringify({ ...defaultSettings(), schemaVersion: SETTINGS_VERSION + 1 }));
    const { notices } = open();
    expect(notices[0]?.message).toMatch(/newer Hubwatch/);
  });

  it('migrates a version 1 file, keeping the original next to it', () => {
    const v1 = {
      schemaVersion: 1,
      hubs: [{ id: 'evo', dialect: 'evoclaw', url: 'http://127.0.0.1:8420/api/logs/stream' }],
      layout: { theme: 'light', tabOrder: ['evo'] },
      muted: ['evo'],
      windowBounds: { x: 5, y: 6, width: 1000, height: 700 },
    };
    writeFileSync(file(), JSON.stringify(v1));
    const { settings, notices } = open();
    expect(settings.loadHubs()).toEqual(v1.hubs);
    expect(settings.loadUi()).toMatchObject({ theme: 'light', tabOrder: ['evo'], timeFormat: 'absolute' });
    expect(settings.loadMuted()).toEqual(['evo']);
    expect(settings.windowState()).toEqual({ bounds: v1.windowBounds, maximized: false });
    expect(settings.alertRules()).toEqual(DEFAULT_ALERT_RULES);
    expect(written()['schemaVersion']).toBe(2);
    expect(written()).not.toHaveProperty('layout');
    const backup = join(dir, 'config.v1-backup-2026-05-08T10-03-12-345Z.json');
    expect(JSON.parse(readFileSync(backup, 'utf8'))).toEqual(v1);
    expect(notices).toEqual([
      expect.objectContaining({
        level: 'info',
        message: expect.stringContaining('version 1 to 2') as unknown,
      }),
    ]);
  });

  it('treats a file without a schemaVersion as version 1', () => {
    writeFileSync(file(), JSON.stringify({ hubs: [], muted: ['a'] }));
    const { settings, notices } = open();
    expect(settings.loadMuted()).toEqual(['a']);
    expect(notices[0]?.level).toBe('info');
  });

  it('takes plain secret values out of a hand-edited file into the vault, leaving references', () => {
    const hubs = [
      {
        id: 'cube',
        dialect: 'protocube',
        url: 'http://127.0.0.1:9000/api/events',
        auth: { type: 'bearer', token: 'sls_live_plain' },
      },
      {
        id: 'bots',
        dialect: 'bot-hub',
        url: 'http://127.0.0.1:8090/events',
        auth: { type: 'bearer', token: { env: 'BOT_TOKEN' } },
      },
    ];
    writeFileSync(file(), JSON.stringify({ ...defaultSettings(), hubs }));
    const { settings, notices } = open();
    expect(kept).toEqual([{ hubId: 'cube', field: 'auth.token', value: 'sls_live_plain' }]);
    expect(readFileSync(file(), 'utf8')).not.toContain('sls_live_plain');
    expect(settings.loadHubs()[0]?.auth).toEqual({ type: 'bearer', token: { secret: 'ref-1' } });
    expect(settings.loadHubs()[1]?.auth).toEqual({ type: 'bearer', token: { env: 'BOT_TOKEN' } });
    expect(notices[0]).toMatchObject({
      level: 'warn',
      message: expect.stringContaining('1 secret value in plain text') as unknown,
    });
  });

  it('never writes a plain secret value that reaches saveHubs', () => {
    const { settings } = open();
    settings.saveHubs([
      {
        id: 'rdev',
        dialect: 'rdev',
        url: 'http://127.0.0.1:8080',
        project: 'p',
        auth: { type: 'header', name: 'X-API-Key', value: 'rdev-key-plain' },
      },
    ]);
    expect(readFileSync(file(), 'utf8')).not.toContain('rdev-key-plain');
    expect(settings.loadHubs()[0]?.auth).toEqual({
      type: 'header',
      name: 'X-API-Key',
      value: { secret: 'ref-1' },
    });
  });

  it('reports a failed write and keeps the change in memory', () => {
    const errors: string[] = [];
    const { settings } = DesktopSettings.open({
      dir,
      keepInlineSecret: () => 'r',
      onWriteError: (m) => errors.push(m),
    });
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'a file where the folder was');
    settings.setCloseToTray(false);
    expect(settings.closeToTray()).toBe(false);
    expect(errors).toEqual([expect.stringContaining('could not save its settings')]);
    rmSync(dir, { force: true });
  });
});

describe('withoutInlineSecrets', () => {
  it('replaces every kind of plain secret and leaves references, env and empty values alone', () => {
    const refs: string[] = [];
    const { hubs, moved } = withoutInlineSecrets(
      [
        {
          id: 'a',
          dialect: 'generic',
          url: 'http://x/',
          auth: { type: 'query', param: 'token', value: 'q' },
        },
        {
          id: 'b',
          dialect: 'backendai',
          url: 'http://x/',
          auth: { type: 'backendai', accessKey: 'AK', secretKey: 's' },
        },
        {
          id: 'c',
          dialect: 'generic',
          url: 'http://x/',
          auth: { type: 'bearer', token: { secret: 'kept' } },
        },
        { id: 'd', dialect: 'generic', url: 'http://x/', auth: { type: 'bearer', token: '' } },
        { id: 'e', dialect: 'generic', url: 'http://x/' },
      ],
      (hubId, field) => {
        refs.push(`${hubId}:${field}`);
        return `r-${hubId}`;
      },
    );
    expect(moved).toBe(2);
    expect(refs).toEqual(['a:auth.value', 'b:auth.secretKey']);
    expect(hubs.map((hub) => hub.auth)).toEqual([
      { type: 'query', param: 'token', value: { secret: 'r-a' } },
      { type: 'backendai', accessKey: 'AK', secretKey: { secret: 'r-b' } },
      { type: 'bearer', token: { secret: 'kept' } },
      { type: 'bearer', token: '' },
      undefined,
    ]);
  });
});
