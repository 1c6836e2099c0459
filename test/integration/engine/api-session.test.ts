import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiSession } from '../../../src/main/engine/workspace/api-session';
import { Workspace } from '../../../src/main/engine/workspace/workspace';
import { createServeHost, ExportShelf } from '../../../src/cli/serve/serve-host';
import type { Alert } from '../../../src/shared/alerts';
import type { CallResult, ExportProgress, HubSummary, PushMessage } from '../../../src/shared/api';
import type { ServerState } from '../../../src/shared/entities';
import type { EventRow } from '../../../src/shared/event-row';
import type { HubEvent } from '../../../src/shared/hub-event';
import { makeRecord } from '../../support/records';
import { startTokenEchoHub, type TokenEchoHub } from '../../support/token-echo-hub';

const SECRET = 'tok-3f9a7c1e5b';
let server: Server;
let base = '';
let workspace: Workspace;
let shelf: ExportShelf;
let session: ApiSession;
const pushes: PushMessage[] = [];
const results: CallResult<unknown>[] = [];

/** A workspace as `hubwatch serve` builds it, with no hubs and no demo (and the built export worker when given). */
function serveWorkspace(shelf: ExportShelf, exportWorker: URL | null = null): Workspace {
  return new Workspace(
    createServeHost(
      {
        hubs: [],
        configPath: null,
        startDemo: () => Promise.resolve([]),
        demoRunning: () => false,
        onError: () => undefined,
        exportWorker,
      },
      shelf,
    ),
  );
}

async function call(name: string, request: unknown): Promise<CallResult<unknown>> {
  const result = await session.call(name, request);
  results.push(result);
  return result;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  // A protocube-like hub that (badly) echoes the caller's token into its crash reasons.
  server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${SECRET}`) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    const crash = {
      Topic: 'crash',
      Data: { server_id: 'srv_1', payload: { reason: `auth ${SECRET} expired`, exit_code: 1 } },
    };
    res.write(`event: crash\ndata: ${JSON.stringify(crash)}\n\n`);
    for (let i = 0; i < 20; i++)
      res.write(
        `event: status\ndata: {"Topic":"status","Data":{"server_id":"srv_${i}","payload":"running"}}\n\n`,
      );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  shelf = new ExportShelf();
  workspace = serveWorkspace(shelf);
  session = new ApiSession(workspace, (batch) => pushes.push(...batch));
});

afterAll(async () => {
  session.close();
  await workspace.close();
  shelf.clear();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('an API session', () => {
  it('saves a hub with a write-only secret and streams it', async () => {
    const saved = await call('hubs.save', {
      hub: {
        id: 'cube',
        dialect: 'protocube',
        url: `${base}/api/events`,
        auth: { type: 'bearer', token: { kind: 'stored', set: false } },
      },
      secrets: { 'auth.token': SECRET },
    });
    expect(saved).toMatchObject({
      ok: true,
      value: { id: 'cube', config: { auth: { token: { kind: 'stored', set: true } } } },
    });
    await until(() => (workspace.engine.hub('cube')?.stats.events ?? 0) >= 21);
  });

  it('keeps the stored secret when a hub is edited without a new one', async () => {
    const edited = await call('hubs.save', {
      hub: {
        id: 'cube',
        name: 'Renamed',
        dialect: 'protocube',
        url: `${base}/api/events`,
        auth: { type: 'bearer', token: { kind: 'stored', set: true } },
      },
    });
    expect(edited).toMatchObject({ ok: true, value: { name: 'Renamed' } });
    expect(workspace.engine.hub('cube')!.state.state).not.toBe('failed');
  });

  it('refuses to create a hub over an existing one, and leaves no secret behind', async () => {
    const clash = await call('hubs.save', {
      hub: {
        id: 'cube',
        dialect: 'bot-hub',
        url: `${base}/other`,
        auth: { type: 'bearer', token: { kind: 'stored', set: false } },
      },
      secrets: { 'auth.token': 'other-secret' },
      create: true,
    });
    expect(clash).toMatchObject({ ok: false, error: { field: 'id' } });
    expect(workspace.hubConfigs()).toEqual([expect.objectContaining({ id: 'cube', dialect: 'protocube' })]);
  });

  it('finds an event in a view, and lists the event names each hub sent', async () => {
    const opened = (await call('view.open', { filter: { hubs: ['cube'] } })) as {
      ok: true;
      value: { viewId: string };
    };
    expect(await call('view.indexOfEvent', { viewId: opened.value.viewId, hub: 'cube', seq: 5 })).toEqual({
      ok: true,
      value: 4,
    });
    expect(await call('view.indexOfEvent', { viewId: opened.value.viewId, hub: 'cube', seq: 999 })).toEqual({
      ok: true,
      value: -1,
    });
    expect(await call('events.names', null)).toEqual({ ok: true, value: { cube: ['crash', 'status'] } });
    await call('view.close', { viewId: opened.value.viewId });
  });

  it('shows a hub’s rate from its first second', async () => {
    // 21 events arrived within the first moments: well before the first full second the rate is not zero.
    await new Promise((r) => setTimeout(r, 400));
    expect(workspace.engine.hub('cube')!.rate).toBeGreaterThan(0);
  });

  it('refuses a hub whose config breaks the rules, naming the field', async () => {
    const bad = await call('hubs.save', { hub: { id: 'x', dialect: 'rdev', url: base } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.message).toMatch(/project/);
  });

  it('tests a connection with a wrong token and explains the failure without storing anything', async () => {
    const report = await call('hubs.test', {
      hub: {
        id: 'probe',
        dialect: 'protocube',
        url: `${base}/api/events`,
        auth: { type: 'bearer', token: { kind: 'stored', set: false } },
      },
      secrets: { 'auth.token': 'wrong-token' },
    });
    expect(report).toMatchObject({ ok: true, value: { status: 401, outcome: 'failed' } });
    const value = (report as { value: { hint: string; request: { headers: Record<string, string> } } }).value;
    expect(value.hint).toMatch(/credential|token|401/i);
    expect(JSON.stringify(value.request.headers)).not.toContain('wrong-token');
    expect(workspace.hubConfigs().map((hub) => hub.id)).toEqual(['cube']);
  });

  it('masks the secret wherever an event carries it: rows, event details and alerts', async () => {
    const opened = (await call('view.open', { filter: { hubs: ['cube'], events: ['crash'] } })) as {
      ok: true;
      value: { viewId: string };
    };
    const rows = await call('view.rows', { viewId: opened.value.viewId, start: 0, count: 10 });
    expect(JSON.stringify(rows)).toContain('REDACTED');
    const detail = await call('events.get', { hub: 'cube', seq: 1 });
    expect(JSON.stringify(detail)).toContain('REDACTED');
    // The payload's text for the detail pane too, not only its parsed data.
    const exact = (await call('events.detail', { hub: 'cube', seq: 1 })) as {
      ok: true;
      value: { dataText: string };
    };
    expect(exact.value.dataText).toContain('auth REDACTED expired');
    await until(() => pushes.some((push) => push.name === 'alert'));
    await call('alerts.list', null);
    await new Promise((r) => setTimeout(r, 600));
    const everything = JSON.stringify(pushes) + JSON.stringify(results);
    expect(everything).not.toContain(SECRET);
    const alert = pushes.find((push) => push.name === 'alert');
    expect(alert?.name === 'alert' && alert.payload.alert.body).toContain('REDACTED');
  });

  it('exports the current filter to a file the browser can download', async () => {
    const started = (await call('export.start', {
      format: 'ndjson',
      filter: { hubs: ['cube'], events: ['status'] },
    })) as {
      ok: true;
      value: { exportId: string };
    };
    await until(() =>
      pushes.some(
        (push) =>
          push.name === 'export' &&
          push.payload.exportId === started.value.exportId &&
          push.payload.state === 'done',
      ),
    );
    const done = pushes.find((push) => push.name === 'export' && push.payload.state === 'done') as {
      payload: { file: string; written: number; downloadUrl: string };
    };
    expect(done.payload.written).toBe(20);
    // A filter on event names cannot be counted up front; a whole hub can.
    expect(started.value).toMatchObject({ total: null });
    const whole = await call('export.start', { format: 'text', filter: { hubs: ['cube'] } });
    expect(whole).toMatchObject({ ok: true, value: { total: 21 } });
    expect(done.payload.downloadUrl).toMatch(/^\/exports\/[0-9a-f]+\//);
    const lines = readFileSync(done.payload.file, 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { event: string }).event)).toEqual(
      Array(20).fill('status'),
    );
  });

  it('keeps saved filters and UI settings', async () => {
    await call('filters.save', { name: 'crashes', filter: { events: ['crash'] } });
    expect(await call('filters.list', null)).toEqual({
      ok: true,
      value: [{ name: 'crashes', filter: { events: ['crash'] } }],
    });
    expect(await call('settings.set', { theme: 'dark' })).toMatchObject({
      ok: true,
      value: { theme: 'dark' },
    });
  });

  it('removes a hub with its secret', async () => {
    expect(await call('hubs.remove', { id: 'cube' })).toEqual({ ok: true, value: null });
    expect(workspace.engine.listHubs()).toEqual([]);
  });
});

describe('a session whose transport cannot carry one message', () => {
  it('still delivers the rest of the batch', async () => {
    const local = new ExportShelf();
    const ws = serveWorkspace(local);
    const delivered: PushMessage[] = [];
    const picky = new ApiSession(ws, (batch) => {
      if (batch.some((message) => message.name === 'notice' && message.payload.message === 'unsendable')) {
        throw new Error('cannot serialise');
      }
      delivered.push(...batch);
    });
    ws.notice('info', 'before');
    ws.notice('info', 'unsendable');
    ws.notice('info', 'after');
    await until(() => delivered.length >= 2);
    expect(delivered.map((message) => message.name === 'notice' && message.payload.message)).toEqual([
      'before',
      'after',
    ]);
    picky.close();
    await ws.close();
    local.clear();
  });
});

describe('a workspace with the built export worker', () => {
  /** Exports 20,000 records (several batches) as CSV with the workspace's export worker set to `worker`. */
  async function exportWith(worker: URL | null): Promise<ExportProgress & { text: string | null }> {
    const local = new ExportShelf();
    const ws = serveWorkspace(local, worker);
    for (const hub of ['a', 'b']) {
      const ring = ws.engine.store.ensureRing(hub, 'generic');
      // Several batches of 4,096: all but the first go to the workers.
      for (let seq = 1; seq <= 10_000; seq++)
        ws.engine.store.append(
          ring,
          ws.engine.store.takeG(),
          makeRecord({ hub, seq, message: `line ${seq}, "quoted"` }),
        );
    }
    const started = await ws.startExport({ format: 'csv', filter: {} });
    let done: ExportProgress | null = null;
    const stop = ws.subscribe({
      onExport: (progress) => {
        if (progress.exportId === started.exportId && progress.state !== 'running') done = progress;
      },
    });
    await until(() => done !== null);
    stop();
    const finished = done as unknown as ExportProgress;
    const text = finished.state === 'done' && finished.file ? readFileSync(finished.file, 'utf8') : null;
    await ws.close();
    local.clear();
    return { ...finished, text };
  }

  it('exports through the workers exactly what it exports without them', async () => {
    const inline = await exportWith(null);
    const workers = await exportWith(new URL('../../../out/cli/export-worker.js', import.meta.url));
    expect(inline).toMatchObject({ state: 'done', written: 20_000 });
    expect(workers).toMatchObject({ state: 'done', written: 20_000 });
    expect(inline.text!.split('\r\n')).toHaveLength(20_002);
    expect(workers.text).toBe(inline.text);
  });

  it('uses the worker its host names: one that fails fails the export, with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubwatch-broken-worker-'));
    const broken = join(dir, 'export-worker.mjs');
    writeFileSync(
      broken,
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => { throw new Error('broken worker'); });\n",
    );
    try {
      const failed = await exportWith(pathToFileURL(broken));
      expect(failed.state).toBe('failed');
      expect(failed.error).toMatch(/format worker.*broken worker/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a workspace shutting down', () => {
  it('removes the file of an export still running before cancelling resolves', async () => {
    const local = new ExportShelf();
    const ws = serveWorkspace(local);
    const ring = ws.engine.store.ensureRing('big', 'generic');
    for (let seq = 1; seq <= 600_000; seq++)
      ws.engine.store.append(ring, ws.engine.store.takeG(), makeRecord({ hub: 'big', seq }));
    const progress = await ws.startExport({ format: 'csv', filter: {} });
    expect(progress.state).toBe('running');
    // Cancel once the export is really writing its (temporary) file.
    await until(() => readdirSync(local.dir).length > 0);
    await ws.cancelAllExports();
    expect(readdirSync(local.dir)).toEqual([]);
    await ws.close();
    local.clear();
  });
});

describe('a hub whose id and name contain its own token', () => {
  // Token `fleet`: part of the hub's id and name, of a server id, and of what the hub sends.
  const TOKEN = 'fleet';
  let fleetHub: TokenEchoHub;
  let url = '';
  let local: ExportShelf;
  let ws: Workspace;
  let api: ApiSession;
  const sent: PushMessage[] = [];
  const answer = async (name: string, request: unknown): Promise<unknown> => {
    const result = await api.call(name, request);
    if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
    return result.value;
  };

  beforeAll(async () => {
    fleetHub = await startTokenEchoHub(TOKEN);
    url = fleetHub.url;
    local = new ExportShelf();
    ws = serveWorkspace(local);
    api = new ApiSession(ws, (batch) => sent.push(...batch));
  });

  afterAll(async () => {
    api.close();
    await ws.close();
    local.clear();
    await fleetHub.close();
  });

  const hubIds = (summaries: unknown) =>
    (summaries as { id: string; name: string }[]).map((hub) => [hub.id, hub.name]);
  const hubPushes = () =>
    sent.flatMap((push) =>
      push.name === 'hubs' ? [push.payload.map((hub) => [hub.id, hub.name, hub.config.id])] : [],
    );

  it('is shown with its id and name as configured, and its token masked in the content', async () => {
    const saved = await answer('hubs.save', {
      hub: {
        id: 'ops-fleet',
        name: 'Ops fleet',
        dialect: 'protocube',
        url,
        auth: { type: 'bearer', token: { kind: 'stored', set: false } },
      },
      secrets: { 'auth.token': TOKEN },
      create: true,
    });
    expect(saved).toMatchObject({
      id: 'ops-fleet',
      name: 'Ops fleet',
      config: { id: 'ops-fleet', name: 'Ops fleet' },
    });
    await until(() => (ws.engine.hub('ops-fleet')?.stats.events ?? 0) >= 2);
    expect(hubIds(await answer('hubs.list', null))).toEqual([['ops-fleet', 'Ops fleet']]);

    const view = (await answer('view.open', { filter: {} })) as { viewId: string; tail: EventRow[] };
    const rows = (
      (await answer('view.rows', { viewId: view.viewId, start: 0, count: 10 })) as { rows: EventRow[] }
    ).rows;
    expect(rows.map((row) => [row.hub, row.event, row.entity?.id, row.message])).toEqual([
      ['ops-fleet', 'status', 'srv-fleet', 'srv-fleet → running'],
      [
        'ops-fleet',
        'crash',
        'srv-fleet',
        'srv-fleet crashed: auth REDACTED expired, see http://h.test/e?token=REDACTED (exit 137)',
      ],
    ]);
    expect(await answer('events.get', { hub: 'ops-fleet', seq: 2 })).toMatchObject({
      hub: 'ops-fleet',
      entity: { id: 'srv-fleet' },
      data: {
        Data: {
          server_id: 'srv-fleet',
          payload: { reason: 'auth REDACTED expired, see http://h.test/e?token=abc123' },
        },
      },
    });
    const [server] = (await answer('entities.list', { type: 'server' })) as ServerState[];
    expect(server).toMatchObject({
      hub: 'ops-fleet',
      id: 'srv-fleet',
      key: expect.stringContaining('ops-fleet') as unknown,
    });
    expect(server!.crashes[0]!.reason).toBe('auth REDACTED expired, see http://h.test/e?token=REDACTED');
    const { alerts } = (await answer('alerts.list', null)) as { alerts: Alert[] };
    expect(alerts.map((alert) => [alert.hub, alert.title])).toEqual([
      ['ops-fleet', 'Server srv-fleet crashed on ops-fleet'],
    ]);
    await until(() => hubPushes().length > 0);
    expect(hubPushes().at(-1)).toEqual([['ops-fleet', 'Ops fleet', 'ops-fleet']]);
    await answer('view.close', { viewId: view.viewId });
  });

  it('exports its payloads as received unless asked to scrub them', async () => {
    const exported = async (scrub: boolean): Promise<HubEvent[]> => {
      const started = (await answer('export.start', {
        format: 'ndjson',
        filter: {},
        scrub,
      })) as ExportProgress;
      await until(() =>
        sent.some(
          (push) =>
            push.name === 'export' &&
            push.payload.exportId === started.exportId &&
            push.payload.state === 'done',
        ),
      );
      const done = sent.find(
        (push) =>
          push.name === 'export' &&
          push.payload.exportId === started.exportId &&
          push.payload.state === 'done',
      );
      const file = done?.name === 'export' ? done.payload.file : null;
      return readFileSync(file!, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as HubEvent);
    };
    const reason = (events: HubEvent[]) =>
      (events[1]!.data as { Data: { payload: { reason: string } } }).Data.payload.reason;
    const plain = await exported(false);
    expect(plain.map((event) => event.hub)).toEqual(['ops-fleet', 'ops-fleet']);
    expect(reason(plain)).toBe('auth REDACTED expired, see http://h.test/e?token=abc123');
    expect(reason(await exported(true))).toBe('auth REDACTED expired, see http://h.test/e?token=REDACTED');
    expect(await api.call('export.start', { format: 'ndjson', filter: {}, scrub: 'yes' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/scrub/) as unknown },
    });
  });

  it('is edited, renamed and removed by the id the UI was given, leaving no phantom hub', async () => {
    const [summary] = (await answer('hubs.list', null)) as HubSummary[];
    const edited = await answer('hubs.save', {
      hub: { ...summary!.config, name: 'Ops fleet west' },
      previousId: summary!.id,
    });
    expect(edited).toMatchObject({ id: 'ops-fleet', name: 'Ops fleet west' });
    const renamed = await answer('hubs.save', {
      hub: { ...summary!.config, id: 'ops-fleet-west', name: 'Ops fleet west' },
      previousId: 'ops-fleet',
    });
    expect(renamed).toMatchObject({ id: 'ops-fleet-west' });
    expect(hubIds(await answer('hubs.list', null))).toEqual([['ops-fleet-west', 'Ops fleet west']]);
    // The renamed hub still has its token: it reconnects and streams.
    await until(() => ws.engine.hub('ops-fleet-west')?.state.state === 'open');
    await answer('hubs.remove', { id: 'ops-fleet-west' });
    expect(await answer('hubs.list', null)).toEqual([]);
    expect(ws.hubConfigs()).toEqual([]);
  });
});

describe('an export that the retention limit outruns', () => {
  it('reports in its progress how many events were evicted before they could be written', async () => {
    const local = new ExportShelf();
    const ws = serveWorkspace(local);
    const store = ws.engine.store;
    const ring = store.ensureRing('busy', 'generic', 10_000);
    const append = (count: number) => {
      for (let i = 0; i < count; i++) {
        const seq = ring.total + 1;
        store.append(ring, store.takeG(), makeRecord({ hub: 'busy', seq, message: `m${seq}` }));
      }
    };
    append(10_000);
    let done: ExportProgress | null = null;
    const stop = ws.subscribe({
      onExport: (progress) => {
        if (progress.state !== 'running') done = progress;
      },
    });
    const started = await ws.startExport({ format: 'ndjson', filter: {} });
    expect(started).toMatchObject({ state: 'running', total: 10_000, evicted: 0 });
    // Ingest outruns the walk: 6,000 more events each time the export lets the loop run.
    while (done === null) {
      append(6_000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    stop();
    const finished = done as ExportProgress;
    expect(finished.state).toBe('done');
    const records = readFileSync(finished.file!, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; source: string | null; event: string });
    const real = records.filter((record) => !(record.event === 'gap' && record.source === 'hubwatch'));
    expect(finished.evicted).toBeGreaterThan(0);
    expect(finished.written).toBe(real.length);
    expect(finished.written + finished.evicted).toBe(10_000);
    expect(records.length - real.length).toBeGreaterThan(0);
    await ws.close();
    local.clear();
  });
});
