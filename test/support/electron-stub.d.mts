// Types for the Electron stand-in used by tests (see electron-stub.mjs).
import type { EventEmitter } from 'node:events';

export interface StubEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export declare class WebFrameMain extends EventEmitter {
  constructor(url?: string, parent?: WebFrameMain | null);
  routingId: number;
  processId: number;
  frameTreeNodeId: number;
  parent: WebFrameMain | null;
  top: WebFrameMain | null;
  detached: boolean;
  destroyed: boolean;
  url: string;
  readonly origin: string;
  isDestroyed(): boolean;
}

export interface StubWebContents extends EventEmitter {
  id: number;
  sent: { channel: string; args: unknown[] }[];
  windowOpenHandler:
    | ((details: { url: string; disposition?: string; postBody?: unknown }) => { action: 'deny' | 'allow' })
    | null;
  mainFrame: WebFrameMain;
  loading: boolean;
  destroyed: boolean;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  isLoading(): boolean;
  getURL(): string;
  /** The frame's document navigates (a reload, or a new URL). */
  navigate(url: string): void;
}

export declare class BrowserWindow extends EventEmitter {
  id: number;
  options: Record<string, unknown> & { webPreferences?: Record<string, unknown> };
  url: string | null;
  destroyed: boolean;
  visible: boolean;
  focused: boolean;
  minimized: boolean;
  maximized: boolean;
  bounds: { x: number; y: number; width: number; height: number };
  webContents: StubWebContents;
  close(): boolean;
  destroy(): void;
  hide(): void;
  minimize(): void;
  static getAllWindows(): BrowserWindow[];
}

export declare class Notification extends EventEmitter {
  options: { title?: string; body?: string; silent?: boolean; icon?: unknown };
  title: string;
  body: string;
  shown: boolean;
  closed: boolean;
}

export interface StubNativeImage {
  buffer: Buffer | null;
  path: string | null;
  scaleFactor: number;
  isEmpty(): boolean;
  getSize(): { width: number; height: number };
  toPNG(): Buffer;
  /** The RGBA pixel at (x, y) of the decoded PNG. */
  pixel(x: number, y: number): [number, number, number, number] | null;
}

export interface StubMenuItem {
  label?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  click?: (...args: unknown[]) => void;
  role?: string;
  submenu?: StubMenuItem[];
}

export declare class Tray extends EventEmitter {
  image: StubNativeImage;
  images: StubNativeImage[];
  tooltip: string;
  menu: { items: StubMenuItem[] } | null;
  destroyed: boolean;
}

export interface StubDialog {
  kind: 'save' | 'message' | 'error';
  window: BrowserWindow | null;
  options: Record<string, unknown>;
  args: unknown[];
}

export interface Stub {
  windows: BrowserWindow[];
  protocolSchemes: { scheme: string; privileges: Record<string, boolean> }[];
  protocolHandlers: Map<string, (request: Request) => Response | Promise<Response>>;
  permissionRequestHandler:
    ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null;
  permissionCheckHandler: ((wc: unknown, permission: string) => boolean) | null;
  ipcHandlers: Map<string, (event: unknown, ...args: unknown[]) => unknown>;
  readonly ipcListeners: Map<string, ((event: unknown, ...args: unknown[]) => void)[]>;
  openedExternal: string[];
  /** Folders and files `shell.openPath` was asked to open. */
  openedPaths: string[];
  /** What `shell.openPath` answers: '' for success, else Electron's error message. */
  openPathResult: string;
  notifications: Notification[];
  trays: Tray[];
  menus: { items: StubMenuItem[] }[];
  /** The last `Menu.setApplicationMenu` (undefined: never set). */
  applicationMenu: { items: StubMenuItem[] } | null | undefined;
  dialogs: StubDialog[];
  exposed: Map<string, unknown>;
  singleInstance: boolean;
  quitCalled: number;
  /** What `app.setAppUserModelId` was last given, or null. */
  appUserModelId: string | null;
  exitCode: number | null;
  encryptionAvailable: boolean;
  storageBackend: string;
  shouldReEncrypt: boolean;
  paths: Record<string, string>;
  saveDialogResult: { canceled: boolean; filePath: string };
  messageBoxResponse: number;
  messageBoxResponder: ((options: Record<string, unknown>) => number) | null;
  webContentsCreated: StubWebContents[];
  /** What the preload invoked through ipcRenderer. */
  rendererInvokes: { channel: string; args: unknown[] }[];
  /** What ipcRenderer.invoke answers. */
  rendererAnswer: unknown;
  displays: {
    id: number;
    bounds: { x: number; y: number; width: number; height: number };
    workArea: { x: number; y: number; width: number; height: number };
  }[];
}

export declare const stub: Stub;
export declare function emitReady(): void;
export declare function resetStub(): void;
/** What `ipcRenderer.invoke(channel, ...args)` from `frame` of `contents` does. */
export declare function invokeFrom(
  contents: StubWebContents,
  channel: string,
  args: unknown[],
  frame?: WebFrameMain | null,
): Promise<unknown>;
/** Main sends `args` on `channel` to the renderer; returns how many listeners got it. */
export declare function emitToRenderer(channel: string, ...args: unknown[]): number;
export declare const app: EventEmitter &
  Record<string, unknown> & { quit(): void; name: string; getPath(name: string): string };
export declare const protocol: Record<string, unknown>;
export declare const net: Record<string, unknown>;
export declare const session: Record<string, unknown>;
export declare const shell: Record<string, unknown>;
export declare const ipcMain: EventEmitter & Record<string, unknown>;
export declare const ipcRenderer: Record<string, unknown>;
export declare const contextBridge: Record<string, unknown>;
export declare const nativeImage: {
  createFromBuffer(buffer: Buffer, options?: { scaleFactor?: number }): StubNativeImage;
  createFromPath(path: string): StubNativeImage;
  createEmpty(): StubNativeImage;
};
export declare const Menu: Record<string, unknown>;
export declare const dialog: Record<string, unknown>;
export declare const safeStorage: Record<string, unknown>;
export declare const nativeTheme: EventEmitter & Record<string, unknown>;
export declare const screen: Record<string, unknown>;
declare const electron: Record<string, unknown>;
export default electron;
