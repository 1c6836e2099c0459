/**
 * Starts the built `out/main` under Node with the Electron stub, fires `ready`, waits for
 * the first window, and prints a JSON report of what the app did to stdout.
 *
 * Usage: node --import ./test/support/register-electron-stub.mjs test/support/smoke-main.mjs [waitMs] [--demo]
 *
 * `userData` lives in a fresh temporary directory (removed at the end). With `--demo` (which
 * the app itself reads from its command line) the report also waits for the demo hubs to
 * connect, asking through the app's own IPC handler as the window's UI would, and then quits
 * the app the way the tray's "Quit" does.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, emitReady, invokeFrom, stub } from 'electron';

const waitMs = Number(process.argv[2] ?? '300');
const demo = process.argv.includes('--demo');
const appData = mkdtempSync(join(tmpdir(), 'hubwatch-smoke-'));
stub.paths.appData = appData;
stub.paths.downloads = appData;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mainEntry = resolve(process.env.HUBWATCH_MAIN ?? 'out/main/index.js');
await import(pathToFileURL(mainEntry).href);
emitReady();
const deadline = Date.now() + 10_000;
while (stub.windows.length === 0 && Date.now() < deadline) await sleep(20);
await sleep(waitMs);

const window = stub.windows[0];
const call = (name, request = null) => invokeFrom(window.webContents, 'hubwatch:call', [name, request]);

let hubs = null;
let info = null;
if (window) {
  info = await call('app.info');
  if (demo) {
    const until = Date.now() + 15_000;
    do {
      const listed = await call('hubs.list');
      hubs = listed.ok
        ? listed.value.map((hub) => ({ id: hub.id, state: hub.state.state, events: hub.stats.events }))
        : listed;
      if (
        Array.isArray(hubs) &&
        hubs.length > 0 &&
        hubs.every((hub) => hub.state !== 'connecting' && hub.state !== 'idle')
      )
        break;
      await sleep(200);
    } while (Date.now() < until);
  }
}

const userData = app.getPath('userData');
const files = Object.fromEntries(
  readdirSync(userData)
    .filter((name) => name.endsWith('.json'))
    .map((name) => [name, readFileSync(join(userData, name), 'utf8')]),
);

const report = {
  windows: stub.windows.map((w) => ({
    options: { ...w.options, icon: w.options.icon ? 'image' : undefined },
    url: w.url,
    visible: w.visible,
    hasWindowOpenHandler: w.webContents.windowOpenHandler !== null,
    willNavigateListeners: w.webContents.listenerCount('will-navigate'),
    windowOpenResult: w.webContents.windowOpenHandler?.({ url: 'https://example.com/' }) ?? null,
  })),
  protocolSchemes: stub.protocolSchemes,
  protocolHandlers: [...stub.protocolHandlers.keys()],
  permissionRequestDenied: await new Promise((r) =>
    stub.permissionRequestHandler ? stub.permissionRequestHandler({}, 'media', r) : r(null),
  ),
  permissionCheck: stub.permissionCheckHandler ? stub.permissionCheckHandler({}, 'media') : null,
  ipcChannels: [...stub.ipcHandlers.keys()],
  ipcListenerChannels: [...stub.ipcListeners.keys()],
  openedExternal: stub.openedExternal,
  trays: stub.trays.map((tray) => ({
    tooltip: tray.tooltip,
    items: tray.menu?.items.map((item) => item.label ?? item.type) ?? [],
  })),
  applicationMenu:
    stub.applicationMenu?.items.map((item) => ({
      role: item.role,
      items: item.submenu?.map((entry) => entry.label ?? entry.role) ?? [],
    })) ?? null,
  userData,
  info: info?.ok ? info.value : info,
  hubs,
  files,
  quit: null,
};

// Quit as the tray's "Quit" does, after the snapshot above: the window and IPC go away then.
if (demo) {
  app.quit();
  const until = Date.now() + 8000;
  while (stub.exitCode === null && Date.now() < until) await sleep(20);
  report.quit = { exitCode: stub.exitCode, windowsLeft: stub.windows.filter((w) => !w.destroyed).length };
}
// The log file last: by now it holds the whole run, the quit included.
const logsDir = app.getPath('logs');
report.logs = {
  dir: logsDir,
  files: existsSync(logsDir) ? readdirSync(logsDir) : [],
  text: existsSync(join(logsDir, 'main.log')) ? readFileSync(join(logsDir, 'main.log'), 'utf8') : '',
};
process.stdout.write(JSON.stringify(report) + '\n');
rmSync(appData, { recursive: true, force: true });
process.exit(0);
