/**
 * A workspace (what `hubwatch serve` and the desktop app run) closed and opened again on
 * the same history: entities and alerts are rebuilt, seq goes on, the old alerts are not
 * notified again. The demo hub's real servers on loopback.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportShelf, createServeHost } from '../../../src/cli/serve/serve-host';
import { startDemoHub, type DemoHub } from '../../../src/demo-hub/demo-hub';
import { Workspace } from '../../../src/main/engine';
import type { HubConfig } from '../../../src/shared/hub-config';

let demo: DemoHub;
let hubs: HubConfig[];
beforeAll(async () => {
  demo = await startDemoHub({ port: 0, rate: 200, speed: 20 });
  hubs = demo.config().hubs.filter((hub) => hub.id === 'cube' || hub.id === 'bots');
});
afterAll(() => demo?.close());

async function openWorkspace(dir: string): Promise<Workspace> {
  const host = createServeHost(
    {
      hubs,
      configPath: null,
      startDemo: () => Promise.resolve([]),
      demoRunning: () => true,
      onError: () => {},
    },
    new ExportShelf(),
  );
  return Workspace.open(host, {}, { dir });
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('a workspace opened again on its history', () => {
  it('rebuilds entities and alerts, goes on numbering, and notifies no old alert again', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hubwatch-restart-')), 'history');
    const first = await openWorkspace(dir);
    const lastSeq = new Map<string, number>();
    first.engine.subscribe({
      onEvents: (batch) => {
        for (const event of batch) lastSeq.set(event.hub, Math.max(lastSeq.get(event.hub) ?? 0, event.seq));
      },
    });
    await until(() => first.engine.alerts.list().length > 0 && first.engine.entities.list().length >= 2);
    await first.close();
    // Closed: the hubs stopped first, so what the lists hold now is what the history holds.
    const entitiesBefore = first.engine.entities.list().map((entity) => `${entity.type}:${entity.id}`);
    const alertsBefore = first.engine.alerts.list().map((alert) => alert.id);

    const second = await openWorkspace(dir);
    const notified: string[] = [];
    const firstSeq = new Map<string, number>();
    second.engine.subscribe({
      onAlert: (alert, isNew) => void (isNew && notified.push(alert.id)),
      onEvents: (batch) => {
        for (const event of batch) if (!firstSeq.has(event.hub)) firstSeq.set(event.hub, event.seq);
      },
    });
    try {
      expect(second.historyStatus()).toMatchObject({ enabled: true, state: 'ok' });
      expect(second.engine.entities.list().map((entity) => `${entity.type}:${entity.id}`)).toEqual(
        expect.arrayContaining(entitiesBefore),
      );
      expect(second.engine.alerts.list().map((alert) => alert.id)).toEqual(
        expect.arrayContaining(alertsBefore),
      );
      await until(() => firstSeq.size === lastSeq.size);
      for (const [hub, seq] of lastSeq) expect(firstSeq.get(hub), hub).toBe(seq + 1);
      expect(notified.filter((id) => alertsBefore.includes(id))).toEqual([]);
    } finally {
      await second.close();
    }
  }, 60_000);
});
