/**
 * The desktop app once Electron is ready: opens the secret vault and the settings, builds
 * the workspace (engine and hubs) in the main process, and wires the window, IPC, tray,
 * notifications, the menus, the log file and quitting around it. The engine outlives
 * windows: closing the window (to the tray) keeps every hub connected, and a new window
 * gets a new `ApiSession`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  app,
  dialog,
  nativeImage,
  Notification,
  screen,
  shell,
  type BrowserWindow,
  type NativeImage,
  type WebContents,
} from 'electron';
import { startDemoHub } from '../demo-hub/demo-hub';
import type { Alert } from '../shared/alerts';
import { describeState } from '../shared/connection-state';
import { ApiSession, Workspace, type EngineOptions } from './engine';
import type { AppLog } from './app-log';
import { installAppMenu } from './app-menu';
import { DemoController, type StartDemoHub } from './demo';
import { createDesktopHost } from './desktop-host';
import { createExportPathChooser } from './export-dialog';
import { drawAppIcon, encodePng } from './icons';
import { pushTo, registerIpc } from './ipc';
import { AlertNotifier } from './notifications';
import { askWithDialog, SafeStorageVault, type SecretVaultOptions } from './secret-vault';
import { DesktopSettings, type SettingsNotice } from './settings';
import { TrayController } from './tray';
import { createMainWindow, visibleBounds } from './window';

/** Longest a quit waits for hubs to disconnect and exports to finish or be removed. */
export const SHUTDOWN_TIMEOUT_MS = 5000;

export interface DesktopAppOptions {
  /** `app.getPath('userData')`: settings and secrets live here. */
  userDataDir: string;
  preloadPath: string;
  devServerUrl?: string;
  platform?: NodeJS.Platform;
  /** Start the demo hub now (`--demo`). */
  startDemo?: boolean;
  /** Tests pass a demo hub of their own. */
  startDemoHub?: StartDemoHub;
  /** Asks where secrets may go without a keyring (a dialog by default). */
  askSecretStorage?: SecretVaultOptions['ask'];
  engineOptions?: Omit<EngineOptions, 'secrets' | 'alertRules' | 'capacityPerHub'>;
  now?: () => number;
  /** The export format worker built beside the main entry (see `bundledExportWorker`). */
  exportWorker?: URL | null;
  /**
   * The log file (`index.ts` opens it first thing). Given one, the app redacts it with the
   * workspace, logs hub state changes to it, and offers "Open log folder" in the tray and
   * Help menus.
   */
  log?: AppLog;
  /** The history folder (default `userData/history`); null keeps events in memory only (tests). */
  history?: { dir: string } | null;
}

type Notice = { level: 'info' | 'warn' | 'error'; message: string };

export class DesktopApp {
  private window: BrowserWindow | null = null;
  private readonly sessions = new Map<number, { contents: WebContents; session: ApiSession }>();
  /** Notices waiting for a window that has loaded. */
  private pending: Notice[] = [];
  private quitting = false;
  private shutdownDone = false;
  private shutdownStarted: Promise<void> | null = null;
  private exportsInFlight = 0;
  private exportsSettled: (() => void) | null = null;
  private exportWatch: (() => void) | null = null;
  private readonly cleanups: (() => void)[] = [];
  private tray: TrayController | null = null;
  private readonly notifier: AlertNotifier;
  readonly workspace: Workspace;
  private readonly platform: NodeJS.Platform;
  private readonly appIcon: NativeImage | undefined;

  private constructor(
    private readonly options: DesktopAppOptions,
    private readonly settings: DesktopSettings,
    private readonly demo: DemoController,
    workspace: Workspace,
    notices: Notice[],
  ) {
    this.platform = options.platform ?? process.platform;
    this.pending.push(...notices);
    this.workspace = workspace;
    // The same redaction as everything the UI sees; lines logged until now were held for it.
    options.log?.redactWith((text) => this.workspace.redactDiagnostic(text));
    // Linux shows it in the title bar, the task switcher and notifications; elsewhere the
    // packaged executable's icon is used.
    const appIcon =
      this.platform === 'linux' ? nativeImage.createFromBuffer(encodePng(drawAppIcon(128))) : undefined;
    this.appIcon = appIcon;
    this.notifier = new AlertNotifier({
      hubName: (hub) => this.workspace.hubConfigs().find((config) => config.id === hub)?.name ?? hub,
      onClick: (alert: Alert) => this.showEvent(alert.event.hub, alert.event.seq),
      ...(appIcon ? { icon: appIcon } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.cleanups.push(
      this.workspace.engine.subscribe({ onAlert: (alert, isNew) => this.notifier.handle(alert, isNew) }),
    );
  }

  /**
   * Starts the app: vault, settings, demo hub (when its hubs are configured), workspace,
   * tray, IPC, quit handling, and the window. Call after `ready`.
   */
  static async start(options: DesktopAppOptions): Promise<DesktopApp> {
    const platform = options.platform ?? process.platform;
    const early: Notice[] = [];
    const dialogs: SettingsNotice[] = [];
    let instance: DesktopApp | null = null;
    const notice = (level: Notice['level'], message: string) => {
      if (instance) instance.notice(level, message);
      else early.push({ level, message });
    };
    const vault = await SafeStorageVault.open({
      dir: options.userDataDir,
      platform,
      ask: options.askSecretStorage ?? askWithDialog(() => instance?.liveWindow() ?? null),
      notice,
      ...(options.now ? { now: options.now } : {}),
    });
    const opened = DesktopSettings.open({
      dir: options.userDataDir,
      keepInlineSecret: (hubId, field, value) => vault.keepInline(hubId, field, value),
      onWriteError: (message) => notice('error', message),
      ...(options.now ? { now: options.now } : {}),
    });
    const settings = opened.settings;
    for (const item of opened.notices) {
      early.push({ level: item.level, message: item.message });
      if (item.dialog) dialogs.push(item);
    }
    const demo = new DemoController({
      start: options.startDemoHub ?? ((demoOptions) => startDemoHub(demoOptions)),
      keepSecret: (ref, value) => vault.keepInMemory(ref, value),
    });
    const savedDemo = settings.demo();
    if (savedDemo) {
      try {
        const hubs = await demo.restore(savedDemo.origin, settings.loadHubs());
        settings.saveHubs(hubs);
        const origin = demo.origin();
        if (origin) settings.setDemo({ origin });
      } catch (error) {
        settings.setDemo(null);
        early.push({
          level: 'error',
          message: `The demo hub could not be started again (${(error as Error).message}); its hubs will not connect.`,
        });
      }
    }
    const chooser = createExportPathChooser({
      parent: () => instance?.liveWindow() ?? null,
      defaultDir: () => {
        // getPath throws where the OS has no such folder (some minimal Linux setups).
        try {
          return app.getPath('downloads');
        } catch {
          return app.getPath('home');
        }
      },
    });
    const host = createDesktopHost({
      platform,
      vault,
      settings,
      demo,
      exportWorker: options.exportWorker ?? null,
      chooseExportPath: async (request, name) => {
        const path = await chooser(request, name);
        if (path !== null) instance?.exportStarted();
        return path;
      },
    });
    // The history is opened, and entities and alerts rebuilt from it, before any hub connects.
    const workspace = await Workspace.open(
      host,
      {
        ...options.engineOptions,
        alertRules: settings.alertRules(),
        capacityPerHub: settings.eventsPerHub(),
      },
      options.history === null
        ? null
        : {
            dir: options.history?.dir ?? join(options.userDataDir, 'history'),
            ...settings.historyRetention(),
          },
    );
    const desktop = new DesktopApp(options, settings, demo, workspace, early);
    instance = desktop;
    desktop.wire();
    if (options.startDemo && !demo.running()) {
      try {
        await desktop.workspace.startDemo();
      } catch (error) {
        desktop.notice('error', `The demo hub could not start: ${(error as Error).message}`);
      }
    }
    desktop.showWindow();
    for (const item of dialogs) {
      if (!item.dialog) continue;
      const window = desktop.liveWindow();
      const box = {
        type: 'warning' as const,
        title: item.dialog.title,
        message: item.dialog.title,
        detail: item.dialog.detail,
        buttons: ['OK'],
      };
      void (window ? dialog.showMessageBox(window, box) : dialog.showMessageBox(box)).catch(() => undefined);
    }
    return desktop;
  }

  private wire(): void {
    const engine = this.workspace.engine;
    try {
      this.tray = new TrayController({
        states: () => engine.listHubs().map((hub) => hub.state),
        setPaused: (paused) => engine.setPaused(paused),
        showWindow: () => this.showWindow(),
        quit: () => app.quit(),
        muteUntil: (until) => this.notifier.muteUntil(until),
        mutedUntil: () => this.notifier.mutedUntilTime(),
        closeToTray: () => this.settings.closeToTray(),
        setCloseToTray: (enabled) => this.settings.setCloseToTray(enabled),
        ...(this.options.log ? { openLogFolder: () => this.openLogFolder() } : {}),
        ...(this.options.now ? { now: this.options.now } : {}),
      });
      const tray = this.tray;
      this.cleanups.push(
        engine.subscribe({
          onState: () => tray.scheduleUpdate(),
          onHubsChanged: () => tray.scheduleUpdate(),
        }),
      );
    } catch (error) {
      // Some Linux desktops have no tray; the app works without it (closing the window quits).
      this.tray = null;
      this.notice(
        'warn',
        `The tray icon could not be created (${(error as Error).message}); closing the window quits Hubwatch.`,
      );
    }

    const log = this.options.log;
    if (log) {
      installAppMenu({ platform: this.platform, openLogFolder: () => this.openLogFolder() });
      // What `hubwatch capture` writes to stderr: every connection change, with its reason.
      this.cleanups.push(
        engine.subscribe({
          onState: (hub, state) => {
            const line = `${hub}: ${describeState(state)}`;
            if (state.state === 'failed') log.warn(line);
            else log.info(line);
          },
        }),
      );
    }

    this.cleanups.push(
      registerIpc({
        ...(this.options.devServerUrl ? { devServerUrl: this.options.devServerUrl } : {}),
        targetFor: (id) => {
          const entry = this.sessions.get(id);
          return entry ? { contents: entry.contents, target: entry.session } : undefined;
        },
      }),
    );

    const onBeforeQuit = () => {
      this.quitting = true;
    };
    const onWindowAllClosed = () => {
      if (this.quitting) return;
      if (this.tray && this.settings.closeToTray()) return; // keeps watching from the tray
      if (this.platform === 'darwin') return; // macOS apps stay in the dock
      app.quit();
    };
    const onWillQuit = (event: Electron.Event) => {
      if (this.shutdownDone) return;
      // Hubs disconnect and exports finish or are removed before the process ends.
      event.preventDefault();
      void this.shutdown().finally(() => {
        this.shutdownDone = true;
        app.quit();
      });
    };
    app.on('before-quit', onBeforeQuit);
    app.on('window-all-closed', onWindowAllClosed);
    app.on('will-quit', onWillQuit);
    this.cleanups.push(() => {
      app.removeListener('before-quit', onBeforeQuit);
      app.removeListener('window-all-closed', onWindowAllClosed);
      app.removeListener('will-quit', onWillQuit);
    });
  }

  /** The window, when it exists and is not destroyed. */
  liveWindow(): BrowserWindow | null {
    return this.window && !this.window.isDestroyed() ? this.window : null;
  }

  /** Shows the window (creating it, with a new API session, when it was closed) and focuses it. */
  showWindow(): BrowserWindow {
    const existing = this.liveWindow();
    if (existing) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const state = this.settings.windowState();
    const bounds = visibleBounds(
      state.bounds,
      screen.getAllDisplays().map((display) => display.workArea),
    );
    const icon = this.appIcon;
    const window = createMainWindow({
      preloadPath: this.options.preloadPath,
      ...(this.options.devServerUrl ? { devServerUrl: this.options.devServerUrl } : {}),
      ...(bounds ? { bounds } : {}),
      ...(icon ? { icon } : {}),
    });
    if (state.maximized) window.maximize();
    this.window = window;
    const contents = window.webContents;
    const id = contents.id;
    const attach = () => {
      this.sessions.get(id)?.session.close();
      this.sessions.set(id, {
        contents,
        session: new ApiSession(this.workspace, pushTo(contents, this.options.devServerUrl)),
      });
    };
    const detach = () => {
      this.sessions.get(id)?.session.close();
      this.sessions.delete(id);
    };
    attach();
    // A new document (a reload) is a new UI: its views start over in a new session.
    contents.on('did-navigate', attach);
    contents.on('render-process-gone', detach);
    contents.on('did-finish-load', () => this.flushNotices());
    window.on('close', () => {
      this.settings.saveWindowState({ bounds: window.getNormalBounds(), maximized: window.isMaximized() });
    });
    window.on('closed', () => {
      detach();
      if (this.window === window) this.window = null;
      if (!this.quitting && this.tray && this.settings.closeToTray()) this.trayHint();
    });
    return window;
  }

  /** Shows the window on one event (a notification was clicked). */
  showEvent(hub: string, seq: number): void {
    const window = this.showWindow();
    const contents = window.webContents;
    // A window just created is still loading its UI, which would miss the push.
    if (contents.isLoading()) contents.once('did-finish-load', () => this.workspace.focus(hub, seq));
    else this.workspace.focus(hub, seq);
  }

  /** Tells the operator something: pushed to the UI now, or when a window has loaded. */
  notice(level: Notice['level'], message: string): void {
    this.pending.push({ level, message });
    this.flushNotices();
  }

  private flushNotices(): void {
    const window = this.liveWindow();
    if (!window || window.webContents.isLoading() || !this.sessions.has(window.webContents.id)) return;
    const pending = this.pending;
    this.pending = [];
    for (const item of pending) this.workspace.notice(item.level, item.message);
  }

  /** Opens the log folder in the file manager ("Open log folder" in the tray and Help menus). */
  openLogFolder(): void {
    const log = this.options.log;
    if (!log) return;
    // The file may not exist yet when nothing was logged: the folder must, to be opened.
    mkdirSync(log.dir, { recursive: true });
    void shell.openPath(log.dir).then((problem) => {
      if (problem) this.notice('error', `The log folder ${log.dir} could not be opened: ${problem}`);
    });
  }

  /** Once: the window closed but Hubwatch keeps running in the tray — say so. */
  private trayHint(): void {
    if (this.settings.trayHintShown() || !Notification.isSupported()) return;
    this.settings.setTrayHintShown();
    new Notification({
      title: 'Hubwatch is still running',
      body: 'It keeps watching your hubs from the tray. Quit it from the tray menu, or turn this off there.',
      silent: true,
    }).show();
  }

  private exportStarted(): void {
    this.exportsInFlight++;
    // One listener for all of them: progress carries no link to the chosen path, and an
    // export ends with exactly one progress that is not `running`.
    this.exportWatch ??= this.workspace.subscribe({
      onExport: (progress) => {
        if (progress.state === 'running') return;
        this.exportsInFlight = Math.max(0, this.exportsInFlight - 1);
        if (this.exportsInFlight > 0) return;
        this.exportWatch?.();
        this.exportWatch = null;
        this.exportsSettled?.();
      },
    });
  }

  private exportsDone(): Promise<void> {
    if (this.exportsInFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.exportsSettled = resolve;
    });
  }

  /**
   * Stops everything: UI sessions, IPC, every hub (the workspace cancels running exports,
   * whose temporary files are removed), the demo hub and the tray. Bounded by
   * SHUTDOWN_TIMEOUT_MS so a stuck connection cannot keep the app from quitting.
   */
  shutdown(): Promise<void> {
    this.shutdownStarted ??= (async () => {
      this.quitting = true;
      this.notifier.closeAll();
      for (const entry of this.sessions.values()) entry.session.close();
      this.sessions.clear();
      for (const cleanup of this.cleanups.splice(0)) cleanup();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS);
        timer.unref();
      });
      const stop = async () => {
        await this.workspace.close();
        await this.exportsDone();
        await this.demo.close();
      };
      try {
        await Promise.race([stop(), timeout]);
      } catch (error) {
        console.error(`hubwatch: shutdown: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
        this.tray?.destroy();
        this.tray = null;
        this.options.log?.info('Hubwatch quit');
      }
    })();
    return this.shutdownStarted;
  }
}
