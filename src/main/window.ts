import { BrowserWindow, type NativeImage, type Rectangle, type WebPreferences } from 'electron';
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
  /** The window icon (Linux shows it in the title bar and task switcher). */
  icon?: NativeImage;
}

/** The smallest part of a window that must be on a screen to count as visible (its title bar). */
const MIN_VISIBLE = { width: 120, height: 40 };

/**
 * The saved bounds when enough of them is on one of the current screens' work areas (a
 * monitor may have been unplugged since), else undefined — the OS then places the window.
 */
export function visibleBounds(
  saved: Rectangle | null,
  workAreas: readonly Rectangle[],
): Rectangle | undefined {
  if (!saved) return undefined;
  for (const area of workAreas) {
    const width = Math.min(saved.x + saved.width, area.x + area.width) - Math.max(saved.x, area.x);
    const height = Math.min(saved.y + saved.height, area.y + area.height) - Math.max(saved.y, area.y);
    if (width >= MIN_VISIBLE.width && height >= MIN_VISIBLE.height) return saved;
  }
  return undefined;
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
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: hardenedWebPreferences(options.preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  const url = options.devServerUrl ?? `${APP_ORIGIN}/index.html`;
  // A failed load (the dev server down, an aborted navigation) must not become an
  // unhandled rejection in the main process; the window stays and can be reloaded.
  window.loadURL(url).catch((error: unknown) => {
    console.error(`hubwatch: could not load ${url}: ${(error as Error).message}`);
  });
  return window;
}
