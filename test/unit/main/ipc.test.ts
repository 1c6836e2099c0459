import type { BrowserWindow } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { invokeFrom, resetStub, stub, WebFrameMain, electron } from './support/electron';
import { memoryHost } from './support/memory-host';

const { isOwnOrigin, pushTo, registerIpc } = await import('../../../src/main/ipc');
const { IPC_CALL_CHANNEL, IPC_PUSH_CHANNEL } = await import('../../../src/shared/ipc-channels');
const { Workspace } = await import('../../../src/main/engine/workspace/workspace');
const { ApiSession } = await import('../../../src/main/engine/workspace/api-session');
const Store = (await import('electron-store')).default;

type StubWindow = InstanceType<typeof electron.BrowserWindow>;
type Window = BrowserWindow;

/** A window showing our UI, as `createMainWindow` leaves it once loaded. */
function ownWindow(url = 'app://hubwatch/index.html'): StubWindow {
  const window = new electron.BrowserWindow({});
  window.webContents.navigate(url);
  return window;
}

describe('the IPC bridge', () => {
  let workspace: InstanceType<typeof Workspace>;
  let window: StubWindow;
  let calls: { name: unknown; request: unknown }[];
  let unregister: () => void;

  beforeEach(() => {
    resetStub();
    workspace = new Workspace(memoryHost());
    window = ownWindow();
    calls = [];
    const session = new ApiSession(workspace, () => undefined);
    const target = {
      call: (name: unknown, request: unknown) => {
        calls.push({ name, request });
        return session.call(name, request);
      },
    };
    unregister = registerIpc({
      targetFor: (id) =>
        id === window.webContents.id
          ? { contents: window.webContents as unknown as Window['webContents'], target }
          : undefined,
    });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    unregister();
    await workspace.close();
  });

  it('registers exactly one handler, on the call channel, and no other listener', () => {
    expect([...stub.ipcHandlers.keys()]).toEqual([IPC_CALL_CHANNEL]);
    expect([...stub.ipcListeners.keys()]).toEqual([]);
  });

  it('removes the listener electron-store registers for renderer stores, so main answers one channel', () => {
    unregister();
    new Store({ cwd: '/tmp', name: `hubwatch-ipc-test-${process.pid}` });
    // electron-store registers its listener once per process; put it back if an earlier test took it.
    if (!stub.ipcListeners.has('electron-store-get-data'))
      electron.ipcMain.on('electron-store-get-data', () => undefined);
    expect(stub.ipcListeners.has('electron-store-get-data')).toBe(true);
    unregister = registerIpc({ targetFor: () => undefined });
    expect([...stub.ipcListeners.keys()]).toEqual([]);
  });

  it('answers a call from the main frame of our window showing app://hubwatch', async () => {
    const result = await invokeFrom(window.webContents, IPC_CALL_CHANNEL, ['app.info', null]);
    expect(result).toMatchObject({ ok: true, value: { mode: 'electron' } });
    expect(calls).toEqual([{ name: 'app.info', request: null }]);
  });

  it('refuses a call whose senderFrame is null (navigated away or destroyed)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const result = await invokeFrom(window.webContents, IPC_CALL_CHANNEL, ['app.info', null], null);
    expect(result).toEqual({ ok: false, error: { message: 'refused: the sending frame is gone' } });
    expect(calls).toEqual([]);
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });

  it('refuses a call from a destroyed frame', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const frame = window.webContents.mainFrame;
    frame.destroyed = true;
    const result = await invokeFrom(window.webContents, IPC_CALL_CHANNEL, ['app.info', null], frame);
    expect(result).toMatchObject({ ok: false });
    expect(calls).toEqual([]);
  });

  it('refuses a call from a page of another origin in our own window', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    window.webContents.navigate('https://evil.example/app');
    const result = await invokeFrom(window.webContents, IPC_CALL_CHANNEL, ['app.info', null]);
    expect(result).toEqual({
      ok: false,
      error: { message: 'refused: the sending page is not the Hubwatch UI' },
    });
    expect(calls).toEqual([]);
  });

  it('refuses a call from a subframe, even one showing app://hubwatch', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const child = new WebFrameMain('app://hubwatch/index.html', window.webContents.mainFrame);
    const result = await invokeFrom(window.webContents, IPC_CALL_CHANNEL, ['app.info', null], child);
    expect(result).toEqual({ ok: false, error: { message: 'refused: it comes from a subframe' } });
    expect(calls).toEqual([]);
  });

  it('refuses a call from another webContents, even one showing app://hubwatch', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const other = ownWindow();
    const result = await invokeFrom(other.webContents, IPC_CALL_CHANNEL, ['app.info', null]);
    expect(result).toEqual({
      ok: false,
      error: { message: 'refused: it does not come from a Hubwatch window' },
    });
    expect(calls).toEqual([]);
  });

  it('refuses a frame that claims our webContents but is not its main frame (a stale frame after a reload)', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const stale = window.webContents.mainFrame;
    window.webContents.navigate('app://hubwatch/index.html');
    stale.destroyed = false; // even a frame object that still answers
    const result = await invokeFrom(window.webContents, IPC_CALL_CHANNEL, ['app.info', null], stale);
    expect(result).toEqual({
      ok: false,
      error: { message: 'refused: it does not come from the main frame of the Hubwatch window' },
    });
  });

  it('never logs the payload of a refused call', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    window.webContents.navigate('https://evil.example/');
    await invokeFrom(window.webContents, IPC_CALL_CHANNEL, [
      'hubs.save',
      {
        hub: { id: 'x', dialect: 'generic', url: 'http://127.0.0.1:1/' },
        secrets: { 'auth.token': 'sekrit-in-payload' },
      },
    ]);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('sekrit-in-payload');
  });

  it('rejects a malformed payload with an error naming the call and the field', async () => {
    const result = await invokeFrom(window.webContents, IPC_CALL_CHANNEL, [
      'hubs.setEnabled',
      { id: 'a', enabled: 'yes' },
    ]);
    expect(result).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^hubs\.setEnabled: .*enabled/) as unknown },
    });
  });

  it('rejects an unknown call name with a clear error', async () => {
    const result = await invokeFrom(window.webContents, IPC_CALL_CHANNEL, ['fs.readFile', '/etc/passwd']);
    expect(result).toEqual({ ok: false, error: { message: 'unknown call "fs.readFile"' } });
  });
});

describe('isOwnOrigin', () => {
  it('accepts app://hubwatch and nothing else in production', () => {
    expect(isOwnOrigin('app://hubwatch/index.html')).toBe(true);
    expect(isOwnOrigin('app://evil/index.html')).toBe(false);
    expect(isOwnOrigin('file:///index.html')).toBe(false);
    expect(isOwnOrigin('http://localhost:5173/')).toBe(false);
    expect(isOwnOrigin('not a url')).toBe(false);
  });

  it("accepts the dev server's whole origin in development, not a prefix of it", () => {
    const dev = 'http://localhost:5173';
    expect(isOwnOrigin('http://localhost:5173/src/main.ts', dev)).toBe(true);
    expect(isOwnOrigin('http://localhost:51730/', dev)).toBe(false);
    expect(isOwnOrigin('http://localhost:5173.evil.example/', dev)).toBe(false);
  });
});

describe('pushTo', () => {
  beforeEach(() => resetStub());

  it('sends each batch whole on the push channel', () => {
    const window = ownWindow();
    const push = pushTo(window.webContents as unknown as Window['webContents']);
    const batch = [
      { name: 'notice' as const, payload: { level: 'info' as const, message: 'one' } },
      { name: 'focus' as const, payload: { hub: 'cube', seq: 3 } },
    ];
    push(batch);
    expect(window.webContents.sent).toEqual([{ channel: IPC_PUSH_CHANNEL, args: [batch] }]);
  });

  it('sends nothing to a page of another origin or to destroyed contents', () => {
    const window = ownWindow();
    const push = pushTo(window.webContents as unknown as Window['webContents']);
    window.webContents.navigate('https://evil.example/');
    push([{ name: 'notice', payload: { level: 'info', message: 'x' } }]);
    window.webContents.navigate('app://hubwatch/index.html');
    window.destroy();
    push([{ name: 'notice', payload: { level: 'info', message: 'y' } }]);
    expect(window.webContents.sent).toEqual([]);
  });
});
