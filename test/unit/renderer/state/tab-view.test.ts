import { beforeEach, describe, expect, it } from 'vitest';
import { ApiCallError } from '../../../../src/shared/api';
import type { FilterSpec } from '../../../../src/shared/filter';
import { createManualScheduler } from '../../../../src/renderer/src/lib/frame-scheduler';
import type * as TabViewModule from '../../../../src/renderer/src/state/tab-view.svelte';
import { importRuneModule, rendererPath } from '../support/rune-modules';
import { FakeBackend, rowsBetween, settle, viewUpdate } from '../support/fake-backend';

const { TabView, TAIL_SIZE } = await importRuneModule<typeof TabViewModule>(
  rendererPath('state/tab-view.svelte.ts'),
);

let backend: FakeBackend;
let scheduler: ReturnType<typeof createManualScheduler>;

function makeTab(options: { scope?: string[] | null; filter?: FilterSpec } = {}) {
  return new TabView({
    id: 'bots',
    scope: options.scope === undefined ? ['bots'] : options.scope,
    filter: options.filter ?? {},
    backend,
    scheduler,
  });
}

beforeEach(() => {
  backend = new FakeBackend();
  scheduler = createManualScheduler();
  backend.on('view.open', () => viewUpdate('v1', 500));
  backend.on('view.close', () => null);
});

describe('a tab view', () => {
  it('opens an engine view with its filter limited to its hub and the tail size it follows', async () => {
    const tab = makeTab({ filter: { levels: ['error'] } });
    await tab.open();
    expect(backend.callsOf('view.open')).toEqual([
      { filter: { levels: ['error'], hubs: ['bots'] }, tailSize: TAIL_SIZE },
    ]);
    expect(tab.viewId).toBe('v1');
    expect(tab.total).toBe(500);
  });

  it('follows the tail from pushed rows without calling the backend', async () => {
    const tab = makeTab();
    await tab.open();
    tab.setViewport(470, 30);
    const rows = tab.rowsIn(470, 30);
    expect(rows.map((row) => (row?.kind === 'event' ? row.g : null))).toEqual(
      Array.from({ length: 30 }, (_, i) => 471 + i),
    );
    expect(backend.callsOf('view.rows')).toEqual([]);
  });

  it('applies any number of pushes between two frames as one update', async () => {
    const tab = makeTab();
    await tab.open();
    const revision = tab.rowsRevision;
    tab.receive(viewUpdate('v1', 510, { appended: 10 }));
    tab.receive(viewUpdate('v1', 520, { appended: 10 }));
    tab.receive(viewUpdate('v1', 530, { appended: 10 }));
    expect(tab.total).toBe(500);
    expect(scheduler.pending()).toBe(1);
    scheduler.flush();
    expect(tab.total).toBe(530);
    expect(tab.rowsRevision).toBe(revision + 1);
    expect(tab.rowAt(529)).toMatchObject({ g: 530 });
  });

  it('ignores pushes for another view and for an older version', async () => {
    const tab = makeTab();
    await tab.open();
    tab.receive(viewUpdate('v9', 900));
    tab.receive(viewUpdate('v1', 10, { version: 0 }));
    scheduler.flush();
    expect(tab.total).toBe(500);
  });

  it('counts new events while paused and forgets them when it jumps to live', async () => {
    const tab = makeTab();
    await tab.open();
    tab.receive(viewUpdate('v1', 505, { appended: 5 }));
    scheduler.flush();
    expect(tab.newSincePause).toBe(0);
    tab.pause();
    expect(tab.following).toBe(false);
    tab.receive(viewUpdate('v1', 512, { appended: 7 }));
    tab.receive(viewUpdate('v1', 520, { appended: 8 }));
    scheduler.flush();
    expect(tab.newSincePause).toBe(15);
    expect(tab.total).toBe(520);
    tab.togglePause();
    expect(tab.following).toBe(true);
    expect(tab.newSincePause).toBe(0);
  });

  it('fetches rows outside the tail by page while paused, once per page', async () => {
    backend.on('view.rows', ({ start, count }) => ({
      version: 1,
      total: 500,
      rows: rowsBetween(start, Math.min(500, start + count)),
    }));
    const tab = makeTab();
    await tab.open();
    tab.pause();
    tab.setViewport(100, 30);
    tab.setViewport(101, 30);
    await settle();
    expect(backend.callsOf('view.rows')).toEqual([{ viewId: 'v1', start: 0, count: 200 }]);
    expect(tab.rowAt(100)).toMatchObject({ g: 101 });
    expect(tab.rowAt(129)).toMatchObject({ g: 130 });
  });

  it('does not fetch what the live tail already holds', async () => {
    backend.on('view.rows', () => ({ version: 1, total: 500, rows: [] }));
    const tab = makeTab();
    await tab.open();
    tab.setViewport(470, 30);
    tab.receive(viewUpdate('v1', 520, { appended: 20 }));
    scheduler.flush();
    tab.setViewport(490, 30);
    await settle();
    expect(backend.callsOf('view.rows')).toEqual([]);
  });

  it('keeps a paused window on screen while thousands of events a second pass by, without refetching it', async () => {
    let total = 500;
    backend.on('view.rows', ({ start, count }) => ({
      version: 1,
      total,
      rows: rowsBetween(start, Math.min(total, start + count)),
    }));
    const tab = makeTab();
    await tab.open();
    tab.pause();
    tab.setViewport(100, 40);
    await settle();
    expect(backend.callsOf('view.rows')).toHaveLength(1);
    for (let frame = 0; frame < 100; frame++) {
      total += 1000;
      tab.receive(viewUpdate('v1', total, { appended: 1000 }));
      scheduler.flush();
    }
    await settle();
    expect(tab.rowsIn(100, 40).every((row) => row !== undefined)).toBe(true);
    expect(backend.callsOf('view.rows')).toHaveLength(1);
    expect(tab.newSincePause).toBe(100_000);
  });

  it('holds the rows it showed when paused at the tail, after the tail moved on', async () => {
    const tab = makeTab();
    await tab.open();
    tab.setViewport(470, 30);
    tab.pause();
    tab.receive(viewUpdate('v1', 2000, { appended: 1500 }));
    scheduler.flush();
    expect(tab.rowAt(470)).toMatchObject({ g: 471 });
    expect(tab.rowAt(499)).toMatchObject({ g: 500 });
  });

  it('drops cached rows when the version changes and finds its place again by arrival number', async () => {
    let version = 1;
    backend.on('view.rows', ({ start, count }) => ({
      version,
      total: 500,
      // After the rescan every row sits 50 places earlier than before.
      rows: rowsBetween(start, Math.min(500, start + count)).map((row) =>
        row.kind === 'event' && version === 2 ? { ...row, g: row.g + 50 } : row,
      ),
    }));
    backend.on('view.indexOf', ({ g }) => g - 1 - 50);
    const tab = makeTab();
    await tab.open();
    tab.pause();
    tab.setViewport(100, 30);
    await settle();
    expect(tab.rowAt(100)).toMatchObject({ g: 101 });

    version = 2;
    tab.receive(viewUpdate('v1', 450, { version: 2 }));
    scheduler.flush();
    expect(tab.version).toBe(2);
    await settle();
    expect(backend.callsOf('view.indexOf')).toEqual([{ viewId: 'v1', g: 101 }]);
    expect(tab.scrollRequest?.index).toBe(50);
    tab.setViewport(50, 30);
    await settle();
    // Version 1's rows are gone: what is there now came from version 2.
    expect(tab.rowAt(100)).toMatchObject({ g: 151 });
  });

  it('checks a filter before sending it and shows an invalid regex instead of applying it', async () => {
    const tab = makeTab();
    await tab.open();
    await tab.setFilter({ regex: '(unclosed' });
    expect(tab.filterProblem?.field).toBe('regex');
    expect(tab.filterProblem?.message).toMatch(/invalid regular expression/);
    expect(backend.callsOf('view.setFilter')).toEqual([]);
  });

  it('applies a new filter, follows the tail again and reports it to be saved', async () => {
    const saved: FilterSpec[] = [];
    backend.on('view.setFilter', () => viewUpdate('v1', 40, { version: 2 }));
    const tab = new TabView({
      id: 'bots',
      scope: ['bots'],
      filter: {},
      backend,
      scheduler,
      onFilterChange: (filter) => saved.push(filter),
    });
    await tab.open();
    tab.pause();
    await tab.setFilter({ levels: ['warn', 'error'] });
    expect(backend.callsOf('view.setFilter')).toEqual([
      { viewId: 'v1', filter: { levels: ['warn', 'error'], hubs: ['bots'] } },
    ]);
    expect(tab.following).toBe(true);
    expect(tab.total).toBe(40);
    expect(tab.version).toBe(2);
    expect(saved).toEqual([{ levels: ['warn', 'error'] }]);
  });

  it('shows the engine’s objection to a filter against the part it names', async () => {
    backend.on('view.setFilter', () => {
      throw new ApiCallError("unknown field 'exit_code' — use data.exit_code for a payload field", 'where');
    });
    const tab = makeTab();
    await tab.open();
    await tab.setFilter({ where: 'exit_code != 0' });
    expect(tab.filterProblem).toEqual({
      field: 'where',
      message: "unknown field 'exit_code' — use data.exit_code for a payload field",
    });
    expect(tab.scanning).toBe(false);
  });

  it('asks the engine where an event is in its view', async () => {
    backend.on('view.open', () => viewUpdate('v1', 1000));
    backend.on('view.indexOfEvent', ({ viewId, hub, seq }) =>
      viewId === 'v1' && hub === 'cube' && seq === 319 ? 637 : -1,
    );
    const tab = makeTab({ scope: null });
    await tab.open();
    expect(await tab.locate({ hub: 'cube', seq: 319 })).toBe(637);
    expect(await tab.locate({ hub: 'nowhere', seq: 1 })).toBe(-1);
  });

  it('closes its engine view, and a reconnect opens a fresh one', async () => {
    const tab = makeTab();
    await tab.open();
    tab.close();
    expect(backend.callsOf('view.close')).toEqual([{ viewId: 'v1' }]);
    expect(tab.viewId).toBe(null);
    backend.on('view.open', () => viewUpdate('v2', 7));
    await tab.reopen();
    expect(tab.viewId).toBe('v2');
    expect(tab.total).toBe(7);
  });

  it('falls back to an unfiltered view when the engine refuses a saved filter', async () => {
    backend.on('view.open', ({ filter }) => {
      if (filter.where) throw new ApiCallError('expected a value', 'where');
      return viewUpdate('v3', 12);
    });
    const tab = makeTab({ filter: { where: 'data.x ==' } });
    await tab.open();
    expect(tab.viewId).toBe('v3');
    expect(tab.filterProblem?.field).toBe('where');
  });
});
