/**
 * A stand-in for the `electron` module, for unit tests and the smoke test of the built
 * main process (Electron's binary cannot run here). It records what the app asks of
 * Electron so tests can assert on it; `stub` holds every record.
 */
import { EventEmitter } from 'node:events';

export const stub = {
  windows: [],
  protocolSchemes: [],
  protocolHandlers: new Map(),
  permissionRequestHandler: null,
  permissionCheckHandler: null,
  ipcHandlers: new Map(),
  ipcListeners: new Map(),
  openedExternal: [],
  notifications: [],
  trays: [],
  menus: [],
  dialogs: [],
  exposed: new Map(),
  singleInstance: true,
  quitCalled: 0,
  encryptionAvailable: true,
  storageBackend: 'gnome_libsecret',
  paths: { userData: '/tmp/hubwatch-stub-userdata', temp: '/tmp', home: '/tmp', downloads: '/tmp' },
  saveDialogResult: { canceled: true, filePath: undefined },
  messageBoxResponse: 0,
  webContentsCreated: [],
};

let nextId = 1;

class StubWebContents extends EventEmitter {
  constructor(window) {
    super();
    this.id = nextId++;
    this.window = window;
    this.sent = [];
    this.windowOpenHandler = null;
    this.mainFrame = { url: '', routingId: 1, processId: 1 };
  }
  send(channel, ...args) {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  isDestroyed() {
    return this.window ? this.window.destroyed : false;
  }
  getURL() {
    return this.mainFrame.url;
  }
  openDevTools() {}
}

export class BrowserWindow extends EventEmitter {
  constructor(options = {}) {
    super();
    this.id = nextId++;
    this.options = options;
    this.url = null;
    this.destroyed = false;
    this.visible = false;
    this.focused = false;
    this.minimized = false;
    this.bounds = {
      x: options.x ?? 0,
      y: options.y ?? 0,
      width: options.width ?? 800,
      height: options.height ?? 600,
    };
    this.webContents = new StubWebContents(this);
    stub.windows.push(this);
    for (const listener of appEmitter.listeners('web-contents-created')) listener({}, this.webContents);
    stub.webContentsCreated.push(this.webContents);
  }
  static getAllWindows() {
    return stub.windows.filter((w) => !w.destroyed);
  }
  static getFocusedWindow() {
    return stub.windows.find((w) => w.focused && !w.destroyed) ?? null;
  }
  loadURL(url) {
    this.url = url;
    this.webContents.mainFrame.url = url;
    setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  loadFile(file) {
    return this.loadURL(`file://${file}`);
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {
    this.focused = true;
  }
  isVisible() {
    return this.visible;
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  isDestroyed() {
    return this.destroyed;
  }
  getBounds() {
    return { ...this.bounds };
  }
  setBounds(bounds) {
    this.bounds = { ...this.bounds, ...bounds };
  }
  isMaximized() {
    return false;
  }
  close() {
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
    if (BrowserWindow.getAllWindows().length === 0) appEmitter.emit('window-all-closed');
  }
}

const appEmitter = new EventEmitter();
let readyResolve;
const readyPromise = new Promise((resolve) => {
  readyResolve = resolve;
});
let isReady = false;

export const app = Object.assign(appEmitter, {
  name: 'Hubwatch',
  isPackaged: false,
  whenReady: () => readyPromise,
  isReady: () => isReady,
  requestSingleInstanceLock: () => stub.singleInstance,
  quit() {
    stub.quitCalled += 1;
    appEmitter.emit('before-quit', { preventDefault() {} });
    appEmitter.emit('will-quit', { preventDefault() {} });
  },
  exit() {
    stub.quitCalled += 1;
  },
  getPath: (name) => stub.paths[name] ?? `/tmp/hubwatch-stub-${name}`,
  setPath(name, value) {
    stub.paths[name] = value;
  },
  getVersion: () => '0.1.0',
  getName: () => 'Hubwatch',
  setAppUserModelId() {},
  focus() {},
  dock: { hide() {}, show() {} },
});

/** Fires `ready` (the smoke test and unit tests call it; Electron would). */
export function emitReady() {
  if (isReady) return;
  isReady = true;
  appEmitter.emit('ready');
  readyResolve();
}

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    stub.protocolSchemes.push(...schemes);
  },
  handle(scheme, handler) {
    stub.protocolHandlers.set(scheme, handler);
  },
  unhandle(scheme) {
    stub.protocolHandlers.delete(scheme);
  },
};

export const net = {
  fetch: (url, init) => globalThis.fetch(url, init),
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler) {
      stub.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler) {
      stub.permissionCheckHandler = handler;
    },
    protocol: null,
  },
};
session.defaultSession.protocol = protocol;

export const shell = {
  openExternal(url) {
    stub.openedExternal.push(url);
    return Promise.resolve();
  },
  showItemInFolder() {},
};

export const ipcMain = {
  handle(channel, handler) {
    stub.ipcHandlers.set(channel, handler);
  },
  removeHandler(channel) {
    stub.ipcHandlers.delete(channel);
  },
  on(channel, listener) {
    const list = stub.ipcListeners.get(channel) ?? [];
    list.push(listener);
    stub.ipcListeners.set(channel, list);
  },
};

export const ipcRenderer = {
  invoke: () => Promise.reject(new Error('ipcRenderer is not available in the stub')),
  on() {},
  removeListener() {},
};

export const contextBridge = {
  exposeInMainWorld(key, api) {
    stub.exposed.set(key, api);
  },
};

export class Notification extends EventEmitter {
  constructor(options = {}) {
    super();
    this.options = options;
    this.shown = false;
    stub.notifications.push(this);
  }
  static isSupported() {
    return true;
  }
  show() {
    this.shown = true;
  }
  close() {}
}

export const nativeImage = {
  createFromPath: (path) => ({
    path,
    isEmpty: () => false,
    resize() {
      return this;
    },
    setTemplateImage() {},
  }),
  createFromDataURL: (url) => ({
    url,
    isEmpty: () => false,
    resize() {
      return this;
    },
    setTemplateImage() {},
  }),
  createEmpty: () => ({
    isEmpty: () => true,
    resize() {
      return this;
    },
    setTemplateImage() {},
  }),
};

export class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.image = image;
    this.tooltip = '';
    this.menu = null;
    this.destroyed = false;
    stub.trays.push(this);
  }
  setImage(image) {
    this.image = image;
  }
  setToolTip(text) {
    this.tooltip = text;
  }
  setContextMenu(menu) {
    this.menu = menu;
  }
  destroy() {
    this.destroyed = true;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export const Menu = {
  buildFromTemplate(template) {
    const menu = { items: template };
    stub.menus.push(menu);
    return menu;
  },
  setApplicationMenu(menu) {
    stub.applicationMenu = menu;
  },
};

export const dialog = {
  showSaveDialog(...args) {
    stub.dialogs.push({ kind: 'save', args });
    return Promise.resolve(stub.saveDialogResult);
  },
  showMessageBox(...args) {
    stub.dialogs.push({ kind: 'message', args });
    return Promise.resolve({ response: stub.messageBoxResponse, checkboxChecked: false });
  },
  showErrorBox(...args) {
    stub.dialogs.push({ kind: 'error', args });
  },
};

export const safeStorage = {
  isEncryptionAvailable: () => stub.encryptionAvailable,
  getSelectedStorageBackend: () => stub.storageBackend,
  // Reversible but not plain text, so tests can prove plain values never reach disk.
  encryptString: (text) =>
    Buffer.from(`enc:${Buffer.from(text, 'utf8').toString('base64').split('').reverse().join('')}`),
  decryptString: (buffer) => {
    const text = buffer.toString('utf8');
    if (!text.startsWith('enc:')) throw new Error('not encrypted by the stub');
    return Buffer.from(text.slice(4).split('').reverse().join(''), 'base64').toString('utf8');
  },
};

export const nativeTheme = Object.assign(new EventEmitter(), {
  shouldUseDarkColors: false,
  themeSource: 'system',
});

export const screen = {
  getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
};

export default {
  app,
  BrowserWindow,
  protocol,
  net,
  session,
  shell,
  ipcMain,
  ipcRenderer,
  contextBridge,
  Notification,
  nativeImage,
  Tray,
  Menu,
  dialog,
  safeStorage,
  nativeTheme,
  screen,
};
