/**
 * Starts the built `out/main` under Node with the Electron stub, fires `ready`, waits for
 * the first window, and prints a JSON report of what the app did to stdout.
 * Usage: node --import ./test/support/register-electron-stub.mjs test/support/smoke-main.mjs [waitMs]
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { stub, emitReady } from 'electron';

const waitMs = Number(process.argv[2] ?? '300');
const mainEntry = resolve(process.env.HUBWATCH_MAIN ?? 'out/main/index.js');
await import(pathToFileURL(mainEntry).href);
emitReady();
const deadline = Date.now() + 10_000;
while (stub.windows.length === 0 && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => setTimeout(r, waitMs));
const report = {
  windows: stub.windows.map((w) => ({
    options: w.options,
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
  openedExternal: stub.openedExternal,
  extra: globalThis.__hubwatchSmoke ?? null,
};
process.stdout.write(JSON.stringify(report) + '\n');
process.exit(0);
