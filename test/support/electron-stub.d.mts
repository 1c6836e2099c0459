// Types for the Electron stand-in used by tests (see electron-stub.mjs).
import type { EventEmitter } from 'node:events';

export interface StubWebContents extends EventEmitter {
  id: number;
  sent: { channel: string; args: unknown[] }[];
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' | 'allow' }) | null;
  mainFrame: { url: string; routingId: number; processId: number };
  send(channel: string, ...args: unknown[]): void;
}

export declare class BrowserWindow extends EventEmitter {
  id: number;
  options: Record<string, unknown> & { webPreferences?: Record<string, unknown> };
  url: string | null;
  destroyed: boolean;
  visible: boolean;
  focused: boolean;
  webContents: StubWebContents;
  close(): void;
  destroy(): void;
  static getAllWindows(): BrowserWindow[];
}

export declare class Notification extends EventEmitter {
  options: { title?: string; body?: string; silent?: boolean };
  shown: boolean;
}

export declare class Tray extends EventEmitter {
  image: unknown;
  tooltip: string;
  menu: { items: { label?: string; click?: () => void; type?: string; checked?: boolean }[] } | null;
  destroyed: boolean;
}

export interface Stub {
  windows: BrowserWindow[];
  protocolSchemes: unknown[];
  protocolHandlers: Map<string, (request: Request) => Response | Promise<Response>>;
  permissionRequestHandler:
    ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null;
  permissionCheckHandler: ((wc: unknown, permission: string) => boolean) | null;
  ipcHandlers: Map<string, (event: unknown, ...args: unknown[]) => unknown>;
  ipcListeners: Map<string, ((event: unknown, ...args: unknown[]) => void)[]>;
  openedExternal: string[];
  notifications: Notification[];
  trays: Tray[];
  menus: { items: unknown[] }[];
  dialogs: { kind: string; args: unknown[] }[];
  exposed: Map<string, unknown>;
  singleInstance: boolean;
  quitCalled: number;
  encryptionAvailable: boolean;
  storageBackend: string;
  paths: Record<string, string>;
  saveDialogResult: { canceled: boolean; filePath: string | undefined };
  messageBoxResponse: number;
  webContentsCreated: StubWebContents[];
}

export declare const stub: Stub;
export declare function emitReady(): void;
export declare const app: EventEmitter & Record<string, unknown>;
export declare const protocol: Record<string, unknown>;
export declare const net: Record<string, unknown>;
export declare const session: Record<string, unknown>;
export declare const shell: Record<string, unknown>;
export declare const ipcMain: Record<string, unknown>;
export declare const ipcRenderer: Record<string, unknown>;
export declare const contextBridge: Record<string, unknown>;
export declare const nativeImage: Record<string, unknown>;
export declare const Menu: Record<string, unknown>;
export declare const dialog: Record<string, unknown>;
export declare const safeStorage: Record<string, unknown>;
export declare const nativeTheme: EventEmitter & Record<string, unknown>;
export declare const screen: Record<string, unknown>;
declare const electron: Record<string, unknown>;
export default electron;
