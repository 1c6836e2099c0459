import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_UI_SETTINGS, type ViewUpdate } from '../../../../src/shared/api';
import type { HubEvent } from '../../../../src/shared/hub-event';
import type { ConnectionStatus } from '../../../../src/renderer/src/backend/websocket-backend';
import { createManualScheduler } from '../../../../src/renderer/src/lib/frame-scheduler';
import type * as AppModule from '../../../../src/renderer/src/state/app.svelte';
import { importRuneModule, rendererPath } from '../support/rune-modules';
import { FakeBackend, eventRow, settle, viewUpdate } from '../support/fake-backend';
import { hubSummary } from '../support/hubs';

const { AppState, ALL_TAB } = await importRuneModule<typeof AppModule>(rendererPath('state/app.svelte.ts'));

let backend: FakeBackend;
let scheduler: ReturnType<typeof createManualScheduler>;
let statusListener: ((status: ConnectionStatus) => void) | null;
let app: InstanceType<typeof AppState>;
let nextView: number;

function record(hub: string, seq: number): HubEvent {
  return {
    hub,
    seq,
    receivedAt: 1_000_000 + seq * 10,
    time: 1_000_000 + seq * 10,
    event: 'crash',
    id: null,
    level: 'error',
    source: null,
    entity: { type: 'server', id: 'srv-1' },
    message: 'crashed',
    data: {},
  };
}

beforeEach(() => {
  backend = new FakeBackend();
  scheduler = createManualScheduler();
  statusListener = null;
  nextView = 1;
  backend
    .on('app.info', () => ({
      version: '0.1.0',
      mode: 'browser',
      platform: 'linux',
      secretStorage: { kind: 'memory', detail: '' },
      firstRun: false,
      demoRunning: true,
    }))
    .on('hubs.list', () => [hubSummary('bots'), hubSummary('cube', { dialect: 'protocube' })])
    .on('entities.list', () => [])
    .on('alerts.list', () => ({ alerts: [], muted: [], rules: [] }))
    .on('filters.list', () => [])
    .on('settings.get', () => ({ ...DEFAULT_UI_SETTINGS, tabFilters: { cube: { levels: ['error'] } } }))
    .on('view.open', ({ filter }) => {
      const rows = filter.hubs?.[0] === 'cube' ? 50 : 100;
      return {
        ...viewUpdate(`v${nextView++}`, rows),
        tail: Array.from({ length: rows }, (_, index) =>
          eventRow(index + 1, { hub: filter.hubs?.[0] ?? 'bots', seq: index + 1 }),
        ),
      };
    })
    .on('view.close', () => null)
    .on('view.setFilter', ({ viewId }) => viewUpdate(viewId, 50, { version: 2 }))
    .on('events.get', ({ hub, seq }) => record(hub, seq))
    // Views of one hub list its events in seq order: event seq N is at index N-1.
    .on('view.indexOfEvent', ({ seq }) => (seq <= 50 ? seq - 1 : -1))
    .on('view.rows', ({ start, count }) => ({
      version: 1,
      total: 50,
      rows: Array.from({ length: Math.max(0, Math.min(50, start + count) - start) }, (_, i) =>
        eventRow(start + i + 1, { hub: 'cube', seq: start + i + 1 }),
      ),
    }));
  app = new AppState({
    backend,
    transport: 'browser',
    scheduler,
    onStatus: (listener) => {
      statusListener = listener;
      return () => (statusListener = null);
    },
  });
});

afterEach(() => app.stop());

describe('the app state', () => {
  it('loads everything, then opens only the view of the tab on screen', async () => {
    await app.start();
    expect(app.loading).toBe(false);
    expect(app.tabIds).toEqual([ALL_TAB, 'bots', 'cube']);
    expect(backend.callsOf('view.open')).toEqual([{ filter: {}, tailSize: 160 }]);
    expect(app.tab(ALL_TAB).viewId).toBe('v1');
  });

  it('closes the view of a tab it leaves and opens the next one with its saved filter', async () => {
    await app.start();
    app.selectTab('cube');
    await settle();
    expect(backend.callsOf('view.close')).toEqual([{ viewId: 'v1' }]);
    expect(backend.callsOf('view.open')[1]).toEqual({
      filter: { levels: ['error'], hubs: ['cube'] },
      tailSize: 160,
    });
  });

  it('keeps both views open in split view', async () => {
    await app.start();
    app.setSplit('bots');
    await settle();
    expect(app.splitTab).toBe('bots');
    expect(backend.callsOf('view.close')).toEqual([]);
    expect(app.tab('bots').viewId).toBe('v2');
  });

  it('routes pushes to the stores and view updates to the tab whose view they are', async () => {
    await app.start();
    const update: ViewUpdate = viewUpdate('v1', 120, { appended: 20 });
    backend.push(
      { name: 'hubs', payload: [hubSummary('bots')] },
      { name: 'view', payload: update },
      { name: 'notice', payload: { level: 'warn', message: 'settings were moved aside' } },
      { name: 'entities', payload: { changed: [], removed: [] } },
    );
    expect(app.hubs.list.map((hub) => hub.id)).toEqual(['bots']);
    expect(app.notices.list[0]?.message).toBe('settings were moved aside');
    scheduler.flush();
    expect(app.tab(ALL_TAB).total).toBe(120);
  });

  it('offers the event names seen in the rows, besides those its dialects are known to send', async () => {
    await app.start();
    backend.push({
      name: 'view',
      payload: {
        ...viewUpdate('v1', 101),
        tail: [eventRow(101, { hub: 'bots', event: 'surprise' })],
        tailStart: 100,
      },
    });
    scheduler.flush();
    expect(app.eventChoices('bots')).toContain('surprise');
    expect(app.eventChoices('bots')).toContain('session');
    expect(app.eventChoices('cube')).not.toContain('surprise');
    expect(app.eventChoices('cube')).toContain('crash');
  });

  it('shows the event of a clicked notification: its hub’s tab, paused at its row, in the detail pane', async () => {
    await app.start();
    backend.push({ name: 'focus', payload: { hub: 'cube', seq: 17 } });
    await settle();
    await settle();
    expect(app.activeTab).toBe('cube');
    expect(app.selection).toMatchObject({ tabId: 'cube', hub: 'cube', seq: 17, index: 16 });
    expect(app.tab('cube').following).toBe(false);
    expect(app.tab('cube').scrollRequest?.index).toBe(13);
  });

  it('re-opens its views after the connection came back', async () => {
    await app.start();
    expect(statusListener).not.toBeNull();
    statusListener?.({
      state: 'reconnecting',
      attempt: 1,
      retryAt: Date.now() + 500,
      detail: 'dropped',
      reconnects: 0,
    });
    expect(app.connection.state).toBe('reconnecting');
    statusListener?.({ state: 'open', attempt: 0, retryAt: null, detail: null, reconnects: 1 });
    await settle();
    await settle();
    expect(backend.callsOf('hubs.list')).toHaveLength(2);
    expect(backend.callsOf('view.open')).toHaveLength(2);
    expect(app.tab(ALL_TAB).viewId).toBe('v2');
  });

  it('moves the selection with the keyboard, pausing the list', async () => {
    await app.start();
    const tab = app.tab(ALL_TAB);
    tab.setViewport(80, 20);
    app.moveSelection(1);
    expect(app.selection).toMatchObject({ index: 80, seq: 81 });
    app.moveSelection(1);
    expect(app.selection).toMatchObject({ index: 81, seq: 82 });
    app.moveSelection(-1);
    expect(app.selection?.index).toBe(80);
    expect(tab.following).toBe(false);
  });

  it('closes the topmost thing first on Esc', async () => {
    await app.start();
    app.select({ tabId: ALL_TAB, hub: 'bots', seq: 1, index: 0 });
    app.exportOpen = true;
    expect(app.closeTopmost()).toBe(true);
    expect(app.exportOpen).toBe(false);
    expect(app.selection).not.toBeNull();
    expect(app.closeTopmost()).toBe(true);
    expect(app.selection).toBeNull();
    expect(app.closeTopmost()).toBe(false);
  });

  it('forgets a removed hub’s tab and falls back to All', async () => {
    backend.on('hubs.remove', () => null);
    await app.start();
    app.selectTab('cube');
    await settle();
    await app.removeHub('cube');
    expect(app.activeTab).toBe(ALL_TAB);
    expect(app.tabIds).toEqual([ALL_TAB, 'bots']);
  });

  it('says what went wrong when it cannot load', async () => {
    backend.on('hubs.list', () => {
      throw new Error('lost the connection to hubwatch serve while waiting for "hubs.list"');
    });
    await app.start();
    expect(app.loadError).toMatch(/lost the connection/);
  });
});
