/**
 * Composition root of the desktop app: wires the engine to Electron. Thin by design —
 * business logic lives in `engine/`, which runs the same without Electron.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { app, dialog } from 'electron';
import { claimAppUserModelId } from './app-identity';
import { AppLog } from './app-log';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { DesktopApp } from './desktop-app';
import { bundledExportWorker, createRedactor } from './engine';
import { applySecurityPolicy } from './security';

const here = import.meta.dirname;
const rendererDir = join(here, '../renderer');
const preloadPath = join(here, '../preload/index.cjs');
const devServerUrl = process.env['ELECTRON_RENDERER_URL'];

claimAppUserModelId();

// One folder whether run from source (package.json says "hubwatch") or packaged (the
// product name "Hubwatch"): settings and secrets must not depend on how it was started.
// Set before the single-instance lock, which is keyed by this folder.
const userDataDir = join(app.getPath('appData'), 'Hubwatch');
mkdirSync(userDataDir, { recursive: true });
app.setPath('userData', userDataDir);
// The log folder, likewise one however started: the platform's place for logs on macOS,
// inside the data folder elsewhere (what Electron picks, but from the name set above).
app.setAppLogsPath(
  process.platform === 'darwin'
    ? join(app.getPath('home'), 'Library', 'Logs', 'Hubwatch')
    : join(userDataDir, 'logs'),
);

let desktop: DesktopApp | null = null;

if (!app.requestSingleInstanceLock()) {
  // Another Hubwatch runs: it shows its window (second-instance) and this one ends.
  app.quit();
} else {
  // First, so that nothing the main process reports is lost: nobody reads its stdout.
  const log = new AppLog({ dir: app.getPath('logs') });
  log.captureConsole();
  log.catchUncaught(process, (_error, redacted) => {
    // A listener of our own replaces Electron's error box for uncaught exceptions: show it still.
    dialog.showErrorBox(
      'A JavaScript error occurred in the main process',
      `${redacted}\n\nDetails are in ${log.file}`,
    );
  });
  log.info(
    `Hubwatch ${app.getVersion()} started (Electron ${process.versions.electron}, ${process.platform})`,
  );
  registerAppScheme();
  app.on('second-instance', () => desktop?.showWindow());
  app.on('activate', () => desktop?.showWindow());
  // Until the app is wired, closing every window must not quit (DesktopApp decides).
  app.on('window-all-closed', () => undefined);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  app
    .whenReady()
    .then(async () => {
      applySecurityPolicy(devServerUrl);
      serveRenderer(rendererDir);
      desktop = await DesktopApp.start({
        userDataDir,
        preloadPath,
        ...(devServerUrl ? { devServerUrl } : {}),
        startDemo: process.argv.includes('--demo'),
        exportWorker: bundledExportWorker(import.meta.url),
        log,
      });
    })
    .catch((error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log.error('Hubwatch could not start:', error);
      // No workspace, so no secret is known yet: the credential patterns alone, and the held lines go out.
      if (!log.redacting) {
        const patterns = createRedactor([]);
        log.redactWith((text) => patterns.text(text));
      }
      dialog.showErrorBox('Hubwatch could not start', message);
      app.exit(1);
    });
}
