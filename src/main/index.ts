/**
 * Composition root of the desktop app: wires the engine to Electron. Thin by design —
 * business logic lives in `engine/`, which runs the same without Electron.
 */
import { join } from 'node:path';
import { app, type BrowserWindow } from 'electron';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { applySecurityPolicy } from './security';
import { createMainWindow } from './window';

const here = import.meta.dirname;
const rendererDir = join(here, '../renderer');
const preloadPath = join(here, '../preload/index.cjs');
const devServerUrl = process.env['ELECTRON_RENDERER_URL'];

let mainWindow: BrowserWindow | null = null;

function showMainWindow(): void {
  if (mainWindow && !mainWindow.isDestroyed()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
    return;
  }
  mainWindow = createMainWindow({ preloadPath, ...(devServerUrl ? { devServerUrl } : {}) });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  app.on('second-instance', () => showMainWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => showMainWindow());
  void app.whenReady().then(() => {
    applySecurityPolicy(devServerUrl);
    serveRenderer(rendererDir);
    showMainWindow();
  });
}
