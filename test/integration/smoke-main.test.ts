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
}

async function startBuiltMain(): Promise<SmokeReport> {
  const { stdout } = await run(
    process.execPath,
    ['--import', './test/support/register-electron-stub.mjs', 'test/support/smoke-main.mjs', '300'],
    { cwd: root, timeout: 20_000 },
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
});
