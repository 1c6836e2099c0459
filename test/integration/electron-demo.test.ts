/**
 * The desktop app (Electron stubbed) on the real demo hub and the real engine: a Protocube
 * crash becomes an OS notification, clicking it shows the event, and a storm of crashes is
 * one notification.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emitReady, invokeFrom, resetStub, stub } from '../unit/main/support/electron';
import type { Alert } from '../../src/shared/alerts';
import type { CallResult, PushMessage } from '../../src/shared/api';
import type { HubEvent } from '../../src/shared/hub-event';
import type { DesktopApp as DesktopAppType } from '../../src/main/desktop-app';

const { DesktopApp } = await import('../../src/main/desktop-app');
const { startDemoHub } = await import('../../src/demo-hub/demo-hub');
const { IPC_CALL_CHANNEL, IPC_PUSH_CHANNEL } = await import('../../src/shared/ipc-channels');

async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 25_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the desktop app on the demo hub', () => {
  let dir: string;
  let desktop: DesktopAppType | null = null;

  const window = () => stub.windows.filter((w) => !w.destroyed)[0];
  async function value<T>(name: string, request: unknown = null): Promise<T> {
    const current = window();
    if (!current) throw new Error('no window');
    const result = (await invokeFrom(current.webContents, IPC_CALL_CHANNEL, [
      name,
      request,
    ])) as CallResult<T>;
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  }
  const pushes = (): PushMessage[] =>
    (window()?.webContents.sent ?? [])
      .filter((s) => s.channel === IPC_PUSH_CHANNEL)
      .flatMap((s) => s.args[0] as PushMessage[]);

  async function start(rate?: number) {
    emitReady();
    desktop = await DesktopApp.start({
      userDataDir: dir,
      preloadPath: '/out/preload/index.cjs',
      platform: 'linux',
      startDemo: true,
      startDemoHub: (options) => startDemoHub({ ...options, ...(rate ? { rate } : {}) }),
    });
    await waitFor('the window to load', () => window() && !window()!.webContents.loading);
  }

  beforeEach(() => {
    resetStub();
    dir = mkdtempSync(join(tmpdir(), 'hubwatch-electron-demo-'));
    stub.paths.userData = dir;
  });

  afterEach(async () => {
    await desktop?.shutdown();
    desktop = null;
    resetStub();
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns a Protocube crash into a notification titled with the server and hub, and clicking it shows that event', async () => {
    await start();
    const crash = await waitFor('a crash notification', () =>
      stub.notifications.find((n) => /^Server \S+ crashed on cube$/.test(n.options.title ?? '')),
    );
    const { alerts } = await value<{ alerts: Alert[] }>('alerts.list');
    const alert = alerts.find((a) => a.ruleId === 'protocube-crash' && a.hub === 'cube')!;
    expect(crash.options.title).toBe(`Server ${alert.entity!.id} crashed on cube`);
    expect(crash.options.body).toBe(`Demo Protocube (SSE) · server ${alert.entity!.id}\n${alert.body}`);

    window()!.hide();
    window()!.focused = false;
    crash.emit('click', {});
    expect(window()!.visible).toBe(true);
    expect(window()!.focused).toBe(true);
    const focus = await waitFor('the focus push', () => pushes().find((push) => push.name === 'focus'), 5000);
    expect(focus.payload).toEqual(alert.event);
    const event = await value<HubEvent>('events.get', alert.event);
    expect(event).toMatchObject({
      hub: 'cube',
      event: 'crash',
      level: 'error',
      entity: { type: 'server', id: alert.entity!.id },
    });
  });

  it('shows a storm of crashes on one hub as one notification', async () => {
    await start(40);
    const stormed = await waitFor('several crashes coalesced into one alert', async () => {
      const { alerts } = await value<{ alerts: Alert[] }>('alerts.list');
      return alerts.find((a) => a.ruleId === 'protocube-crash' && a.hub === 'cube' && a.count >= 3);
    });
    const forCube = stub.notifications.filter((n) => / crashed on cube$/.test(n.options.title ?? ''));
    expect(stormed.count).toBeGreaterThanOrEqual(3);
    expect(forCube).toHaveLength(1);
    expect(
      pushes().filter((p) => p.name === 'alert' && p.payload.alert.id === stormed.id && !p.payload.isNew)
        .length,
    ).toBeGreaterThanOrEqual(1);
  });
});
