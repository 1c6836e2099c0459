import { BrowserWindow, type WebPreferences } from 'electron';
import { APP_ORIGIN } from './app-protocol';

/**
 * The only webPreferences any Hubwatch window gets: isolated, sandboxed, no Node in the
 * renderer; the preload is one CommonJS bundle exposing the typed API.
 */
export function hardenedWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

export interface MainWindowOptions {
  preloadPath: string;
  /** A dev-server URL (electron-vite dev); production always loads `app://`. */
  devServerUrl?: string;
  bounds?: { x?: number; y?: number; width: number; height: number };
}

/** Creates the main window and loads the UI. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: options.bounds?.width ?? 1280,
    height: options.bounds?.height ?? 800,
    ...(options.bounds?.x !== undefined ? { x: options.bounds.x } : {}),
    ...(options.bounds?.y !== undefined ? { y: options.bounds.y } : {}),
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Hubwatch',
    backgroundColor: '#16181d',
    webPreferences: hardenedWebPreferences(options.preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  const url = options.devServerUrl ?? `${APP_ORIGIN}/index.html`;
  void window.loadURL(url);
  return window;
}
