import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../../../src/shared/alerts';
import type { ExportProgress } from '../../../../src/shared/api';
import type { EntityState, TaskState } from '../../../../src/shared/entities';
import type * as AlertsModule from '../../../../src/renderer/src/state/alerts.svelte';
import type * as EntitiesModule from '../../../../src/renderer/src/state/entities.svelte';
import type * as ExportsModule from '../../../../src/renderer/src/state/exports.svelte';
import type * as HubsModule from '../../../../src/renderer/src/state/hubs.svelte';
import type * as NoticesModule from '../../../../src/renderer/src/state/notices.svelte';
import type * as SettingsModule from '../../../../src/renderer/src/state/settings.svelte';
import { createManualScheduler } from '../../../../src/renderer/src/lib/frame-scheduler';
import { importRuneModule, rendererPath } from '../support/rune-modules';
import { FakeBackend, settle } from '../support/fake-backend';
import { hubSummary } from '../support/hubs';

const { EntitiesStore } = await importRuneModule<typeof EntitiesModule>(
  rendererPath('state/entities.svelte.ts'),
);
const { AlertsStore } = await importRuneModule<typeof AlertsModule>(rendererPath('state/alerts.svelte.ts'));
const { SettingsStore, SETTINGS_WRITE_DELAY_MS } = await importRuneModule<typeof SettingsModule>(
  rendererPath('state/settings.svelte.ts'),
);
const { ExportsStore } = await importRuneModule<typeof ExportsModule>(
  rendererPath('state/exports.svelte.ts'),
);
const { NoticesStore } = await importRuneModule<typeof NoticesModule>(
  rendererPath('state/notices.svelte.ts'),
);
const { HubsStore, levelCounts, worstState } = await importRuneModule<typeof HubsModule>(
  rendererPath('state/hubs.svelte.ts'),
);

function task(id: string, current: number): TaskState {
  return {
    key: `bai\u0000task\u0000${id}`,
    hub: 'bai',
    type: 'task',
    id,
    firstSeenAt: 0,
    lastEventAt: 0,
    lastSeq: 1,
    events: 1,
    current,
    total: 10,
    message: null,
    outcome: 'running',
    startedAt: 0,
    finishedAt: null,
  };
}

function alert(id: string, count: number, lastAt: number): Alert {
  return {
    id,
    ruleId: 'protocube-crash',
    ruleName: 'Server crashed',
    hub: 'cube',
    entity: { type: 'server', id: 'srv-1' },
    severity: 'error',
    title: 'Server srv-1 crashed on cube',
    body: 'segfault',
    count,
    firstAt: 0,
    lastAt,
    event: { hub: 'cube', seq: 3 },
  };
}

describe('the entities store', () => {
  it('applies pushed deltas, and its per-type lists follow', () => {
    const store = new EntitiesStore();
    store.replaceAll([task('t1', 1)]);
    expect(store.ofType('task').map((t) => t.current)).toEqual([1]);
    store.apply({ changed: [task('t1', 4), task('t2', 0)], removed: [] });
    expect(store.ofType('task').map((t) => [t.id, t.current])).toEqual([
      ['t1', 4],
      ['t2', 0],
    ]);
    store.apply({ changed: [], removed: [task('t1', 0).key] });
    expect(store.ofType('task').map((t) => t.id)).toEqual(['t2']);
    expect(store.get(task('t2', 0).key)?.id).toBe('t2');
    expect(store.byType.bot).toEqual([] as EntityState[]);
  });

  it('coalesces the deltas of one frame, in order', () => {
    const scheduler = createManualScheduler();
    const store = new EntitiesStore(scheduler);
    store.apply({ changed: [task('t1', 1)], removed: [] });
    store.apply({ changed: [], removed: [task('t1', 0).key] });
    store.apply({ changed: [task('t1', 7), task('t2', 2)], removed: [] });
    expect(store.ofType('task')).toEqual([]);
    scheduler.flush();
    expect(store.ofType('task').map((t) => [t.id, t.current])).toEqual([
      ['t1', 7],
      ['t2', 2],
    ]);
  });
});

describe('the alerts store', () => {
  it('puts new alerts on top, updates a storm’s count in place and counts what is unseen', () => {
    const store = new AlertsStore();
    store.replaceAll({ alerts: [alert('a1', 1, 10)], muted: [], rules: [] });
    store.receive(alert('a2', 1, 20), true);
    store.receive(alert('a1', 5, 30), false);
    expect(store.list.map((a) => [a.id, a.count])).toEqual([
      ['a1', 5],
      ['a2', 1],
    ]);
    expect(store.unseen).toBe(1);
    store.markSeen();
    expect(store.unseen).toBe(0);
  });

  it('applies a storm of pushes once per frame, each alert once at its newest count', () => {
    const scheduler = createManualScheduler();
    const store = new AlertsStore(scheduler);
    for (let count = 1; count <= 1000; count++) store.receive(alert('storm', count, count), count === 1);
    store.receive(alert('other', 1, 2000), true);
    expect(store.list).toEqual([]);
    expect(scheduler.pending()).toBe(1);
    scheduler.flush();
    expect(store.list.map((a) => [a.id, a.count])).toEqual([
      ['other', 1],
      ['storm', 1000],
    ]);
    expect(store.unseen).toBe(2);
  });

  it('remembers muted hubs', () => {
    const store = new AlertsStore();
    store.setMuted('cube', true);
    store.setMuted('cube', true);
    expect(store.muted).toEqual(['cube']);
    expect(store.isMuted('cube')).toBe(true);
    store.setMuted('cube', false);
    expect(store.isMuted('cube')).toBe(false);
  });
});

describe('the settings store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('applies changes at once and writes them together, once, shortly after', async () => {
    const backend = new FakeBackend().on('settings.set', (patch) => ({
      tabOrder: [],
      splitTab: null,
      theme: 'system',
      tabFilters: {},
      timeFormat: 'absolute',
      ...patch,
    }));
    const store = new SettingsStore(backend);
    store.update({ theme: 'dark' });
    store.setTabFilter('bots', { text: 'a' });
    store.setTabFilter('bots', { text: 'ab' });
    expect(store.value.theme).toBe('dark');
    expect(backend.callsOf('settings.set')).toEqual([]);
    await vi.advanceTimersByTimeAsync(SETTINGS_WRITE_DELAY_MS + 10);
    expect(backend.callsOf('settings.set')).toEqual([
      { theme: 'dark', tabFilters: { bots: { text: 'ab' } } },
    ]);
    store.setTabFilter('bots', {});
    await vi.advanceTimersByTimeAsync(SETTINGS_WRITE_DELAY_MS + 10);
    expect(backend.callsOf('settings.set')[1]).toEqual({ tabFilters: {} });
  });

  it('says so when a write fails', async () => {
    const backend = new FakeBackend().on('settings.set', () => {
      throw new Error('disk full');
    });
    const store = new SettingsStore(backend);
    store.update({ timeFormat: 'relative' });
    await store.flush();
    expect(store.writeError).toBe('Settings were not saved: disk full');
  });
});

describe('the exports store', () => {
  const progress = (state: ExportProgress['state'], extra: Partial<ExportProgress> = {}): ExportProgress => ({
    exportId: 'x1',
    written: 0,
    evicted: 0,
    total: null,
    state,
    file: null,
    downloadUrl: null,
    error: null,
    bytes: 0,
    ...extra,
  });

  it('follows the current export and downloads the finished file once', async () => {
    const downloads: string[] = [];
    const backend = new FakeBackend().on('export.start', () => progress('running'));
    const store = new ExportsStore(backend, (url) => downloads.push(url));
    await store.start({ format: 'csv', filter: {} });
    expect(store.running).toBe(true);
    store.receive(progress('running', { written: 500 }));
    store.receive({ ...progress('running'), exportId: 'other', written: 9 });
    expect(store.current?.written).toBe(500);
    const done = progress('done', { written: 900, downloadUrl: '/exports/abc/hubwatch.csv' });
    store.receive(done);
    store.receive(done);
    expect(downloads).toEqual(['/exports/abc/hubwatch.csv']);
    store.clear();
    expect(store.current).toBe(null);
  });

  it('shows why an export could not start', async () => {
    const backend = new FakeBackend().on('export.start', () => {
      throw new Error('the time range ends before it starts');
    });
    const store = new ExportsStore(backend, () => undefined);
    await store.start({ format: 'ndjson', filter: { from: 2, to: 1 } });
    await settle();
    expect(store.error).toBe('the time range ends before it starts');
    expect(store.starting).toBe(false);
  });
});

describe('the notices store', () => {
  it('folds repeats into one notice with a count and lets the operator dismiss it', () => {
    const store = new NoticesStore();
    store.add('warn', 'secure storage is missing');
    store.add('warn', 'secure storage is missing');
    store.add('info', 'demo started');
    expect(store.list.map((n) => [n.message, n.count])).toEqual([
      ['secure storage is missing', 2],
      ['demo started', 1],
    ]);
    store.dismiss(store.list[0]!.id);
    expect(store.list.map((n) => n.message)).toEqual(['demo started']);
  });
});

describe('the hubs store', () => {
  it('orders hubs by the operator’s tab order and sums their level counts', () => {
    const store = new HubsStore();
    store.set([
      hubSummary('a'),
      hubSummary('b', { levels: { error: 2 } }),
      hubSummary('c', { levels: { error: 3, info: 1 } }),
    ]);
    expect(store.ordered(['c', 'a']).map((hub) => hub.id)).toEqual(['c', 'a', 'b']);
    expect(store.byId.get('b')?.id).toBe('b');
    expect(levelCounts(store.list)).toMatchObject({ error: 5, info: 1, warn: 0 });
  });

  it('keeps a flipped enabled switch when a push sent before the change arrives after it', () => {
    const store = new HubsStore();
    store.set([hubSummary('a', { enabled: true }), hubSummary('b', { enabled: true })]);
    store.expectEnabled('a', false);
    expect(store.byId.get('a')?.enabled).toBe(false);
    // A push the engine sent before it disabled the hub still says enabled.
    store.set([hubSummary('a', { enabled: true }), hubSummary('b', { enabled: true })]);
    expect(store.byId.get('a')?.enabled).toBe(false);
    // Once a push shows the change, pushes are shown as they are again.
    store.set([hubSummary('a', { enabled: false }), hubSummary('b', { enabled: true })]);
    store.set([hubSummary('a', { enabled: true }), hubSummary('b', { enabled: true })]);
    expect(store.byId.get('a')?.enabled).toBe(true);
    // A change that failed shows the hub as it was.
    store.expectEnabled('b', false);
    store.forgetEnabled('b', true);
    expect(store.byId.get('b')?.enabled).toBe(true);
    store.set([hubSummary('a', { enabled: true }), hubSummary('b', { enabled: true })]);
    expect(store.byId.get('b')?.enabled).toBe(true);
  });

  it('keeps a removed hub out when a push sent before the removal arrives after it', () => {
    const store = new HubsStore();
    store.set([hubSummary('a'), hubSummary('b')]);
    store.remove('b');
    // A push the engine sent before it removed the hub still lists it.
    store.set([hubSummary('a'), hubSummary('b')]);
    expect(store.list.map((hub) => hub.id)).toEqual(['a']);
    // Once a push no longer lists it, a later hub of the same id is shown again.
    store.set([hubSummary('a')]);
    store.set([hubSummary('a'), hubSummary('b')]);
    expect(store.list.map((hub) => hub.id)).toEqual(['a', 'b']);
    // Saving a hub under a removed id brings it back at once.
    store.remove('a');
    store.upsert(hubSummary('a'));
    store.set([hubSummary('a'), hubSummary('b')]);
    expect(store.list.map((hub) => hub.id)).toEqual(['a', 'b']);
  });

  it('reports the worst state of the enabled hubs', () => {
    const failed = hubSummary('x', {
      state: { state: 'failed', reason: 'credentials_rejected', detail: '401' },
    });
    const off = hubSummary('y', {
      enabled: false,
      state: { state: 'failed', reason: 'http_error', detail: '500' },
    });
    expect(worstState([hubSummary('a'), failed])?.state).toBe('failed');
    expect(worstState([hubSummary('a'), off])?.state).toBe('open');
  });
});
