import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

interface SmokeReport {
  windows: {
    options: { webPreferences: Record<string, unknown> };
    url: string;
    hasWindowOpenHandler: boolean;
    willNavigateListeners: number;
    windowOpenResult: { action: string } | null;
  }[];
  protocolSchemes: { scheme: string; privileges: Record<string, boolean> }[];
  protocolHandlers: string[];
  permissionRequestDenied: boolean | null;
  permissionCheck: boolean | null;
  ipcChannels: string[];
  ipcListenerChannels: string[];
  trays: { tooltip: string; items: string[] }[];
  userData: string;
  info: { mode: string; firstRun: boolean; demoRunning: boolean; secretStorage: { kind: string } } | null;
  hubs: { id: string; state: string; events: number }[] | null;
  files: Record<string, string>;
  quit: { exitCode: number | null; windowsLeft: number } | null;
  applicationMenu: { role: string; items: string[] }[] | null;
  logs: { dir: string; files: string[]; text: string };
}

async function startBuiltMain(...flags: string[]): Promise<SmokeReport> {
  const { stdout } = await run(
    process.execPath,
    ['--import', './test/support/register-electron-stub.mjs', 'test/support/smoke-main.mjs', '300', ...flags],
    { cwd: root, timeout: 30_000 },
  );
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as SmokeReport;
}

describe('the built main process (Electron stubbed)', () => {
  it('starts and creates exactly one hardened window served from app://', async () => {
    expect(existsSync(resolve(root, 'out/main/index.js'))).toBe(true);
    const report = await startBuiltMain();
    expect(report.windows).toHaveLength(1);
    const [window] = report.windows;
    const prefs = window!.options.webPreferences;
    expect(prefs['contextIsolation']).toBe(true);
    expect(prefs['sandbox']).toBe(true);
    expect(prefs['nodeIntegration']).toBe(false);
    expect(window!.url).toBe('app://hubwatch/index.html');
    expect(report.protocolHandlers).toContain('app');
    expect(report.protocolSchemes.map((s) => s.scheme)).toContain('app');
  });

  it('points at a preload file that exists in out/ and is CommonJS', async () => {
    const report = await startBuiltMain();
    const preload = report.windows[0]!.options.webPreferences['preload'] as string;
    expect(preload.endsWith('.cjs')).toBe(true);
    expect(existsSync(preload)).toBe(true);
    expect(preload.startsWith(resolve(root, 'out'))).toBe(true);
  });

  it('denies permissions, new windows and foreign navigation', async () => {
    const report = await startBuiltMain();
    expect(report.permissionRequestDenied).toBe(false);
    expect(report.permissionCheck).toBe(false);
    expect(report.windows[0]!.windowOpenResult).toEqual({ action: 'deny' });
    expect(report.windows[0]!.willNavigateListeners).toBeGreaterThan(0);
  });

  it('answers on exactly one IPC channel, keeps settings in its own userData folder and offers the demo on a first run', async () => {
    const report = await startBuiltMain();
    expect(report.ipcChannels).toEqual(['hubwatch:call']);
    expect(report.ipcListenerChannels).toEqual([]);
    expect(report.userData.endsWith('/Hubwatch')).toBe(true);
    expect(report.info).toMatchObject({ mode: 'electron', firstRun: true, demoRunning: false });
    expect(Object.keys(report.files).sort()).toEqual(['config.json', 'secrets.json']);
  });

  it('starts with --demo: the demo hubs connect, the tray counts them, and quitting ends cleanly', async () => {
    const { DEMO_CREDENTIALS } = await import('../../src/demo-hub/demo-config');
    const report = await startBuiltMain('--demo');
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0]!.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(report.info).toMatchObject({
      demoRunning: true,
      firstRun: false,
      secretStorage: { kind: 'encrypted' },
    });
    expect(report.hubs?.length).toBe(9);
    expect(report.hubs?.filter((hub) => hub.state === 'open').length).toBeGreaterThanOrEqual(8);
    expect(report.trays).toHaveLength(1);
    expect(report.trays[0]!.tooltip).toMatch(/^Hubwatch — 9 hubs: /);
    const settings = report.files['config.json'] ?? '';
    for (const secret of [
      DEMO_CREDENTIALS.protocubeToken,
      DEMO_CREDENTIALS.botHubToken,
      DEMO_CREDENTIALS.rdevApiKey,
      DEMO_CREDENTIALS.backendAi.secretKey,
    ]) {
      expect(settings).not.toContain(secret);
    }
    expect(report.quit).toEqual({ exitCode: 0, windowsLeft: 0 });
  });

  it('writes its log to main.log in the log folder inside its userData, from start to quit', async () => {
    const report = await startBuiltMain('--demo');
    expect(report.logs.dir).toBe(`${report.userData}/logs`);
    expect(report.logs.files).toEqual(['main.log']);
    const lines = report.logs.text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\[[\d-]+ [\d:.]+\] \[info\] +Hubwatch \d+\.\d+\.\d+ started/);
    expect(report.logs.text).toMatch(/\[info\] +bots: open \(sse\)\n/);
    expect(lines.at(-1)).toMatch(/\[info\] +Hubwatch quit$/);
    expect(report.trays[0]!.items).toContain('Open log folder');
    expect(report.applicationMenu?.find((menu) => menu.role === 'help')?.items).toEqual(['Open log folder']);
    // electron-log's Electron entry would answer IPC of its own; the Node entry it uses does not.
    expect(report.ipcChannels).toEqual(['hubwatch:call']);
    expect(report.ipcListenerChannels).toEqual([]);
  });
});
