import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetStub, stub } from './support/electron';
import type { ConnectionState } from '../../../src/shared/connection-state';

const { TrayController, trayLevel, traySummary, isPaused, MUTE_MS } = await import('../../../src/main/tray');
const { LEVEL_COLORS } = await import('../../../src/main/icons');

const open: ConnectionState = { state: 'open', since: 1 };
const reconnecting: ConnectionState = {
  state: 'reconnecting',
  delayMs: 1000,
  at: 2,
  attempt: 1,
  reason: 'dropped',
};
const failed: ConnectionState = { state: 'failed', reason: 'credentials_rejected', detail: '401' };
const paused: ConnectionState = { state: 'idle', paused: true };

describe('the tray state', () => {
  it('is green when every hub is open, amber when one reconnects, red when one failed', () => {
    expect(trayLevel([open, open])).toBe('ok');
    expect(trayLevel([open, reconnecting])).toBe('warn');
    expect(trayLevel([open, { state: 'connecting', attempt: 0 }])).toBe('warn');
    expect(trayLevel([reconnecting, failed, open])).toBe('error');
  });

  it('is grey with no hubs, or nothing running', () => {
    expect(trayLevel([])).toBe('idle');
    expect(trayLevel([paused, paused])).toBe('idle');
  });

  it('counts the hubs by state in the tooltip', () => {
    expect(traySummary([])).toBe('Hubwatch — no hubs yet');
    expect(
      traySummary([
        open,
        open,
        reconnecting,
        failed,
        paused,
        { state: 'ended', reason: 'completed', detail: '' },
      ]),
    ).toBe('Hubwatch — 6 hubs: 2 open, 1 reconnecting, 1 failed, 1 ended, 1 paused');
  });

  it('knows the hubs are paused', () => {
    expect(isPaused([open])).toBe(false);
    expect(isPaused([paused, { state: 'idle' }])).toBe(true);
  });
});

describe('the tray icon', () => {
  let states: ConnectionState[];
  let calls: string[];
  let mutedUntil: number | null;
  let closeToTray: boolean;
  const now = 1_800_000_000_000;
  let controller: InstanceType<typeof TrayController>;

  beforeEach(() => {
    resetStub();
    states = [open];
    calls = [];
    mutedUntil = null;
    closeToTray = true;
    controller = new TrayController({
      states: () => states,
      setPaused: (value) => calls.push(`paused:${value}`),
      showWindow: () => calls.push('show'),
      quit: () => calls.push('quit'),
      muteUntil: (until) => {
        mutedUntil = until === 0 ? null : until;
        calls.push(`mute:${until}`);
      },
      mutedUntil: () => mutedUntil,
      closeToTray: () => closeToTray,
      setCloseToTray: (value) => {
        closeToTray = value;
      },
      openLogFolder: () => calls.push('logs'),
      now: () => now,
    });
  });
  afterEach(() => controller.destroy());

  const tray = () => stub.trays[0]!;
  const centre = () => tray().image.pixel(16, 16)?.slice(0, 3);
  const item = (label: RegExp) => tray().menu!.items.find((entry) => label.test(entry.label ?? ''))!;

  it('follows the hub states: colour and tooltip', () => {
    expect(stub.trays).toHaveLength(1);
    expect(centre()).toEqual([...LEVEL_COLORS.ok]);
    expect(tray().image.getSize()).toEqual({ width: 16, height: 16 });
    states = [open, reconnecting];
    controller.update();
    expect(centre()).toEqual([...LEVEL_COLORS.warn]);
    expect(tray().tooltip).toBe('Hubwatch — 2 hubs: 1 open, 1 reconnecting');
    states = [failed, reconnecting];
    controller.update();
    expect(centre()).toEqual([...LEVEL_COLORS.error]);
    states = [open];
    controller.update();
    expect(centre()).toEqual([...LEVEL_COLORS.ok]);
  });

  it('coalesces a burst of state changes into one update', async () => {
    vi.useFakeTimers();
    try {
      const before = tray().images.length;
      states = [failed];
      for (let i = 0; i < 50; i++) controller.scheduleUpdate();
      expect(tray().images.length).toBe(before);
      await vi.advanceTimersByTimeAsync(250);
      expect(tray().images.length).toBe(before + 1);
      expect(centre()).toEqual([...LEVEL_COLORS.error]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('has a menu to show the window, pause all, mute for an hour, stay in the tray, open the log folder and quit', () => {
    expect(tray().menu!.items.map((entry) => entry.label ?? entry.type)).toEqual([
      'Show Hubwatch',
      'separator',
      'Pause all hubs',
      'Mute notifications for an hour',
      'Keep running in the tray when the window is closed',
      'separator',
      'Open log folder',
      'Quit Hubwatch',
    ]);
    item(/^Show/).click?.();
    item(/^Pause all/).click?.();
    item(/^Open log folder$/).click?.();
    item(/^Quit/).click?.();
    expect(calls).toEqual(['show', 'paused:true', 'logs', 'quit']);
  });

  it('has no log folder item when there is no log', () => {
    controller.destroy();
    controller = new TrayController({
      states: () => states,
      setPaused: () => undefined,
      showWindow: () => undefined,
      quit: () => undefined,
      muteUntil: () => undefined,
      mutedUntil: () => null,
      closeToTray: () => true,
      setCloseToTray: () => undefined,
    });
    expect(stub.trays.at(-1)!.menu!.items.map((entry) => entry.label)).not.toContain('Open log folder');
  });

  it('offers resume once the hubs are paused', () => {
    states = [paused];
    controller.update();
    item(/^Resume all hubs$/).click?.();
    expect(calls).toEqual(['paused:false']);
  });

  it('mutes notifications for exactly an hour, shows it, and can unmute', () => {
    item(/^Mute notifications for an hour$/).click?.();
    expect(calls).toEqual([`mute:${now + MUTE_MS}`]);
    expect(tray().tooltip).toMatch(/notifications muted until \d\d:\d\d$/);
    item(/^Unmute notifications/).click?.();
    expect(calls).toEqual([`mute:${now + MUTE_MS}`, 'mute:0']);
    expect(item(/^Mute notifications for an hour$/)).toBeDefined();
  });

  it('toggles keeping the app in the tray', () => {
    expect(item(/^Keep running/).checked).toBe(true);
    item(/^Keep running/).click?.();
    expect(closeToTray).toBe(false);
    expect(item(/^Keep running/).checked).toBe(false);
  });

  it('shows the window when the icon is clicked', () => {
    tray().emit('click');
    expect(calls).toEqual(['show']);
  });
});
