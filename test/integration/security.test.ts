/**
 * Security, end to end (issue 8): a secret used in this run appears nowhere it must not —
 * the built renderer and preload bundles, the settings file, the log file, any IPC payload,
 * any export; forged IPC senders and malformed payloads are refused; the built page's CSP
 * is strict; every window is hardened; exported records have credentials in URLs and
 * headers masked.
 * (`hubwatch serve`'s token and loopback binding: test/integration/cli/serve.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emitReady, invokeFrom, resetStub, stub, WebFrameMain } from '../unit/main/support/electron';
import type { CallResult, PushMessage } from '../../src/shared/api';
import type { DesktopApp as DesktopAppType } from '../../src/main/desktop-app';

const { DesktopApp } = await import('../../src/main/desktop-app');
const { AppLog } = await import('../../src/main/app-log');
const { applySecurityPolicy } = await import('../../src/main/security');
const { IPC_CALL_CHANNEL, IPC_PUSH_CHANNEL } = await import('../../src/shared/ipc-channels');

const ROOT = resolve(import.meta.dirname, '../..');
/** Fresh for every run, so finding it anywhere can only mean this run leaked it. */
const SECRET = `sk-${randomBytes(12).toString('hex')}`;
const QUERY_SECRET = `q-${randomBytes(12).toString('hex')}`;

let server: Server;
let base = '';
let dir: string;
let desktop: DesktopAppType | null = null;
const results: unknown[] = [];
const logged: unknown[][] = [];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  return readdirSync(path).flatMap((name) => {
    const full = join(path, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

const mainWindow = () => {
  const window = stub.windows.find((candidate) => !candidate.destroyed);
  if (!window) throw new Error('no window');
  return window;
};

async function call<T>(name: string, request: unknown, frame?: unknown): Promise<CallResult<T>> {
  const contents = mainWindow().webContents;
  const result = (await invokeFrom(
    contents,
    IPC_CALL_CHANNEL,
    [name, request],
    frame as never,
  )) as CallResult<T>;
  results.push(result);
  return result;
}

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const pushes = (): PushMessage[] =>
  mainWindow()
    .webContents.sent.filter((sent) => sent.channel === IPC_PUSH_CHANNEL)
    .flatMap((sent) => sent.args[0] as PushMessage[]);

beforeAll(async () => {
  // A careless hub: it echoes the request line (with its ?token=) and the Authorization
  // header into its events, which Hubwatch must not pass on to the UI or to files.
  server = createServer((req, res) => {
    const authorized =
      req.headers.authorization === `Bearer ${SECRET}` || (req.url ?? '').includes(QUERY_SECRET);
    if (!authorized) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (let i = 0; i < 5; i++) {
      const payload = {
        msg: `GET ${req.url} authorization: ${req.headers.authorization ?? '-'} #${i}`,
        level: 'info',
      };
      res.write(`data: ${JSON.stringify(payload)}\n\n`);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  resetStub();
  dir = mkdtempSync(join(tmpdir(), 'hubwatch-security-'));
  stub.paths.userData = dir;
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args));
  }
  emitReady();
  applySecurityPolicy();
  const log = new AppLog({ dir: join(dir, 'logs') });
  log.captureConsole();
  desktop = await DesktopApp.start({
    userDataDir: dir,
    preloadPath: resolve(ROOT, 'out/preload/index.cjs'),
    platform: 'linux',
    log,
  });
  await until('the window to load', () => !mainWindow().webContents.loading);
}, 30_000);

afterAll(async () => {
  await desktop?.shutdown();
  vi.restoreAllMocks();
  resetStub();
  rmSync(dir, { recursive: true, force: true });
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('secrets used in a run', () => {
  it('reach the hub and nothing else: IPC payloads, settings, logs, exports and the built bundles', async () => {
    const bearer = await call('hubs.save', {
      hub: {
        id: 'careless',
        dialect: 'generic',
        url: `${base}/events`,
        auth: { type: 'bearer', token: { kind: 'stored', set: false } },
        fields: { message: 'msg' },
      },
      secrets: { 'auth.token': SECRET },
      create: true,
    });
    expect(bearer.ok).toBe(true);
    const query = await call('hubs.save', {
      hub: {
        id: 'careless-query',
        dialect: 'generic',
        url: `${base}/events`,
        auth: { type: 'query', param: 'token', value: { kind: 'stored', set: false } },
        fields: { message: 'msg' },
      },
      secrets: { 'auth.value': QUERY_SECRET },
      create: true,
    });
    expect(query.ok).toBe(true);
    await until('both hubs to deliver', () =>
      ['careless', 'careless-query'].every(
        (id) => (desktop!.workspace.engine.hub(id)?.stats.events ?? 0) >= 5,
      ),
    );

    const view = (await call<{ viewId: string }>('view.open', { filter: {} })) as {
      ok: true;
      value: { viewId: string };
    };
    await call('view.rows', { viewId: view.value.viewId, start: 0, count: 50 });
    await call('events.get', { hub: 'careless', seq: 1 });
    await call('events.get', { hub: 'careless-query', seq: 1 });
    await call('events.detail', { hub: 'careless', seq: 1 });
    await call('events.detail', { hub: 'careless-query', seq: 1 });
    await call('hubs.list', null);
    await until('hub pushes', () => pushes().some((push) => push.name === 'hubs'));

    // Every export format, through the save dialog.
    const exported: string[] = [];
    for (const format of ['ndjson', 'csv', 'text'] as const) {
      const path = join(dir, `export.${format}`);
      stub.saveDialogResult = { canceled: false, filePath: path };
      const started = await call<{ exportId: string }>('export.start', { format, filter: {} });
      expect(started.ok).toBe(true);
      await until(`the ${format} export`, () => existsSync(path));
      exported.push(path);
    }

    const leaks = (text: string) => [SECRET, QUERY_SECRET].filter((secret) => text.includes(secret));
    expect(leaks(JSON.stringify(mainWindow().webContents.sent))).toEqual([]);
    expect(leaks(JSON.stringify(results))).toEqual([]);
    expect(leaks(JSON.stringify(logged))).toEqual([]);
    const logFile = join(dir, 'logs', 'main.log');
    expect(readFileSync(logFile, 'utf8')).toMatch(/careless: open/);
    for (const file of [join(dir, 'config.json'), join(dir, 'secrets.json'), logFile, ...exported]) {
      expect(leaks(readFileSync(file, 'utf8')), file).toEqual([]);
    }
    // The exports did carry the careless messages, with the credentials masked.
    const ndjson = readFileSync(exported[0]!, 'utf8');
    expect(ndjson).toMatch(/token=REDACTED/);
    expect(ndjson).toMatch(/Bearer REDACTED/);
    const bundles = [...filesUnder(join(ROOT, 'out/renderer')), ...filesUnder(join(ROOT, 'out/preload'))];
    expect(bundles.length).toBeGreaterThan(2);
    for (const file of bundles) expect(leaks(readFileSync(file, 'latin1')), file).toEqual([]);
  }, 45_000);
});

describe('the IPC boundary', () => {
  it('refuses forged senders: another page, a subframe, a gone frame', async () => {
    const main = mainWindow().webContents.mainFrame;
    const foreign = new WebFrameMain('https://evil.example/');
    const subframe = new WebFrameMain('app://hubwatch/index.html', main);
    for (const frame of [foreign, subframe, null]) {
      const result = await call('hubs.list', null, frame);
      expect(result).toMatchObject({
        ok: false,
        error: { message: expect.stringMatching(/^refused/) as unknown },
      });
    }
  });

  it('refuses malformed payloads before they reach the engine, naming the field', async () => {
    expect(await call('hubs.setEnabled', { id: 'careless', enabled: 'yes' })).toMatchObject({
      ok: false,
      error: { field: 'enabled' },
    });
    expect(await call('view.rows', { viewId: 'v1', start: 0, count: 1e9 })).toMatchObject({
      ok: false,
      error: { field: 'count' },
    });
    expect(await call('hubs.save', { hub: { id: 'x', dialect: 'nope', url: 'http://x' } })).toMatchObject({
      ok: false,
    });
    expect(await call('process.exit', null)).toMatchObject({ ok: false, error: { message: /unknown call/ } });
    expect(desktop!.workspace.hubConfigs().map((hub) => hub.id)).not.toContain('x');
  });
});

describe('the window and its page', () => {
  it('gives every window the hardened webPreferences', () => {
    expect(stub.windows.length).toBeGreaterThan(0);
    for (const window of stub.windows) {
      expect(window.options.webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
      });
    }
  });

  it('ships a strict Content-Security-Policy: no inline or remote script, nothing remote at all', () => {
    const html = readFileSync(join(ROOT, 'out/renderer/index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(csp).toBeDefined();
    const directives = new Map(
      csp!
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .filter((words) => words[0])
        .map((words) => [words[0]!, words.slice(1)]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    for (const [name, sources] of directives) {
      for (const source of sources) {
        // No unsafe-*, no remote origin, no wildcard; data: only for images.
        expect(source, `${name} ${source}`).not.toMatch(/unsafe|^https?:|^wss?:|\*/);
        if (name !== 'img-src') expect(source, `${name} ${source}`).not.toBe('data:');
      }
    }
    // No inline script anywhere in the page.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
