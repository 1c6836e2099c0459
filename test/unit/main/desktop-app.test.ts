import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { electron, emitReady, invokeFrom, resetStub, stub } from './support/electron';
import { startTestServer, type TestServer } from '../../support/sse-test-server';
import type { CallResult, PushMessage } from '../../../src/shared/api';
import type { DesktopApp as DesktopAppType } from '../../../src/main/desktop-app';
import type { DemoHub } from '../../../src/demo-hub/demo-hub';

const { DesktopApp } = await import('../../../src/main/desktop-app');
const { AppLog } = await import('../../../src/main/app-log');
const { applySecurityPolicy } = await import('../../../src/main/security');
const { defaultSettings } = await import('../../../src/main/settings');
const { IPC_CALL_CHANNEL, IPC_PUSH_CHANNEL } = await import('../../../src/shared/ipc-channels');

const SECRET = 'sk_live_7QpR2xYz9WvU4tS1';

type StubWindow = InstanceType<typeof electron.BrowserWindow>;

async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false,
  timeoutMs = 8000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An SSE endpoint: `event` frames now and every `everyMs`, recording each request. */
function sseFeed(frames: string[], everyMs = 0): (req: unknown, res: ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let n = 0;
    const send = () => {
      for (const frame of frames) res.write(frame.replaceAll('{n}', String(++n)));
    };
    send();
    if (everyMs > 0) {
      const timer = setInterval(send, everyMs);
      res.on('close', () => clearInterval(timer));
    }
  };
}

describe('the desktop app (Electron stubbed)', () => {
  let dir: string;
  let server: TestServer | null;
  let desktop: DesktopAppType | null;
  let logged: unknown[][];

  const windows = () => stub.windows.filter((window) => !window.destroyed);
  const mainWindow = (): StubWindow => {
    const window = windows()[0];
    if (!window) throw new Error('no window');
    return window;
  };
  const loaded = () => waitFor('the window to load', () => windows()[0] && !mainWindow().webContents.loading);
  const results: unknown[] = [];
  async function call<T = unknown>(
    name: string,
    request: unknown = null,
    window: StubWindow = mainWindow(),
  ): Promise<CallResult<T>> {
    const result = (await invokeFrom(window.webContents, IPC_CALL_CHANNEL, [name, request])) as CallResult<T>;
    results.push(result);
    return result;
  }
  async function value<T>(name: string, request: unknown = null): Promise<T> {
    const result = await call<T>(name, request);
    if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
    return result.value;
  }
  const pushes = (window: StubWindow = mainWindow()): PushMessage[] =>
    window.webContents.sent
      .filter((sent) => sent.channel === IPC_PUSH_CHANNEL)
      .flatMap((sent) => sent.args[0] as PushMessage[]);

  async function start(
    options: { settings?: Record<string, unknown>; log?: InstanceType<typeof AppLog> } = {},
  ) {
    if (options.settings)
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...defaultSettings(), ...options.settings }));
    emitReady();
    applySecurityPolicy();
    desktop = await DesktopApp.start({
      userDataDir: dir,
      preloadPath: '/out/preload/index.cjs',
      platform: 'linux',
      ...(options.log ? { log: options.log } : {}),
    });
    await loaded();
    return desktop;
  }

  beforeEach(() => {
    resetStub();
    dir = mkdtempSync(join(tmpdir(), 'hubwatch-desktop-'));
    stub.paths.userData = dir;
    stub.paths.downloads = dir;
    server = null;
    desktop = null;
    results.length = 0;
    logged = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args));
    }
  });

  afterEach(async () => {
    await desktop?.shutdown();
    await server?.close();
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    resetStub();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with exactly one hardened window on app://, one IPC handler and a tray', async () => {
    await start();
    expect(stub.windows).toHaveLength(1);
    expect(mainWindow().url).toBe('app://hubwatch/index.html');
    expect(mainWindow().options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect([...stub.ipcHandlers.keys()]).toEqual([IPC_CALL_CHANNEL]);
    expect([...stub.ipcListeners.keys()]).toEqual([]);
    expect(stub.trays).toHaveLength(1);
    expect(await value('app.info')).toMatchObject({
      mode: 'electron',
      firstRun: true,
      demoRunning: false,
      secretStorage: { kind: 'encrypted' },
    });
  });

  it('uses a secret set through the UI for the connection, and it appears in no IPC payload, settings file or log line', async () => {
    server = await startTestServer({
      http: sseFeed(['event: log\ndata: {"msg":"hello {n}","level":"info"}\n\n'], 100),
    });
    await start();
    const saved = await value<{ config: { auth: unknown } }>('hubs.save', {
      hub: {
        id: 'feed',
        name: 'Feed',
        dialect: 'generic',
        url: `${server.url}/events`,
        auth: { type: 'bearer', token: { kind: 'stored', set: false } },
        fields: { message: 'msg', level: 'level' },
      },
      secrets: { 'auth.token': SECRET },
    });
    expect(saved.config.auth).toEqual({ type: 'bearer', token: { kind: 'stored', set: true } });
    // Decrypted in main and sent to the hub: that is the one place it goes.
    await waitFor('the hub to be called with the secret', () =>
      server?.requests.some((r) => r.headers.authorization === `Bearer ${SECRET}`),
    );
    const view = await value<{ viewId: string }>('view.open', { filter: {} });
    await waitFor('rows pushed to the view', () =>
      pushes().some((push) => push.name === 'view' && push.payload.total >= 2),
    );
    await waitFor('hub pushes', () => pushes().some((push) => push.name === 'hubs'));
    await value('hubs.list');
    await value('view.rows', { viewId: view.viewId, start: 0, count: 100 });
    await value('events.get', { hub: 'feed', seq: 1 });
    await value('app.info');
    const sent = JSON.stringify(mainWindow().webContents.sent);
    expect(sent.length).toBeGreaterThan(100);
    expect(sent).not.toContain(SECRET);
    expect(JSON.stringify(results)).not.toContain(SECRET);
    const settingsBytes = readFileSync(join(dir, 'config.json'));
    expect(settingsBytes.includes(SECRET)).toBe(false);
    const savedSettings = JSON.parse(settingsBytes.toString('utf8')) as {
      hubs: { auth: { token: unknown } }[];
    };
    expect(savedSettings.hubs[0]!.auth.token).toEqual({
      secret: expect.stringMatching(/^feed\/auth\.token\//) as unknown,
    });
    const secretsBytes = readFileSync(join(dir, 'secrets.json'));
    expect(secretsBytes.includes(SECRET)).toBe(false);
    expect(secretsBytes.includes(Buffer.from(SECRET).toString('base64'))).toBe(false);
    expect(JSON.stringify(logged)).not.toContain(SECRET);
  });

  it('logs to a file in the log folder: the console, hub states and errors, through the workspace’s redaction', async () => {
    server = await startTestServer({
      http: sseFeed(['event: log\ndata: {"msg":"hello {n}","level":"info"}\n\n'], 100),
    });
    stub.paths.logs = join(dir, 'logs');
    const log = new AppLog({ dir: electron.app.getPath('logs') });
    const undoConsole = log.captureConsole();
    try {
      console.error('before the workspace');
      await start({ log });
      await value('hubs.save', {
        hub: {
          id: 'feed',
          dialect: 'generic',
          url: `${server.url}/events`,
          auth: { type: 'bearer', token: { kind: 'stored', set: false } },
          fields: { message: 'msg', level: 'level' },
        },
        secrets: { 'auth.token': SECRET },
      });
      await waitFor('the hub to open', () => desktop!.workspace.engine.hub('feed')?.state.state === 'open');
      // The engine knows nothing of Electron and reports through the console.
      console.error('hubwatch: engine listener failed:', new Error(`request with Bearer ${SECRET} refused`));
      const text = await waitFor('the log lines', () => {
        const written = existsSync(log.file) ? readFileSync(log.file, 'utf8') : '';
        return written.includes('engine listener failed') && written;
      });
      expect(log.file).toBe(join(dir, 'logs', 'main.log'));
      expect(text).toMatch(/\[error\] before the workspace/);
      expect(text).toMatch(/\[info\] +feed: connecting/);
      expect(text).toMatch(/\[info\] +feed: open/);
      expect(text).toMatch(
        /\[error\] hubwatch: engine listener failed: Error: request with Bearer REDACTED refused/,
      );
      expect(text).not.toContain(SECRET);
    } finally {
      undoConsole();
    }
  });

  it('opens the log folder from the tray and from the Help menu', async () => {
    stub.paths.logs = join(dir, 'logs');
    await start({ log: new AppLog({ dir: electron.app.getPath('logs') }) });
    const trayItem = stub.trays[0]!.menu!.items.find((item) => item.label === 'Open log folder');
    trayItem!.click!();
    const help = stub.applicationMenu!.items.find((item) => item.role === 'help');
    const helpItem = help!.submenu!.find((item) => item.label === 'Open log folder');
    helpItem!.click!();
    expect(stub.openedPaths).toEqual([join(dir, 'logs'), join(dir, 'logs')]);
    expect(existsSync(join(dir, 'logs'))).toBe(true);
    // The rest of the menu bar is Electron's own.
    expect(stub.applicationMenu!.items.map((item) => item.role)).toEqual([
      'fileMenu',
      'editMenu',
      'viewMenu',
      'windowMenu',
      'help',
    ]);

    stub.openPathResult = 'Failed to open path';
    trayItem!.click!();
    await waitFor('a notice', () =>
      pushes().some(
        (push) =>
          push.name === 'notice' && /log folder .* could not be opened: Failed/.test(push.payload.message),
      ),
    );
  });

  it('offers no log folder without a log', async () => {
    await start();
    expect(stub.trays[0]!.menu!.items.map((item) => item.label)).not.toContain('Open log folder');
  });

  it('keeps hubs connected when the window closes to the tray, and a new window gets a new session', async () => {
    server = await startTestServer({ http: sseFeed(['data: {"msg":"tick {n}"}\n\n'], 50) });
    await start({
      settings: {
        hubs: [{ id: 'feed', dialect: 'generic', url: `${server.url}/e`, fields: { message: 'msg' } }],
      },
    });
    await waitFor('the hub to open', () => desktop?.workspace.engine.hub('feed')?.state.state === 'open');
    const first = mainWindow();
    first.close();
    expect(first.destroyed).toBe(true);
    expect(stub.quitCalled).toBe(0);
    expect(stub.exitCode).toBeNull();
    const before = desktop!.workspace.engine.hub('feed')!.stats.events;
    await waitFor(
      'events to keep arriving',
      () => desktop!.workspace.engine.hub('feed')!.stats.events > before + 2,
    );
    expect(server.requests).toHaveLength(1); // never reconnected
    // Once: the app says it is still running.
    expect(stub.notifications.map((n) => n.options.title)).toEqual(['Hubwatch is still running']);
    stub.trays[0]!.menu!.items.find((item) => item.label === 'Show Hubwatch')!.click!();
    await loaded();
    const second = mainWindow();
    expect(second).not.toBe(first);
    expect(await value<{ id: string }[]>('hubs.list')).toMatchObject([
      { id: 'feed', state: { state: 'open' } },
    ]);
    const old = await invokeFrom(first.webContents, IPC_CALL_CHANNEL, ['hubs.list', null]);
    expect(old).toMatchObject({ ok: false });
  });

  it('restores the window where it was closed', async () => {
    await start();
    mainWindow().bounds = { x: 50, y: 60, width: 1000, height: 700 };
    mainWindow().close();
    desktop!.showWindow();
    expect(mainWindow().options).toMatchObject({ x: 50, y: 60, width: 1000, height: 700 });
  });

  it('quits when the window closes with closeToTray off, disconnecting every hub', async () => {
    server = await startTestServer({ http: sseFeed(['data: {"msg":"x"}\n\n'], 50) });
    await start({
      settings: { closeToTray: false, hubs: [{ id: 'feed', dialect: 'generic', url: `${server.url}/e` }] },
    });
    await waitFor('the hub to open', () => desktop?.workspace.engine.hub('feed')?.state.state === 'open');
    mainWindow().close();
    await waitFor('the app to exit', () => stub.exitCode !== null);
    expect(stub.exitCode).toBe(0);
    expect(desktop!.workspace.engine.hub('feed')?.state.state).toBe('idle');
    expect([...stub.ipcHandlers.keys()]).toEqual([]);
  });

  it('really quits from the tray, even with closeToTray on', async () => {
    await start();
    stub.trays[0]!.menu!.items.find((item) => item.label === 'Quit Hubwatch')!.click!();
    await waitFor('the app to exit', () => stub.exitCode !== null);
    expect(windows()).toEqual([]);
    expect(stub.trays[0]!.destroyed).toBe(true);
  });

  it('brings the existing window forward instead of opening a second one', async () => {
    await start();
    const window = mainWindow();
    window.minimize();
    window.focused = false;
    expect(desktop!.showWindow()).toBe(window);
    expect(window.minimized).toBe(false);
    expect(window.focused).toBe(true);
    expect(stub.windows).toHaveLength(1);
  });

  it('moves a corrupt settings file aside and tells the operator in a dialog and in the UI', async () => {
    writeFileSync(join(dir, 'config.json'), '{ this is not json');
    await start();
    expect(readdirSync(dir).filter((name) => name.startsWith('config.corrupt-'))).toHaveLength(1);
    expect(stub.dialogs.find((d) => d.kind === 'message')?.options).toMatchObject({
      title: 'Hubwatch could not read its settings',
      detail: expect.stringContaining('config.corrupt-') as unknown,
    });
    await waitFor('the notice to be pushed', () =>
      pushes().find((push) => push.name === 'notice' && /moved aside/.test(push.payload.message)),
    );
  });

  it('exports the events to the file the operator chose, complete', async () => {
    server = await startTestServer({
      http: sseFeed(['data: {"msg":"one"}\n\n', 'data: {"msg":"two"}\n\n', 'data: {"msg":"three"}\n\n']),
    });
    await start({
      settings: {
        hubs: [{ id: 'feed', dialect: 'generic', url: `${server.url}/e`, fields: { message: 'msg' } }],
      },
    });
    await waitFor('three events', () => desktop!.workspace.engine.hub('feed')!.stats.events >= 3);
    const target = join(dir, 'out', 'events');
    rmSync(join(dir, 'out'), { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(join(dir, 'out'));
    stub.saveDialogResult = { canceled: false, filePath: target };
    const started = await value<{ state: string; file: string }>('export.start', {
      format: 'ndjson',
      filter: {},
    });
    expect(started).toMatchObject({ state: 'running', file: `${target}.ndjson` });
    expect(stub.dialogs.find((d) => d.kind === 'save')?.options['filters']).toEqual([
      { name: 'NDJSON — one event per line', extensions: ['ndjson', 'jsonl'] },
      { name: 'All files', extensions: ['*'] },
    ]);
    await waitFor('the export to finish', () =>
      pushes().find((push) => push.name === 'export' && push.payload.state === 'done'),
    );
    const lines = readFileSync(`${target}.ndjson`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { hub: string; seq: number; message: string });
    expect(lines.map((line) => [line.hub, line.seq, line.message])).toEqual([
      ['feed', 1, 'one'],
      ['feed', 2, 'two'],
      ['feed', 3, 'three'],
    ]);
    expect(readdirSync(join(dir, 'out'))).toEqual(['events.ndjson']);
  });

  it('answers a cancelled save dialog with a cancelled export and writes nothing', async () => {
    await start();
    stub.saveDialogResult = { canceled: true, filePath: '' };
    expect(await value('export.start', { format: 'csv', filter: {} })).toMatchObject({
      state: 'cancelled',
      file: null,
    });
  });

  it('turns an alert into a notification whose click reopens the window on the event', async () => {
    server = await startTestServer({
      http: sseFeed(['event: boom\ndata: {"msg":"it broke","server":"s-1"}\n\n']),
    });
    const rule = {
      id: 'boom',
      name: 'Boom',
      enabled: true,
      match: { hubs: ['feed'], events: ['boom'] },
      title: 'Boom on {hub}',
      coalesceMs: 60_000,
      severity: 'error',
    };
    await start({
      settings: {
        alertRules: [rule],
        hubs: [
          {
            id: 'feed',
            name: 'The feed',
            dialect: 'generic',
            url: `${server.url}/e`,
            fields: { message: 'msg' },
          },
        ],
      },
    });
    const notification = await waitFor('the notification', () =>
      stub.notifications.find((n) => n.options.title === 'Boom on feed'),
    );
    expect(notification.options.body).toBe('The feed\nit broke');
    mainWindow().close(); // to the tray: the click must bring a window back
    notification.emit('click', {});
    await loaded();
    const window = mainWindow();
    expect(window.visible || window.focused).toBe(true);
    const focus = await waitFor('the focus push', () => pushes(window).find((push) => push.name === 'focus'));
    expect(focus.payload).toEqual({ hub: 'feed', seq: 1 });
  });

  it('names a hub and entity that contain the hub’s own token as they are in a notification', async () => {
    // The token `fleet` is part of the hub's id and name and of the server id; only the
    // message the hub sent loses it.
    vi.stubEnv('HUBWATCH_TEST_FLEET_TOKEN', 'fleet');
    server = await startTestServer({
      http: (req, res) => {
        if (req.headers.authorization !== 'Bearer fleet') {
          res.writeHead(401).end();
          return;
        }
        sseFeed(['event: boom\ndata: {"msg":"auth fleet expired","server":"srv-fleet"}\n\n'])(req, res);
      },
    });
    await start({
      settings: {
        alertRules: [
          {
            id: 'boom',
            name: 'Boom',
            enabled: true,
            match: { events: ['boom'] },
            title: 'Boom on {hub} ({entity}): {message}',
            coalesceMs: 60_000,
            severity: 'error',
          },
        ],
        hubs: [
          {
            id: 'ops-fleet',
            name: 'Ops fleet',
            dialect: 'generic',
            url: `${server.url}/e`,
            auth: { type: 'bearer', token: { env: 'HUBWATCH_TEST_FLEET_TOKEN' } },
            fields: { message: 'msg', entity: 'server', entityType: 'server' },
          },
        ],
      },
    });
    const notification = await waitFor('the notification', () => stub.notifications[0]);
    expect(notification.options.title).toBe('Boom on ops-fleet (srv-fleet): auth REDACTED expired');
    expect(notification.options.body).toBe('Ops fleet · server srv-fleet\nauth REDACTED expired');
  });

  it('starts the demo hub on request and again on the next launch, when its hubs are configured', async () => {
    const closed: number[] = [];
    const { demoHubConfig, DEMO_CREDENTIALS } = await import('../../../src/demo-hub/demo-config');
    let port = 45000;
    const startDemoHub = ({ port: wanted }: { port: number }) => {
      const used = wanted || port++;
      const url = `http://127.0.0.1:${used}`;
      return Promise.resolve({
        url,
        port: used,
        credentials: DEMO_CREDENTIALS,
        config: () => demoHubConfig(url),
        close: () => Promise.resolve(void closed.push(used)),
      } as unknown as DemoHub);
    };
    emitReady();
    desktop = await DesktopApp.start({
      userDataDir: dir,
      preloadPath: '/p.cjs',
      platform: 'linux',
      startDemoHub,
    });
    await loaded();
    const hubs = await value<{ id: string }[]>('demo.start');
    expect(hubs.map((hub) => hub.id)).toContain('cube');
    expect(await value('app.info')).toMatchObject({ firstRun: false, demoRunning: true });
    const settings = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(settings).not.toContain(DEMO_CREDENTIALS.protocubeToken);
    expect((JSON.parse(settings) as { demo: unknown }).demo).toEqual({ origin: 'http://127.0.0.1:45000' });
    await desktop.shutdown();
    expect(closed).toEqual([45000]);
    resetStub();
    stub.paths.userData = dir;
    emitReady();
    desktop = await DesktopApp.start({
      userDataDir: dir,
      preloadPath: '/p.cjs',
      platform: 'linux',
      startDemoHub,
    });
    await loaded();
    expect(await value('app.info')).toMatchObject({ demoRunning: true });
    expect(existsSync(join(dir, 'config.json'))).toBe(true);
  });
});
