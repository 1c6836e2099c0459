/**
 * A stand-in for the `electron` module, for unit tests and the smoke test of the built
 * main process (Electron's binary cannot run here). It records what the app asks of
 * Electron so tests can assert on it; `stub` holds every record, `resetStub()` clears it.
 *
 * Shapes follow Electron 45's `electron.d.ts`: a method the app calls here exists there
 * with the same name, arguments and result, so code that passes `tsc` against the real
 * types behaves the same against this stand-in.
 */
import { EventEmitter } from 'node:events';
import { inflateSync } from 'node:zlib';

function freshRecords() {
  return {
    windows: [],
    protocolSchemes: [],
    protocolHandlers: new Map(),
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    ipcHandlers: new Map(),
    openedExternal: [],
    /** Folders and files `shell.openPath` was asked to open. */
    openedPaths: [],
    /** What `shell.openPath` answers: '' for success, else Electron's error message. */
    openPathResult: '',
    notifications: [],
    trays: [],
    menus: [],
    applicationMenu: undefined,
    dialogs: [],
    exposed: new Map(),
    singleInstance: true,
    quitCalled: 0,
    appUserModelId: null,
    exitCode: null,
    encryptionAvailable: true,
    storageBackend: 'gnome_libsecret',
    /** `decryptStringAsync` answers `shouldReEncrypt: true` while this is set. */
    shouldReEncrypt: false,
    paths: {
      userData: '/tmp/hubwatch-stub-userdata',
      appData: '/tmp/hubwatch-stub-appdata',
      temp: '/tmp',
      home: '/tmp',
      downloads: '/tmp',
    },
    saveDialogResult: { canceled: true, filePath: '' },
    messageBoxResponse: 0,
    /** When set, answers each `showMessageBox` (gets its options) instead of `messageBoxResponse`. */
    messageBoxResponder: null,
    webContentsCreated: [],
    rendererInvokes: [],
    rendererAnswer: { ok: true, value: null },
    displays: [
      {
        id: 1,
        bounds: { x: 0, y: 0, width: 1920, height: 1080 },
        workArea: { x: 0, y: 0, width: 1920, height: 1050 },
      },
    ],
  };
}

export const stub = freshRecords();

Object.defineProperty(stub, 'ipcListeners', {
  enumerable: false,
  get() {
    // `ipcMain.on` listeners by channel, as Electron's IpcMain (an EventEmitter) holds them.
    const map = new Map();
    for (const name of ipcMain.eventNames()) {
      if (typeof name === 'string') map.set(name, ipcMain.listeners(name));
    }
    return map;
  },
});

let nextId = 1;

function makeEvent() {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

/** Electron's WebFrameMain: what `event.senderFrame` and `webContents.mainFrame` are. */
export class WebFrameMain extends EventEmitter {
  constructor(url = '', parent = null) {
    super();
    this.routingId = nextId++;
    this.processId = 1;
    this.frameTreeNodeId = nextId++;
    this.frameToken = `frame-${this.routingId}`;
    this.parent = parent;
    this.top = parent ? (parent.top ?? parent) : this;
    this.frames = [];
    this.detached = false;
    this.destroyed = false;
    this.name = '';
    this.url = url;
  }
  get origin() {
    try {
      const parsed = new URL(this.url);
      return parsed.origin;
    } catch {
      return 'null';
    }
  }
  isDestroyed() {
    return this.destroyed;
  }
  send() {}
}

class StubWebContents extends EventEmitter {
  constructor(window) {
    super();
    this.id = nextId++;
    this.window = window;
    this.sent = [];
    this.windowOpenHandler = null;
    this.mainFrame = new WebFrameMain('');
    this.loading = false;
    this.destroyed = false;
    this.focused = false;
  }
  send(channel, ...args) {
    if (this.destroyed) throw new Error('Object has been destroyed');
    // Electron serializes with the structured clone algorithm: what cannot be cloned throws.
    this.sent.push({ channel, args: args.map((arg) => structuredClone(arg)) });
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  isDestroyed() {
    return this.destroyed;
  }
  isLoading() {
    return this.loading;
  }
  getURL() {
    return this.mainFrame.url;
  }
  focus() {
    this.focused = true;
  }
  openDevTools() {}
  /** Test helper: the frame's document navigates (a reload, or a new URL). */
  navigate(url) {
    this.mainFrame.destroyed = true;
    this.mainFrame = new WebFrameMain(url);
    this.loading = true;
    this.emit('did-start-loading');
    this.emit('did-navigate', makeEvent(), url, 200, 'OK');
    this.emit('dom-ready');
    this.loading = false;
    this.emit('did-finish-load');
  }
  destroyContents() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.mainFrame.destroyed = true;
    this.mainFrame.detached = true;
    this.emit('destroyed');
  }
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
    this.maximized = false;
    this.bounds = {
      x: options.x ?? 0,
      y: options.y ?? 0,
      width: options.width ?? 800,
      height: options.height ?? 600,
    };
    this.webContents = new StubWebContents(this);
    stub.windows.push(this);
    stub.webContentsCreated.push(this.webContents);
    for (const listener of appEmitter.listeners('web-contents-created'))
      listener(makeEvent(), this.webContents);
  }
  static getAllWindows() {
    return stub.windows.filter((w) => !w.destroyed);
  }
  static getFocusedWindow() {
    return stub.windows.find((w) => w.focused && !w.destroyed) ?? null;
  }
  static fromWebContents(contents) {
    return stub.windows.find((w) => w.webContents === contents) ?? null;
  }
  loadURL(url) {
    if (this.destroyed) return Promise.reject(new Error('Object has been destroyed'));
    this.url = url;
    this.webContents.loading = true;
    return new Promise((resolve) => {
      setImmediate(() => {
        if (this.destroyed) return resolve();
        this.webContents.navigate(url);
        this.emit('ready-to-show');
        resolve();
      });
    });
  }
  loadFile(file) {
    return this.loadURL(`file://${file}`);
  }
  show() {
    this.visible = true;
    this.focused = true;
    this.emit('show');
  }
  hide() {
    this.visible = false;
    this.focused = false;
    this.emit('hide');
  }
  focus() {
    this.focused = true;
    this.emit('focus');
  }
  isVisible() {
    return this.visible;
  }
  isFocused() {
    return this.focused;
  }
  isMinimized() {
    return this.minimized;
  }
  minimize() {
    this.minimized = true;
  }
  restore() {
    this.minimized = false;
  }
  isMaximized() {
    return this.maximized;
  }
  maximize() {
    this.maximized = true;
  }
  isDestroyed() {
    return this.destroyed;
  }
  getBounds() {
    return { ...this.bounds };
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  setBounds(bounds) {
    this.bounds = { ...this.bounds, ...bounds };
  }
  setIcon(icon) {
    this.icon = icon;
  }
  /** Asks to close: `close` can be prevented; otherwise the window is destroyed. Returns whether it closed. */
  close() {
    if (this.destroyed) return true;
    const event = makeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroy();
    return true;
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyContents();
    this.emit('closed');
    if (BrowserWindow.getAllWindows().length === 0 && !quitting) {
      if (appEmitter.listenerCount('window-all-closed') > 0) appEmitter.emit('window-all-closed');
      else app.quit();
    }
  }
}

const appEmitter = new EventEmitter();
let readyResolve;
let readyPromise;
let isReady = false;
let quitting = false;

function resetReady() {
  isReady = false;
  readyPromise = new Promise((resolve) => {
    readyResolve = resolve;
  });
}
resetReady();

export const app = Object.assign(appEmitter, {
  name: 'Hubwatch',
  isPackaged: false,
  whenReady: () => readyPromise,
  isReady: () => isReady,
  requestSingleInstanceLock: () => stub.singleInstance,
  /**
   * Like Electron: `before-quit`, then every window is asked to close (one that refuses
   * cancels the quit), then `will-quit` (preventable), then `quit`.
   */
  quit() {
    stub.quitCalled += 1;
    const before = makeEvent();
    appEmitter.emit('before-quit', before);
    if (before.defaultPrevented) return;
    quitting = true;
    try {
      for (const window of BrowserWindow.getAllWindows()) {
        if (!window.close()) return;
      }
    } finally {
      quitting = false;
    }
    const will = makeEvent();
    appEmitter.emit('will-quit', will);
    if (will.defaultPrevented) return;
    appEmitter.emit('quit', makeEvent(), 0);
    stub.exitCode = 0;
  },
  exit(code = 0) {
    stub.exitCode = code;
  },
  getPath(name) {
    if (name === 'userData' && stub.paths.userData === undefined) return `${stub.paths.appData}/${app.name}`;
    return stub.paths[name] ?? `/tmp/hubwatch-stub-${name}`;
  },
  setPath(name, value) {
    stub.paths[name] = value;
  },
  /** Like Electron: no path means inside userData on Linux and Windows. */
  setAppLogsPath(path) {
    stub.paths.logs = path ?? `${app.getPath('userData')}/logs`;
  },
  getVersion: () => '0.1.0',
  getName: () => app.name,
  setName(name) {
    app.name = name;
  },
  setAppUserModelId(id) {
    stub.appUserModelId = id;
  },
  focus() {},
  dock: { hide() {}, show() {}, setIcon() {} },
});

/** Fires `ready` (the smoke test and unit tests call it; Electron would). */
export function emitReady() {
  if (isReady) return;
  isReady = true;
  appEmitter.emit('ready', makeEvent(), {});
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
  openPath(path) {
    stub.openedPaths.push(path);
    return Promise.resolve(stub.openPathResult);
  },
};

/** IpcMain is an EventEmitter (`on` listeners) with a separate table of `handle` handlers. */
export const ipcMain = Object.assign(new EventEmitter(), {
  handle(channel, handler) {
    if (stub.ipcHandlers.has(channel)) {
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    }
    stub.ipcHandlers.set(channel, handler);
  },
  handleOnce(channel, handler) {
    ipcMain.handle(channel, (...args) => {
      stub.ipcHandlers.delete(channel);
      return handler(...args);
    });
  },
  removeHandler(channel) {
    stub.ipcHandlers.delete(channel);
  },
});

/**
 * Test helper: what `ipcRenderer.invoke(channel, ...args)` from `frame` of `contents` does —
 * builds an IpcMainInvokeEvent, calls the handler, and structured-clones the answer as
 * Electron does. `frame` defaults to the contents' main frame; pass `null` for a frame
 * that is gone.
 */
export async function invokeFrom(contents, channel, args, frame = contents.mainFrame) {
  const handler = stub.ipcHandlers.get(channel);
  if (!handler) throw new Error(`No handler registered for '${channel}'`);
  const event = {
    ...makeEvent(),
    type: 'frame',
    sender: contents,
    senderFrame: frame,
    frameId: frame ? frame.routingId : -1,
    processId: frame ? frame.processId : -1,
  };
  const result = await handler(event, ...args.map((arg) => structuredClone(arg)));
  return structuredClone(result);
}

/**
 * The renderer side, for testing the preload: `invoke` records the call and answers
 * `stub.rendererAnswer`; `emitToRenderer` delivers a message as main's `webContents.send` would.
 */
const rendererEmitter = new EventEmitter();
export const ipcRenderer = {
  invoke(channel, ...args) {
    stub.rendererInvokes.push({ channel, args: args.map((arg) => structuredClone(arg)) });
    return Promise.resolve(structuredClone(stub.rendererAnswer));
  },
  on(channel, listener) {
    rendererEmitter.on(channel, listener);
    return ipcRenderer;
  },
  removeListener(channel, listener) {
    rendererEmitter.removeListener(channel, listener);
    return ipcRenderer;
  },
  send() {
    throw new Error('the preload never uses ipcRenderer.send');
  },
  sendSync() {
    throw new Error('the preload never uses ipcRenderer.sendSync');
  },
};

/** Test helper: main sends `args` on `channel` to the renderer (with an IpcRendererEvent first). */
export function emitToRenderer(channel, ...args) {
  const event = { sender: ipcRenderer, senderId: 0, ports: [] };
  rendererEmitter.emit(channel, event, ...args.map((arg) => structuredClone(arg)));
  return rendererEmitter.listenerCount(channel);
}

export const contextBridge = {
  exposeInMainWorld(key, api) {
    stub.exposed.set(key, api);
  },
};

export class Notification extends EventEmitter {
  constructor(options = {}) {
    super();
    this.options = options;
    this.title = options.title ?? '';
    this.body = options.body ?? '';
    this.shown = false;
    this.closed = false;
    stub.notifications.push(this);
  }
  static isSupported() {
    return true;
  }
  show() {
    this.shown = true;
    this.emit('show', makeEvent());
  }
  close() {
    this.closed = true;
  }
}

/** Width and height from a PNG's IHDR, or null when the bytes are not a PNG. */
function pngSize(buffer) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buffer.length < 24 || !buffer.subarray(0, 8).equals(signature)) return null;
  if (buffer.subarray(12, 16).toString('latin1') !== 'IHDR') return null;
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

/** Decodes an 8-bit RGBA, non-interlaced PNG with filter 0 rows (what the app writes). */
function decodeRgbaPng(buffer) {
  const size = pngSize(buffer);
  if (!size) return null;
  const chunks = [];
  let offset = 8;
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.subarray(offset + 4, offset + 8).toString('latin1');
    if (type === 'IDAT') chunks.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const stride = size.width * 4 + 1;
  const pixels = Buffer.alloc(size.width * size.height * 4);
  for (let y = 0; y < size.height; y++)
    raw.copy(pixels, y * size.width * 4, y * stride + 1, (y + 1) * stride);
  return { ...size, pixels };
}

class StubNativeImage {
  constructor(buffer, options = {}, path = null) {
    this.buffer = buffer;
    this.path = path;
    this.scaleFactor = options.scaleFactor ?? 1;
    this.templateImage = false;
  }
  isEmpty() {
    return !this.buffer || pngSize(this.buffer) === null;
  }
  getSize() {
    const size = this.buffer ? pngSize(this.buffer) : null;
    if (!size) return { width: 0, height: 0 };
    return {
      width: Math.round(size.width / this.scaleFactor),
      height: Math.round(size.height / this.scaleFactor),
    };
  }
  toPNG() {
    return this.buffer ?? Buffer.alloc(0);
  }
  /** Test helper: the RGBA pixel at (x, y) of the decoded PNG. */
  pixel(x, y) {
    const decoded = decodeRgbaPng(this.buffer);
    if (!decoded) return null;
    const at = (y * decoded.width + x) * 4;
    return [...decoded.pixels.subarray(at, at + 4)];
  }
  resize() {
    return this;
  }
  setTemplateImage(value) {
    this.templateImage = value;
  }
}

export const nativeImage = {
  createFromBuffer: (buffer, options) => new StubNativeImage(Buffer.from(buffer), options),
  createFromPath: (path) => new StubNativeImage(null, {}, path),
  createFromDataURL: (url) => {
    const match = /^data:image\/png;base64,(.*)$/.exec(url);
    return new StubNativeImage(match ? Buffer.from(match[1], 'base64') : null);
  },
  createEmpty: () => new StubNativeImage(null),
};

export class Tray extends EventEmitter {
  constructor(image, guid) {
    super();
    this.image = image;
    this.guid = guid;
    this.tooltip = '';
    this.menu = null;
    this.destroyed = false;
    this.images = [image];
    stub.trays.push(this);
  }
  setImage(image) {
    this.image = image;
    this.images.push(image);
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
    const menu = { items: template.map((item) => ({ ...item })) };
    stub.menus.push(menu);
    return menu;
  },
  setApplicationMenu(menu) {
    stub.applicationMenu = menu;
  },
};

/** Electron's dialog functions take an optional parent window first. */
function dialogArgs(args) {
  return args[0] instanceof BrowserWindow
    ? { window: args[0], options: args[1] ?? {} }
    : { window: null, options: args[0] ?? {} };
}

export const dialog = {
  showSaveDialog(...args) {
    const { window, options } = dialogArgs(args);
    stub.dialogs.push({ kind: 'save', window, options, args });
    return Promise.resolve({ ...stub.saveDialogResult });
  },
  showMessageBox(...args) {
    const { window, options } = dialogArgs(args);
    stub.dialogs.push({ kind: 'message', window, options, args });
    const response = stub.messageBoxResponder ? stub.messageBoxResponder(options) : stub.messageBoxResponse;
    return Promise.resolve({ response, checkboxChecked: false });
  },
  showErrorBox(title, content) {
    stub.dialogs.push({ kind: 'error', window: null, options: { title, content }, args: [title, content] });
  },
};

// Reversible but not plain text, so tests can prove plain values never reach disk.
function stubEncrypt(text) {
  return Buffer.from(`enc:${Buffer.from(text, 'utf8').toString('base64').split('').reverse().join('')}`);
}
function stubDecrypt(buffer) {
  const text = Buffer.from(buffer).toString('utf8');
  if (!text.startsWith('enc:'))
    throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
  return Buffer.from(text.slice(4).split('').reverse().join(''), 'base64').toString('utf8');
}

export const safeStorage = {
  isEncryptionAvailable: () => isReady && stub.encryptionAvailable,
  isAsyncEncryptionAvailable: () => Promise.resolve(isReady && stub.encryptionAvailable),
  getSelectedStorageBackend: () => (isReady ? stub.storageBackend : 'unknown'),
  encryptString(text) {
    if (!safeStorage.isEncryptionAvailable()) throw new Error('Encryption is not available.');
    return stubEncrypt(text);
  },
  decryptString(buffer) {
    if (!safeStorage.isEncryptionAvailable()) throw new Error('Decryption is not available.');
    return stubDecrypt(buffer);
  },
  encryptStringAsync(text) {
    if (!safeStorage.isEncryptionAvailable())
      return Promise.reject(new Error('Encryption is not available.'));
    return Promise.resolve(stubEncrypt(text));
  },
  decryptStringAsync(buffer) {
    if (!safeStorage.isEncryptionAvailable())
      return Promise.reject(new Error('Decryption is not available.'));
    try {
      return Promise.resolve({ shouldReEncrypt: stub.shouldReEncrypt, result: stubDecrypt(buffer) });
    } catch (error) {
      return Promise.reject(error);
    }
  },
  setUsePlainTextEncryption() {},
};

export const nativeTheme = Object.assign(new EventEmitter(), {
  shouldUseDarkColors: false,
  themeSource: 'system',
});

export const screen = {
  getAllDisplays: () => stub.displays.map((display) => ({ ...display })),
  getPrimaryDisplay: () => ({ ...stub.displays[0] }),
};

/**
 * Clears every record and listener and un-fires `ready`, for the next test. (The stub is
 * one module instance per worker, shared by every test file that runs there.)
 */
export function resetStub() {
  for (const window of stub.windows) {
    window.removeAllListeners();
    window.webContents.removeAllListeners();
  }
  Object.assign(stub, freshRecords());
  appEmitter.removeAllListeners();
  ipcMain.removeAllListeners();
  nativeTheme.removeAllListeners();
  rendererEmitter.removeAllListeners();
  quitting = false;
  resetReady();
}

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
