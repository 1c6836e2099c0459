/**
 * The tray icon: its colour is the worst hub state (green: all open, amber: some
 * connecting or reconnecting, red: some failed, grey: nothing running), its tooltip counts
 * the hubs by state, and its menu shows the window, pauses or resumes every hub, mutes
 * notifications for an hour, keeps the app in the tray when the window closes, opens the
 * log folder, and quits.
 */
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { stateSeverity, type ConnectionState } from '../shared/connection-state';
import { drawStatusIcon, encodePng, type TrayLevel } from './icons';

/** How long "Mute notifications for an hour" mutes. */
export const MUTE_MS = 60 * 60 * 1000;
/** State flaps closer together than this make one tray update. */
const UPDATE_DELAY_MS = 200;
/** Windows cuts tray tooltips at 127 characters. */
const TOOLTIP_MAX = 127;

/** The worst state of the hubs, as the tray shows it. */
export function trayLevel(states: readonly ConnectionState[]): TrayLevel {
  const worst = states.reduce((max, state) => Math.max(max, stateSeverity(state)), 0);
  if (worst >= 3) return 'error';
  if (worst >= 2) return 'warn';
  return states.some((state) => state.state === 'open') ? 'ok' : 'idle';
}

/** True when the hubs were paused from the tray or the UI (a resume is due). */
export function isPaused(states: readonly ConnectionState[]): boolean {
  return states.some((state) => state.state === 'idle' && state.paused === true);
}

/** One line: how many hubs are in which state. */
export function traySummary(states: readonly ConnectionState[]): string {
  if (states.length === 0) return 'Hubwatch — no hubs yet';
  const counts = { open: 0, reconnecting: 0, failed: 0, ended: 0, paused: 0, idle: 0 };
  for (const state of states) {
    switch (state.state) {
      case 'open':
        counts.open++;
        break;
      case 'connecting':
      case 'reconnecting':
      case 'polling':
        counts.reconnecting++;
        break;
      case 'failed':
        counts.failed++;
        break;
      case 'ended':
        counts.ended++;
        break;
      case 'idle':
        if (state.paused) counts.paused++;
        else counts.idle++;
        break;
    }
  }
  const parts = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${count} ${name === 'idle' ? 'off' : name}`);
  return `Hubwatch — ${states.length} hub${states.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

export interface TrayOptions {
  /** The hubs' current states. */
  states(): ConnectionState[];
  setPaused(paused: boolean): void;
  showWindow(): void;
  quit(): void;
  /** Mutes notifications until an epoch ms (0 unmutes). */
  muteUntil(until: number): void;
  /** When notifications are muted until, or null. */
  mutedUntil(): number | null;
  closeToTray(): boolean;
  setCloseToTray(enabled: boolean): void;
  /** Opens the folder of the app's log file; no menu item without it. */
  openLogFolder?: () => void;
  now?: () => number;
}

function clock(epochMs: number): string {
  const date = new Date(epochMs);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

export class TrayController {
  private readonly tray: Tray;
  private readonly images = new Map<TrayLevel, NativeImage>();
  private level: TrayLevel | null = null;
  private tooltip = '';
  private menuKey = '';
  private timer: NodeJS.Timeout | null = null;
  private unmuteTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly options: TrayOptions) {
    this.now = options.now ?? Date.now;
    this.tray = new Tray(this.image('idle'));
    // Windows and macOS click the icon to get the window back (Linux indicators use the menu).
    this.tray.on('click', () => options.showWindow());
    this.update();
  }

  /** The icon of a level: a 16 pt dot drawn at 32 px for sharp HiDPI panels. */
  private image(level: TrayLevel): NativeImage {
    let image = this.images.get(level);
    if (!image) {
      image = nativeImage.createFromBuffer(encodePng(drawStatusIcon(level, 32)), { scaleFactor: 2 });
      this.images.set(level, image);
    }
    return image;
  }

  /** Updates soon: a burst of state changes is one update. */
  scheduleUpdate(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.update();
    }, UPDATE_DELAY_MS);
    this.timer.unref();
  }

  /** Brings icon, tooltip and menu in line with the hubs now. */
  update(): void {
    if (this.tray.isDestroyed()) return;
    const states = this.options.states();
    const level = trayLevel(states);
    if (level !== this.level) {
      this.level = level;
      this.tray.setImage(this.image(level));
    }
    const muted = this.options.mutedUntil();
    const tooltip = (
      traySummary(states) + (muted ? ` · notifications muted until ${clock(muted)}` : '')
    ).slice(0, TOOLTIP_MAX);
    if (tooltip !== this.tooltip) {
      this.tooltip = tooltip;
      this.tray.setToolTip(tooltip);
    }
    const paused = isPaused(states);
    const closeToTray = this.options.closeToTray();
    const key = JSON.stringify([states.length > 0, paused, muted, closeToTray]);
    // Rebuilt only when it changes: Linux needs setContextMenu again for any change, and a
    // menu replaced while open closes under the operator's pointer.
    if (key !== this.menuKey) {
      this.menuKey = key;
      this.tray.setContextMenu(
        Menu.buildFromTemplate(this.menu(states.length > 0, paused, muted, closeToTray)),
      );
    }
  }

  private menu(
    hasHubs: boolean,
    paused: boolean,
    muted: number | null,
    closeToTray: boolean,
  ): MenuItemConstructorOptions[] {
    return [
      { label: 'Show Hubwatch', click: () => this.options.showWindow() },
      { type: 'separator' },
      {
        label: paused ? 'Resume all hubs' : 'Pause all hubs',
        enabled: hasHubs,
        click: () => {
          this.options.setPaused(!paused);
          this.scheduleUpdate();
        },
      },
      muted
        ? { label: `Unmute notifications (muted until ${clock(muted)})`, click: () => this.mute(0) }
        : { label: 'Mute notifications for an hour', click: () => this.mute(this.now() + MUTE_MS) },
      {
        label: 'Keep running in the tray when the window is closed',
        type: 'checkbox',
        checked: closeToTray,
        click: () => {
          this.options.setCloseToTray(!closeToTray);
          this.update();
        },
      },
      { type: 'separator' },
      ...(this.options.openLogFolder
        ? [{ label: 'Open log folder', click: () => this.options.openLogFolder?.() }]
        : []),
      { label: 'Quit Hubwatch', click: () => this.options.quit() },
    ];
  }

  private mute(until: number): void {
    this.options.muteUntil(until);
    if (this.unmuteTimer) clearTimeout(this.unmuteTimer);
    this.unmuteTimer = null;
    if (until > this.now()) {
      // The menu and tooltip go back to "not muted" when the hour is over.
      this.unmuteTimer = setTimeout(() => this.update(), until - this.now() + 50);
      this.unmuteTimer.unref();
    }
    this.update();
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.unmuteTimer) clearTimeout(this.unmuteTimer);
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }
}
